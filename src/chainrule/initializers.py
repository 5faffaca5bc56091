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


def variance_scaling(scale: float, fan: str = "fan_in", distribution: str = "normal") -> Initializer:
    """W with variance σ² = scale / n, n = fan_in or fan_avg = (fan_in + fan_out) / 2 (Keras's VarianceScaling).

    ``distribution="normal"``: W ~ N(0, σ²); ``"uniform"``: W ~ U(-a, a), a = sqrt(3σ²), since
    Var(U(-a, a)) = a²/3. Glorot is ``scale=1, fan="fan_avg"``, He ``scale=2``, LeCun ``scale=1``.
    """
    where = "variance_scaling initializer"
    scale = _checks.positive_number(scale, "scale", where)
    if fan not in ("fan_in", "fan_avg"):
        raise ValueError(f"{where}: fan must be 'fan_in' or 'fan_avg', got {fan!r}.")
    if distribution not in ("normal", "uniform"):
        raise ValueError(f"{where}: distribution must be 'normal' or 'uniform', got {distribution!r}.")

    def init(shape, rng, dtype=np.float64):
        fan_in, fan_out = _fans(shape)
        variance = scale / (fan_in if fan == "fan_in" else (fan_in + fan_out) / 2)
        if distribution == "normal":
            return (math.sqrt(variance) * rng.standard_normal(shape)).astype(dtype, copy=False)
        limit = math.sqrt(3.0 * variance)
        return rng.uniform(-limit, limit, size=shape).astype(dtype, copy=False)
    init.__name__ = f"variance_scaling({scale}, {fan!r}, {distribution!r})"
    return init


def _named(name: str, doc: str, init: Initializer) -> Initializer:
    init.__name__ = init.__qualname__ = name
    init.__doc__ = doc
    return init


# The six classic initializers, each one variance scaling. In the course's (n_out, n_in) layout
# fan_in is n_prev, so He is its ``randn * sqrt(2 / n_prev)``.
glorot_normal = _named("glorot_normal", "Xavier/Glorot: W ~ N(0, 2 / (fan_in + fan_out)).",
                       variance_scaling(1.0, "fan_avg", "normal"))
glorot_uniform = _named("glorot_uniform", "Xavier/Glorot: W ~ U(-a, a), a = sqrt(6 / (fan_in + fan_out)).",
                        variance_scaling(1.0, "fan_avg", "uniform"))
he_normal = _named("he_normal", "He: W ~ N(0, 2 / fan_in), the course's ``randn * sqrt(2 / n_prev)`` for ReLU nets.",
                   variance_scaling(2.0, "fan_in", "normal"))
he_uniform = _named("he_uniform", "He: W ~ U(-a, a), a = sqrt(6 / fan_in).",
                    variance_scaling(2.0, "fan_in", "uniform"))
lecun_normal = _named("lecun_normal", "LeCun: W ~ N(0, 1 / fan_in); the course's cat application uses "
                      "``randn / sqrt(n_prev)``.", variance_scaling(1.0, "fan_in", "normal"))
lecun_uniform = _named("lecun_uniform", "LeCun: W ~ U(-a, a), a = sqrt(3 / fan_in).",
                       variance_scaling(1.0, "fan_in", "uniform"))


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
