"""The one place where the course's column layout meets the engine's rows.

The course writes ``Z = W·A + b`` with ``A`` (n_prev, m), ``W`` (n, n_prev), ``b`` (n, 1).
The engine writes ``Z = A_prev @ W + b`` with ``A_prev`` (m, n_prev), ``W`` (n_prev, n), ``b`` (n,).
So ``engine W = course W.T``, ``engine b = course b.ravel()``, and every activation matrix is
transposed at the boundary. Nielsen's data are lists of (x (n, 1), y) pairs; ``vector_examples`` and
``label_examples`` turn them into row matrices once. Nothing here computes a forward or backward pass: it only converts.
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


# -- Nielsen: lists of (x (n, 1), y) column pairs -> row matrices ----------------------------------
def _nielsen_column(array: Any, name: str, where: str) -> np.ndarray:
    """A float64 array of columns (k, m); a 1-D vector counts as one column."""
    array = _checks.as_array(array, name, where, dtype=np.float64)
    if array.ndim == 1:
        array = array.reshape(-1, 1)
    if array.ndim != 2:
        raise ValueError(f"{where}: {name} must be a column (k, 1) or columns (k, m), got shape {array.shape}.")
    return array


def nielsen_columns(where: str, **arrays: Any) -> list[np.ndarray]:
    """Nielsen-layout arrays of one shape (k, 1) or (k, m), float64 (a 1-D vector is one column)."""
    columns = [_nielsen_column(value, name, where) for name, value in arrays.items()]
    shapes = {c.shape for c in columns}
    if len(shapes) != 1:
        described = ", ".join(f"{name} {c.shape}" for name, c in zip(arrays, columns))
        raise ValueError(f"{where}: the arrays must have the same shape (k, 1), got {described}.")
    return columns


def _pairs(data: Any, where: str, name: str) -> list:
    if data is None or isinstance(data, (str, bytes, np.ndarray)) or not hasattr(data, "__iter__"):
        raise ValueError(f"{where}: {name} must be a list (or zip) of (x, y) pairs, got {type(data).__name__}.")
    pairs = data if isinstance(data, list) else list(data)
    if not pairs:
        raise ValueError(f"{where}: {name} is empty (a zip can be read only once; pass list(...) to reuse it).")
    return pairs


def _rows(pairs: list, n_in: int, where: str, name: str) -> tuple[np.ndarray, list]:
    """X (N, n) from the pairs' columns x (n, 1), and the list of their y's."""
    X = np.empty((len(pairs), n_in))
    ys = []
    for i, pair in enumerate(pairs):
        if not isinstance(pair, (tuple, list)) or len(pair) != 2:
            raise ValueError(f"{where}: {name}[{i}] must be an (x, y) pair, got {type(pair).__name__}.")
        x, y = pair
        x = _checks.as_array(x, f"{name}[{i}][0]", where)
        if x.shape != (n_in, 1):
            hint = ""
            if x.shape == (n_in,):
                hint = " Pass x.reshape(-1, 1): Nielsen's inputs are columns."
            elif x.shape == (1, n_in):
                hint = " Pass x.T."
            raise ValueError(f"{where}: x of {name}[{i}] has shape {x.shape}; expected ({n_in}, 1), a column "
                             f"as in Nielsen's load_data_wrapper (the network's first layer has {n_in} "
                             f"neurons).{hint}")
        X[i] = x[:, 0]
        ys.append(y)
    _checks.finite(X, f"the x's of {name}", where)
    return X, ys


def vector_examples(data: Any, n_in: int, k: int, where: str, name: str,
                    hint: str = "") -> tuple[np.ndarray, np.ndarray]:
    """Rows X (N, n) and Y (N, k) from (x (n, 1), y (k, 1)) pairs."""
    X, ys = _rows(_pairs(data, where, name), n_in, where, name)
    Y = np.empty((X.shape[0], k))
    for i, y in enumerate(ys):
        y = _checks.as_array(y, f"y of {name}[{i}]", where)
        if y.shape != (k, 1):
            more = ""
            if y.ndim == 0:
                more = (" It is a class label; training pairs need one-hot columns like Nielsen's "
                        f"vectorized_result(j), e.g. chainrule.one_hot([j], n_classes={k}).T.")
            elif y.shape == (k,):
                more = " Pass y.reshape(-1, 1)."
            raise ValueError(f"{where}: y of {name}[{i}] has shape {y.shape}; expected ({k}, 1) for the "
                             f"{k} output neurons.{more}{hint}")
        Y[i] = y[:, 0]
    _checks.finite(Y, f"the y's of {name}", where)
    return X, Y


def label_examples(data: Any, n_in: int, k: int, where: str, name: str,
                   hint: str = "") -> tuple[np.ndarray, np.ndarray]:
    """Rows X (N, n) and integer labels (N,) from (x (n, 1), int label) pairs."""
    X, ys = _rows(_pairs(data, where, name), n_in, where, name)
    labels = np.empty(X.shape[0], dtype=np.int64)
    for i, y in enumerate(ys):
        label = np.asarray(y)
        if label.ndim != 0 or label.dtype.kind not in "iu" or not 0 <= label < k:
            raise ValueError(f"{where}: y of {name}[{i}] is {_describe(y)}; expected an int class label "
                             f"in [0, {k}) as in Nielsen's validation and test data.{hint}")
        labels[i] = label
    return X, labels


def _describe(value: Any) -> str:
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    return f"{value!r} ({type(value).__name__})"
