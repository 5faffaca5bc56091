"""Losses: backward is the exact derivative of forward, hand-checked values, stability, goldens."""

import math
import warnings

import numpy as np
import pytest

import chainrule as cr

from chainrule import (BinaryCrossEntropy, Dense, Identity, LeakyReLU, MeanSquaredError, ReLU, Sequential, Sigmoid,
                       Softmax, SoftmaxCrossEntropy, Tanh)
from chainrule.gradcheck import TOLERANCE, numerical_gradient, relative_error

from _layer_cases import tanh_net

EPS = 1e-5


def targets_and_outputs(name, m, rng):
    """(loss, Y_hat, Y) for one parametrized case; Y_hat stays away from the clipping bounds."""
    k = 3
    if name == "mse_half":
        return MeanSquaredError(half=True), rng.standard_normal((m, k)), rng.standard_normal((m, k))
    if name == "mse_full":
        return MeanSquaredError(half=False), rng.standard_normal((m, k)), rng.standard_normal((m, k))
    if name == "bce_logits":
        return BinaryCrossEntropy(from_logits=True), 3 * rng.standard_normal((m, k)), rng.uniform(0, 1, (m, k))
    if name == "bce_probabilities":
        return (BinaryCrossEntropy(from_logits=False), rng.uniform(0.05, 0.95, (m, k)),
                rng.integers(0, 2, (m, k)).astype(float))
    if name == "bce_sum_over_outputs":
        return (BinaryCrossEntropy(from_logits=False, sum_over_outputs=True), rng.uniform(0.05, 0.95, (m, k)),
                rng.integers(0, 2, (m, k)).astype(float))
    if name == "softmax_ce_one_hot":
        return SoftmaxCrossEntropy(), 3 * rng.standard_normal((m, k)), np.eye(k)[rng.integers(0, k, m)]
    if name == "softmax_ce_labels":
        return SoftmaxCrossEntropy(), 3 * rng.standard_normal((m, k)), rng.integers(0, k, m)
    raise AssertionError(name)


CASES = ["mse_half", "mse_full", "bce_logits", "bce_probabilities", "bce_sum_over_outputs", "softmax_ce_one_hot",
         "softmax_ce_labels"]


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("m", [1, 3, 8])
def test_loss_backward_equals_central_differences_of_forward(case, m):
    rng = np.random.default_rng(m)
    loss, Y_hat, Y = targets_and_outputs(case, m, rng)
    loss.forward(Y_hat, Y)
    analytic = loss.backward()
    numeric = numerical_gradient(lambda: loss.forward(Y_hat, Y), Y_hat, EPS)
    assert analytic.shape == Y_hat.shape
    assert relative_error(analytic, numeric) < TOLERANCE


@pytest.mark.parametrize("case", CASES + ["mae", "huber"])
def test_backward_returns_a_new_array_and_leaves_the_cache_alone(case):
    # the contract: backward() -> dY_hat, a new array every call; the weighted form scales each row
    from chainrule.losses import Huber, MeanAbsoluteError
    rng = np.random.default_rng(7)
    if case in ("mae", "huber"):
        loss = MeanAbsoluteError() if case == "mae" else Huber(delta=0.5)
        Y_hat, Y = rng.standard_normal((5, 3)), rng.standard_normal((5, 3))
    else:
        loss, Y_hat, Y = targets_and_outputs(case, 5, rng)
    loss.forward(Y_hat, Y)
    plain = loss.backward()
    again = loss.backward()
    assert again is not plain
    again *= 0.37                                            # the caller may scale what it got
    np.testing.assert_array_equal(loss.backward(), plain)
    w = rng.uniform(0.5, 2.0, 5)
    loss.weighted(Y_hat, Y, w)
    np.testing.assert_allclose(loss.backward_weighted(w), plain * w[:, None], rtol=1e-14)


