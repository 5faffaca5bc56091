"""Targets: what Y means for a loss, in one place (issue 12).

A loss is only its value and gradient, plus one declaration, ``loss.link``: how its outputs become
class probabilities.

- ``"softmax"`` (``SoftmaxCrossEntropy``): one class per row; Y is one-hot rows or class indices (m,);
  predicted label = argmax of the outputs.
- ``"sigmoid"`` (``BinaryCrossEntropy``): each output is its own 0/1 label; Y in [0, 1]; predicted
  label = output > 0 for logits (``loss.from_logits``), output > 0.5 for probabilities.
- ``"identity"`` (``MeanSquaredError``): classes when Y is one-hot rows or one 0/1 column (Nielsen's
  quadratic cost on digits), values otherwise; predicted label = argmax, or output > 0.5 for one output.
- ``None`` (``MeanAbsoluteError``, ``Huber``, and a ``Loss`` subclass that declares nothing): values, never classes.

Everything here is a function of the loss and the arrays: deciding classification from regression
(``labels`` is ``None`` for values), preparing Y once at a public boundary (``prepare``), true and
predicted labels, accuracy, and probabilities.
"""

from __future__ import annotations

from typing import Any, Union

import numpy as np

from . import _checks
from .activations import Identity, Sigmoid, Softmax, sigmoid, softmax
from .layers import Dense

LINKS = ("identity", "sigmoid", "softmax", None)


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


def probabilities_only(Y: np.ndarray, loss_name: str, where: str) -> None:
    """Raise unless every target is in [0, 1]: cross-entropy's targets are probabilities (NaN is refused too)."""
    if Y.size and not np.logical_and(Y >= 0, Y <= 1).all():
        finite = Y[np.isfinite(Y)]
        seen = f"values from {finite.min()} to {finite.max()}" if finite.size else "no finite values"
        nan = " and NaN or inf" if finite.size < Y.size else ""
        fix = ("For more than two classes use SoftmaxCrossEntropy with one output per class; for "
               "values, use MeanSquaredError." if loss_name == "BinaryCrossEntropy" else
               "Pass one-hot rows, probabilities that sum to 1, or integer class indices (m,).")
        raise ValueError(f"{where}: {loss_name} needs targets in [0, 1], got {seen}{nan}. {fix}")


def dense(Y: np.ndarray, Y_hat: np.ndarray) -> np.ndarray:
    """Class indices (m,) as one-hot rows shaped like the outputs Ŷ (m, k); any other Y unchanged."""
    m, k = Y_hat.shape if Y_hat.ndim == 2 else (None, None)
    if Y.ndim == 1 and Y.dtype.kind in "iu" and m == Y.shape[0]:
        if Y.size and (Y.min() < 0 or Y.max() >= k):
            raise ValueError(f"SoftmaxCrossEntropy: class indices must be in [0, {k}), "
                             f"got values from {Y.min()} to {Y.max()}.")
        return one_hot(Y, k, dtype=Y_hat.dtype)
    return Y


# -- the model's last layer against the loss ------------------------------------------------------------
def check_output(loss: Any, layers: list, where: str) -> None:
    """Refuse the pairings that train silently wrong: probabilities expected from logits, or a link twice.

    - ``BinaryCrossEntropy()`` (probabilities) after ``Dense``: log(a) of unbounded outputs is clipped,
      the loss sticks near 17 and accuracy near 0.5.
    - ``Softmax`` then ``SoftmaxCrossEntropy`` (softmax applied again), ``Sigmoid`` then
      ``BinaryCrossEntropy(from_logits=True)`` (sigmoid applied again): gradients shrink, training stalls.
    Only built-in layers are judged; a layer of your own is trusted.
    """
    last = layers[-1]
    name = f"{type(last).__name__} layer {len(layers)}"
    if loss.link == "sigmoid" and not loss.from_logits and type(last) in (Dense, Identity):
        raise ValueError(
            f"{where}: BinaryCrossEntropy() expects probabilities in (0, 1), but the model ends in {name}, "
            "whose outputs are unbounded logits. Use BinaryCrossEntropy(from_logits=True), or add a Sigmoid() "
            "layer at the end.")
    if loss.link == "softmax" and type(last) is Softmax:
        raise ValueError(
            f"{where}: SoftmaxCrossEntropy applies softmax itself, but the model ends in {name}: training "
            "would use a double softmax. Drop the Softmax layer; model.predict_proba(X) gives probabilities.")
    if loss.link == "sigmoid" and loss.from_logits and type(last) is Sigmoid:
        raise ValueError(
            f"{where}: BinaryCrossEntropy(from_logits=True) applies the sigmoid itself, but the model ends in "
            f"{name}. Drop the Sigmoid layer, or use BinaryCrossEntropy() (from_logits=False).")


