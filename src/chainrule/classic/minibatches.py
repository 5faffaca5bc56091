"""The course's ``random_mini_batches`` (C2W2) for column data, on the engine's ``minibatches``."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import _checks
from ..data import minibatches
from . import _bridge


def random_mini_batches(X: Any, Y: Any, mini_batch_size: int = 64, seed: int = 0) -> list[tuple[np.ndarray, np.ndarray]]:
    """Shuffle the columns with ``RandomState(seed).permutation(m)`` and cut them into mini-batches.

    X (n_x, m), Y (n_y, m) -> [(mini_batch_X (n_x, size), mini_batch_Y (n_y, size)), ...]; the last
    batch holds the remaining m mod size columns.
    """
    X = _bridge.columns(X, "X", "random_mini_batches")
    Y = _bridge.columns(Y, "Y", "random_mini_batches")
    if X.shape[1] != Y.shape[1]:
        raise ValueError(f"random_mini_batches: X {X.shape} and Y {Y.shape} must have the same number of columns m.")
    size = _checks.positive_int(mini_batch_size, "mini_batch_size", "random_mini_batches")
    order = np.random.RandomState(seed).permutation(X.shape[1])
    return [(X_b.T, Y_b.T) for X_b, Y_b in minibatches(X.T, Y.T, size, order=order)]
