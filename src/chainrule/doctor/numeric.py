"""The generic numeric doctor: any ``cost(params)`` and ``grads(params)``, any parameter names.

    diagnose(params, cost, grads, data=None) -> Report

In float64 it runs, per parameter θ with analytic gradient g = grads(params)["d" + name]:

- shape: g.shape == θ.shape (transposed, rank-1 against (n, 1), or another shape);
- central differences: n_i = (cost(θ + ε·e_i) - cost(θ - ε·e_i)) / (2ε), relative error
  ‖g - n‖ / (‖g‖ + ‖n‖) with the worst entry, and the fingerprint of g against n (off by m, 1/m,
  -1, another constant, transposed, no simple relation);
- batch duplication (with ``data``): repeating every example twice must not change a mean cost or
  its gradients;
- non-finite values: cost and gradients at 10x and 100x the parameters (saturated units) must stay
  finite;
- mutation: ``grads`` must not change ``params``.

Parameters are checked from the output backwards (the highest layer number first); the first wrong
one localizes the mistake to a layer. With ``data`` the functions are called as ``cost(params,
data)`` and ``grads(params, data)``; ``data`` is a dict of arrays whose ``batch_axis`` indexes the
examples (the course's layout: the last axis).
"""

from __future__ import annotations

import copy
import re
from typing import Any, Callable, Union

import numpy as np

from ..gradcheck import numerical_gradient
from . import trace
from .compare import fingerprint
from .locate import exception_finding, finding
from .spec import Context, Probe
from .report import Finding, Report

EPS = 1e-6
TOLERANCE = 1e-6
ABS_FLOOR = 1e-9


def _layer_number(name: str) -> int:
    found = re.findall(r"\d+", name)
    return int(found[-1]) if found else -1


def _call(func: Callable, params: dict, data: Any) -> Any:
    return func(params) if data is None else func(params, data)


def _float_params(params: Any) -> dict[str, np.ndarray]:
    if not isinstance(params, dict) or not params:
        raise TypeError(f"diagnose: params must be a non-empty dict of arrays such as {{'W1': W1, 'b1': b1}}, "
                        f"got {type(params).__name__}.")
    out = {}
    for name, value in params.items():
        try:
            array = np.array(value, dtype=np.float64)
        except (TypeError, ValueError):
            raise TypeError(f"diagnose: params[{name!r}] is not numeric ({type(value).__name__}).") from None
        out[name] = array
    return out


def _scalar(value: Any) -> float:
    array = np.asarray(value, dtype=np.float64)
    if array.size != 1:
        raise ValueError(f"cost returned shape {array.shape}; it must be one number (np.squeeze it)")
    return float(array.reshape(()))


def _relative_error(a: np.ndarray, n: np.ndarray) -> float:
    diff = float(np.linalg.norm(a - n))
    if diff < ABS_FLOOR:
        return 0.0
    return diff / max(float(np.linalg.norm(a) + np.linalg.norm(n)), 1e-300)


def _batch_size(data: Any, axis: int) -> Union[int, None]:
    if isinstance(data, dict):
        for value in data.values():
            if isinstance(value, np.ndarray) and value.ndim:
                return value.shape[axis]
    return None


def _doubled(data: dict, axis: int) -> dict:
    return {k: np.concatenate([v, v], axis=axis) if isinstance(v, np.ndarray) and v.ndim else v
            for k, v in data.items()}