# -- Y at a public boundary ----------------------------------------------------------------------------
def prepare(loss: Any, Y: Any, n_outputs: int, where: str) -> np.ndarray:
    """Validate targets once (``fit``, ``evaluate``, ``check_gradients``); return them as (m, n_outputs)."""
    Y = _checks.as_array(Y, "Y", where)
    if loss.link == "softmax" and Y.ndim == 1:
        if Y.dtype.kind not in "iu":
            raise ValueError(
                f"{where}: SoftmaxCrossEntropy expected Y of shape (m, {n_outputs}) (one-hot rows) or "
                f"integer class indices (m,), got {Y.shape} of dtype {Y.dtype}. If Y holds class "
                f"indices as floats, pass Y.astype(int) or chainrule.one_hot(Y, n_classes={n_outputs})."
            )
        if n_outputs < 2:
            raise ValueError(f"{where}: SoftmaxCrossEntropy needs at least 2 outputs, the model has {n_outputs}.")
        if Y.min() < 0 or Y.max() >= n_outputs:
            raise ValueError(
                f"{where}: class indices in Y must be in [0, {n_outputs}), got values from "
                f"{Y.min()} to {Y.max()}. Check the output layer size."
            )
        return one_hot(Y, n_outputs)
    if Y.ndim == 1 and n_outputs == 1:
        Y = Y.reshape(-1, 1)
    if Y.ndim != 2 or Y.shape[1] != n_outputs:
        hint = ""
        if Y.ndim == 2 and Y.shape[0] == n_outputs:
            hint = " Y looks like the course's (n_y, m) layout; pass Y.T."
        raise ValueError(
            f"{where}: {type(loss).__name__} expected Y of shape (m, {n_outputs}) to match the "
            f"model output, got {Y.shape}.{hint}"
        )
    _checks.finite(Y, "Y", where)
    if loss.link in ("sigmoid", "softmax"):
        probabilities_only(Y, type(loss).__name__, where)
    return Y


def from_labels(loss: Any, y: np.ndarray, n_outputs: int) -> np.ndarray:
    """Class labels y (m,) as the loss expects them: one-hot for an identity link (MSE) with several outputs."""
    if loss.link == "identity" and n_outputs > 1 and y.ndim == 1:
        return one_hot(y, n_outputs)
    return y


def n_classes(y: np.ndarray) -> int:
    """max(y) + 1 for integer labels; 1 for values."""
    return int(y.max()) + 1 if y.dtype.kind in "iu" else 1


# -- labels ----------------------------------------------------------------------------------------------
def class_labels(Y: np.ndarray) -> np.ndarray:
    """One label per row of 2-D class targets: argmax of one-hot rows, or y > 0.5 for one column."""
    return Y.argmax(axis=1) if Y.shape[1] > 1 else (Y[:, 0] > 0.5).astype(np.int64)


def labels(loss: Any, Y: np.ndarray) -> Union[np.ndarray, None]:
    """The true labels, in ``predicted_labels``'s shape; ``None`` when Y holds values, not classes."""
    link = loss.link
    if link == "softmax":
        return Y if Y.ndim == 1 else Y.argmax(axis=1)
    if link == "sigmoid":
        binary = (Y > 0.5).astype(np.int64)
        return binary[:, 0] if binary.shape[1] == 1 else binary
    if link == "identity" and (Y.shape[1] > 1 or np.isin(Y, (0, 1)).all()):
        return class_labels(Y)
    return None


def predicted_labels(loss: Any, Y_hat: np.ndarray, out: Union[np.ndarray, None] = None) -> np.ndarray:
    """Class labels for the outputs Ŷ (m, k): argmax over columns, or a threshold; written into ``out``."""
    if loss.link == "softmax":
        return Y_hat.argmax(axis=1, out=out)
    if loss.link == "sigmoid":
        above = Y_hat > (0.0 if loss.from_logits else 0.5)       # σ(z) > 0.5 exactly when z > 0
        return _into(above[:, 0] if above.shape[1] == 1 else above, out)
    if Y_hat.shape[1] == 1:
        return _into(Y_hat[:, 0] > 0.5, out)
    return Y_hat.argmax(axis=1, out=out)


def _into(labels: np.ndarray, out: Union[np.ndarray, None]) -> np.ndarray:
    """Boolean labels as int64, written into ``out`` when given."""
    if out is None:
        return labels.astype(np.int64)
    out[...] = labels
    return out


def accuracy(loss: Any, Y_hat: np.ndarray, Y: np.ndarray) -> Union[float, None]:
    """Fraction of labels predicted right, or ``None`` when Y holds values."""
    truth = labels(loss, Y)
    if truth is None:
        return None
    return float(np.mean(predicted_labels(loss, Y_hat) == truth))


def probabilities(loss: Any, Y_hat: np.ndarray) -> np.ndarray:
    """Outputs as probabilities: softmax or sigmoid of logits; other outputs unchanged."""
    if loss.link == "softmax":
        return softmax(Y_hat)
    if loss.link == "sigmoid" and loss.from_logits:
        return sigmoid(Y_hat)
    return Y_hat


def metric_inputs(loss: Any, Y_hat: np.ndarray, Y: np.ndarray, where: str) -> tuple[np.ndarray, np.ndarray]:
    """(y_true, y_pred) for ``f(y_true, y_pred)`` metrics: labels (m,) for classes, else the values."""
    if labels(loss, Y) is None:
        return (Y[:, 0], Y_hat[:, 0]) if Y.shape[1] == 1 else (Y, Y_hat)
    y_pred = predicted_labels(loss, Y_hat)
    if y_pred.ndim != 1:
        raise ValueError(
            f"{where}: metrics need one class label per example, but {loss!r} with {Y.shape[1]} outputs "
            "is multi-label; score each output j yourself from model.predict_labels(X)[:, j]."
        )
    return class_labels(Y), y_pred
