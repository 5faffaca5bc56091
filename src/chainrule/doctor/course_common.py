"""Specs shared by the course's planar (C1W3) and deep (C1W4) assignments.

``initialize_parameters``, ``initialize_parameters_deep``, ``compute_cost`` and
``update_parameters`` have the same name, signature and meaning in both notebooks.
"""

from __future__ import annotations

import copy
import inspect
from typing import Any, Callable, Union

import numpy as np

from ..classic import deep as course_deep
from ..classic import planar as course_planar
from ..losses import BinaryCrossEntropy, MeanSquaredError
from . import probes as P
from .compare import fingerprint
from . import trace
from .locate import exception_finding, filename_of, finding, source_text
from .spec import Context, Mutant, Probe, Spec, dict_outputs
from .report import Finding

# Accepted weight scales: the course's randn·0.01, the cat application's randn/√n_prev, He's √(2/n_prev).
SCALES = {"randn * 0.01": lambda n_prev: 0.01, "randn / sqrt(n_prev)": lambda n_prev: 1 / np.sqrt(n_prev),
          "randn * sqrt(2 / n_prev)": lambda n_prev: np.sqrt(2 / n_prev)}


def positional_count(func: Callable) -> int:
    try:
        return sum(p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
                   for p in inspect.signature(func).parameters.values())
    except (TypeError, ValueError):
        return 2


# -- initialization ---------------------------------------------------------------------------------
def _init_check(cases: list[tuple[list[int], tuple]]) -> Callable[[Context, Callable, Spec], list[Finding]]:
    def extra(ctx: Context, func: Callable, spec: Spec) -> list[Finding]:
        for dims, args in cases:
            probe = Probe(f"layer sizes {dims}", args, {})
            recorder = trace.Recorder(filename_of(ctx, func))
            result, error = ctx.call(func, copy.deepcopy(args), recorder=recorder)
            if error is not None:
                if isinstance(error, AssertionError) and dims[-1] != 1:
                    continue
                return [exception_finding(ctx, spec.name, func, error, probe)]
            if not isinstance(result, dict):
                return [finding(ctx, spec.name, func, "signature", None,
                                 f"returns {type(result).__name__}; the course returns the dict "
                                 "{'W1': ..., 'b1': ..., ...}.", None)]
            found = _init_findings(ctx, spec, func, dims, result, recorder.events)
            if found:
                return found
        return []
    return extra


def _init_findings(ctx: Context, spec: Spec, func: Callable, dims: list[int], params: dict,
                   events: list) -> list[Finding]:
    code_name = func.__code__.co_name if hasattr(func, "__code__") else None
    for l in range(1, len(dims)):
        n, n_prev = dims[l], dims[l - 1]
        for key in (f"W{l}", f"b{l}"):
            if key not in params:
                return [finding(ctx, spec.name, func, "signature", key,
                                 f"the dict has no {key!r} for layer sizes {dims} (keys: {sorted(params)}).", None)]
        W, b = np.asarray(params[f"W{l}"]), np.asarray(params[f"b{l}"])

        def line_of(obj: Any) -> Union[int, None]:
            event = trace.producer(events, obj, code_name)
            return event.line if event is not None else None

        where = f" (layer sizes {dims})"
        if W.shape != (n, n_prev):
            kind = "transposed" if W.shape == (n_prev, n) else "shape"
            return [finding(ctx, spec.name, func, kind, f"W{l}",
                             f"W{l} has shape {W.shape}; the course's W{l} is (n[{l}], n[{l - 1}]) = {(n, n_prev)}{where}.",
                             line_of(params[f"W{l}"]), f"W{l} = np.random.randn({n}, {n_prev}) * 0.01   # (n_l, n_prev)")]
        if b.shape != (n, 1):
            return [finding(ctx, spec.name, func, "shape", f"b{l}",
                             f"b{l} has shape {b.shape}; the course's b{l} is (n[{l}], 1) = {(n, 1)}{where}. "
                             "It broadcasts over the m examples of Z = W·A + b.",
                             line_of(params[f"b{l}"]), f"b{l} = np.zeros(({n}, 1))")]
        if l < len(dims) - 1 and W.size > 1 and np.all(W == W.flat[0]):
            return [finding(ctx, spec.name, func, "symmetry", f"W{l}",
                             f"every entry of W{l} is {W.flat[0]:g}: all {n} units of layer {l} compute the same "
                             "function and get the same gradient, so they stay identical forever (symmetry is "
                             "never broken).", line_of(params[f"W{l}"]),
                             f"W{l} = np.random.randn({n}, {n_prev}) * 0.01")]
        if W.size >= 200:
            std = float(W.std())
            if not any(abs(std / scale(n_prev) - 1) < 0.25 for scale in SCALES.values()):
                return [finding(ctx, spec.name, func, "scale", f"W{l}",
                                 f"W{l} has standard deviation {std:.3g}{where}; the course draws "
                                 f"randn(n_l, n_prev) * 0.01 (std 0.01), the cat application randn / sqrt(n_prev) "
                                 f"(std {1 / np.sqrt(n_prev):.3g}). Large weights saturate sigmoid and tanh units; "
                                 "tiny ones stall deep nets.", line_of(params[f"W{l}"]),
                                 f"W{l} = np.random.randn({n}, {n_prev}) * 0.01")]
    return []


