"""Batching and label helpers: ``minibatches``, ``one_hot``, ``train_val_split``."""

from __future__ import annotations

from typing import Any, Iterator, Union

import numpy as np

from . import _checks


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


def one_hot(labels: Any, n_classes: Union[int, None] = None, dtype: Any = np.float64) -> np.ndarray:
    """Rows of one-hot vectors: ``Y[i, labels[i]] = 1``; shape (m, n_classes)."""
    labels = _checks.as_array(labels, "labels", "one_hot")
    if labels.ndim == 2 and 1 in labels.shape:
        labels = labels.ravel()
    if labels.ndim != 1:
        raise ValueError(f"one_hot: labels must be 1-D (m,), got shape {labels.shape}.")
    if labels.dtype.kind == "f":
        if not np.all(labels == np.round(labels)):
            raise ValueError("one_hot: labels must be whole numbers (class indices), got fractional values.")
    labels = labels.astype(np.int64)
    if labels.size and labels.min() < 0:
        raise ValueError(f"one_hot: labels must be >= 0, got {labels.min()}.")
    top = int(labels.max()) + 1 if labels.size else 0
    if n_classes is None:
        n_classes = top
    n_classes = _checks.positive_int(n_classes, "n_classes", "one_hot")
    if top > n_classes:
        raise ValueError(f"one_hot: label {top - 1} does not fit n_classes={n_classes}.")
    Y = np.zeros((labels.shape[0], n_classes), dtype=dtype)
    Y[np.arange(labels.shape[0]), labels] = 1
    return Y


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
