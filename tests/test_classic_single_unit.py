"""Seed 003: one gradient-descent step for a single sigmoid unit."""

import numpy as np
import pytest

from chainrule.classic.single_unit import gradient_descent_step


def test_seed003_printed_values():
    step = gradient_descent_step(np.array([1, 2, 3, 4]), np.array(0.5), np.array([0.5, -0.5, 0.3, 0.1]), 0.5)
    # Seed 003 prints: Neural Network output: 0.6899744811276125, Amount of Error: -0.1899744811276125,
    # Change in Weights: [-0.02031869 -0.04063738 -0.06095608 -0.08127477]
    assert abs(step.nn_output - 0.6899744811276125) < 1e-15
    assert abs(step.error - (-0.1899744811276125)) < 1e-15
    np.testing.assert_allclose(step.del_w, [-0.02031869, -0.04063738, -0.06095608, -0.08127477], atol=5e-9)


def test_matches_the_seed_formulas_symbol_for_symbol():
    x, y, w, learnrate = np.array([0.1, 0.3]), 0.2, np.array([-0.8, 0.5]), 0.5
    h = np.dot(x, w)
    nn_output = 1 / (1 + np.exp(-h))
    error = y - nn_output
    error_term = error * nn_output * (1 - nn_output)
    step = gradient_descent_step(x, y, w, learnrate)
    assert step.nn_output == pytest.approx(nn_output, rel=1e-15)
    assert step.error_term == pytest.approx(error_term, rel=1e-14)
    np.testing.assert_allclose(step.del_w, learnrate * error_term * x, rtol=1e-14)


def test_mismatched_sizes_raise():
    with pytest.raises(ValueError, match="must match"):
        gradient_descent_step(np.ones(3), 0.5, np.ones(4), 0.5)
    with pytest.raises(ValueError, match="learnrate"):
        gradient_descent_step(np.ones(3), 0.5, np.ones(3), 0.0)
