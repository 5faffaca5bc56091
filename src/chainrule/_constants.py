"""Read-only constant arrays for the hot path: 0-d scalars and ones vectors, made once per dtype.

NOTE: a ufunc takes a 0-d array of the operand's dtype about twice as fast as a Python float,
which NumPy converts on every call (~1 µs per call at mini-batch sizes). The dtype must match: a
float64 0-d array would promote float32 operands to float64 (NEP 50).
"""

from __future__ import annotations

from typing import Any

import numpy as np

_SCALARS: dict[tuple[float, Any], np.ndarray] = {}
_ONES: dict[Any, np.ndarray] = {}


def constant(value: float, dtype: Any) -> np.ndarray:
    """``value`` as a read-only 0-d array of ``dtype``, made once per (value, dtype)."""
    key = (value, dtype)
    c = _SCALARS.get(key)
    if c is None:
        c = np.array(value, dtype=dtype)
        c.flags.writeable = False
        _SCALARS[key] = c       # a handful of entries: 0, 1 and a loss factor per batch size, per dtype
    return c


def ones(m: int, dtype: Any) -> np.ndarray:
    """A read-only vector of m ones in ``dtype`` (a view of one cached vector per dtype)."""
    v = _ONES.get(dtype)
    if v is None or v.shape[0] < m:
        v = np.ones(max(m, 256), dtype=dtype)
        v.flags.writeable = False
        _ONES[dtype] = v        # keyed as given: np.float32 and np.dtype("float32") hash differently
    return v[:m]