def test_mse_of_a_hand_checked_pair():
    Y_hat, Y = np.array([[1.0, 2.0]]), np.array([[0.0, 0.0]])
    half, full = MeanSquaredError(half=True), MeanSquaredError(half=False)
    assert half.forward(Y_hat, Y) == 2.5          # ½ (1 + 4)
    assert np.array_equal(half.backward(), [[1.0, 2.0]])
    assert full.forward(Y_hat, Y) == 5.0
    assert np.array_equal(full.backward(), [[2.0, 4.0]])


def test_mse_averages_over_rows_not_entries():
    loss = MeanSquaredError(half=True)
    # rows (1, 2) and (3, 0): ½ (1 + 4 + 9) / 2 rows
    assert loss.forward(np.array([[1.0, 2.0], [3.0, 0.0]]), np.zeros((2, 2))) == 3.5
    assert np.array_equal(loss.backward(), [[0.5, 1.0], [1.5, 0.0]])


def test_bce_at_one_half_and_at_zero_logits_is_log_2():
    Y = np.array([[1.0], [0.0]])
    assert BinaryCrossEntropy().forward(np.full((2, 1), 0.5), Y) == pytest.approx(math.log(2), abs=1e-15)
    logits = BinaryCrossEntropy(from_logits=True)
    assert logits.forward(np.zeros((2, 1)), Y) == pytest.approx(math.log(2), abs=1e-15)
    assert np.allclose(logits.backward(), [[-0.25], [0.25]], rtol=0, atol=1e-16)   # (σ(0) - y) / m


def test_bce_sum_over_outputs_divides_by_m_instead_of_m_times_k():
    A, Y = np.full((2, 3), 0.5), np.zeros((2, 3))
    mean, summed = BinaryCrossEntropy(), BinaryCrossEntropy(sum_over_outputs=True)
    assert summed.forward(A, Y) == pytest.approx(3 * mean.forward(A, Y), rel=1e-15)
    assert np.allclose(summed.backward(), 3 * mean.backward(), rtol=1e-15, atol=0)


def test_softmax_cross_entropy_of_equal_logits_is_log_k():
    loss = SoftmaxCrossEntropy()
    assert loss.forward(np.zeros((2, 4)), np.array([0, 3])) == pytest.approx(math.log(4), abs=1e-15)
    expected = (np.full((2, 4), 0.25) - np.eye(4)[[0, 3]]) / 2
    assert np.allclose(loss.backward(), expected, rtol=0, atol=1e-16)


def test_softmax_cross_entropy_gives_the_same_value_for_labels_and_one_hot_rows():
    rng = np.random.default_rng(1)
    Z = rng.standard_normal((5, 3))
    labels = rng.integers(0, 3, 5)
    by_label, by_row = SoftmaxCrossEntropy(), SoftmaxCrossEntropy()
    assert by_label.forward(Z, labels) == by_row.forward(Z, np.eye(3)[labels])
    assert np.array_equal(by_label.backward(), by_row.backward())


@pytest.fixture
def strict_numerics():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", divide="raise", invalid="raise", under="ignore"):
            yield


def test_bce_from_logits_is_exact_at_huge_logits_without_warnings(strict_numerics):
    Z = np.array([[1e4], [1e4], [-1e4], [-1e4]])
    Y = np.array([[1.0], [0.0], [0.0], [1.0]])
    loss = BinaryCrossEntropy(from_logits=True)
    value = loss.forward(Z, Y)
    assert value == (0.0 + 1e4 + 0.0 + 1e4) / 4
    assert np.array_equal(loss.backward(), np.array([[0.0], [1.0], [0.0], [-1.0]]) / 4)


def test_bce_from_probabilities_is_finite_at_saturated_outputs_without_warnings(strict_numerics):
    A = np.array([[1.0], [0.0], [1.0], [0.0]])
    Y = np.array([[1.0], [0.0], [0.0], [1.0]])
    loss = BinaryCrossEntropy(from_logits=False)
    value = loss.forward(A, Y)
    assert math.isfinite(value)
    assert value == pytest.approx(-math.log(1e-15) / 2, rel=1e-4)
    assert np.isfinite(loss.backward()).all()


