"""Activations: every activation's backward is the derivative of its forward, checked as a
parametrized property against float64 central differences, and float32 stays float32.

The checks themselves live in _layer_cases.py, shared with the Dense tests of test_layers.py.
"""

import numpy as np
import pytest

from chainrule import Identity, LeakyReLU, ReLU, Sigmoid, Softmax, Tanh

from _layer_cases import (BATCH_SIZES, check_backward_against_a_random_upstream, check_float32_forward_and_backward,
                          check_gradients_through_mean_squared_error, check_gradients_with_a_random_upstream)

ACTIVATIONS = {
    "sigmoid": lambda rng: Sigmoid(),
    "tanh": lambda rng: Tanh(),
    "relu": lambda rng: ReLU(),
    "leaky_relu": lambda rng: LeakyReLU(alpha=0.1),
    "identity": lambda rng: Identity(),
    "softmax": lambda rng: Softmax(),
}


@pytest.mark.parametrize("make_layer", ACTIVATIONS.values(), ids=ACTIVATIONS.keys())
@pytest.mark.parametrize("m", BATCH_SIZES)
def test_backward_matches_central_differences_for_a_random_upstream_gradient(make_layer, m):
    check_backward_against_a_random_upstream(make_layer, m)


@pytest.mark.parametrize("make_layer", ACTIVATIONS.values(), ids=ACTIVATIONS.keys())
@pytest.mark.parametrize("m", BATCH_SIZES)
def test_check_gradients_passes_for_every_activation_with_a_random_upstream(make_layer, m):
    check_gradients_with_a_random_upstream(make_layer, m)


@pytest.mark.parametrize("make_layer", ACTIVATIONS.values(), ids=ACTIVATIONS.keys())
@pytest.mark.parametrize("m", BATCH_SIZES)
def test_check_gradients_passes_for_every_activation_through_mean_squared_error(make_layer, m):
    check_gradients_through_mean_squared_error(make_layer, m)


@pytest.mark.parametrize("make_layer", ACTIVATIONS.values(), ids=ACTIVATIONS.keys())
def test_activations_keep_float32_through_forward_and_backward(make_layer):
    rng = np.random.default_rng(14)
    check_float32_forward_and_backward(make_layer(rng), rng)
