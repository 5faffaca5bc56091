"""Which line of the learner's code gave a variable its value: ``sys.settrace`` plus ``ast``.

``record(filename, func, *args)`` runs ``func`` once with a line tracer limited to frames whose
code comes from ``filename`` and returns every *assignment event*: after each line runs, the
locals (and one level inside dicts, lists and tuples, as ``grads['dW1']`` or ``nabla_w[1]``) that
now hold another object or other array contents are attributed to that line. ``slice_back`` then
follows the data flow backwards from the line that produced a wrong output, through the names that
line reads, to the earliest named intermediate that is itself wrong.
"""

from __future__ import annotations

import ast
import sys
from dataclasses import dataclass
from typing import Any, Callable, Union

import numpy as np

MAX_EVENTS = 50_000
MAX_ITEMS = 64          # entries looked at inside one dict, list or tuple


@dataclass
class Event:
    """After ``line`` of ``function`` ran, ``name`` held ``value`` (arrays copied at that moment)."""

    order: int
    function: str
    line: int
    name: str
    value: Any
    ref: Any

    @property
    def base(self) -> str:
        """'grads' for "grads['dW1']", the key 'dW1' is in ``key``."""
        return self.name.split("[", 1)[0]

    @property
    def key(self) -> Union[str, None]:
        if "[" not in self.name:
            return None
        inner = self.name.split("[", 1)[1].rstrip("]")
        return inner.strip("'\"")


def _token(value: Any) -> tuple:
    if isinstance(value, np.ndarray):
        data = value.tobytes() if value.size <= 200_000 else b""
        return (id(value), value.shape, value.dtype.str, hash(data))
    if isinstance(value, (int, float, complex, str, bool, np.generic)):
        return (id(value), repr(value))
    return (id(value),)


def _entries(name: str, value: Any):
    yield name, value
    if isinstance(value, dict):
        for i, (k, v) in enumerate(value.items()):
            if i >= MAX_ITEMS:
                break
            if isinstance(k, (str, int)):
                yield f"{name}[{k!r}]", v
    elif isinstance(value, (list, tuple)) and len(value) <= MAX_ITEMS:
        for i, v in enumerate(value):
            yield f"{name}[{i}]", v


def _snapshot(frame) -> dict[str, tuple]:
    snap: dict[str, tuple] = {}
    for name, value in list(frame.f_locals.items()):
        for entry, item in _entries(name, value):
            snap[entry] = (_token(item), item)
        if name == "self" and isinstance(getattr(value, "__dict__", None), dict):
            for attribute, item in list(vars(value).items())[:MAX_ITEMS]:
                for entry, inner in _entries(f"self.{attribute}", item):
                    snap[entry] = (_token(inner), inner)
    return snap


def _copy(value: Any) -> Any:
    return value.copy() if isinstance(value, np.ndarray) else value


class Recorder:
    """Collects assignment events of the frames that run code from one file."""

    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.events: list[Event] = []
        self._frames: dict[Any, list] = {}

    def _global(self, frame, event, arg):
        if event == "call" and frame.f_code.co_filename == self.filename:
            self._frames[frame] = [None, _snapshot(frame)]
            return self._local
        return None

    def _flush(self, frame) -> None:
        state = self._frames.get(frame)
        if state is None:
            return
        line, before = state
        after = _snapshot(frame)
        if line is not None and len(self.events) < MAX_EVENTS:
            for name, (token, item) in after.items():
                old = before.get(name)
                if old is None or old[0] != token:
                    self.events.append(Event(len(self.events), frame.f_code.co_name, line, name, _copy(item), item))
        state[1] = after

    def _local(self, frame, event, arg):
        if event == "line":
            self._flush(frame)
            self._frames[frame][0] = frame.f_lineno
        elif event == "return":
            self._flush(frame)
            self._frames.pop(frame, None)
        return self._local

    def run(self, func: Callable, *args: Any, **kwargs: Any) -> tuple[Any, Union[BaseException, None]]:
        previous = sys.gettrace()
        sys.settrace(self._global)
        try:
            return func(*args, **kwargs), None
        except Exception as error:       # the learner's exception is data here
            return None, error
        finally:
            sys.settrace(previous)


NUMBER = (int, float, np.generic, np.ndarray)


