"""Validation helpers shared by every public boundary.

Each helper raises ``ValueError`` with a message that says what went wrong, where, with the
shapes, and how to fix it. Library code never uses ``assert`` for user input: asserts vanish
under ``python -O``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def as_float_dtype(dtype: Any, where: str) -> np.dtype:
    """Return ``dtype`` as a NumPy dtype, accepting only float32 and float64."""
    try:
        dt = np.dtype(dtype)
    except TypeError as exc:
        raise ValueError(f"{where}: dtype must be float32 or float64, got {dtype!r}.") from exc
    if dt not in FLOAT_DTYPES:
        raise ValueError(f"{where}: dtype must be float32 or float64, got {dt}.")
    return dt


def positive_number(value: Any, name: str, where: str) -> float:
    """Check ``value > 0`` and return it as a Python float."""
    number = real_number(value, name, where)
    if not number > 0:
        raise ValueError(f"{where}: {name} must be > 0, got {value!r}.")
    return number


def real_number(value: Any, name: str, where: str) -> float:
    """Check ``value`` is a finite real number and return it as a Python float."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ValueError(f"{where}: {name} must be a number, got {value!r}.")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"{where}: {name} must be finite, got {value!r}.")
    return number


def in_range(value: Any, name: str, where: str, low: float, high: float,
             low_closed: bool = True, high_closed: bool = False) -> float:
    """Check ``low <= value < high`` (bounds open or closed as asked); return a Python float."""
    number = real_number(value, name, where)
    ok_low = number >= low if low_closed else number > low
    ok_high = number <= high if high_closed else number < high
    if not (ok_low and ok_high):
        interval = f"{'[' if low_closed else '('}{low}, {high}{']' if high_closed else ')'}"
        raise ValueError(f"{where}: {name} must be in {interval}, got {value!r}.")
    return number


def positive_int(value: Any, name: str, where: str) -> int:
    """Check ``value`` is an integer >= 1 and return it as ``int``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{where}: {name} must be an integer >= 1, got {value!r}.")
    if value < 1:
        raise ValueError(f"{where}: {name} must be an integer >= 1, got {value!r}.")
    return int(value)


def non_negative_int(value: Any, name: str, where: str) -> int:
    """Check ``value`` is an integer >= 0 and return it as ``int``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < 0:
        raise ValueError(f"{where}: {name} must be an integer >= 0, got {value!r}.")
    return int(value)


def as_array(data: Any, name: str, where: str, dtype: Any = None) -> np.ndarray:
    """Convert ``data`` to an ndarray of numbers (bool, int or float), then to ``dtype`` when given.

    Strings, bytes, complex numbers and object arrays holding anything but real numbers are
    refused, as scikit-learn does: casting ``"1"`` to 1.0 would hide a CSV read as text.
    """
    try:
        array = np.asarray(data)
        if array.dtype == object:
            array = _numbers_from_objects(array, name, where)
        elif array.dtype.kind not in "biuf":
            raise ValueError(f"{where}: {name} must hold numbers, got an array of dtype {array.dtype}"
                             f"{_DTYPE_FIX.get(array.dtype.kind, '')}.")
        return array if dtype is None else np.asarray(array, dtype=dtype)
    except (TypeError, OverflowError) as exc:
        raise ValueError(f"{where}: {name} could not be converted to a numeric array ({exc}).") from exc
    except ValueError as exc:
        if str(exc).startswith(where):
            raise
        raise ValueError(f"{where}: {name} could not be converted to a numeric array ({exc}).") from exc


_DTYPE_FIX = {
    "U": " (text); convert it with np.asarray(..., dtype=float) if the strings are numbers, "
         "e.g. read a CSV with chainrule.datasets.load_table",
    "S": " (bytes); decode and convert it with np.asarray(..., dtype=float)",
    "c": " (complex); pass the real part (.real) or split real and imaginary parts into columns",
}


def _numbers_from_objects(array: np.ndarray, name: str, where: str) -> np.ndarray:
    """An object array whose items are all real numbers, as float64; anything else is refused."""
    for index, item in np.ndenumerate(array):
        if not isinstance(item, (int, float, np.integer, np.floating, np.bool_)):
            raise ValueError(
                f"{where}: {name} has dtype object and holds {item!r} ({type(item).__name__}) at index {index}; "
                f"it must hold numbers only. Convert it yourself, e.g. np.asarray({name}, dtype=float), "
                "after removing the non-numbers."
            )
    return array.astype(np.float64)


def finite(array: np.ndarray, name: str, where: str) -> None:
    """Raise if ``array`` holds NaN or inf, saying where the first bad value is."""
    if array.dtype.kind == "f" and not np.isfinite(array).all():
        bad = np.argwhere(~np.isfinite(array))[0]
        index = tuple(int(i) for i in bad)
        raise ValueError(
            f"{where}: {name} contains NaN or inf (first at index {index}: {array[index]}). "
            "Remove or impute those values before training."
        )


def matrix(data: Any, name: str, where: str, n_features: int | None = None,
           dtype: Any = None) -> np.ndarray:
    """Validate a 2-D design matrix with examples as rows: ``(m, n_features)``.

    Detects the course's column layout ``(n_features, m)`` and suggests ``X.T``.
    """
    array = as_array(data, name, where, dtype=dtype)
    if array.ndim != 2:
        hint = ""
        if array.ndim == 1:
            hint = (f" If each value is one example with a single feature, pass {name}.reshape(-1, 1); "
                    f"if it is one example, pass {name}.reshape(1, -1).")
        raise ValueError(f"{where}: {name} must be 2-D (m, n_features), got shape {array.shape}.{hint}")
    if array.shape[0] == 0:
        raise ValueError(f"{where}: {name} has no examples (shape {array.shape}); pass at least one row.")
    if n_features is not None and array.shape[1] != n_features:
        hint = ""
        if array.shape[0] == n_features:
            hint = f" It looks like {name} is (n_features, m) as in the course; pass {name}.T."
        raise ValueError(
            f"{where}: {name} has shape {array.shape} but the first layer expects (m, {n_features})."
            + hint
        )
    finite(array, name, where)
    return array


def same_length(X: np.ndarray, Y: np.ndarray, where: str) -> None:
    """Check that X and Y hold the same number of examples (rows)."""
    if X.shape[0] != Y.shape[0]:
        hint = ""
        if Y.ndim == 2 and Y.shape[1] == X.shape[0]:
            hint = " Y looks like the course's (n_y, m) layout; pass Y.T."
        raise ValueError(
            f"{where}: X has {X.shape[0]} examples (shape {X.shape}) but Y has {Y.shape[0]} "
            f"(shape {Y.shape}); both need examples as rows.{hint}"
        )


def diverged(value: float, epoch: int, batch: int, lr: Any, params: Any = ()) -> FloatingPointError:
    """The error for a non-finite loss at (0-based) ``epoch`` and ``batch``, with a smaller lr to try.

    No step is taken on that batch, so the model keeps the weights from before it, unless ``params``
    (the model's arrays) are already non-finite: a gradient overflowed while the loss was still finite.
    """
    hint = f" (lr={lr}). Try a smaller lr, e.g. {lr / 10:g}," if lr else "."
    kept = all(np.isfinite(p).all() for p in params)
    return FloatingPointError(
        f"loss became {value} at epoch {epoch + 1}, batch {batch + 1}{hint} or standardize X. "
        + ("The model keeps the weights from before this batch." if kept else
           "The weights were already non-finite (a gradient overflowed first); reload a checkpoint."))
