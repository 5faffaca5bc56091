"""Metrics: pure functions of true and predicted values, returning Python floats.

Classification metrics take class labels: 1-D integer arrays ``y_true`` and ``y_pred`` of length
m with labels 0, 1, ..., K-1 (booleans and whole-valued floats such as 0.0/1.0 are accepted).
Get labels from a model with ``model.predict_labels(X)``, or from one-hot rows with
``Y.argmax(axis=1)``. Regression metrics take values of shape (m,) or (m, k).

With the confusion matrix C (rows true, columns predicted), for class c::

    TP_c = C[c, c]     predicted_c = Σ_i C[i, c]     support_c = Σ_j C[c, j]
    precision_c = TP_c / predicted_c     recall_c = TP_c / support_c
    F1_c = 2·precision_c·recall_c / (precision_c + recall_c) = 2·TP_c / (predicted_c + support_c)

A 0/0 gives 0.0, as scikit-learn's ``zero_division=0`` (its default, ``"warn"``, also gives 0.0 but
warns; these functions never warn).
"""

from __future__ import annotations

from typing import Any, Callable, Mapping, Sequence, Union

import numpy as np

from . import _checks

AVERAGES = ("binary", "macro", "micro", "weighted")


# -- input checks ------------------------------------------------------------------------------------
def _labels(y: Any, name: str, where: str) -> np.ndarray:
    """Validate one label array: 1-D, whole numbers >= 0; return it as int64."""
    y = _checks.as_array(y, name, where)
    if y.ndim != 1:
        hint = ""
        if y.ndim == 2 and y.shape[1] == 1:
            hint = f" It has one column; pass {name}.ravel()."
        elif y.ndim == 2:
            hint = (f" If its rows are one-hot vectors or per-class scores, pass {name}.argmax(axis=1); "
                    "for a model, model.predict_labels(X) gives labels.")
        raise ValueError(f"{where}: {name} must be a 1-D array of class labels (m,), got shape {y.shape}.{hint}")
    if y.size == 0:
        raise ValueError(f"{where}: {name} is empty; pass at least one label.")
    if y.dtype.kind == "f":
        _checks.finite(y, name, where)
        if not np.array_equal(y, np.round(y)):
            bad = y[y != np.round(y)][0]
            raise ValueError(
                f"{where}: {name} holds non-integer values (e.g. {bad}); class labels must be whole numbers. "
                f"If these are probabilities, threshold them, e.g. ({name} > 0.5).astype(int)."
            )
    if y.min() < 0:
        raise ValueError(f"{where}: {name} holds negative labels (e.g. {y.min()}); labels must be 0, 1, ..., K-1.")
    return y.astype(np.int64)


def _label_pair(y_true: Any, y_pred: Any, where: str) -> tuple[np.ndarray, np.ndarray]:
    y_true, y_pred = _labels(y_true, "y_true", where), _labels(y_pred, "y_pred", where)
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"{where}: y_true has {y_true.shape[0]} labels but y_pred has {y_pred.shape[0]}; "
            "pass one prediction per example, in the same order."
        )
    return y_true, y_pred


def _value_pair(y_true: Any, y_pred: Any, where: str) -> tuple[np.ndarray, np.ndarray]:
    """Validate regression targets and predictions: same shape, (m,) or (m, k), finite; as float64."""
    y_true = _checks.as_array(y_true, "y_true", where, dtype=np.float64)
    y_pred = _checks.as_array(y_pred, "y_pred", where, dtype=np.float64)
    for name, y in (("y_true", y_true), ("y_pred", y_pred)):
        if y.ndim not in (1, 2):
            raise ValueError(f"{where}: {name} must be (m,) or (m, n_outputs), got shape {y.shape}.")
        if y.shape[0] == 0:
            raise ValueError(f"{where}: {name} is empty; pass at least one example.")
        _checks.finite(y, name, where)
    if y_true.shape != y_pred.shape:
        hint = ""
        if y_true.size == y_pred.size and y_true.shape[0] == y_pred.shape[0]:
            hint = " One of them is (m,) and the other (m, 1); pass y.ravel() for the 2-D one."
        raise ValueError(f"{where}: y_true has shape {y_true.shape} but y_pred has shape {y_pred.shape}; "
                         f"they must match (rows are examples).{hint}")
    return y_true, y_pred