INITIALIZE_PARAMETERS = Spec("initialize_parameters", lambda ctx: [], lambda r, p: {},
                             extra=_init_check([([2, 4, 1], (2, 4, 1)), ([30, 40, 3], (30, 40, 3))]))
INITIALIZE_PARAMETERS_DEEP = Spec("initialize_parameters_deep", lambda ctx: [], lambda r, p: {},
                                  extra=_init_check([([5, 4, 3], ([5, 4, 3],)),
                                                     ([30, 40, 20, 3], ([30, 40, 20, 3],))]))


# -- compute_cost -----------------------------------------------------------------------------------
def cost_value(A: np.ndarray, Y: np.ndarray, cost: str) -> float:
    return course_planar.compute_cost(A, Y, cost=cost)


def _cost_args(func: Callable, A: np.ndarray, Y: np.ndarray) -> tuple:
    if positional_count(func) >= 3:
        n_y = A.shape[0]
        return (A, Y, P.parameters([3, 4, n_y], 0))
    return (A, Y)


def _cost_probes(ctx: Context) -> list[Probe]:
    func = ctx.namespace["compute_cost"]
    random = P.rng(3)
    # NOTE: no probe with several output units: -1/m·Σ and np.mean differ there, and the course only
    # ever computes this cost for one output unit; both are right for it.
    cases = [("the course's test case size (1, 3)", 1, 3, True), (f"m = {P.HARD_M}", 1, P.HARD_M, False)]
    data = [(label, P.probabilities(random, n_y, m), P.labels(random, n_y, m), standard)
            for label, n_y, m, standard in cases]
    cost = ctx.variant.get("cost")
    if cost is None:
        _, A, Y, _ = data[0]
        value, error = ctx.call(func, _cost_args(func, A, Y))
        if error is None and fingerprint(value, cost_value(A, Y, "mse")) is None:
            cost = "mse"
        elif error is None and fingerprint(value, cost_value(A, Y, "cross_entropy")) is None:
            cost = "cross_entropy"
        else:                           # wrong either way: the formula's text says which cost it means
            cost = "cross_entropy" if "log" in source_text(ctx, func) else "mse"
        ctx.variant["cost"] = cost
    found = []
    for label, A, Y, standard in data:
        expected = cost_value(A, Y, cost)
        intermediates = {"cost": expected, "m": A.shape[1]}
        found.append(Probe(label, _cost_args(func, A, Y), {"cost": expected}, m=A.shape[1], standard=standard,
                           intermediates=intermediates,
                           doubled=_cost_args(func, P.doubled(A), P.doubled(Y))))
    return found


def _cost_outputs(result: Any, probe: Probe) -> dict[str, Any]:
    return {"cost": result[0] if isinstance(result, tuple) else result}


COMPUTE_COST = Spec("compute_cost", _cost_probes, _cost_outputs,
                    {"cost": "cost = -np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)) / m   "
                             "# elementwise *, summed over every entry, then / m"})


# -- update_parameters ------------------------------------------------------------------------------
LEARNING_RATES = (1.2, 0.0075, 0.009, 0.01, 0.1, 0.5, 0.05, 0.001)


def updated(params: dict, grads: dict, lr: float) -> dict:
    return course_deep.update_parameters(copy.deepcopy(params), grads, lr)


def _update_probe(label: str, dims: list[int], lr: float, seed: int, standard: bool) -> Probe:
    params = P.parameters(dims, seed)
    grads = {f"d{k}": v * 0.3 + 0.01 for k, v in P.parameters(dims, seed + 1).items()}
    expected = updated(params, grads, lr)
    for l in range(1, len(dims)):           # as L_model_backward returns them: dA too (len(grads) // 3 = L)
        grads[f"dA{l}"] = np.ones((dims[l - 1], 2))
    mutants = [Mutant("signature", updated(params, grads, other),
                      f"ignores learning_rate: the update is that of learning_rate = {other:g}, not the {lr:g} passed in",
                      "W = W - learning_rate * dW", constant=other) for other in LEARNING_RATES if other != lr]
    ascent = {k: -v for k, v in grads.items()}
    mutants.append(Mutant("sign", updated(params, ascent, lr), "moves up the gradient: W + lr·dW instead of W - lr·dW",
                          "W = W - learning_rate * dW"))
    last = len(dims) - 1
    original = params[f"W{last}"]
    applicable = None if standard else (lambda outputs: not np.array_equal(outputs.get(f"W{last}"), original))
    return Probe(label, (params, grads, lr), expected, standard=standard, mutants=mutants, applicable=applicable)


UPDATE_PARAMETERS = Spec("update_parameters",
                         lambda ctx: [_update_probe("2 layers, learning_rate = 0.7", [2, 4, 1], 0.7, 4, True),
                                      _update_probe("3 layers, learning_rate = 0.3", [3, 5, 4, 2], 0.3, 5, False)],
                         dict_outputs("the parameters dict"), {"W": "W = W - learning_rate * dW   (for every layer l = 1 ... L)"},
                         mutates_ok=True)


def engine_dA(A: np.ndarray, Y: np.ndarray, cost: str) -> np.ndarray:
    """The course's ∂cost/∂A without the 1/m: the engine loss gradient (rows) times m, in columns."""
    loss = BinaryCrossEntropy(sum_over_outputs=True) if cost == "cross_entropy" else MeanSquaredError(half=False)
    loss.forward(A.T, Y.T)
    return loss.backward().T * A.shape[1]