def diagnose(params: dict, cost: Callable, grads: Callable, *, data: Union[dict, None] = None,
             batch_axis: int = -1, eps: float = EPS, tolerance: float = TOLERANCE,
             name: Union[str, None] = None) -> Report:
    """Check ``grads`` against central differences of ``cost``; see the module docstring.

    Returns a ``Report`` whose findings name the parameter, the kind of mistake and, when ``grads``
    is a Python function, the line that built the wrong gradient.
    """
    label = name or getattr(grads, "__name__", "grads")
    theta = _float_params(params)
    if data is not None and not isinstance(data, dict):
        raise TypeError(f"diagnose: data must be a dict of arrays such as {{'X': X, 'Y': Y}}, got {type(data).__name__}.")
    ctx = Context({}, None)
    report = Report()
    m = _batch_size(data, batch_axis) if data is not None else None
    probe = Probe("the given parameters", (theta,) if data is None else (theta, data), {}, m=m)

    before = copy.deepcopy(theta)
    analytic, error = ctx.call(grads, probe.args)
    if error is not None:
        report.add(exception_finding(ctx, label, grads, error, probe))
        return report
    changed = [k for k in theta if not np.array_equal(before[k], theta[k])]
    if changed:
        report.add(finding(ctx, label, grads, "mutates_input", changed[0],
                            f"grads changed params[{changed[0]!r}] in place; a gradient function must only read "
                            "the parameters (the optimizer updates them).", _mutation_line(ctx, grads, probe, changed[0]),
                            "work on a copy, e.g. W = params['W1'].copy(), or write W = W - ... instead of W -= ..."))
        theta = before
    if not isinstance(analytic, dict):
        report.add(Finding(label, "signature", f"grads returned {type(analytic).__name__}; it must return a dict "
                           "with a key 'd' + name for every parameter."))
        return report

    value, error = ctx.call(lambda: _scalar(_call(cost, theta, data)), ())
    if error is not None:
        report.add(exception_finding(ctx, getattr(cost, "__name__", "cost"), cost, error, probe))
        return report

    def f() -> float:
        with np.errstate(all="ignore"):
            return _scalar(_call(cost, theta, data))

    order = sorted(theta, key=lambda k: -_layer_number(k))
    first_wrong = None
    for key in order:
        wrong = _check_parameter(ctx, label, grads, probe, key, theta, analytic, f, eps, tolerance, m)
        if wrong is not None:
            report.add(wrong)
            first_wrong = first_wrong or key
    if first_wrong is not None:
        right = [k for k in order[:order.index(first_wrong)]]
        if right and _layer_number(first_wrong) >= 0:
            report.notes.append(f"{', '.join('d' + k for k in right)} agree with central differences and d{first_wrong} "
                                f"does not: the mistake is in layer {_layer_number(first_wrong)}'s gradient, or in "
                                "the step that carries the gradient back to it (dA = Wᵀ·dZ, dZ = dA * g'(Z)).")
        return report
    if data is not None:
        _batch_check(ctx, label, cost, grads, theta, data, batch_axis, report, m)
    _nonfinite_check(ctx, label, cost, grads, theta, data, report)
    return report


def _line_of(ctx: Context, grads: Callable, probe: Probe, key: Union[str, None]) -> Union[int, None]:
    code = getattr(grads, "__code__", None)
    if code is None:
        return None
    recorder = trace.Recorder(code.co_filename)
    result, error = ctx.call(grads, copy.deepcopy(probe.args), recorder=recorder)
    if error is not None or not isinstance(result, dict) or key not in result:
        return code.co_firstlineno
    event = trace.producer(recorder.events, result[key], code.co_name)
    return event.line if event is not None else code.co_firstlineno


def _mutation_line(ctx: Context, grads: Callable, probe: Probe, key: str) -> Union[int, None]:
    code = getattr(grads, "__code__", None)
    if code is None:
        return None
    recorder = trace.Recorder(code.co_filename)
    ctx.call(grads, copy.deepcopy(probe.args), recorder=recorder)
    entry = f"[{key!r}]"
    event = next((e for e in recorder.events if e.function == code.co_name and e.name.endswith(entry)), None)
    return event.line if event is not None else code.co_firstlineno


def _check_parameter(ctx, label, grads, probe, key, theta, analytic, f, eps, tolerance, m) -> Union[Finding, None]:
    gname = "d" + key
    if gname not in analytic:
        return Finding(label, "signature", f"grads has no {gname!r} for parameter {key!r} (keys: {sorted(analytic)}).",
                       param=gname)
    g = analytic[gname]
    numeric = numerical_gradient(f, theta[key], eps)
    mismatch = fingerprint(g, numeric, m, rtol=1e-4, atol=1e-7)
    garr = np.asarray(g, dtype=np.float64) if mismatch is None or mismatch.kind not in ("signature",) else None
    if mismatch is None:
        error = _relative_error(garr.reshape(numeric.shape), numeric)
        if error < tolerance:
            return None
        mismatch = fingerprint(g, numeric, m, rtol=1e-9, atol=0.0) or mismatch
        if mismatch is None:
            return None
    detail = mismatch.detail
    if mismatch.kind not in ("shape", "transposed", "signature"):
        a = np.asarray(g, dtype=np.float64)
        error = _relative_error(a, numeric)
        worst = np.unravel_index(int(np.argmax(np.abs(a - numeric))), numeric.shape) if numeric.size else ()
        worst = tuple(int(i) for i in worst)
        detail += (f"; relative error {error:.2e} against central differences, worst entry {worst}: "
                   f"analytic {float(a[worst]):+.6e}, numeric {float(numeric[worst]):+.6e}")
    line = _line_of(ctx, grads, probe, gname)
    return finding(ctx, label, grads, mismatch.kind, gname, f"{gname} {detail}.", line)


