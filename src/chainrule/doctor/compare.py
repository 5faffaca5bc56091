"""Compare a learner's value with the right one and name the difference (a *fingerprint*).

For arrays of the same shape the difference is classified by the least-squares factor
``c = ⟨a, e⟩ / ⟨e, e⟩`` between the learner's ``a`` and the expected ``e``: when ``a ≈ c·e``,

    c ≈ m    -> "scale_m"      (a missing 1/m)
    c ≈ 1/m  -> "scale_inv_m"  (1/m applied twice)
    c ≈ -1   -> "sign"
    other c  -> "scale"        (2, 1/2, the learning rate, ...)

otherwise ``a ≈ eᵀ`` is "transposed", nan/inf where ``e`` is finite is "nonfinite", and anything
else is "values". Different shapes are "transposed" (``a.shape == e.shape[::-1]`` with the
transposed values right) or "shape". A single number fits any factor, so for size-1 values the
factor is reported and the caller decides across several probes (see ``agree``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Union

import numpy as np

RTOL = 1e-6
ATOL = 1e-9


@dataclass
class Mismatch:
    """How a value differs from the expected one."""

    kind: str
    detail: str
    factor: Union[float, None] = None
    actual_shape: Union[tuple, None] = None
    expected_shape: Union[tuple, None] = None
    constant: Any = None          # a hard-coded number in the learner's code that explains it
    fix: str = ""


def as_float_array(value: Any) -> Union[np.ndarray, None]:
    """The value as a float64 array, or None when it is not numeric (a string, a dict, None, ...)."""
    if isinstance(value, (str, bytes, dict)) or value is None:
        return None
    try:
        array = np.asarray(value)
    except Exception:
        return None
    if array.dtype.kind not in "biuf":
        return None
    return array.astype(np.float64)


def close(actual: np.ndarray, expected: np.ndarray, rtol: float = RTOL, atol: float = ATOL) -> bool:
    """Entrywise |a - e| <= atol + rtol·max|e| (a scale-aware tolerance; nan equals nan)."""
    scale = float(np.max(np.abs(expected))) if expected.size and np.all(np.isfinite(expected)) else 0.0
    with np.errstate(invalid="ignore"):
        return bool(np.all((np.abs(actual - expected) <= atol + rtol * scale)
                           | (np.isnan(actual) & np.isnan(expected))
                           | (actual == expected)))


def axis_hint(actual: tuple, expected: tuple) -> str:
    """Why a reduction may have the wrong shape: summed over the wrong axis, or not summed at all."""
    if len(expected) == 2 and expected[1] == 1 and len(actual) == 2:
        if actual[0] == 1 and expected[0] != 1:
            return ": summed over axis 0 (the units) instead of axis 1 (the examples)"
        if actual[0] == expected[0] and actual[1] > 1:
            return ": not summed over the examples (np.sum(..., axis=1, keepdims=True))"
    if len(expected) == 2 and expected[1] == 1 and len(actual) == 1 and actual[0] == expected[0]:
        return ": rank 1; keepdims=True (or .reshape(-1, 1)) keeps the (n, 1) column"
    return ""


def describe_factor(c: float, m: Union[int, None]) -> str:
    if m and abs(c - m) <= 1e-6 * m:
        return f"m = {m}"
    if m and abs(c * m - 1) <= 1e-6:
        return f"1/m = 1/{m}"
    return f"{c:.6g}"


def fingerprint(actual: Any, expected: Any, m: Union[int, None] = None, *, lenient_shape: bool = False,
                rtol: float = RTOL, atol: float = ATOL) -> Union[Mismatch, None]:
    """None when ``actual`` equals ``expected`` within tolerance, else the ``Mismatch``.

    ``lenient_shape`` accepts the same values in another shape with the same size (a 1-D array of
    labels for a (1, m) row); size-1 values are always compared by value ((1, 1) against a scalar).
    """
    e = as_float_array(expected)
    a = as_float_array(actual)
    if a is None:
        return Mismatch("signature", f"is a {type(actual).__name__} where a number or array "
                        f"of shape {None if e is None else e.shape} is expected")
    if a.shape != e.shape:
        if a.size == e.size and (lenient_shape or e.size == 1):
            a = a.reshape(e.shape)
        elif a.ndim == 2 and a.shape == e.shape[::-1] and close(a.T, e, rtol, atol):
            return Mismatch("transposed", f"has shape {a.shape}, the transpose of {e.shape}; "
                            "its values are the right ones transposed", None, a.shape, e.shape)
        elif a.size == e.size and close(a.reshape(e.shape), e, rtol, atol):
            return Mismatch("shape", f"has shape {a.shape} instead of {e.shape} (the right values, "
                            "wrong rank or layout)", None, a.shape, e.shape)
        else:
            return Mismatch("shape", f"has shape {a.shape} instead of {e.shape}{axis_hint(a.shape, e.shape)}",
                            None, a.shape, e.shape)
    if close(a, e, rtol, atol):
        return None
    if not np.all(np.isfinite(a)) and np.all(np.isfinite(e)):
        bad = int(np.sum(~np.isfinite(a)))
        return Mismatch("nonfinite", f"has {bad} nan/inf value{'s' if bad > 1 else ''} where the right "
                        "values are finite", None, a.shape, e.shape)
    if a.ndim == 2 and a.shape[0] == a.shape[1] and a.shape[0] > 1 and close(a, e.T, rtol, atol):
        return Mismatch("transposed", "is the transpose of the right value", None, a.shape, e.shape)
    ee = float(np.vdot(e, e))
    if ee > 0 and np.all(np.isfinite(a)):
        c = float(np.vdot(a, e)) / ee
        if c != 0 and abs(c - 1) > 1e-6 and close(a, c * e, 1e-6, atol * max(abs(c), 1.0)):
            return _scaled(c, m, a.shape, e.shape)
    if ee == 0:
        return Mismatch("values", "is non-zero where the right value is all zeros", None, a.shape, e.shape)
    if not np.any(a):
        return Mismatch("values", "is all zeros where the right value is not", None, a.shape, e.shape)
    return Mismatch("values", "has wrong values with no simple relation to the right ones", None, a.shape, e.shape)


def _scaled(c: float, m: Union[int, None], a_shape: tuple, e_shape: tuple) -> Mismatch:
    if abs(c + 1) <= 1e-6:
        return Mismatch("sign", "has the right values with the opposite sign", -1.0, a_shape, e_shape)
    if m and m > 1 and abs(c - m) <= 1e-6 * m:
        return Mismatch("scale_m", f"is m = {m} times too large: the 1/m of the mean is missing", c, a_shape, e_shape)
    if m and m > 1 and abs(c * m - 1) <= 1e-6:
        return Mismatch("scale_inv_m", f"is m = {m} times too small: 1/m is applied twice", c, a_shape, e_shape)
    return Mismatch("scale", f"is {c:.6g} times the right value", c, a_shape, e_shape)


def agree(mismatches: list[Mismatch], size_one: bool) -> Mismatch:
    """One verdict from the mismatches of several probes of the same output.

    A scale found on a single number is believable only when every probe that failed shows the
    same relation (the same constant, or m for each probe's own m); otherwise it is "values".
    """
    first = mismatches[0]
    if not size_one or first.kind not in ("scale", "scale_m", "scale_inv_m", "sign"):
        return first
    if len(mismatches) < 2:
        return Mismatch("values", "has the wrong value", first.factor, first.actual_shape, first.expected_shape)
    same_kind = all(mm.kind == first.kind for mm in mismatches)
    if same_kind and first.kind != "scale":
        return first
    if same_kind and all(abs(mm.factor - first.factor) <= 1e-6 * abs(first.factor) for mm in mismatches):
        return first
    return Mismatch("values", "has the wrong value", None, first.actual_shape, first.expected_shape)