def test_bce_from_probabilities_is_finite_for_saturated_float32_outputs(strict_numerics):
    # A float32 Sigmoid output is exactly 1.0 once z > ~17; a confident, correct prediction must
    # cost ~0, not NaN. The clip bound 1 - 1e-15 rounds to 1.0 in float32.
    A = np.array([[1.0], [0.0]], dtype=np.float32)
    Y = np.array([[1.0], [0.0]], dtype=np.float32)
    loss = BinaryCrossEntropy(from_logits=False)
    value = loss.forward(A, Y)
    assert math.isfinite(value) and value < 1e-6
    assert np.isfinite(loss.backward()).all()


def test_softmax_cross_entropy_is_finite_at_logits_of_1e4_without_warnings(strict_numerics):
    Z = np.array([[1e4, 0.0, -1e4], [-1e4, 1e4, 0.0]])
    loss = SoftmaxCrossEntropy()
    assert loss.forward(Z, np.array([0, 0])) == pytest.approx((0.0 + 2e4) / 2)
    dZ = loss.backward()
    assert np.isfinite(dZ).all()
    assert np.allclose(dZ, np.array([[0.0, 0.0, 0.0], [-1.0, 1.0, 0.0]]) / 2, rtol=0, atol=1e-300)


@pytest.mark.parametrize("activation", [Sigmoid, Tanh, ReLU, LeakyReLU, Identity, Softmax])
def test_activations_at_huge_inputs_raise_no_overflow_warnings(activation, strict_numerics):
    Z = np.array([[1e4, -1e4, 0.5], [-1e4, 1e4, -0.5]])
    layer = activation()
    A = layer.forward(Z)
    dZ = layer.backward(np.ones_like(A))
    assert np.isfinite(A).all() and np.isfinite(dZ).all()


def test_sigmoid_saturates_to_its_exact_limits():
    A = Sigmoid().forward(np.array([[1e4, -1e4, 0.0]]))
    assert np.array_equal(A, [[1.0, 0.0, 0.5]])


@pytest.mark.parametrize("loss", [MeanSquaredError(), BinaryCrossEntropy(), BinaryCrossEntropy(from_logits=True),
                                  SoftmaxCrossEntropy()], ids=repr)
def test_loss_backward_keeps_float32(loss):
    rng = np.random.default_rng(2)
    Y_hat = rng.uniform(0.1, 0.9, (4, 3)).astype(np.float32)
    Y = np.eye(3, dtype=np.float32)[[0, 1, 2, 0]]
    loss.forward(Y_hat, Y)
    assert loss.backward().dtype == np.float32


def test_softmax_cross_entropy_backward_keeps_float32_with_integer_labels():
    # The user's training loop passes integer labels straight to the loss; a float32 model must
    # get float32 gradients (STYLE §4.3), not float64 ones from a float64 one-hot matrix.
    loss = SoftmaxCrossEntropy()
    loss.forward(np.zeros((3, 4), dtype=np.float32), np.array([0, 1, 3]))
    assert loss.backward().dtype == np.float32


# --- the course's seed 000: logistic regression, one step of propagate() --------------------------
# w = [[1], [2]], b = 2, X = [[1, 2], [3, 4]] in the course's column layout (our rows are X.T),
# Y = [[1, 0]]: z = (9, 12), cost 6.000064773192205, dw = [[0.99993216], [1.99980262]],
# db = 0.499935230625. The exact cost is 6.0000647731916005; the golden carries ~6e-13 of the
# course's rounding in log(1 - σ(12)), inside the 1e-12 tolerance.
COURSE_X = np.array([[1.0, 2.0], [3.0, 4.0]])
COURSE_Y = np.array([[1.0, 0.0]])


