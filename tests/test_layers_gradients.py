"""Gradient checks for every layer and activation, as parametrized properties.

Each layer's ``backward`` must equal float64 central differences (eps=1e-5) of its ``forward``,
for the parameter gradients and for dA_prev, both against a random upstream dA (the loss
``sum(A * R)`` for a fixed random R, whose gradient with respect to A is R) and through real losses.
"""

import numpy as np
import pytest

from chainrule import (Dense, Dropout, Identity, LeakyReLU, MeanSquaredError, ReLU, Sequential, Sigmoid,
                       Softmax, SoftmaxCrossEntropy, Tanh, BinaryCrossEntropy, check_gradients)
from chainrule.gradcheck import TOLERANCE, numerical_gradient, relative_error
from chainrule.losses import Loss

EPS = 1e-5
N_IN, N_OUT = 4, 3


class RandomUpstream(Loss):
    """L = sum(Y_hat * R) for a fixed R: backward hands the layer an arbitrary upstream dA = R."""

    def __init__(self, R):
        super().__init__()
        self.R = R

    def forward(self, Y_hat, Y):
        self._cache = (Y_hat.shape,)
        return float(np.sum(Y_hat * self.R))

    def backward(self):
        self._saved()
        return self.R.copy()


def away_from_zero(rng, shape, low=0.1, high=2.0):
    """Random values with |x| >= low (ReLU and LeakyReLU have a kink at 0)."""
    return rng.choice([-1.0, 1.0], size=shape) * rng.uniform(low, high, size=shape)


def dense(rng):
    return Dense(N_IN, N_OUT, rng=rng)


def dense_l2(rng):
    layer = Dense(N_IN, N_OUT, l2=0.3, rng=rng)
    layer.b[...] = rng.standard_normal(N_OUT)
    return layer


LAYERS = {
    "dense": dense,
    "dense_l2": dense_l2,
    "sigmoid": lambda rng: Sigmoid(),
    "tanh": lambda rng: Tanh(),
    "relu": lambda rng: ReLU(),
    "leaky_relu": lambda rng: LeakyReLU(alpha=0.1),
    "identity": lambda rng: Identity(),
    "softmax": lambda rng: Softmax(),
}


def width_in(layer):
    return getattr(layer, "n_in", N_IN)


def width_out(layer):
    return getattr(layer, "n_out", N_IN)


def check_layer_against_upstream(layer, X, R, training=False, reset=lambda: None):
    """Assert every parameter gradient and dA_prev of ``layer`` match central differences of sum(A*R)."""

    def f():
        reset()
        return float(np.sum(layer.forward(X, training) * R)) + layer.penalty()

    reset()
    layer.forward(X, training)
    dX = layer.backward(R.copy())
    analytic = [grad.copy() for _, grad in layer.params_and_grads()]
    for (param, _), grad in zip(layer.params_and_grads(), analytic):
        numeric = numerical_gradient(f, param, EPS)
        assert relative_error(grad, numeric) < TOLERANCE
    numeric_dX = numerical_gradient(f, X, EPS)
    assert dX.shape == X.shape
    assert relative_error(dX, numeric_dX) < TOLERANCE


@pytest.mark.parametrize("make_layer", LAYERS.values(), ids=LAYERS.keys())
@pytest.mark.parametrize("m", [1, 3, 8])
def test_backward_matches_central_differences_for_a_random_upstream_gradient(make_layer, m):
    rng = np.random.default_rng(100 + m)
    layer = make_layer(rng)
    X = away_from_zero(rng, (m, width_in(layer)))
    R = rng.standard_normal((m, width_out(layer)))
    check_layer_against_upstream(layer, X, R)


@pytest.mark.parametrize("m", [1, 3, 8])
def test_dropout_backward_matches_central_differences_with_a_fixed_mask(m):
    rng = np.random.default_rng(200 + m)
    layer = Dropout(0.4)
    X = rng.standard_normal((m, 6))
    R = rng.standard_normal((m, 6))

    def reset():
        layer.rng = np.random.default_rng(7)     # the same mask on every forward

    check_layer_against_upstream(layer, X, R, training=True, reset=reset)
    assert layer.mask is not None and np.any(layer.mask == 0)


@pytest.mark.parametrize("m", [1, 3, 8])
def test_check_gradients_passes_for_dropout_in_training_mode(m):
    rng = np.random.default_rng(300 + m)
    X = rng.standard_normal((m, 6))
    Y = rng.standard_normal((m, 6))
    report = check_gradients(Dropout(0.5, rng=np.random.default_rng(3)), X, Y, MeanSquaredError(), training=True)
    assert report.passed, str(report)


@pytest.mark.parametrize("make_layer", LAYERS.values(), ids=LAYERS.keys())
@pytest.mark.parametrize("m", [1, 3, 8])
def test_check_gradients_passes_for_every_layer_with_a_random_upstream(make_layer, m):
    rng = np.random.default_rng(400 + m)
    layer = make_layer(rng)
    X = away_from_zero(rng, (m, width_in(layer)))
    R = rng.standard_normal((m, width_out(layer)))
    report = check_gradients(layer, X, np.zeros_like(R), RandomUpstream(R))
    assert report.passed, str(report)
    n_params = len(layer.params_and_grads())
    assert [c.name for c in report.checks] == [*layer.param_names[:n_params], "X"]


@pytest.mark.parametrize("make_layer", LAYERS.values(), ids=LAYERS.keys())
@pytest.mark.parametrize("m", [1, 3, 8])
def test_check_gradients_passes_for_every_layer_through_mean_squared_error(make_layer, m):
    rng = np.random.default_rng(500 + m)
    layer = make_layer(rng)
    X = away_from_zero(rng, (m, width_in(layer)))
    Y = rng.standard_normal((m, width_out(layer)))
    report = check_gradients(layer, X, Y, MeanSquaredError(half=False))
    assert report.passed, str(report)


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


def test_check_gradients_with_max_entries_checks_a_subset_and_still_passes():
    rng = np.random.default_rng(11)
    model = Sequential([Dense(10, 8), Tanh(), Dense(8, 2)], seed=6)
    report = check_gradients(model, rng.standard_normal((4, 10)), rng.standard_normal((4, 2)), MeanSquaredError(),
                             max_entries=5)
    assert report.passed, str(report)


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


@pytest.mark.parametrize("make_layer", LAYERS.values(), ids=LAYERS.keys())
def test_layers_keep_float32_through_forward_and_backward(make_layer):
    rng = np.random.default_rng(14)
    layer = make_layer(rng)
    if isinstance(layer, Dense):
        layer = Sequential([layer], dtype=np.float32, seed=0).layers[0]
        layer.skip_input_grad = False
    X = away_from_zero(rng, (3, width_in(layer))).astype(np.float32)
    A = layer.forward(X)
    dX = layer.backward(np.ones_like(A))
    assert A.dtype == np.float32
    assert dX.dtype == np.float32
    for param, grad in layer.params_and_grads():
        assert param.dtype == np.float32 and grad.dtype == np.float32
