"""The gradient check of one layer, shared by test_layers.py and test_activations.py.

A layer's ``backward`` must equal float64 central differences (eps=1e-5) of its ``forward``, for the
parameter gradients and for dA_prev, both against a random upstream dA (the loss ``sum(A * R)`` for a
fixed random R, whose gradient with respect to A is R) and through a real loss. Each test file keeps
its own table of layer makers ``make_layer(rng) -> layer`` and runs the checks below on it.
"""

import numpy as np

import chainrule as cr
from chainrule import MeanSquaredError, check_gradients
from chainrule.gradcheck import TOLERANCE, numerical_gradient, relative_error
from chainrule.losses import Loss

EPS = 1e-5
N_IN, N_OUT = 4, 3
BATCH_SIZES = [1, 3, 8]


class RandomUpstream(Loss):
    """L = sum(Y_hat * R) for a fixed R: backward hands the layer an arbitrary upstream dA = R."""

    def __init__(self, R):
        super().__init__()
        self.R = R

    def forward(self, Y_hat, Y):
        return float(np.sum(Y_hat * self.R))

    def backward(self):
        return self.R.copy()


def away_from_zero(rng, shape, low=0.1, high=2.0):
    """Random values with |x| >= low (ReLU and LeakyReLU have a kink at 0)."""
    return rng.choice([-1.0, 1.0], size=shape) * rng.uniform(low, high, size=shape)


def width_in(layer):
    return getattr(layer, "n_in", N_IN)


def width_out(layer):
    return getattr(layer, "n_out", N_IN)


def tanh_net(seed=1, **dense):
    """Dense(3, 5) -> Tanh -> Dense(5, 2), both Dense layers built with the keywords ``dense`` (l1=, l2=)."""
    return cr.Sequential([cr.Dense(3, 5, **dense), cr.Tanh(), cr.Dense(5, 2, **dense)], seed=seed)


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


def check_backward_against_a_random_upstream(make_layer, m):
    """The layer's own backward against central differences of sum(A*R)."""
    rng = np.random.default_rng(100 + m)
    layer = make_layer(rng)
    X = away_from_zero(rng, (m, width_in(layer)))
    R = rng.standard_normal((m, width_out(layer)))
    check_layer_against_upstream(layer, X, R)


def check_gradients_with_a_random_upstream(make_layer, m):
    """``check_gradients`` passes with the RandomUpstream loss and names W, b (if any) and X, in that order."""
    rng = np.random.default_rng(400 + m)
    layer = make_layer(rng)
    X = away_from_zero(rng, (m, width_in(layer)))
    R = rng.standard_normal((m, width_out(layer)))
    report = check_gradients(layer, X, np.zeros_like(R), RandomUpstream(R))
    assert report.passed, str(report)
    n_params = len(layer.params_and_grads())
    assert [c.name for c in report.checks] == [*layer.param_names[:n_params], "X"]


def check_gradients_through_mean_squared_error(make_layer, m):
    """``check_gradients`` passes with a real loss, MeanSquaredError(half=False)."""
    rng = np.random.default_rng(500 + m)
    layer = make_layer(rng)
    X = away_from_zero(rng, (m, width_in(layer)))
    Y = rng.standard_normal((m, width_out(layer)))
    report = check_gradients(layer, X, Y, MeanSquaredError(half=False))
    assert report.passed, str(report)


def check_float32_forward_and_backward(layer, rng):
    """Output, dA_prev, parameters and gradients all stay float32."""
    X = away_from_zero(rng, (3, width_in(layer))).astype(np.float32)
    A = layer.forward(X)
    dX = layer.backward(np.ones_like(A))
    assert A.dtype == np.float32
    assert dX.dtype == np.float32
    for param, grad in layer.params_and_grads():
        assert param.dtype == np.float32 and grad.dtype == np.float32
