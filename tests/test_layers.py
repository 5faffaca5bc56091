"""Layers: Dense (with its L1 and L2 regularizers) and Dropout.

Each layer's backward must equal float64 central differences of its forward, for the parameter
gradients and for dA_prev, against a random upstream dA and through a real loss (the checks live in
_layer_cases.py, shared with test_activations.py). Then the forward equations, the penalties, Dropout's
scaling, dtype, and the hyperparameter checks.
"""

import numpy as np
import pytest

from chainrule import Dense, Dropout, MeanSquaredError, Sequential, check_gradients

from _layer_cases import (BATCH_SIZES, N_IN, N_OUT, check_backward_against_a_random_upstream,
                          check_float32_forward_and_backward, check_gradients_through_mean_squared_error,
                          check_gradients_with_a_random_upstream, check_layer_against_upstream, tanh_net)


def dense(rng):
    return Dense(N_IN, N_OUT, rng=rng)


def dense_l2(rng):
    layer = Dense(N_IN, N_OUT, l2=0.3, rng=rng)
    layer.b[...] = rng.standard_normal(N_OUT)
    return layer


LAYERS = {"dense": dense, "dense_l2": dense_l2}


# -- gradient checks -------------------------------------------------------------------------------
@pytest.mark.parametrize("make_layer", LAYERS.values(), ids=LAYERS.keys())
@pytest.mark.parametrize("m", BATCH_SIZES)
def test_backward_matches_central_differences_for_a_random_upstream_gradient(make_layer, m):
    check_backward_against_a_random_upstream(make_layer, m)


@pytest.mark.parametrize("make_layer", LAYERS.values(), ids=LAYERS.keys())
@pytest.mark.parametrize("m", BATCH_SIZES)
def test_check_gradients_passes_for_every_layer_with_a_random_upstream(make_layer, m):
    check_gradients_with_a_random_upstream(make_layer, m)


@pytest.mark.parametrize("make_layer", LAYERS.values(), ids=LAYERS.keys())
@pytest.mark.parametrize("m", BATCH_SIZES)
def test_check_gradients_passes_for_every_layer_through_mean_squared_error(make_layer, m):
    check_gradients_through_mean_squared_error(make_layer, m)


@pytest.mark.parametrize("dense", [{"l1": 0.1}, {"l2": 0.3}, {"l1": 0.05, "l2": 0.2}], ids=str)
def test_regularized_dense_gradients_match_central_differences(dense):
    rng = np.random.default_rng(1)
    X, Y = rng.normal(size=(6, 3)), rng.normal(size=(6, 2))
    report = check_gradients(tanh_net(**dense), X, Y, MeanSquaredError())
    assert report.passed, str(report)


@pytest.mark.parametrize("m", BATCH_SIZES)
def test_dropout_backward_matches_central_differences_with_a_fixed_mask(m):
    rng = np.random.default_rng(200 + m)
    layer = Dropout(0.4)
    X = rng.standard_normal((m, 6))
    R = rng.standard_normal((m, 6))

    def reset():
        layer.rng = np.random.default_rng(7)     # the same mask on every forward

    check_layer_against_upstream(layer, X, R, training=True, reset=reset)
    assert layer.mask is not None and np.any(layer.mask == 0)


@pytest.mark.parametrize("m", BATCH_SIZES)
def test_check_gradients_passes_for_dropout_in_training_mode(m):
    rng = np.random.default_rng(300 + m)
    X = rng.standard_normal((m, 6))
    Y = rng.standard_normal((m, 6))
    report = check_gradients(Dropout(0.5, rng=np.random.default_rng(3)), X, Y, MeanSquaredError(), training=True)
    assert report.passed, str(report)


# -- Dense -----------------------------------------------------------------------------------------
def test_dense_forward_is_the_row_form_equation():
    rng = np.random.default_rng(12)
    layer = Dense(3, 2, rng=rng)
    layer.b[...] = [0.5, -1.0]
    X = rng.standard_normal((4, 3))
    assert np.allclose(layer.forward(X), X @ layer.W + layer.b, rtol=0, atol=1e-15)
    assert layer.W.shape == (3, 2) and layer.b.shape == (2,)


def test_dense_l2_penalty_is_half_lambda_sum_of_squares():
    layer = Dense(2, 2, init="zeros", l2=0.5, rng=np.random.default_rng(0))
    layer.W[...] = [[1.0, 2.0], [3.0, 4.0]]
    assert layer.penalty() == pytest.approx(0.5 * 0.5 * 30.0, abs=1e-15)
    assert Dense(2, 2, rng=np.random.default_rng(0)).penalty() == 0.0


def test_l1_penalty_value_by_hand():
    layer = Dense(2, 2, l1=0.5, l2=0.1)
    layer.W[...] = [[1.0, -2.0], [0.5, 0.0]]
    # 0.5 · (1 + 2 + 0.5 + 0) + ½ · 0.1 · (1 + 4 + 0.25 + 0) = 1.75 + 0.2625
    assert layer.penalty() == pytest.approx(2.0125, rel=1e-15)


def test_a_negative_l1_raises_with_the_accepted_range():
    with pytest.raises(ValueError, match=r"l1 must be in \[0.0, inf\)"):
        Dense(2, 2, l1=-1.0)


def test_dense_casts_inputs_of_another_dtype_to_its_own():
    layer = Dense(3, 2, dtype=np.float32, rng=np.random.default_rng(0))
    Z = layer.forward(np.ones((4, 3)))              # float64 input
    assert Z.dtype == np.float32
    layer.backward(np.ones((4, 2)))                 # float64 gradient
    assert layer.dW.dtype == np.float32 and layer.db.dtype == np.float32
    np.testing.assert_allclose(layer.db, [4.0, 4.0])


@pytest.mark.parametrize("make_layer", LAYERS.values(), ids=LAYERS.keys())
def test_layers_keep_float32_through_forward_and_backward(make_layer):
    rng = np.random.default_rng(14)
    layer = Sequential([make_layer(rng)], dtype=np.float32, seed=0).layers[0]
    layer.skip_input_grad = False
    check_float32_forward_and_backward(layer, rng)


# -- Dropout ---------------------------------------------------------------------------------------
def test_dropout_is_the_identity_at_inference_and_rescales_kept_units_in_training():
    rng = np.random.default_rng(13)
    X = rng.standard_normal((50, 40))
    layer = Dropout(0.25, rng=np.random.default_rng(1))
    assert layer.forward(X) is X
    A = layer.forward(X, training=True)
    kept = A != 0
    assert np.allclose(A[kept], X[kept] / 0.75, rtol=1e-15)
    assert 0.70 < kept.mean() < 0.80


def test_dropout_keeps_float32():
    X = np.ones((4, 5), dtype=np.float32)
    layer = Dropout(0.5, rng=np.random.default_rng(0))
    A = layer.forward(X, training=True)
    assert A.dtype == np.float32
    assert layer.backward(np.ones_like(A)).dtype == np.float32


@pytest.mark.parametrize("rate", [1.0, -0.1])
def test_a_dropout_rate_outside_0_1_raises_with_the_accepted_range(rate):
    with pytest.raises(ValueError, match=r"rate must be in \[0.0, 1.0\)"):
        Dropout(rate)
