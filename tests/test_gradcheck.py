"""gradcheck: ``check_gradients`` on whole models (losses, dropout, float32, a subset of entries), which
layer it blames, and ``numerical_gradient`` and ``relative_error`` with their guards.

The gradient checks of each layer, activation and regularizer live in test_layers.py and
test_activations.py, those of the losses (MAE and Huber included) in test_losses.py.
"""

import numpy as np
import pytest

from chainrule import (BinaryCrossEntropy, Dense, Dropout, Identity, MeanSquaredError, ReLU, Sequential, Sigmoid,
                       SoftmaxCrossEntropy, Tanh, check_gradients, numerical_gradient, relative_error)
from chainrule.gradcheck import ATOL, TOLERANCE
from chainrule.layers import Layer

EPS = 1e-5


class SlopeTanh(Layer):
    """A learner's activation with the classic slip: dZ = dA * (1 - A) instead of dA * (1 - A²)."""

    def forward(self, A_prev, training=False):
        self.A = np.tanh(A_prev)
        return self.A

    def backward(self, dA):
        return dA * (1.0 - self.A)


class PositivePart(Layer):
    """An identity whose backward drops negative gradients: right only while dA > 0."""

    def forward(self, A_prev, training=False):
        return A_prev.copy()

    def backward(self, dA):
        return np.maximum(dA, 0.0)


class DoubledInputGradient(Dense):
    """A learner's Dense whose dW and db are right but whose dA_prev is twice too large."""

    def backward(self, dZ):
        dA_prev = super().backward(dZ)
        return None if dA_prev is None else 2.0 * dA_prev


class ScaledLoss(MeanSquaredError):
    """A learner's loss whose backward forgot the factor 2 of d(ŷ - y)²/dŷ."""

    def backward(self):
        return 0.5 * super().backward()


def data(seed, m=6, n_in=3, n_out=2):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((m, n_in)), rng.standard_normal((m, n_out))


def last_line(report):
    return str(report).splitlines()[-1]


def test_a_wrong_parameter_free_layer_is_blamed_not_the_dense_layer_below_it():
    X, Y = data(0)
    model = Sequential([Dense(3, 4), SlopeTanh(), Dense(4, 2)], seed=1)
    report = check_gradients(model, X, Y, MeanSquaredError())
    assert not report.passed
    # end to end the symptom is in Dense layer 1 (and dX), whose own backward is right
    assert [(f.layer.split(" (")[0], f.name) for f in report.failures()] == [
        ("Dense layer 1", "W"), ("Dense layer 1", "b"), ("input", "X")]
    assert report.culprit.layer == "SlopeTanh layer 2" and report.culprit.name == "A_prev"
    failed_alone = {(c.layer.split(" (")[0], c.name) for c in report.layer_checks if not c.passed}
    assert failed_alone == {("SlopeTanh layer 2", "A_prev")}
    line = last_line(report)
    assert "the bug is in SlopeTanh layer 2's backward" in line
    assert "the bug is in that layer's backward" not in line


def test_a_wrong_dA_prev_of_a_dense_layer_is_blamed_on_it_not_on_the_layers_below():
    X, Y = data(1)
    model = Sequential([Dense(3, 4), Tanh(), DoubledInputGradient(4, 2)], seed=2)
    report = check_gradients(model, X, Y, MeanSquaredError())
    assert report.failures()[0].layer.startswith("Dense layer 1")
    assert report.culprit.layer.startswith("DoubledInputGradient layer 3") and report.culprit.name == "A_prev"
    assert "the bug is in DoubledInputGradient layer 3" in last_line(report)


def test_a_wrong_dA_prev_of_the_first_layer_is_blamed_when_the_input_gradient_is_checked():
    X, Y = data(2)
    model = Sequential([DoubledInputGradient(3, 4), Tanh(), Dense(4, 2)], seed=3)
    report = check_gradients(model, X, Y, MeanSquaredError())
    assert [f.layer for f in report.failures()] == ["input"]
    assert report.culprit.layer.startswith("DoubledInputGradient layer 1")
    assert "the bug is in DoubledInputGradient layer 1" in last_line(report)
    # without ∂L/∂X nobody asks the first layer for dA_prev, so nothing is wrong
    assert check_gradients(model, X, Y, MeanSquaredError(), input_grad=False).passed


def test_the_layer_check_uses_a_random_upstream_gradient_so_it_finds_bugs_the_loss_hides():
    X, _ = data(3)
    model = Sequential([Dense(3, 2), PositivePart()], seed=4)
    Y = model.forward(X) - 1.0                # every upstream gradient 2(ŷ - y)/m is positive
    report = check_gradients(model, X, Y, MeanSquaredError())
    assert not report.failures()
    assert not report.passed
    assert report.culprit.layer == "PositivePart layer 2"
    assert last_line(report).startswith("gradient check FAILED at PositivePart layer 2 checked on its own")


