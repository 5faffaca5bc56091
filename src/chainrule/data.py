"""Batching and label helpers: ``minibatches``, ``one_hot``, ``train_val_split``, and streamed batches."""

from __future__ import annotations

from typing import Any, Callable, Iterable, Iterator, Union

import numpy as np

from . import _checks
from .targets import class_labels, one_hot  # noqa: F401  (chainrule.data.one_hot, as documented)


def batch_rows(m: int, batch_size: int, rng: Union[np.random.Generator, None] = None,
               order: Union[np.ndarray, None] = None) -> Iterator[Union[slice, np.ndarray]]:
    """Yield the rows of each mini-batch: slices in stored order, or index arrays of a permutation.

    With ``rng`` the order is ``rng.permutation(m)`` (one shuffle per call, i.e. per epoch); with
    ``order`` (a permutation of ``range(m)``) that order; with neither, the stored order.
    """
    batch_size = _checks.positive_int(batch_size, "batch_size", "minibatches")
    if order is None and rng is None:
        for start in range(0, m, batch_size):
            yield slice(start, start + batch_size)
        return
    if order is None:
        order = rng.permutation(m)
    elif len(order) != m:
        raise ValueError(f"minibatches: order has {len(order)} entries for {m} rows; pass a permutation of range(m).")
    for start in range(0, m, batch_size):
        yield order[start:start + batch_size]


