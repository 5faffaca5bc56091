"""What the reference doctor knows about one course function: its probes, outputs and known slips.

A ``Spec`` says how to build consistent probe inputs (a real forward pass, from the learner's own
correct functions where they exist), what the right outputs are (computed by ``chainrule.classic``,
i.e. by the engine) and the corrected formula of each output. A ``Context`` carries the learner's
namespace and what the doctor has learned so far (functions found right or wrong, the variant).
"""

from __future__ import annotations

import contextlib
import copy
import io
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable, Union

import numpy as np

from . import trace
from .report import Finding
from .source import DoctorTimeout, LearnerSource, time_limit

SCALE_KINDS = ("scale", "scale_m", "scale_inv_m", "sign")
CALL_SECONDS = 10.0


class NotChecked(Exception):
    """The doctor cannot judge this function fairly (its inputs depend on a wrong function); say why."""


class StructureError(Exception):
    """The learner's function returned something of the wrong structure (a missing key, a string)."""


class Stub:
    """Stands in for a learner's initializer: returns known parameters and counts its calls."""

    def __init__(self, value: Any) -> None:
        self.value, self.calls = value, 0

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.calls += 1
        return copy.deepcopy(self.value)


@dataclass
class Mutant:
    """A known slip: the outputs it produces, the kind it is and what to say about it."""

    kind: str
    outputs: dict[str, Any]
    message: str
    fix: str = ""
    constant: Any = None          # the hard-coded number that gives this slip (its line is the culprit)


@dataclass
class Probe:
    """One set of inputs, the right outputs for them, and what a wrong answer may mean."""

    label: str
    args: tuple
    expected: dict[str, Any]
    m: Union[int, None] = None
    kwargs: dict[str, Any] = field(default_factory=dict)
    standard: bool = True
    intermediates: dict[str, Any] = field(default_factory=dict)
    mutants: list[Mutant] = field(default_factory=list)
    lenient: frozenset = frozenset()
    scope: dict[str, tuple] = field(default_factory=dict)   # intermediate -> the outputs it may explain
    doubled: Union[tuple, None] = None        # the args with every example repeated twice
    stubs: dict[str, Callable] = field(default_factory=dict)   # learner helpers replaced during the call
    applicable: Union[Callable[[dict], bool], None] = None      # False: this probe does not apply to this style


@dataclass
class Spec:
    """How to check one course function."""

    name: str
    probes: Callable[["Context"], list[Probe]]
    outputs: Callable[[Any, Probe], dict[str, Any]]
    fixes: dict[str, str] = field(default_factory=dict)
    mutates_ok: bool = False
    training: bool = False
    extra: Union[Callable[["Context", Callable, "Spec"], list[Finding]], None] = None
    produced_by: dict[str, str] = field(default_factory=dict)   # output -> the name that holds it (self.weights)
    optional: frozenset = frozenset()      # outputs a learner may leave out (cache entries beyond what backward needs)


def same_structure(a: Any, b: Any) -> bool:
    """The same nesting of tuples, lists and dict keys (arrays anywhere count as leaves)."""
    if isinstance(a, dict) or isinstance(b, dict):
        return isinstance(a, dict) and isinstance(b, dict) and set(a) == set(b)
    if isinstance(a, (tuple, list)) or isinstance(b, (tuple, list)):
        return (isinstance(a, (tuple, list)) and isinstance(b, (tuple, list)) and len(a) == len(b)
                and all(same_structure(x, y) for x, y in zip(a, b)))
    return True


def cache_like_the_learners(ctx: "Context", forward: str, args: tuple, reference: Any, position: int = 1) -> Any:
    """The cache to hand a learner's backward: their own forward's when it is right; chainrule's when
    theirs is wrong but built the same way; else the backward cannot be judged fairly (NotChecked)."""
    func = ctx.namespace.get(forward)
    if not callable(func):
        return reference
    result, error = ctx.call(func, args)
    mine = result[position] if error is None and isinstance(result, tuple) and len(result) > position else None
    if forward in ctx.correct and mine is not None:
        return mine
    if mine is None or same_structure(mine, reference):
        return reference
    raise NotChecked(f"it reads the cache your {forward} builds, which is wrong and differs from the course's "
                     f"layout: fix {forward} first, then run the doctor again")


def dict_outputs(what: str) -> Callable[[Any, Probe], dict[str, Any]]:
    """Outputs read from a returned dict (the first item of a returned tuple too: (parameters, costs))."""
    def outputs(result: Any, probe: Probe) -> dict[str, Any]:
        if isinstance(result, tuple) and result and isinstance(result[0], dict):
            result = result[0]
        if not isinstance(result, dict):
            raise StructureError(f"returns {type(result).__name__}; expected {what}")
        missing = [k for k in probe.expected if k not in result]
        if missing:
            raise StructureError(f"{what} has no {', '.join(missing)} (keys: {sorted(result)})")
        return {k: result[k] for k in probe.expected}
    return outputs


@dataclass
class Context:
    """The learner's namespace and what the doctor has learned about it so far."""

    namespace: dict[str, Any]
    source: Union[LearnerSource, None] = None
    wrong: set[str] = field(default_factory=set)
    correct: set[str] = field(default_factory=set)
    substitutes: dict[str, Callable] = field(default_factory=dict)
    variant: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    call_seconds: float = CALL_SECONDS

    def learner(self, name: str) -> Union[Callable, None]:
        """The learner's function ``name`` when the doctor found it correct, else None."""
        func = self.namespace.get(name)
        return func if name in self.correct and callable(func) else None

    def call(self, func: Callable, args: tuple, kwargs: Union[dict, None] = None,
             recorder: Union[trace.Recorder, None] = None) -> tuple[Any, Union[BaseException, None]]:
        """Call the learner's code quietly: stdout swallowed, warnings ignored, with a time limit."""
        kwargs = kwargs or {}
        with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings(), \
                np.errstate(all="ignore"), self.substituted():
            warnings.simplefilter("ignore")
            try:
                with time_limit(self.call_seconds, f"{getattr(func, '__name__', 'the function')}(...)"):
                    if recorder is not None:
                        return recorder.run(func, *args, **kwargs)
                    return func(*args, **kwargs), None
            except (Exception, DoctorTimeout, SystemExit) as error:
                return None, error

    @contextlib.contextmanager
    def stubbed(self, stubs: dict[str, Callable]):
        """Install ``stubs`` (on top of the substitutes) for one probe."""
        saved = dict(self.substitutes)
        self.substitutes.update(stubs)
        try:
            yield
        finally:
            self.substitutes = saved

    @contextlib.contextmanager
    def substituted(self):
        """Replace the learner's wrong helpers by chainrule's while another function is checked."""
        saved = {name: self.namespace.get(name) for name in self.substitutes}
        self.namespace.update(self.substitutes)
        try:
            yield
        finally:
            for name, value in saved.items():
                if value is None:
                    self.namespace.pop(name, None)
                else:
                    self.namespace[name] = value


def code_of(func: Callable) -> Any:
    """The learner's code object behind ``func`` (a method called through a doctor wrapper has ``__doctor_code__``)."""
    return getattr(func, "__doctor_code__", None) or getattr(func, "__code__", None)


# -- running a spec ---------------------------------------------------------------------------------
