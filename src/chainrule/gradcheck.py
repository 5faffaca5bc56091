"""Gradient checking by float64 central differences.

    ∂f/∂θ_i ≈ (f(θ + eps·e_i) - f(θ - eps·e_i)) / (2·eps)

compared with the analytic gradient by ``relative_error(a, n) = ‖a - n‖ / max(‖a‖ + ‖n‖, 1e-300)``.
A correct backprop gives about 1e-9 or less; 1e-7 is the pass line used by the tests and the
report. The check always runs on a float64 copy, so a float32 model is checked too.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any, Callable, Union

import numpy as np

from . import _checks
from .layers import Layer
from .losses import Loss
from .model import Sequential

TOLERANCE = 1e-7
ATOL = 1e-10


def numerical_gradient(f: Callable[[], float], x: np.ndarray, eps: float = 1e-5,
                       indices: Union[list[tuple], None] = None) -> np.ndarray:
    """Central-difference gradient of the scalar ``f()`` with respect to ``x``, changed in place.

    Each entry is restored exactly after use. With ``indices`` only those entries are computed
    (the others stay 0).
    """
    grad = np.zeros(x.shape, dtype=np.float64)
    for index in (indices if indices is not None else np.ndindex(x.shape)):
        saved = x[index]
        x[index] = saved + eps
        f_plus = f()
        x[index] = saved - eps
        f_minus = f()
        x[index] = saved
        grad[index] = (f_plus - f_minus) / (2.0 * eps)
    return grad


def relative_error(analytic: np.ndarray, numeric: np.ndarray) -> float:
    """‖a - n‖ / max(‖a‖ + ‖n‖, 1e-300): 0 for equal arrays, 1 for opposite ones."""
    analytic, numeric = np.asarray(analytic, dtype=np.float64), np.asarray(numeric, dtype=np.float64)
    denominator = max(float(np.linalg.norm(analytic) + np.linalg.norm(numeric)), 1e-300)
    return float(np.linalg.norm(analytic - numeric)) / denominator


@dataclass
class GradientCheck:
    """One parameter's result: where it is, how far off, and the worst entry."""

    layer: str
    name: str
    shape: tuple
    relative_error: float
    worst_index: tuple
    analytic: float
    numeric: float
    passed: bool

    def line(self) -> str:
        verdict = "ok" if self.passed else "FAIL"
        return (f"{self.layer:<40} d{self.name:<4} {str(self.shape):<12} rel.err {self.relative_error:.2e}  "
                f"worst {self.worst_index}: analytic {self.analytic:+.6e} numeric {self.numeric:+.6e}  {verdict}")


@dataclass
class GradcheckReport:
    """Per-parameter results; ``passed`` is true when every relative error is below ``tolerance``."""

    checks: list[GradientCheck]
    tolerance: float

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.checks)

    @property
    def worst(self) -> GradientCheck:
        return max(self.checks, key=lambda c: c.relative_error)

    def failures(self) -> list[GradientCheck]:
        return [c for c in self.checks if not c.passed]

    def __str__(self) -> str:
        lines = [c.line() for c in self.checks]
        if self.passed:
            lines.append(f"all {len(self.checks)} gradients agree (relative error < {self.tolerance:g})")
        else:
            first = self.failures()[0]
            lines.append(f"gradient check FAILED first at {first.layer}, d{first.name}: relative error "
                         f"{first.relative_error:.2e} >= {self.tolerance:g}; the bug is in that layer's backward.")
        return "\n".join(lines)


def _as_float64_copy(obj: Any) -> Any:
    clone = copy.deepcopy(obj)
    targets = clone.layers if isinstance(clone, Sequential) else [clone]
    for layer in targets:
        for key, value in vars(layer).items():
            if isinstance(value, np.ndarray) and value.dtype.kind == "f":
                setattr(layer, key, value.astype(np.float64))
    if isinstance(clone, Sequential):
        clone.dtype = np.dtype(np.float64)
    return clone


def _generators(obj: Any) -> list[np.random.Generator]:
    layers = obj.layers if isinstance(obj, Sequential) else [obj]
    found = [getattr(obj, "rng", None)] + [getattr(layer, "rng", None) for layer in layers]
    return [g for g in found if isinstance(g, np.random.Generator)]