def minibatches(X: np.ndarray, Y: np.ndarray, batch_size: int,
                rng: Union[np.random.Generator, None] = None,
                order: Union[np.ndarray, None] = None) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Yield ``(X_b, Y_b)`` mini-batches of rows; the last one may be smaller.

    Rows are visited as ``batch_rows`` says: shuffled by ``rng`` (once per call, i.e. per epoch),
    in a given ``order``, or in stored order. ``batch_size >= m`` gives full-batch gradient
    descent, ``batch_size = 1`` stochastic gradient descent.
    """
    m = X.shape[0]
    if Y.shape[0] != m:
        _checks.same_length(X, Y, "minibatches")
    for rows in batch_rows(m, batch_size, rng, order):
        yield X[rows], Y[rows]


def train_val_split(X: np.ndarray, Y: np.ndarray, val_fraction: float = 0.1,
                    rng: Union[np.random.Generator, None] = None) -> tuple[np.ndarray, ...]:
    """Split rows into ``(X_train, Y_train, X_val, Y_val)``; shuffled first when ``rng`` is given."""
    fraction = _checks.in_range(val_fraction, "val_fraction", "train_val_split", 0.0, 1.0, low_closed=False)
    X, Y = np.asarray(X), np.asarray(Y)
    _checks.same_length(X, Y, "train_val_split")
    m = X.shape[0]
    n_val = int(round(m * fraction))
    if n_val < 1 or n_val >= m:
        raise ValueError(
            f"train_val_split: val_fraction={fraction} of {m} examples leaves {m - n_val} for training "
            f"and {n_val} for validation; both need at least one."
        )
    order = rng.permutation(m) if rng is not None else np.arange(m)
    train, val = order[:m - n_val], order[m - n_val:]
    return X[train], Y[train], X[val], Y[val]


#: bytes of shuffled rows copied per gather; big enough to amortize the call, small next to the data
CHUNK_BYTES = 2 ** 21


def batches(arrays: list[np.ndarray], batch_size: int,
            order: Union[np.ndarray, None] = None) -> Iterator[list[np.ndarray]]:
    """Yield, for each mini-batch, the list of its rows of every array (the same rows in each).

    Without ``order``: slices in stored order (views, no copy). With ``order``: the rows of
    ``order`` in that sequence, exactly as ``batch_rows`` cuts them.

    NOTE: shuffled rows are copied a chunk of whole batches at a time (about ``CHUNK_BYTES``) with
    ``np.take(..., out=, mode="clip")`` into a reused buffer, and each batch is a view of it. One
    call per chunk instead of one per batch and array, and ``take``'s default mode would buffer
    (2.5x slower). The yielded views are overwritten when the next chunk is gathered.
    """
    batch_size = _checks.positive_int(batch_size, "batch_size", "batches")
    m = arrays[0].shape[0]
    if order is None:
        for start in range(0, m, batch_size):
            yield [a[start:start + batch_size] for a in arrays]
        return
    row_bytes = sum(a.itemsize * (a.size // max(a.shape[0], 1)) for a in arrays)
    per_chunk = max(1, CHUNK_BYTES // max(row_bytes * batch_size, 1)) * batch_size
    buffers = [np.empty((min(per_chunk, m),) + a.shape[1:], dtype=a.dtype) for a in arrays]
    for start in range(0, m, per_chunk):
        rows = order[start:start + per_chunk]
        n = len(rows)
        chunk = [np.take(a, rows, axis=0, out=buffer[:n], mode="clip") for a, buffer in zip(arrays, buffers)]
        for k in range(0, n, batch_size):
            yield [c[k:k + batch_size] for c in chunk]


def example_weights(sample_weight: Any, class_weight: Any, Y: np.ndarray, dtype: Any,
                    where: str) -> Union[np.ndarray, None]:
    """Per-example weights (m,) in the model dtype, or ``None`` when every weight is 1."""
    if sample_weight is None and class_weight is None:
        return None
    m = Y.shape[0]
    weights = np.ones(m, dtype=dtype)
    if sample_weight is not None:
        given = _checks.as_array(sample_weight, "sample_weight", where, dtype=dtype)
        if given.shape != (m,):
            raise ValueError(f"{where}: sample_weight has shape {given.shape}; expected ({m},), one weight per example.")
        _checks.finite(given, "sample_weight", where)
        if (given < 0).any():
            raise ValueError(f"{where}: sample_weight must be >= 0, got a minimum of {given.min()}.")
        weights *= given
    if class_weight is not None:
        labels = class_labels(Y)
        n_classes = max(Y.shape[1], 2)
        if class_weight == "balanced":
            counts = np.bincount(labels, minlength=n_classes)
            table = {c: m / (n_classes * counts[c]) for c in range(n_classes) if counts[c]}
        elif isinstance(class_weight, dict):
            unknown = [c for c in class_weight if not (isinstance(c, (int, np.integer)) and 0 <= c < n_classes)]
            if unknown:
                raise ValueError(f"{where}: class_weight names classes {unknown} that Y does not have; its classes "
                                 f"are 0 to {n_classes - 1}. Give weights for those labels only.")
            table = {int(c): _checks.in_range(w, f"class_weight[{c}]", where, 0.0, float("inf"))
                     for c, w in class_weight.items()}
        else:
            raise ValueError(f"{where}: class_weight must be a dict {{class: weight}} or 'balanced', got {class_weight!r}.")
        weights *= np.array([table.get(c, 1.0) for c in range(n_classes)], dtype=dtype)[labels]
    return weights


# -- streamed (out-of-core) batches: fit(batches, None, loss, optimizer) -----------------------------
def epoch_batches(source: Any, epochs: int, where: str) -> Callable[[], Iterator[Any]]:
    """How ``fit`` reads streamed batches once per epoch; returns a function giving one epoch's iterator.

    ``source`` yields mini-batches ``(X_b, Y_b)`` or ``(X_b, Y_b, sample_weight_b)``, in the order
    they are trained on (``fit`` does not shuffle them). It is one of:

    - a callable returning a fresh iterable of batches, called once per epoch (any ``epochs``);
    - a re-iterable object (``iter(source) is not source``: a list of batches, or a class whose
      ``__iter__`` starts over, e.g. one reading a memory-mapped file), iterated once per epoch;
    - a one-shot iterator such as a generator (``iter(source) is source``): it can be read only
      once, so only with ``epochs=1``.
    """
    if hasattr(source, "shape") or isinstance(source, (str, bytes)):
        raise ValueError(
            f"{where}: Y is None, which means X is a stream of (X_b, Y_b) batches, but X is "
            f"{type(source).__name__}{getattr(source, 'shape', '')}. For arrays pass fit(X, Y, ...).")
    if callable(source):
        return lambda: iter(source())
    try:
        one_shot = iter(source) is source
    except TypeError:
        raise ValueError(f"{where}: X must be arrays with Y, or (with Y=None) an iterable of (X_b, Y_b) batches "
                         f"or a function returning one; got {source!r}.") from None
    if one_shot and epochs > 1:
        raise ValueError(
            f"{where}: X is a one-shot iterator ({type(source).__name__}), which can be read only once, but "
            f"epochs={epochs}. Pass a function that returns a fresh iterator for each epoch, e.g. "
            "fit(lambda: read_batches(path), None, ...), or a re-iterable object (a list of batches, or a "
            "class whose __iter__ starts over).")
    return lambda: iter(source)


def prepared_batches(batches: Iterable[Any], prepare: Callable[[Any, Any, str], tuple[np.ndarray, np.ndarray]],
                     dtype: Any, where: str) -> Iterator[list[np.ndarray]]:
    """Check and convert each streamed batch: ``[X_b, Y_b]`` or ``[X_b, Y_b, w_b]`` as ``batches`` yields them.

    ``prepare(X_b, Y_b, where)`` validates one batch as ``fit`` validates arrays (the model's ``_prepare``).
    """
    for i, item in enumerate(batches, start=1):
        if not isinstance(item, (tuple, list)) or len(item) not in (2, 3):
            raise ValueError(f"{where}: batch {i} of X is {type(item).__name__}; each batch must be a pair "
                             "(X_b, Y_b) or a triple (X_b, Y_b, sample_weight_b).")
        at = f"{where} (batch {i})"
        X_b, Y_b = prepare(item[0], item[1], at)
        yield [X_b, Y_b] if len(item) == 2 else [X_b, Y_b, example_weights(item[2], None, Y_b, dtype, at)]
