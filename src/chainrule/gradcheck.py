"""Gradient checking by float64 central differences.

    ∂f/∂θ_i ≈ (f(θ + eps·e_i) - f(θ - eps·e_i)) / (2·eps)

compared with the analytic gradient by ``relative_error(a, n) = ‖a - n‖ / max(‖a‖ + ‖n‖, 1e-300)``,
or 0 when ‖a - n‖ < ``ATOL``. A correct backprop gives about 1e-9 or less; 1e-7 is the pass line
used by the tests and the report. The check always runs on a float64 copy, so a float32 model is
checked too.

``check_gradients`` checks a ``Sequential`` twice: end to end (every parameter against the loss),
and layer by layer, each layer's ``backward(G)`` against central differences of
⟨G, layer.forward(A_prev)⟩ at the input A_prev it gets in the model, for a fixed random G. The
end-to-end check says *that* a gradient is wrong; the layer check says *whose* backward made it
wrong (a wrong dA_prev corrupts every gradient below it, so those layers look guilty end to end).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any, Callable, Union

import numpy as np

from . import _checks
from .layers import Layer
from .losses import Loss
from .model import Sequential
from .targets import prepare as prepare_targets

TOLERANCE = 1e-7
ATOL = 1e-10


def numerical_gradient(f: Callable[[], float], x: np.ndarray, eps: float = 1e-5,
                       indices: Union[list[tuple], None] = None) -> np.ndarray:
    """Central-difference gradient of the scalar ``f()`` with respect to ``x``, changed in place.

    ``f`` must read ``x`` itself (it closes over it), so ``x`` must be a writable float array:
    an integer array would truncate ``x + eps`` and give garbage, and a copy would not be seen by
    ``f``. Each entry is restored exactly after use. With ``indices`` only those entries are
    computed (the others stay 0).

    Raises
    ------
    TypeError
        ``x`` is not a float array (convert it with ``x = x.astype(np.float64)`` before building ``f``).
    ValueError
        ``x`` is read-only.
    """
    _check_perturbable(x)
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


def _check_perturbable(x: Any) -> None:
    """numerical_gradient's x: a writable float ndarray, since f sees it only through in-place changes."""
    if not isinstance(x, np.ndarray) or x.dtype.kind != "f":
        got = f"an array of dtype {x.dtype}" if isinstance(x, np.ndarray) else f"a {type(x).__name__}"
        raise TypeError(
            f"numerical_gradient: x must be a float array, got {got}. x is changed in place "
            "(x[i] = x[i] + eps), which an integer array truncates, and f must see those changes, so a "
            "converted copy cannot be made here. Convert x before building f: x = x.astype(np.float64)."
        )
    if not x.flags.writeable:
        raise ValueError(
            "numerical_gradient: x is read-only (for example a np.broadcast_to view), but it is changed in "
            "place and restored. Make a writable copy before building f: x = x.copy()."
        )


def relative_error(analytic: Any, numeric: Any, atol: float = ATOL) -> float:
    """‖a - n‖ / max(‖a‖ + ‖n‖, 1e-300): 0 for equal arrays, 1 for opposite ones.

    Parameters
    ----------
    analytic, numeric : arrays of the same shape
        A ValueError names both shapes otherwise (and asks "transposed?" when one is the other's
        reverse): broadcasting a (1, 1) against a (4, 1) would compare the wrong numbers.
    atol : float
        Absolute floor: when ‖a - n‖ < atol the arrays agree and the result is 0.0. A correct but
        tiny gradient (a db of 1e-7) differs from central differences by rounding noise of about
        1e-11, which is large *relative* to it. ``atol=0`` gives the plain relative error.
    """
    analytic, numeric = np.asarray(analytic, dtype=np.float64), np.asarray(numeric, dtype=np.float64)
    if analytic.shape != numeric.shape:
        hint = " Is one of them transposed?" if analytic.shape == numeric.shape[::-1] else ""
        raise ValueError(f"relative_error: analytic has shape {analytic.shape} but numeric has shape "
                         f"{numeric.shape}; they must have the same shape.{hint}")
    difference = float(np.linalg.norm(analytic - numeric))
    if difference < atol:
        return 0.0
    return difference / max(float(np.linalg.norm(analytic) + np.linalg.norm(numeric)), 1e-300)


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

    def line(self, name_width: int = 4) -> str:
        verdict = "ok" if self.passed else "FAIL"
        return (f"{self.layer:<40} d{self.name:<{name_width}} {str(self.shape):<12} rel.err {self.relative_error:.2e}  "
                f"worst {self.worst_index}: analytic {self.analytic:+.6e} numeric {self.numeric:+.6e}  {verdict}")