def test_when_every_layer_is_right_on_its_own_the_report_points_at_the_loss():
    X, Y = data(4)
    model = Sequential([Dense(3, 4), Tanh(), Dense(4, 2)], seed=5)
    report = check_gradients(model, X, Y, ScaledLoss())
    assert report.failures() and report.culprit is None
    assert all(c.passed for c in report.layer_checks)
    assert "loss's backward" in last_line(report)


def test_a_correct_model_keeps_the_short_report_and_checks_every_layer_on_its_own():
    X, Y = data(5)
    model = Sequential([Dense(3, 4, l2=0.1), Tanh(), Dense(4, 2)], seed=6)
    report = check_gradients(model, X, Y, MeanSquaredError())
    assert report.passed and report.culprit is None
    lines = str(report).splitlines()
    assert len(lines) == len(report.checks) + 1 and lines[-1].startswith("all 5 gradients agree")
    names = [(c.layer.split(" (")[0], c.name) for c in report.layer_checks]
    assert names == [("Dense layer 1", "W"), ("Dense layer 1", "b"), ("Dense layer 1", "A_prev"),
                     ("Tanh layer 2", "A_prev"),
                     ("Dense layer 3", "W"), ("Dense layer 3", "b"), ("Dense layer 3", "A_prev")]
    assert all(c.relative_error < 1e-9 for c in report.layer_checks)


def test_layer_checks_replay_dropout_masks_and_skip_the_unrequested_input_gradient():
    X, Y = data(6, n_in=3)
    model = Sequential([Dense(3, 6), ReLU(), Dropout(0.5), Dense(6, 2)], seed=7)
    model.layers[0].b[...] = 0.5
    report = check_gradients(model, X, Y, MeanSquaredError(), training=True, input_grad=False)
    assert report.passed, str(report)
    checked = [(c.layer.split(" (")[0], c.name) for c in report.layer_checks]
    assert ("Dense layer 1", "A_prev") not in checked
    assert ("Dropout layer 3", "A_prev") in checked


def test_a_single_layer_has_no_separate_layer_checks():
    X, Y = data(7)
    report = check_gradients(Dense(3, 2), X, Y, MeanSquaredError())
    assert report.passed and report.layer_checks == []


def test_numerical_gradient_refuses_the_course_integer_w_and_names_the_fix():
    w = np.array([[1], [2]])
    with pytest.raises(TypeError, match=r"int64.*x = x.astype\(np.float64\)"):
        numerical_gradient(lambda: float(np.sum(w ** 2)), w)
    w = w.astype(np.float64)
    grad = numerical_gradient(lambda: float(np.sum(w ** 2)), w)
    np.testing.assert_allclose(grad, [[2.0], [4.0]], rtol=1e-9)


def test_numerical_gradient_refuses_lists_and_read_only_arrays():
    with pytest.raises(TypeError, match="list"):
        numerical_gradient(lambda: 0.0, [1.0, 2.0])
    x = np.broadcast_to(np.ones(3), (2, 3))
    with pytest.raises(ValueError, match=r"read-only.*x.copy\(\)"):
        numerical_gradient(lambda: float(x.sum()), x)


def test_relative_error_refuses_shapes_that_would_broadcast():
    with pytest.raises(ValueError, match=r"\(1, 1\).*\(4, 1\)"):
        relative_error(np.ones((1, 1)), np.ones((4, 1)))


def test_relative_error_asks_transposed_when_the_shapes_are_reversed():
    with pytest.raises(ValueError, match=r"\(1, 4\).*\(4, 1\).*transposed\?"):
        relative_error(np.ones((1, 4)), np.ones((4, 1)))
    with pytest.raises(ValueError) as error:
        relative_error(np.ones((2, 3)), np.ones((3, 3)))
    assert "transposed" not in str(error.value)


def test_relative_error_has_an_absolute_floor_for_tiny_correct_gradients():
    db = np.array([1e-7, -2e-7])
    noisy = db + np.array([3e-12, -4e-12])            # central-difference rounding noise
    assert relative_error(db, noisy) == 0.0
    assert relative_error(db, noisy, atol=0.0) > TOLERANCE
    assert relative_error(db, -db) == pytest.approx(1.0)      # a wrong sign is above any floor
    assert relative_error(np.zeros(2), np.full(2, ATOL)) == pytest.approx(1.0)   # ‖a - n‖ not < atol


# -- check_gradients on whole models ---------------------------------------------------------------
def test_check_gradients_leaves_the_checked_layer_untouched():
    rng = np.random.default_rng(1)
    layer = Dense(3, 2, rng=rng)
    W_before = layer.W.copy()
    check_gradients(layer, rng.standard_normal((4, 3)), rng.standard_normal((4, 2)), MeanSquaredError())
    assert np.array_equal(layer.W, W_before)
    assert layer.A_prev is None


def dense_net(dtype=np.float64, seed=0):
    return Sequential([Dense(3, 5, l2=0.01), Tanh(), Dense(5, 4), Sigmoid(), Dense(4, 3, init="he_normal")],
                      dtype=dtype, seed=seed)