def _divide(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """numerator / denominator elementwise, with 0/0 (and x/0) taken as 0.0."""
    numerator, denominator = np.asarray(numerator, dtype=np.float64), np.asarray(denominator, dtype=np.float64)
    out = np.zeros(np.broadcast(numerator, denominator).shape)
    np.divide(numerator, denominator, out=out, where=denominator != 0)
    return out


# -- classification ------------------------------------------------------------------------------------
def accuracy(y_true: Any, y_pred: Any) -> float:
    """Fraction of labels predicted right: (1/m)·Σ_i [y_pred_i = y_true_i].

    Parameters
    ----------
    y_true, y_pred : int arrays (m,)

    Returns
    -------
    float in [0, 1]
    """
    y_true, y_pred = _label_pair(y_true, y_pred, "accuracy")
    return float(np.mean(y_true == y_pred))


def confusion_matrix(y_true: Any, y_pred: Any, n_classes: Union[int, None] = None) -> np.ndarray:
    """Counts C[i, j] = #{examples of true class i predicted as class j}: rows true, columns predicted.

    Parameters
    ----------
    y_true, y_pred : int arrays (m,) with labels in 0, ..., n_classes - 1
    n_classes : int, optional
        K; defaults to max(max(y_true), max(y_pred)) + 1. Pass it so that a class missing from
        both arrays still gets its row and column.

    Returns
    -------
    ndarray (K, K) of int64; the diagonal counts correct predictions and C.sum() == m.
    """
    where = "confusion_matrix"
    y_true, y_pred = _label_pair(y_true, y_pred, where)
    largest = int(max(y_true.max(), y_pred.max()))
    if n_classes is None:
        n_classes = largest + 1
    else:
        n_classes = _checks.positive_int(n_classes, "n_classes", where)
        if largest >= n_classes:
            raise ValueError(f"{where}: labels must be in [0, {n_classes}) for n_classes={n_classes}, got label "
                             f"{largest}. Pass n_classes={largest + 1} or check the labels.")
    counts = np.bincount(n_classes * y_true + y_pred, minlength=n_classes * n_classes)
    return counts.reshape(n_classes, n_classes).astype(np.int64)


def _scores(y_true: Any, y_pred: Any, average: str, where: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(TP, predicted, support) per class, restricted as ``average`` needs; arrays of shape (K,)."""
    if average not in AVERAGES:
        raise ValueError(f"{where}: average must be one of {AVERAGES}, got {average!r}.")
    y_true, y_pred = _label_pair(y_true, y_pred, where)
    if average == "binary":
        found = sorted(set(np.unique(y_true).tolist()) | set(np.unique(y_pred).tolist()))
        if found[-1] > 1:
            raise ValueError(
                f"{where}: average='binary' needs labels 0 and 1 (1 is the positive class), got labels {found}. "
                "For more classes use average='macro', 'micro' or 'weighted'."
            )
        C = confusion_matrix(y_true, y_pred, n_classes=2)
        return C[1:, 1].copy(), C[:, 1].sum(keepdims=True), C[1].sum(keepdims=True)
    C = confusion_matrix(y_true, y_pred)
    # The classes present in y_true or y_pred, as scikit-learn's default ``labels``: a class that
    # appears in neither has no meaningful score and would pull a macro average towards 0.
    present = (C.sum(axis=0) + C.sum(axis=1)) > 0
    return np.diag(C)[present], C.sum(axis=0)[present], C.sum(axis=1)[present]


def _averaged(numerator: np.ndarray, denominator: np.ndarray, support: np.ndarray, average: str) -> float:
    """Σ numerator / Σ denominator for "micro"; else the per-class ratios, weighted by support or plain."""
    if average == "micro":
        return float(_divide(numerator.sum(), denominator.sum()))
    per_class = _divide(numerator, denominator)
    if average == "weighted":
        return float(np.sum(per_class * support) / np.sum(support))
    return float(np.mean(per_class))       # macro; binary has one class


def precision(y_true: Any, y_pred: Any, average: str = "binary") -> float:
    """Precision: of the examples predicted as class c, the fraction that are c.

    precision_c = TP_c / predicted_c, averaged over the classes c present in y_true or y_pred:

    - ``"binary"``: class 1 only (labels must be 0/1): TP / (TP + FP)
    - ``"macro"``: (1/K)·Σ_c precision_c, every class counts the same
    - ``"micro"``: Σ_c TP_c / Σ_c predicted_c, which for single-label data equals the accuracy
    - ``"weighted"``: Σ_c support_c·precision_c / Σ_c support_c, with support_c = #{y_true = c}

    0/0 (no example predicted as c) counts as 0.0, like scikit-learn's ``zero_division=0``.

    Parameters
    ----------
    y_true, y_pred : int arrays (m,)
    average : "binary" (default), "macro", "micro" or "weighted"

    Returns
    -------
    float in [0, 1]
    """
    tp, predicted, support = _scores(y_true, y_pred, average, "precision")
    return _averaged(tp, predicted, support, average)


def recall(y_true: Any, y_pred: Any, average: str = "binary") -> float:
    """Recall: of the examples of class c, the fraction predicted as c.

    recall_c = TP_c / support_c, averaged as in ``precision`` (``"binary"``: TP / (TP + FN);
    ``"micro"``: Σ TP_c / Σ support_c, the accuracy for single-label data). 0/0 (no example of
    class c) counts as 0.0, like scikit-learn's ``zero_division=0``.

    Parameters and returns as in ``precision``.
    """
    tp, _, support = _scores(y_true, y_pred, average, "recall")
    return _averaged(tp, support, support, average)


def f1(y_true: Any, y_pred: Any, average: str = "binary") -> float:
    """F1, the harmonic mean of precision and recall.

    F1_c = 2·precision_c·recall_c / (precision_c + recall_c) = 2·TP_c / (predicted_c + support_c),
    averaged as in ``precision``. ``"macro"`` averages the per-class F1 (not the F1 of the averaged
    precision and recall); ``"micro"`` is 2·ΣTP / (Σpredicted + Σsupport), the accuracy for
    single-label data. 0/0 counts as 0.0, like scikit-learn's ``zero_division=0``.

    Parameters and returns as in ``precision``.
    """
    tp, predicted, support = _scores(y_true, y_pred, average, "f1")
    return _averaged(2 * tp, predicted + support, support, average)


# -- regression ------------------------------------------------------------------------------------------
def r2_score(y_true: Any, y_pred: Any) -> float:
    """Coefficient of determination R² = 1 - SS_res / SS_tot, per output, averaged uniformly.

    SS_res = Σ_i (y_i - ŷ_i)²,   SS_tot = Σ_i (y_i - ȳ)²,   ȳ = mean of y_true over the m rows.

    1 is a perfect fit, 0 is no better than predicting ȳ, and it is negative for worse fits.
    An output with constant y_true (SS_tot = 0) scores 1.0 if predicted exactly and 0.0 otherwise,
    like scikit-learn's ``force_finite=True``.

    Parameters
    ----------
    y_true, y_pred : float arrays (m,) or (m, k), same shape, m >= 2

    Returns
    -------
    float
    """
    where = "r2_score"
    y_true, y_pred = _value_pair(y_true, y_pred, where)
    if y_true.shape[0] < 2:
        raise ValueError(f"{where}: R² needs at least 2 examples (SS_tot is 0 for one), got {y_true.shape[0]}.")
    if y_true.ndim == 1:
        y_true, y_pred = y_true[:, None], y_pred[:, None]
    ss_res = ((y_true - y_pred) ** 2).sum(axis=0)
    ss_tot = ((y_true - y_true.mean(axis=0)) ** 2).sum(axis=0)
    r2 = np.where(ss_res == 0, 1.0, 0.0)
    constant = ss_tot == 0
    r2[~constant] = 1.0 - ss_res[~constant] / ss_tot[~constant]
    return float(np.mean(r2))


def mean_absolute_error(y_true: Any, y_pred: Any) -> float:
    """MAE = (1/(m·k))·Σ |y - ŷ| over all m rows and k outputs (the uniform average of per-output MAEs).

    Parameters
    ----------
    y_true, y_pred : float arrays (m,) or (m, k), same shape

    Returns
    -------
    float >= 0, in the units of y
    """
    y_true, y_pred = _value_pair(y_true, y_pred, "mean_absolute_error")
    return float(np.mean(np.abs(y_true - y_pred)))


# -- metrics inside fit and evaluate ------------------------------------------------------------------
Metrics = Union[Mapping[str, Callable], Sequence[Callable]]


def metric_table(metrics: Metrics, where: str) -> dict[str, Callable]:
    """``{name: fn}`` from a dict, or from a list of functions named by their ``__name__``."""
    if isinstance(metrics, Mapping):
        table = dict(metrics)
    else:
        table = {}
        for fn in metrics:
            if isinstance(fn, str):
                raise ValueError(f"{where}: metrics takes functions, not names; pass e.g. chainrule.metrics.f1 "
                                 f"instead of {fn!r}.")
            name = getattr(fn, "__name__", None)
            if name is None:
                raise ValueError(f"{where}: metric {fn!r} has no __name__; pass a dict such as "
                                 "{'macro_f1': functools.partial(chainrule.metrics.f1, average='macro')}.")
            table[name] = fn
    for name, fn in table.items():
        if not isinstance(name, str) or not name or name == "loss" or name.startswith("val_"):
            raise ValueError(f"{where}: metric name {name!r} is not allowed; use a non-empty string other than "
                             "'loss' that does not start with 'val_'.")
        if not callable(fn):
            raise ValueError(f"{where}: metric {name!r} is {fn!r}, not a function f(y_true, y_pred) -> float.")
    return table


def score(metrics: Mapping[str, Callable], y_true: np.ndarray, y_pred: np.ndarray) -> dict[str, float]:
    """``{name: fn(y_true, y_pred)}`` as Python floats (``chainrule.targets.metric_inputs`` gives the pair)."""
    return {name: float(fn(y_true, y_pred)) for name, fn in metrics.items()}