def _split(data: dict, axis: int, m: int) -> tuple[dict, dict]:
    half = m // 2
    first = {k: np.take(v, np.arange(half), axis=axis) if isinstance(v, np.ndarray) and v.ndim else v
             for k, v in data.items()}
    second = {k: np.take(v, np.arange(half, m), axis=axis) if isinstance(v, np.ndarray) and v.ndim else v
              for k, v in data.items()}
    return first, second


def _batch_check(ctx, label, cost, grads, theta, data, axis, report, m) -> None:
    """A mean over examples is additive: m·c(all) = m₁·c(first half) + m₂·c(second half)."""
    name = getattr(cost, "__name__", "cost")
    values = []
    if m and m >= 2:
        first, second = _split(data, axis, m)
        for part in (data, first, second, _doubled(data, axis)):
            value, error = ctx.call(lambda: _scalar(cost(theta, part)), ())
            if error is not None:
                return
            values.append(value)
        whole, one, two, twice = values
        m1, m2 = m // 2, m - m // 2
        scale = 1e-9 * max(1.0, abs(whole) * m)
        if abs(m * whole - (m1 * one + m2 * two)) > scale:
            if abs(whole - (one + two)) <= scale:
                report.add(Finding(name, "scale_m", "the cost is the sum of the examples' costs, not their mean: "
                                   "repeating every example twice doubles it. The 1/m is missing.", param="cost",
                                   fix="cost = ... / m (or np.mean)"))
            else:
                report.add(Finding(name, "batch_dependence",
                                   f"the cost of the whole batch ({whole:.6g}) is not the average of its halves' "
                                   f"costs ({one:.6g}, {two:.6g}), and repeating every example twice changes it "
                                   f"({twice:.6g}): the formula mixes examples, typically an (m, m) product such as "
                                   "np.dot(Y.T, np.log(A)) where an elementwise product belongs.", param="cost",
                                   fix="cost = -np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)) / m"))
            return
    g1, e1 = ctx.call(grads, (theta, data))
    g2, e2 = ctx.call(grads, (theta, twice))
    if e1 is not None or e2 is not None or not isinstance(g1, dict) or not isinstance(g2, dict):
        return
    for key in g1:
        if key in g2 and fingerprint(g2[key], g1[key], None) is not None:
            report.add(Finding(label, "batch_dependence",
                               f"{key} changes when every example is repeated twice; the gradient of a mean cost "
                               "cannot. A missing 1/m, or an (m, m) product, mixes the examples.", param=key))
            return


def _nonfinite_check(ctx, label, cost, grads, theta, data, report) -> None:
    for factor in (10.0, 100.0):
        big = {k: v * factor for k, v in theta.items()}
        value, error = ctx.call(lambda: _scalar(_call(cost, big, data)), ())
        if error is None and not np.isfinite(value):
            report.add(Finding(getattr(cost, "__name__", "cost"), "nonfinite",
                               f"the cost is {value} with the parameters scaled by {factor:g} (saturated units): "
                               "log(0) from a sigmoid that rounds to 0 or 1, or exp overflowing in a softmax.",
                               param="cost", fix="compute the cost from the logits Z: "
                               "np.maximum(Z, 0) - Z * Y + np.log1p(np.exp(-np.abs(Z))), or clip A to [1e-15, 1 - 1e-15]"))
            return
        g, error = ctx.call(grads, (big,) if data is None else (big, data))
        if error is None and isinstance(g, dict):
            bad = [k for k, v in g.items() if not np.all(np.isfinite(np.asarray(v, dtype=np.float64)))]
            if bad:
                report.add(Finding(label, "nonfinite", f"{bad[0]} has nan/inf with the parameters scaled by "
                                   f"{factor:g}: an unstable sigmoid, log or softmax in the backward pass.", param=bad[0]))
                return