@dataclass
class GradcheckReport:
    """Per-parameter results; ``passed`` is true when every relative error is below ``tolerance``.

    ``checks`` are end to end (against the loss); ``layer_checks`` check each layer of a
    ``Sequential`` on its own, its parameters and its ``dA_prev`` (empty for a single layer).
    """

    checks: list[GradientCheck]
    tolerance: float
    layer_checks: list[GradientCheck] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.checks + self.layer_checks)

    @property
    def worst(self) -> GradientCheck:
        return max(self.checks, key=lambda c: c.relative_error)

    def failures(self) -> list[GradientCheck]:
        """The end-to-end checks that failed, in layer order."""
        return [c for c in self.checks if not c.passed]

    @property
    def culprit(self) -> Union[GradientCheck, None]:
        """The first failed layer check of the layer nearest the output whose own backward is wrong."""
        failed = [c for c in self.layer_checks if not c.passed]
        if not failed:
            return None
        return next(c for c in failed if c.layer == failed[-1].layer)

    def __str__(self) -> str:
        lines = [c.line() for c in self.checks]
        if self.passed:
            lines.append(f"all {len(self.checks)} gradients agree (relative error < {self.tolerance:g})")
            return "\n".join(lines)
        if self.layer_checks:
            lines.append("each layer on its own: backward(G) against central differences of "
                         "<G, forward(A_prev)>, G a fixed random upstream gradient:")
            lines += [c.line(name_width=len("A_prev")) for c in self.layer_checks]
        lines.append(self._verdict())
        return "\n".join(lines)

    def _verdict(self) -> str:
        culprit, failures = self.culprit, self.failures()
        if not failures:
            return (f"gradient check FAILED at {culprit.layer} checked on its own, d{culprit.name}: relative "
                    f"error {culprit.relative_error:.2e} >= {self.tolerance:g}; the model's gradients agree for "
                    "this loss and data, but the bug is in that layer's backward.")
        first = failures[0]
        head = (f"gradient check FAILED first at {first.layer}, d{first.name}: relative error "
                f"{first.relative_error:.2e} >= {self.tolerance:g}; ")
        if culprit is None and self.layer_checks:
            return head + ("every layer's backward agrees with its forward on its own, so the bug is in the "
                           "loss's backward (dL/dY_hat) or in how the gradients are passed between layers.")
        if culprit is None or culprit.layer == first.layer:
            return head + "the bug is in that layer's backward."
        return head + (f"that is a symptom: the bug is in {culprit.layer}'s backward (checked on its own, its "
                       f"d{culprit.name} has relative error {culprit.relative_error:.2e}).")


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


Snapshot = list[tuple[np.random.Generator, dict]]


def _snapshot(generators: list[np.random.Generator]) -> Snapshot:
    return [(g, copy.deepcopy(g.bit_generator.state)) for g in generators]


def _replay(states: Snapshot) -> None:
    """Put every generator back where it was, so random layers (Dropout) draw the same masks again."""
    for generator, state in states:
        generator.bit_generator.state = copy.deepcopy(state)


def _param_names(layer: Layer) -> tuple[str, ...]:
    return layer.param_names or tuple(f"p{i}" for i in range(len(layer.params_and_grads())))


