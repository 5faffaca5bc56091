"""Run a learner's function and chainrule's on the same inputs; turn every difference into a finding.

``check`` runs every probe of a ``Spec``, fingerprints each wrong output (``compare``), asks the
known slips (mutants) whether one of them gives exactly the learner's value, repeats the examples
to tell a mixed-up batch from other mistakes, and hands the first wrong output to ``locate``.
"""

from __future__ import annotations

import contextlib
import copy
import inspect
import io
import warnings
from typing import Any, Callable, Union

import numpy as np

from .compare import Mismatch, agree, as_float_array, fingerprint
from .locate import exception_finding, finding, localize, mutation_finding, return_line
from .report import Finding
from .spec import Context, NotChecked, Probe, Spec, StructureError

def check(ctx: Context, spec: Spec, func: Callable, label: Union[str, None] = None) -> list[Finding]:
    """Every finding for the learner's ``func`` checked against ``spec``."""
    label = label or spec.name
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"), contextlib.redirect_stdout(io.StringIO()):
            warnings.simplefilter("ignore")
            probes = spec.probes(ctx)
    except NotChecked:
        raise
    except Exception as error:       # a probe needs a learner function that misbehaves
        raise NotChecked(f"its inputs could not be built ({type(error).__name__}: {error})") from None
    failures: dict[str, list[tuple[Probe, Mismatch]]] = {}
    outputs_of: dict[int, dict[str, Any]] = {}
    for probe in probes:
        args = copy.deepcopy(probe.args)
        before = copy.deepcopy(args)
        with ctx.stubbed(probe.stubs):
            result, error = ctx.call(func, args, probe.kwargs)
        if probe.stubs and error is None and not all(getattr(s, "calls", 1) for s in probe.stubs.values()):
            unused = [n for n, s in probe.stubs.items() if not getattr(s, "calls", 1)]
            ctx.notes.append(f"{label}: not compared {probe.label}: it does not call {', '.join(unused)}, so the "
                             "doctor cannot give it known initial parameters.")
            continue
        if error is not None:
            if isinstance(error, AssertionError) and not probe.standard:
                continue            # the learner's own shape assert refuses a case the course never feeds
            if failures:
                break               # a wrong value on an easier probe says more than a crash on a harder one
            if isinstance(error, (NameError, ImportError)) and ctx.source is not None and ctx.source.problems:
                ctx.notes.append(f"{label}: not checked: {type(error).__name__}: {error}, after a statement of the "
                                 "file failed (see the notes above).")
                return []
            return [exception_finding(ctx, label, func, error, probe, spec.fixes)]
        if not spec.mutates_ok:
            changed = _mutated(func, before, args)
            if changed:
                return [mutation_finding(ctx, label, func, probe, changed)]
        try:
            outputs = spec.outputs(result, probe)
        except StructureError as error:
            if not probe.standard:
                continue            # e.g. the planar update_parameters, written for exactly two layers
            return [finding(ctx, label, func, "signature", None, f"{error} ({probe.label}).",
                             line=return_line(ctx, func))]
        outputs_of[id(probe)] = outputs
        if probe.applicable is not None and not probe.applicable(outputs):
            continue
        for name, expected in probe.expected.items():
            if name in spec.optional and name not in outputs:
                continue
            mismatch = fingerprint(outputs.get(name), expected, probe.m, lenient_shape=name in probe.lenient)
            if mismatch is not None:
                failures.setdefault(name, []).append((probe, _explain(ctx, spec, func, probe, name, outputs, mismatch)))
    findings: list[Finding] = []
    names = [n for n in dict.fromkeys(n for p in probes for n in p.expected) if n in failures]
    if names:
        # NOTE: outputs are listed from the network's output backwards; the first wrong one is where
        # the mistake starts, and the ones after it usually inherit it. One finding per function:
        # fix it and run the doctor again.
        name = names[0]
        cases = failures[name]
        expected = as_float_array(cases[0][0].expected[name])
        verdict = agree([mm for _, mm in cases], expected is not None and expected.size == 1)
        verdict = _batch_verdict(ctx, spec, func, cases[0][0], name, verdict, outputs_of[id(cases[0][0])])
        first = localize(ctx, spec, func, label, cases[0][0], name, verdict)
        if len(names) > 1:
            first.message += f" Also wrong, probably as a consequence: {', '.join(names[1:])}."
        findings.append(first)
    if not findings and spec.extra is not None:
        findings = spec.extra(ctx, func, spec)
    return findings


def _mutated(func: Callable, before: tuple, after: tuple) -> list[str]:
    names = _argument_names(func, len(after))
    changed = []
    for name, old, new in zip(names, before, after):
        if not _equal(old, new):
            changed.append(name)
    return changed


def _equal(a: Any, b: Any) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return (isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.shape == b.shape
                and bool(np.array_equal(a, b, equal_nan=True)))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_equal(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b))
    try:
        return bool(a == b)
    except Exception:
        return True


def _argument_names(func: Callable, count: int) -> list[str]:
    code = getattr(func, "__doctor_code__", None)
    if code is not None:                 # a method called through a wrapper: its names after self
        names = list(code.co_varnames[1:code.co_argcount])
        return (names + [f"argument {i + 1}" for i in range(count)])[:count]
    try:
        names = [p.name for p in inspect.signature(func).parameters.values()]
    except (TypeError, ValueError):
        names = []
    return (names + [f"argument {i + 1}" for i in range(count)])[:count]


def _explain(ctx: Context, spec: Spec, func: Callable, probe: Probe, name: str, outputs: dict,
             mismatch: Mismatch) -> Mismatch:
    """A known slip (a mutant) that gives exactly the learner's value turns the mismatch into its kind."""
    for mutant in probe.mutants:
        if name in mutant.outputs and fingerprint(outputs.get(name), mutant.outputs[name], probe.m,
                                                  lenient_shape=name in probe.lenient) is None:
            return Mismatch(mutant.kind, mutant.message, None, mismatch.actual_shape, mismatch.expected_shape,
                            mutant.constant, mutant.fix)
    return mismatch


def _batch_verdict(ctx: Context, spec: Spec, func: Callable, probe: Probe, name: str, verdict: Mismatch,
                   outputs: dict[str, Any]) -> Mismatch:
    """Repeat every example twice: a mean must not change. Sharpens "values" into a batch finding.

    ``outputs`` are the learner's outputs on the probe itself, from the run that found the mismatch.
    """
    if probe.doubled is None or verdict.kind not in ("values",):
        return verdict
    second, error = ctx.call(func, copy.deepcopy(probe.doubled), probe.kwargs)
    if error:
        return verdict
    try:
        a = as_float_array(outputs.get(name))
        b = as_float_array(spec.outputs(second, probe).get(name))
    except StructureError:
        return verdict
    if a is None or b is None or a.shape != b.shape or not np.all(np.isfinite(a)) or not np.any(a):
        return verdict
    ratio = float(np.vdot(b, a) / np.vdot(a, a))
    if abs(ratio - 1) < 1e-9:
        return verdict
    return Mismatch("batch_dependence", f"changes (by a factor {ratio:.4g}) when every example is repeated "
                    "twice, which cannot change a mean: the formula mixes examples, typically an (m, m) "
                    "product such as np.dot(Y.T, np.log(A)) where an elementwise product belongs",
                    None, verdict.actual_shape, verdict.expected_shape)


# -- where: the line ------------------------------------------------------------------------------