@pytest.mark.parametrize("from_logits", [False, True])
def test_logistic_regression_reproduces_the_course_seed_000_numbers(from_logits):
    output = Identity() if from_logits else Sigmoid()
    model = Sequential([Dense(2, 1), output], seed=0)
    dense = model.layers[0]
    dense.W[...] = [[1.0], [2.0]]
    dense.b[...] = 2.0
    loss = BinaryCrossEntropy(from_logits=from_logits)
    cost = loss.forward(model.forward(COURSE_X.T), COURSE_Y.T)
    model.backward(loss.backward())
    assert cost == pytest.approx(6.000064773192205, abs=1e-12)
    assert np.allclose(dense.dW, [[0.99993216], [1.99980262]], rtol=0, atol=1e-8)
    assert dense.db.shape == (1,)
    assert dense.db[0] == pytest.approx(0.499935230625, abs=1e-12)


def test_loss_backward_before_forward_raises_value_error():
    for loss in (MeanSquaredError(), BinaryCrossEntropy(), SoftmaxCrossEntropy()):
        with pytest.raises(ValueError, match="before forward"):
            loss.backward()


@pytest.mark.parametrize("loss", [cr.MeanAbsoluteError(), cr.Huber(0.3), cr.Huber(5.0)], ids=repr)
def test_mae_and_huber_gradients_match_central_differences(loss):
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(7, 3)), rng.normal(size=(7, 2))
    assert cr.check_gradients(tanh_net(), X, Y, loss).passed


def test_huber_values_by_hand():
    loss = cr.Huber(delta=1.0)
    # residuals 0.5 (quadratic: 0.125) and 3 (linear: 1·(3 - 0.5) = 2.5); mean over 2 entries
    assert loss.forward(np.array([[0.5], [3.0]]), np.zeros((2, 1))) == pytest.approx(1.3125)
    np.testing.assert_allclose(loss.backward(), [[0.25], [0.5]])


def test_mae_value_by_hand():
    assert cr.MeanAbsoluteError().forward(np.array([[1.0, -2.0]]), np.array([[0.0, 0.0]])) == 1.5


@pytest.mark.parametrize("loss", [cr.MeanSquaredError(), cr.BinaryCrossEntropy(from_logits=True),
                                  cr.SoftmaxCrossEntropy(), cr.MeanAbsoluteError(), cr.Huber()], ids=repr)
def test_weighted_loss_gradient_matches_central_differences(loss):
    rng = np.random.default_rng(2)
    Y_hat = rng.normal(size=(5, 3))
    Y = cr.one_hot(rng.integers(0, 3, 5), 3)
    w = rng.random(5) * 2
    loss.weighted(Y_hat, Y, w)
    analytic = loss.backward_weighted(w)
    numeric = cr.numerical_gradient(lambda: loss.weighted(Y_hat, Y, w), Y_hat)
    assert cr.relative_error(analytic, numeric) < 1e-7
@pytest.mark.parametrize("Y", [[[2.0]], [[-0.5]], [[np.nan]]], ids=["above", "below", "nan"])
@pytest.mark.parametrize("loss", [BinaryCrossEntropy(), BinaryCrossEntropy(from_logits=True)], ids=repr)
def test_binary_cross_entropy_refuses_targets_outside_0_1(loss, Y):
    # issue 14: BCE returned a number for Y = 2.0; its targets are probabilities
    with pytest.raises(ValueError, match=r"BinaryCrossEntropy needs targets in \[0, 1\]"):
        loss.forward(np.array([[0.5]]), np.array(Y))


def test_softmax_cross_entropy_refuses_bad_class_indices_and_one_hot_widths():
    Z = np.zeros((2, 3))
    with pytest.raises(ValueError, match=r"class indices must be in \[0, 3\), got values from 0 to 5"):
        SoftmaxCrossEntropy().forward(Z, np.array([0, 5]))
    with pytest.raises(ValueError, match=r"one column per output \(3\).*one_hot\(labels, n_classes=3\)"):
        SoftmaxCrossEntropy().forward(Z, np.eye(2))
    with pytest.raises(ValueError, match=r"SoftmaxCrossEntropy needs targets in \[0, 1\]"):
        SoftmaxCrossEntropy().forward(Z, 2 * np.eye(3)[:2])
