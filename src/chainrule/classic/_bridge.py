"""The one place where the course's column layout meets the engine's rows.

The course writes ``Z = W·A + b`` with ``A`` (n_prev, m), ``W`` (n, n_prev), ``b`` (n, 1).
The engine writes ``Z = A_prev @ W + b`` with ``A_prev`` (m, n_prev), ``W`` (n_prev, n), ``b`` (n,).
So ``engine W = course W.T``, ``engine b = course b.ravel()``, and every activation matrix is
transposed at the boundary. Nothing here computes a forward or backward pass: it only converts.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import _checks, registry
from ..layers import Dense, Layer
from ..model import Sequential


def columns(data: Any, name: str, where: str, rows: int | None = None) -> np.ndarray:
    """Validate a course-layout matrix (n, m) and return it as float64."""
    array = _checks.as_array(data, name, where, dtype=np.float64)
    if array.ndim != 2:
        raise ValueError(f"{where}: {name} must be 2-D in the course's layout (n, m), got shape {array.shape}. "
                         f"For a 1-D vector of m labels pass {name}.reshape(1, -1).")
    if rows is not None and array.shape[0] != rows:
        hint = f" It looks like rows are examples; pass {name}.T." if array.shape[1] == rows else ""
        raise ValueError(f"{where}: {name} has shape {array.shape}; expected ({rows}, m).{hint}")
    _checks.finite(array, name, where)
    return array


def pair(X: Any, Y: Any, where: str) -> tuple[np.ndarray, np.ndarray]:
    """Validate course-layout data X (n_x, m) and labels Y (n_y, m) with the same m."""
    X = columns(X, "X", where)
    Y = columns(Y, "Y", where)
    if X.shape[1] != Y.shape[1]:
        hint = " It looks like X is (m, n_x); pass X.T." if X.shape[0] == Y.shape[1] else ""
        raise ValueError(f"{where}: X has {X.shape[1]} examples (columns, shape {X.shape}) but Y has "
                         f"{Y.shape[1]} (shape {Y.shape}); X is (n_x, m) and Y is (n_y, m).{hint}")
    return X, Y


def like(Y: Any, A: np.ndarray, where: str, output: str) -> np.ndarray:
    """Labels Y validated against the output A (n_y, m); with one output unit any 2-D Y of m entries."""
    Y = columns(Y, "Y", where)
    if Y.shape == A.shape:
        return Y
    if A.shape[0] == 1 and Y.size == A.size:
        return Y.reshape(A.shape)       # the course's Y (1, m) against AL (1, m), however it was stored
    hint = " Is Y transposed? Pass Y.T." if Y.shape == A.shape[::-1] else ""
    raise ValueError(f"{where}: Y has shape {Y.shape} but {output} has shape {A.shape}; both are (n_y, m).{hint}")


def cache_fields(cache: Any, names: tuple[str, ...], where: str, aliases: dict[str, str] | None = None) -> tuple:
    """A course cache's entries in ``names`` order, from the course's tuple or a dict keyed by the names.

    ``aliases`` gives another key a notebook may use for a name (``{"A_prev": "A"}``).
    """
    if isinstance(cache, dict):
        keys = [name if name in cache else (aliases or {}).get(name) for name in names]
        if any(key not in cache for key in keys):
            raise ValueError(f"{where}: the cache dict has keys {sorted(cache)}; it needs {list(names)}.")
        return tuple(cache[key] for key in keys)
    if isinstance(cache, (tuple, list)) and len(cache) == len(names):
        return tuple(cache)
    size = f" of length {len(cache)}" if isinstance(cache, (tuple, list)) else ""
    raise ValueError(f"{where}: cache must be the course's tuple ({', '.join(names)}) or a dict with those "
                     f"keys, got a {type(cache).__name__}{size}.")


def backward_steps(model: Sequential, dA: np.ndarray) -> list[Any]:
    """The engine's backward pass from dA = ∂L/∂output, one layer at a time, as ``model.backward`` runs it.

    Returns what each layer's ``backward`` hands down, in layer order (rows, with the loss's 1/m):
    for [Dense, g, Dense, σ] that is [None (∂L/∂X, skipped), dZ1, dA1, dZ2]. The layers' gradients are set.
    """
    handed = []
    for layer in reversed(model.layers):
        dA = layer.backward(dA)
        handed.append(dA)
    return handed[::-1]


def activation(name: str, where: str) -> Layer:
    """The engine layer for the course's activation string ("relu", "sigmoid", "tanh", ...)."""
    return registry.create("activation", name, where)


def dense(W: Any, b: Any, where: str) -> Dense:
    """An engine ``Dense`` holding the course's ``W`` (n, n_prev) and ``b`` (n, 1) as ``W.T`` and ``b.ravel()``."""
    W = columns(W, "W", where)
    b = _checks.as_array(b, "b", where, dtype=np.float64)
    n, n_prev = W.shape
    if b.size != n:
        raise ValueError(f"{where}: b has shape {b.shape} but W is {W.shape}; b must be ({n}, 1).")
    layer = Dense(n_prev, n, init="zeros")
    layer.W[...] = W.T
    layer.b[...] = b.ravel()
    return layer


def depth(parameters: dict, where: str) -> int:
    """Number of layers L in a course parameter dict {"W1", "b1", ..., "WL", "bL"}."""
    L = 0
    while f"W{L + 1}" in parameters:
        L += 1
        if f"b{L}" not in parameters:
            raise ValueError(f"{where}: parameters has W{L} but no b{L}.")
    if L == 0 or len(parameters) != 2 * L:
        raise ValueError(f"{where}: parameters must hold W1, b1, ..., WL, bL; got keys {sorted(parameters)}.")
    return L


def network(parameters: dict, activations: list[str], where: str) -> Sequential:
    """An engine ``Sequential`` [Dense, activation]*L holding the course's parameters (copied)."""
    L = depth(parameters, where)
    layers: list[Layer] = []
    for l in range(1, L + 1):
        W = columns(parameters[f"W{l}"], f"W{l}", where)
        layers += [Dense(W.shape[1], W.shape[0], init="zeros"), activation(activations[l - 1], where)]
    model = Sequential(layers, seed=0)
    load(model, parameters)
    return model


def load(model: Sequential, parameters: dict) -> None:
    """Copy course parameters into the engine layers, in place (``W`` transposed, ``b`` flattened)."""
    for l, layer in enumerate(dense_layers(model), start=1):
        layer.W[...] = np.asarray(parameters[f"W{l}"]).T
        layer.b[...] = np.asarray(parameters[f"b{l}"]).ravel()


def parameters_of(model: Sequential) -> dict[str, np.ndarray]:
    """The engine model's weights as the course's dict: ``W{l}`` (n, n_prev), ``b{l}`` (n, 1) copies."""
    return _course_dict(model, "W", "b")


def gradients_of(model: Sequential) -> dict[str, np.ndarray]:
    """The engine layers' gradients as the course's dict: ``dW{l}`` (n, n_prev), ``db{l}`` (n, 1)."""
    return _course_dict(model, "dW", "db")


def _course_dict(model: Sequential, W_name: str, b_name: str) -> dict[str, np.ndarray]:
    arrays: dict[str, np.ndarray] = {}
    for l, layer in enumerate(dense_layers(model), start=1):
        arrays[f"{W_name}{l}"] = getattr(layer, W_name).T.copy()
        arrays[f"{b_name}{l}"] = getattr(layer, b_name).reshape(-1, 1).copy()
    return arrays


def dense_layers(model: Sequential) -> list[Dense]:
    return [layer for layer in model.layers if isinstance(layer, Dense)]

