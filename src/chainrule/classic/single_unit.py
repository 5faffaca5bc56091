"""One gradient-descent step for a single sigmoid unit (seed 003).

    h = x · w                     nn_output = σ(h)
    error = y - nn_output         error_term = error · σ'(h) = error · nn_output · (1 - nn_output)
    del_w = learnrate · error_term · x

The engine computes the same step: ``Dense(n, 1)`` (bias 0), ``Sigmoid`` and
``MeanSquaredError(half=True)``, whose ∂L/∂ŷ = ŷ - y = -error; so ``dW = -error_term · x`` and the
step ``-learnrate · dW`` is ``del_w``.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from .. import _checks
from ..activations import Sigmoid
from ..layers import Dense
from ..losses import MeanSquaredError


class Step(NamedTuple):
    """What seed 003 prints: the output, the error, the error term and the weight change."""

    nn_output: float
    error: float
    error_term: float
    del_w: np.ndarray


def gradient_descent_step(x: Any, y: Any, w: Any, learnrate: float) -> Step:
    """Return ``Step(nn_output, error, error_term, del_w)`` for inputs x (n,), target y, weights w (n,)."""
    where = "gradient_descent_step"
    x = _checks.as_array(x, "x", where, dtype=np.float64).reshape(-1)
    w = _checks.as_array(w, "w", where, dtype=np.float64).reshape(-1)
    if x.shape != w.shape:
        raise ValueError(f"{where}: x has {x.size} inputs but w has {w.size} weights; they must match.")
    learnrate = _checks.positive_number(learnrate, "learnrate", where)
    y = _checks.real_number(np.asarray(y).item(), "y", where)
    dense, unit, loss = Dense(x.size, 1, init="zeros"), Sigmoid(), MeanSquaredError(half=True)
    dense.W[:, 0] = w
    nn_output = unit.forward(dense.forward(x.reshape(1, -1)))
    loss.forward(nn_output, np.array([[y]]))
    dZ = unit.backward(loss.backward())           # = -(y - ŷ)·σ'(h) = -error_term
    dense.backward(dZ)
    output = float(nn_output[0, 0])
    return Step(nn_output=output, error=y - output, error_term=-float(dZ[0, 0]),
                del_w=-learnrate * dense.dW[:, 0])