def same_value(a: Any, b: Any) -> bool:
    """The same object, arrays with equal contents, or one number (``np.squeeze(cost)`` is ``cost``)."""
    if a is b:
        return True
    if isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.shape == b.shape:
        return bool(np.array_equal(a, b, equal_nan=True))
    if isinstance(a, NUMBER) and isinstance(b, NUMBER) and not isinstance(a, bool) and np.size(a) == np.size(b) == 1:
        try:
            return float(np.asarray(a).reshape(())) == float(np.asarray(b).reshape(()))
        except (TypeError, ValueError):
            return False
    return False


def producer(events: list[Event], obj: Any, function: Union[str, None] = None) -> Union[Event, None]:
    """The event that made ``obj`` what it is: the first binding of that object with its final contents.

    ``g["dW2"] = dW2`` only stores what ``dW2 = ...`` made; an in-place change (``dZ[Z <= 0] = 0``)
    makes it anew. Without the object itself, an array with equal contents is looked for.
    """
    def mine(event: Event) -> bool:
        return function is None or event.function == function

    for event in events:
        if mine(event) and event.ref is obj and same_value(event.value, obj):
            return event
    for event in reversed(events):
        if mine(event) and same_value(event.value, obj):
            return event
    return None


COMPOUND = (ast.If, ast.For, ast.While, ast.With, ast.Try, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


def statement_reads(tree: ast.AST, line: int) -> tuple[set[str], set[str]]:
    """(names read, names written) by the statement on ``line`` (for a loop or if: its header)."""
    best = None
    for node in ast.walk(tree):
        if isinstance(node, ast.stmt) and node.lineno <= line <= (node.end_lineno or node.lineno):
            if isinstance(node, COMPOUND) and node.lineno != line:
                continue
            if best is None or node.lineno >= best.lineno:
                best = node
    if best is None:
        return set(), set()
    if isinstance(best, (ast.If, ast.While)):
        parts, targets = [best.test], []
    elif isinstance(best, ast.For):
        parts, targets = [best.iter], [best.target]
    elif isinstance(best, ast.Assign):
        parts, targets = [best.value], best.targets
    elif isinstance(best, (ast.AugAssign, ast.AnnAssign)):
        parts, targets = [best.value], [best.target]
    elif isinstance(best, COMPOUND):
        parts, targets = [], []
    else:
        parts, targets = [best], []
    written = {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
    read = {n.id for part in parts if part is not None for n in ast.walk(part)
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    for target in targets:          # grads["dW1"] = ...: reads grads too, and the index names
        if isinstance(target, ast.Subscript):
            read |= {n.id for n in ast.walk(target.slice) if isinstance(n, ast.Name)}
    if isinstance(best, ast.AugAssign):
        read |= written
    return read, written


def slice_back(events: list[Event], start: Event, tree: ast.AST,
               is_wrong: Callable[[Event], bool]) -> Event:
    """The earliest wrong named intermediate that ``start``'s value depends on, else ``start``.

    Walks from ``start``'s statement to the last events (in the same function) of the names it
    reads, and from those on. Only the value a name held when ``start`` ran is judged (a loop
    rebinds ``A`` once per layer; only its last value is the one the intermediate describes). A
    name that a statement reads and writes (``dZ1 = dZ1 * g``) is a value in the making: the walk
    passes through its earlier event without judging it.
    """
    final: dict[str, int] = {}
    for event in events[:start.order]:
        if event.function == start.function:
            final[event.name] = event.order
    culprit = start
    seen: set[int] = set()
    stack = [(start, False)]
    while stack:
        event, partial = stack.pop()
        if event.order in seen:
            continue
        seen.add(event.order)
        judged = event is not start and not partial and final.get(event.name) == event.order
        if judged and is_wrong(event) and event.order < culprit.order:
            culprit = event
        read, written = statement_reads(tree, event.line)
        for name in read:
            earlier = _last_before(events, event, name)
            if earlier is not None:
                stack.append((earlier, name in written))
    return culprit


def made_in_helper(events: list[Event], event: Event) -> Union[Event, None]:
    """The event inside another function of the file (a helper) that produced ``event``'s object."""
    for other in reversed(events[:event.order]):
        if other.function != event.function and other.ref is event.ref and not isinstance(other.ref, (int, float, str)):
            return other
    return None


def _last_before(events: list[Event], event: Event, name: str) -> Union[Event, None]:
    for other in reversed(events[:event.order]):
        if other.function == event.function and other.name == name:
            return other
    return None