def check_gradients(model: Union[Sequential, Layer], X: Any, Y: Any, loss: Loss, eps: float = 1e-5,
                    training: bool = False, tolerance: float = TOLERANCE, input_grad: bool = True,
                    max_entries: Union[int, None] = None, seed: int = 0) -> GradcheckReport:
    """Compare backprop with central differences for every parameter (and for ∂L/∂X).

    A ``Sequential`` is also checked layer by layer: each layer's ``backward(G)`` against central
    differences of ⟨G, layer.forward(A_prev)⟩ + its penalty, at its real input A_prev from the
    forward pass, for a fixed random upstream gradient G. So a wrong backward is blamed on its own
    layer, not on the layers below it whose gradients it corrupts.

    Parameters
    ----------
    model : Sequential or a single Layer
        Checked on a float64 deep copy; the original is not touched.
    X, Y : arrays with examples as rows; the loss is ``loss(model(X), Y) + penalties``.
    eps : the central-difference step.
    training : run the forward pass in training mode (random layers replay the same draws).
    input_grad : also check ∂L/∂X (the only gradient of a parameter-free layer).
    max_entries : check at most this many random entries per array (all when ``None``).
    seed : seeds the entries drawn for ``max_entries`` and the upstream gradients G.

    Returns
    -------
    GradcheckReport
        One ``GradientCheck`` per parameter array, naming its layer, and the per-layer checks;
        ``str(report)`` is a table whose last line names the layer whose backward is wrong.
    """
    eps = _checks.positive_number(eps, "eps", "check_gradients")
    net = _as_float64_copy(model)
    X = _checks.as_array(X, "X", "check_gradients", dtype=np.float64).copy()
    if isinstance(net, Sequential):
        Y = prepare_targets(loss, Y, net.n_outputs, "check_gradients").astype(np.float64)
    else:
        Y = _checks.as_array(Y, "Y", "check_gradients")
        Y = Y.astype(np.float64) if Y.dtype.kind == "f" else Y
    layers = net.layers if isinstance(net, Sequential) else [net]
    states = _snapshot(_generators(net))

    def f() -> float:
        _replay(states)
        with np.errstate(all="ignore"):
            value = loss.forward(net.forward(X, training), Y)
        return value + sum(layer.penalty() for layer in layers)

    f()
    if isinstance(net, Sequential):
        dX = net.backward(loss.backward(), input_grad=input_grad)
    else:
        dX = net.backward(loss.backward())
        dX = dX if input_grad else None
    targets = []
    for layer in layers:
        for name, (param, grad) in zip(_param_names(layer), layer.params_and_grads()):
            targets.append((layer.describe(), name, param, grad.copy()))
    if input_grad and dX is not None:
        targets.append(("input", "X", X, dX.copy()))
    rng = np.random.default_rng(seed)
    checks = [_check_one(f, where, name, param, analytic, eps, tolerance, max_entries, rng)
              for where, name, param, analytic in targets]
    layer_checks = []
    if isinstance(net, Sequential):
        layer_rng = np.random.default_rng([seed, 1])
        for i, (layer, (A_prev, before)) in enumerate(zip(net.layers, _layer_inputs(net, X, training, states))):
            layer_checks += _check_layer(layer, A_prev, before, training, eps, tolerance, max_entries, layer_rng,
                                         input_grad=input_grad or i > 0)     # the first layer's dA_prev only if asked
    return GradcheckReport(checks, tolerance, layer_checks)


def _layer_inputs(net: Sequential, X: np.ndarray, training: bool,
                  states: Snapshot) -> list[tuple[np.ndarray, Snapshot]]:
    """Each layer's input in the model's forward pass, and the generators' states just before it."""
    _replay(states)
    generators = [g for g, _ in states]
    inputs, A = [], X
    with np.errstate(all="ignore"):
        for layer in net.layers:
            inputs.append((A.copy(), _snapshot(generators)))
            A = layer.forward(A, training)
    return inputs


def _check_layer(layer: Layer, A_prev: np.ndarray, states: Snapshot, training: bool, eps: float,
                 tolerance: float, max_entries: Union[int, None], rng: np.random.Generator,
                 input_grad: bool = True) -> list[GradientCheck]:
    """The layer's own backward(G): its parameter gradients and dA_prev = ∂⟨G, forward(A_prev)⟩/∂A_prev."""
    def forward() -> np.ndarray:
        _replay(states)
        with np.errstate(all="ignore"):
            return layer.forward(A_prev, training)

    G = rng.standard_normal(forward().shape)

    def f() -> float:
        return float(np.vdot(G, forward())) + layer.penalty()

    f()
    dA_prev = layer.backward(G.copy())
    pairs = zip(_param_names(layer), layer.params_and_grads())
    targets = [(name, param, grad.copy()) for name, (param, grad) in pairs]
    if dA_prev is not None and input_grad:
        targets.append(("A_prev", A_prev, np.array(dA_prev, dtype=np.float64)))
    where = layer.describe()
    return [_check_one(f, where, name, param, analytic, eps, tolerance, max_entries, rng)
            for name, param, analytic in targets]


def _check_one(f, where, name, param, analytic, eps, tolerance, max_entries, rng) -> GradientCheck:
    if np.shape(analytic) != param.shape:
        raise ValueError(f"check_gradients: {where} gave d{name} of shape {np.shape(analytic)}, but {name} has "
                         f"shape {param.shape}; a gradient must have the shape of what it differentiates.")
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
    error = relative_error(analytic, numeric, atol=0.0)       # shown as is, so a learner sees 1e-11
    # NOTE: a gradient that is exactly 0 (a Dense bias right before BatchNorm) against numeric noise
    # has relative error 1; relative_error's absolute floor (ATOL) counts it as agreement.
    passed = relative_error(analytic, numeric, atol=ATOL) < tolerance
    worst = np.unravel_index(int(np.argmax(np.abs(analytic - numeric))), param.shape) if param.size else ()
    worst = tuple(int(i) for i in worst)
    return GradientCheck(where, name, tuple(param.shape), error, worst,
                         float(analytic[worst]) if param.size else 0.0,
                         float(numeric[worst]) if param.size else 0.0, passed)