@pytest.mark.parametrize("m", [1, 3, 8])
def test_whole_sequential_passes_check_gradients_with_softmax_cross_entropy(m):
    rng = np.random.default_rng(600 + m)
    model = dense_net()
    X = rng.standard_normal((m, 3))
    labels = rng.integers(0, 3, size=m)
    report = check_gradients(model, X, labels, SoftmaxCrossEntropy())
    assert report.passed, str(report)
    # W and b of three Dense layers, then dX
    assert len(report.checks) == 7
    assert report.checks[-1].layer == "input"
    assert report.checks[0].layer.startswith("Dense layer 1")


@pytest.mark.parametrize("from_logits", [True, False])
def test_whole_sequential_passes_check_gradients_with_binary_cross_entropy(from_logits):
    rng = np.random.default_rng(7)
    output = Identity() if from_logits else Sigmoid()
    model = Sequential([Dense(2, 6), Tanh(), Dense(6, 2), output], seed=3)
    X = rng.standard_normal((8, 2))
    Y = rng.integers(0, 2, size=(8, 2)).astype(float)
    report = check_gradients(model, X, Y, BinaryCrossEntropy(from_logits=from_logits))
    assert report.passed, str(report)


def test_whole_sequential_with_relu_and_dropout_passes_check_gradients_in_training_mode():
    rng = np.random.default_rng(8)
    model = Sequential([Dense(3, 6), ReLU(), Dropout(0.3), Dense(6, 2)], seed=4)
    model.layers[0].b[...] = 0.5       # keeps most pre-activations away from ReLU's kink
    X = rng.standard_normal((8, 3))
    Y = rng.standard_normal((8, 2))
    report = check_gradients(model, X, Y, MeanSquaredError(), training=True)
    assert report.passed, str(report)


def test_check_gradients_on_a_float32_model_runs_in_float64_and_passes():
    rng = np.random.default_rng(9)
    model = dense_net(dtype=np.float32)
    weights_before = [p.copy() for p, _ in model.params_and_grads()]
    report = check_gradients(model, rng.standard_normal((5, 3)), rng.integers(0, 3, size=5), SoftmaxCrossEntropy())
    assert report.passed, str(report)
    assert report.worst.relative_error < TOLERANCE       # float32 differences could not get this close
    for (param, _), before in zip(model.params_and_grads(), weights_before):
        assert param.dtype == np.float32
        assert np.array_equal(param, before)


def test_check_gradients_with_max_entries_checks_a_subset_and_still_passes():
    rng = np.random.default_rng(11)
    model = Sequential([Dense(10, 8), Tanh(), Dense(8, 2)], seed=6)
    report = check_gradients(model, rng.standard_normal((4, 10)), rng.standard_normal((4, 2)), MeanSquaredError(),
                             max_entries=5)
    assert report.passed, str(report)


class DoubledWeightGradient(Dense):
    """A learner's bug: dW scaled by 2."""

    def backward(self, dZ):
        dA_prev = super().backward(dZ)
        self.dW = 2.0 * self.dW
        return dA_prev


class MeanBiasGradient(Dense):
    """A learner's bug: db averaged over the batch although the loss already holds the 1/m."""

    def backward(self, dZ):
        dA_prev = super().backward(dZ)
        self.db = dZ.mean(axis=0)
        return dA_prev


@pytest.mark.parametrize("broken, name", [(DoubledWeightGradient, "W"), (MeanBiasGradient, "b")])
def test_check_gradients_fails_on_a_broken_layer_and_names_it(broken, name):
    rng = np.random.default_rng(10)
    model = Sequential([Dense(3, 4), Tanh(), broken(4, 2)], seed=5)
    report = check_gradients(model, rng.standard_normal((6, 3)), rng.standard_normal((6, 2)), MeanSquaredError())
    assert not report.passed
    failures = report.failures()
    assert [(f.layer.split(" (")[0], f.name) for f in failures] == [(f"{broken.__name__} layer 3", name)]
    text = str(report)
    assert f"{broken.__name__} layer 3" in text
    assert "FAILED" in text
    assert f"d{name}" in text.splitlines()[-1]


# -- numerical_gradient and relative_error ---------------------------------------------------------
def test_relative_error_is_zero_for_equal_arrays_and_one_for_opposite_ones():
    a = np.array([1.0, -2.0, 3.0])
    assert relative_error(a, a) == 0.0
    assert relative_error(a, -a) == pytest.approx(1.0)
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0


def test_numerical_gradient_restores_x_and_matches_a_known_derivative():
    x = np.array([0.3, -1.2, 2.0])
    saved = x.copy()
    grad = numerical_gradient(lambda: float(np.sum(x ** 3)), x, EPS)
    assert np.array_equal(x, saved)
    assert relative_error(grad, 3 * saved ** 2) < 1e-9
