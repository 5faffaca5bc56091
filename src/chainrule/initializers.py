"""Weight initializers: ``f(shape, rng, dtype) -> ndarray`` for ``W`` of shape ``(n_in, n_out)``.

``fan_in = n_in`` and ``fan_out = n_out``. The course writes ``W`` as ``(n_out, n_in)``; ours is its
transpose, so the variances below are the same ones the course and the papers give.

Parametrized initializers are factories that return such a function::

    Dense(784, 30, init=normal(std=0.01))     # the course's randn * 0.01
    Dense(784, 30, init="he_normal")          # a name from ``INITIALIZERS``
"""

from __future__ import annotations

import math
from typing import Callable, Union

import numpy as np

from . import _checks

Initializer = Callable[[tuple, np.random.Generator, np.dtype], np.ndarray]


def _fans(shape: tuple) -> tuple[int, int]:
    return int(shape[0]), int(shape[-1])


def zeros(shape: tuple, rng: np.random.Generator, dtype=np.float64) -> np.ndarray:
    """W = 0. Fine for biases; for weights it leaves every unit identical (no symmetry breaking)."""
    return np.zeros(shape, dtype=dtype)


def constant(value: float) -> Initializer:
    """W = value everywhere."""
    value = _checks.real_number(value, "value", "constant initializer")

    def init(shape, rng, dtype=np.float64):
        return np.full(shape, value, dtype=dtype)
    init.__name__ = f"constant({value})"
    return init


def normal(std: float = 0.01, mean: float = 0.0) -> Initializer:
    """W ~ N(mean, std²). ``normal(0.01)`` is the course's ``randn * 0.01``; ``normal(10)`` its "large" init."""
    std = _checks.positive_number(std, "std", "normal initializer")
    mean = _checks.real_number(mean, "mean", "normal initializer")

    def init(shape, rng, dtype=np.float64):
        return (mean + std * rng.standard_normal(shape)).astype(dtype, copy=False)
    init.__name__ = f"normal(std={std}, mean={mean})"
    return init


def uniform(limit: float = 0.05) -> Initializer:
    """W ~ U(-limit, limit)."""
    limit = _checks.positive_number(limit, "limit", "uniform initializer")

    def init(shape, rng, dtype=np.float64):
        return rng.uniform(-limit, limit, size=shape).astype(dtype, copy=False)
    init.__name__ = f"uniform(limit={limit})"
    return init


def _scaled_normal(shape, rng, dtype, variance):
    return (math.sqrt(variance) * rng.standard_normal(shape)).astype(dtype, copy=False)


def _scaled_uniform(shape, rng, dtype, variance):
    limit = math.sqrt(3.0 * variance)   # Var(U(-a, a)) = a²/3
    return rng.uniform(-limit, limit, size=shape).astype(dtype, copy=False)


def glorot_normal(shape, rng, dtype=np.float64):
    """Xavier/Glorot: W ~ N(0, 2 / (fan_in + fan_out))."""
    fan_in, fan_out = _fans(shape)
    return _scaled_normal(shape, rng, dtype, 2.0 / (fan_in + fan_out))


def glorot_uniform(shape, rng, dtype=np.float64):
    """Xavier/Glorot: W ~ U(-a, a), a = sqrt(6 / (fan_in + fan_out))."""
    fan_in, fan_out = _fans(shape)
    return _scaled_uniform(shape, rng, dtype, 2.0 / (fan_in + fan_out))


def he_normal(shape, rng, dtype=np.float64):
    """He: W ~ N(0, 2 / fan_in), the course's ``randn * sqrt(2 / n_prev)`` for ReLU nets."""
    fan_in, _ = _fans(shape)
    return _scaled_normal(shape, rng, dtype, 2.0 / fan_in)


def he_uniform(shape, rng, dtype=np.float64):
    """He: W ~ U(-a, a), a = sqrt(6 / fan_in)."""
    fan_in, _ = _fans(shape)
    return _scaled_uniform(shape, rng, dtype, 2.0 / fan_in)


def lecun_normal(shape, rng, dtype=np.float64):
    """LeCun: W ~ N(0, 1 / fan_in); the course's cat application uses ``randn / sqrt(n_prev)``."""
    fan_in, _ = _fans(shape)
    return _scaled_normal(shape, rng, dtype, 1.0 / fan_in)


def lecun_uniform(shape, rng, dtype=np.float64):
    """LeCun: W ~ U(-a, a), a = sqrt(3 / fan_in)."""
    fan_in, _ = _fans(shape)
    return _scaled_uniform(shape, rng, dtype, 1.0 / fan_in)


def orthogonal(gain: float = 1.0) -> Initializer:
    """W = gain · Q, with Q from the QR decomposition of a Gaussian matrix (Saxe et al., 2014)."""
    gain = _checks.positive_number(gain, "gain", "orthogonal initializer")

    def init(shape, rng, dtype=np.float64):
        rows, cols = _fans(shape)
        A = rng.standard_normal((max(rows, cols), min(rows, cols)))
        Q, R = np.linalg.qr(A)
        Q *= np.sign(np.diag(R))            # NOTE: makes Q unique, so the draw is uniform over O(n)
        Q = Q if rows >= cols else Q.T
        return (gain * Q).astype(dtype, copy=False)
    init.__name__ = f"orthogonal(gain={gain})"
    return init


INITIALIZERS: dict[str, Initializer] = {
    "zeros": zeros,
    "glorot_normal": glorot_normal,
    "glorot_uniform": glorot_uniform,
    "xavier": glorot_normal,
    "he_normal": he_normal,
    "he_uniform": he_uniform,
    "he": he_normal,
    "lecun_normal": lecun_normal,
    "lecun_uniform": lecun_uniform,
    "lecun": lecun_normal,
    "orthogonal": orthogonal(),
    "small_normal": normal(0.01),
}


def get(init: Union[str, Initializer]) -> Initializer:
    """Resolve an initializer given by name (see ``INITIALIZERS``) or as a callable."""
    if callable(init):
        return init
    if isinstance(init, str) and init in INITIALIZERS:
        return INITIALIZERS[init]
    raise ValueError(
        f"unknown initializer {init!r}; use one of {sorted(INITIALIZERS)} or a callable "
        "f(shape, rng, dtype) such as chainrule.initializers.normal(0.01)."
    )