def check_gradients(model: Union[Sequential, Layer], X: Any, Y: Any, loss: Loss, eps: float = 1e-5,
                    training: bool = False, tolerance: float = TOLERANCE, input_grad: bool = True,
                    max_entries: Union[int, None] = None, seed: int = 0) -> GradcheckReport:
    """Compare backprop with central differences for every parameter (and for ∂L/∂X).

    Parameters
    ----------
    model : Sequential or a single Layer
        Checked on a float64 deep copy; the original is not touched.
    X, Y : arrays with examples as rows; the loss is ``loss(model(X), Y) + penalties``.
    eps : the central-difference step.
    training : run the forward pass in training mode (random layers replay the same draws).
    input_grad : also check ∂L/∂X (the only gradient of a parameter-free layer).
    max_entries : check at most this many random entries per array (all when ``None``).

    Returns
    -------
    GradcheckReport
        One ``GradientCheck`` per parameter array, naming its layer; ``str(report)`` is a table.
    """
    eps = _checks.positive_number(eps, "eps", "check_gradients")
    net = _as_float64_copy(model)
    X = _checks.as_array(X, "X", "check_gradients", dtype=np.float64).copy()
    if isinstance(net, Sequential):
        Y = loss.prepare_targets(Y, net.n_outputs, "check_gradients").astype(np.float64)
    else:
        Y = _checks.as_array(Y, "Y", "check_gradients")
        Y = Y.astype(np.float64) if Y.dtype.kind == "f" else Y
    layers = net.layers if isinstance(net, Sequential) else [net]
    states = [(g, copy.deepcopy(g.bit_generator.state)) for g in _generators(net)]

    def replay() -> None:
        for generator, state in states:
            generator.bit_generator.state = copy.deepcopy(state)

    def f() -> float:
        replay()
        with np.errstate(all="ignore"):
            value = loss.forward(net.forward(X, training), Y)
        return value + sum(layer.penalty() for layer in layers)

    f()
    if isinstance(net, Sequential):
        dX = net.backward(loss.backward(), input_grad=input_grad)
    else:
        net.skip_input_grad = not input_grad
        dX = net.backward(loss.backward())
    targets = []
    for layer in layers:
        names = layer.param_names or tuple(f"p{i}" for i in range(len(layer.params_and_grads())))
        for name, (param, grad) in zip(names, layer.params_and_grads()):
            targets.append((layer.describe(), name, param, grad.copy()))
    if input_grad and dX is not None:
        targets.append(("input", "X", X, dX.copy()))
    rng = np.random.default_rng(seed)
    checks = [_check_one(f, where, name, param, analytic, eps, tolerance, max_entries, rng)
              for where, name, param, analytic in targets]
    return GradcheckReport(checks, tolerance)


def _check_one(f, where, name, param, analytic, eps, tolerance, max_entries, rng) -> GradientCheck:
    indices = None
    if max_entries is not None and param.size > max_entries:
        flat = rng.choice(param.size, size=max_entries, replace=False)
        indices = [np.unravel_index(i, param.shape) for i in flat]
    numeric = numerical_gradient(f, param, eps, indices)
    if indices is not None:
        mask = np.zeros(param.shape, dtype=bool)
        for index in indices:
            mask[index] = True
        analytic = np.where(mask, analytic, 0.0)
    error = relative_error(analytic, numeric)
    # NOTE: a gradient that is exactly 0 (a Dense bias right before BatchNorm) against numeric noise
    # has relative error 1; an absolute difference below ATOL counts as agreement.
    close = float(np.linalg.norm(np.asarray(analytic, dtype=np.float64) - numeric)) < ATOL
    worst = np.unravel_index(int(np.argmax(np.abs(analytic - numeric))), param.shape) if param.size else ()
    worst = tuple(int(i) for i in worst)
    return GradientCheck(where, name, tuple(param.shape), error, worst,
                         float(analytic[worst]) if param.size else 0.0,
                         float(numeric[worst]) if param.size else 0.0, error < tolerance or close)
