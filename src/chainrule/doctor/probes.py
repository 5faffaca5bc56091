"""Probe inputs in the course's column layout: the course's own test cases and harder ones.

The course's notebooks test each function on one tiny case (some versions with integer arrays).
Real mistakes hide there: a layer index slip needs three or four layers, a ``(n_y, n_y)`` bias
needs more than one output unit, a missing 1/m is invisible when m = 1, an unstable sigmoid
needs large z. Every generator takes an explicit ``RandomState`` seed; nothing touches NumPy's
global random state.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..classic import _bridge
from ..classic import deep

HARD_M = 1000


def rng(seed: int) -> np.random.RandomState:
    return np.random.RandomState(seed)


def labels(random: np.random.RandomState, n_y: int, m: int) -> np.ndarray:
    """Y (n_y, m) of 0/1 floats with both classes present."""
    Y = (random.rand(n_y, m) > 0.5).astype(np.float64)
    Y[:, 0], Y[:, -1] = 1.0, 0.0
    return Y


def probabilities(random: np.random.RandomState, n_y: int, m: int) -> np.ndarray:
    """A (n_y, m) in [0.05, 0.95]: far from the 0 and 1 where log's rounding differs between formulas."""
    return 0.05 + 0.9 * random.rand(n_y, m)


def parameters(layer_dims: list[int], seed: int, scale: float = 0.5) -> dict[str, np.ndarray]:
    """Course parameters {"W1", "b1", ...} with non-zero biases, so a mistake in b shows."""
    random = rng(seed)
    params: dict[str, np.ndarray] = {}
    for l in range(1, len(layer_dims)):
        params[f"W{l}"] = random.randn(layer_dims[l], layer_dims[l - 1]) * scale
        params[f"b{l}"] = random.randn(layer_dims[l], 1) * 0.1
    return params


def doubled(array: Any) -> np.ndarray:
    """Every example (column) repeated twice: (n, m) -> (n, 2m)."""
    return np.concatenate([array, array], axis=1)


def forward_caches(X: np.ndarray, params: dict[str, np.ndarray]) -> tuple[np.ndarray, list]:
    """AL and the course's tuple caches [((A_prev, W, b), Z), ...] from the engine's forward pass."""
    return deep.L_model_forward(X, params)


ALIASES = {"X": ("x", "data", "inputs"), "y": ("y", "labels", "targets"),
           "parameters": ("params", "parameters", "weights", "model")}


def by_name(func: Any, values: dict[str, Any], default: tuple) -> tuple:
    """The course's arguments in the order the learner's signature names them (``predict(X, parameters)``)."""
    import inspect
    try:
        names = [name for name in inspect.signature(func).parameters]
    except (TypeError, ValueError):
        return default
    chosen = []
    for name in names:
        key = next((k for k, aliases in ALIASES.items() if name == k or name.lower() in aliases), None)
        if key is None or key not in values:
            return default
        chosen.append(values[key])
    return tuple(chosen) if chosen else default


def depth(params: dict[str, np.ndarray]) -> int:
    return _bridge.depth(params, "the doctor")
