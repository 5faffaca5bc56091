"""Where a wrong value came from: the line, found by re-running a probe under the tracer.

``localize`` follows the data flow from the line that produced a wrong output back to the earliest
wrong intermediate (``dZ1`` before ``dW1``), into a learner's helper when the value was made there;
``exception_finding`` names the line that raised, the shapes it used and, when an earlier wrong
value made it raise, that value's line.
"""

from __future__ import annotations

import ast
import copy
import inspect
import traceback
from typing import Any, Callable, Union

import numpy as np

from . import trace
from .compare import Mismatch, fingerprint
from .report import Finding
from .source import DoctorTimeout
from .spec import SCALE_KINDS, Context, Probe, Spec, StructureError, code_of

def function_tree(ctx: Context, func: Callable) -> Union[ast.AST, None]:
    if ctx.source is None:
        try:
            return ast.parse(_dedented_source(func))
        except (OSError, TypeError, SyntaxError):
            return None
    code = code_of(func)
    if code is None:
        return None
    for node in ast.walk(ctx.source.tree()):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == code.co_name:
            first = min([node.lineno] + [d.lineno for d in node.decorator_list])
            if first <= code.co_firstlineno <= node.lineno:
                return node
    return None


def _dedented_source(func: Callable) -> str:
    import textwrap
    return textwrap.dedent(inspect.getsource(func))


def filename_of(ctx: Context, func: Callable) -> str:
    return ctx.source.filename if ctx.source is not None else getattr(code_of(func), "co_filename", "")


def code_line(ctx: Context, func: Callable, line: Union[int, None]) -> str:
    if line is None:
        return ""
    if ctx.source is not None:
        return ctx.source.line_text(line)
    import linecache
    return linecache.getline(filename_of(ctx, func), line)


def finding(ctx: Context, label: str, func: Callable, kind: str, param: Union[str, None], message: str,
             line: Union[int, None], fix: str = "") -> Finding:
    code = code_line(ctx, func, line)
    shown, cell = ctx.source.locate(line) if ctx.source is not None else (line, None)
    return Finding(label, kind, message, param=param, line=shown, cell=cell, code=code, fix=fix)


def localize(ctx: Context, spec: Spec, func: Callable, label: str, probe: Probe, name: str,
             verdict: Mismatch) -> Finding:
    """Re-run the probe under the tracer and blame the earliest wrong line the output depends on."""
    line = None
    culprit_name = name
    if not spec.training:
        recorder = trace.Recorder(filename_of(ctx, func))
        with ctx.stubbed(probe.stubs):
            result, error = ctx.call(func, copy.deepcopy(probe.args), probe.kwargs, recorder=recorder)
        if error is None:
            try:
                obj = spec.outputs(result, probe).get(name)
            except StructureError:
                obj = None
            code_name = getattr(code_of(func), "co_name", None)
            start = trace.producer(recorder.events, obj, code_name)
            if start is None and isinstance(obj, np.ndarray) and obj.size == 1:
                start = trace.producer(recorder.events, obj.reshape(()), code_name)
            if start is None and name in spec.produced_by:
                start = next((e for e in reversed(recorder.events)
                              if e.function == code_name and e.name == spec.produced_by[name]), None)
            start = _unwrapped(recorder.events, start)
            # NOTE: an output computed in the return statement itself (return cost / m) has no event:
            # the walk may start there too.
            returned = _return_event(ctx, func, recorder.events, code_name)
            start = start if start is not None else returned
            tree = function_tree(ctx, func)
            if start is not None and _right_intermediate(start, probe):
                # NOTE: a right value (the probabilities A) handed out as the wrong thing (the labels):
                # the mistake is where it becomes the output, not where it was computed.
                later = [e for e in recorder.events[start.order + 1:] if e.ref is start.ref and e.function == code_name]
                line = later[-1].line if later else return_line(ctx, func)
                start = None
            if start is not None and tree is not None:
                def is_wrong(event: trace.Event) -> bool:
                    key = _intermediate(probe, event, name)
                    if key is None:
                        return False
                    found = _fingerprint_any(event.value, probe.intermediates[key], probe.m)
                    if key == "m":              # the number of examples: any other value is a slip
                        return found is not None
                    return found is not None and (found.kind not in SCALE_KINDS or found.kind == verdict.kind)
                culprit = trace.slice_back(recorder.events, start, tree, is_wrong)
                if culprit is start and returned is not None and start is not returned:
                    culprit = trace.slice_back(recorder.events, returned, tree, is_wrong)
                    culprit = start if culprit is returned else culprit
                inner = trace.made_in_helper(recorder.events, culprit)
                if inner is not None and inner.function not in ctx.correct:
                    culprit = inner
                if culprit is not start and _intermediate(probe, culprit, name) is not None:
                    key = _intermediate(probe, culprit, name)
                    culprit_name = key.split("@")[0]
                    mismatch = fingerprint(culprit.value, probe.intermediates[key], probe.m)
                    if verdict.kind in ("values", "shape") and mismatch is not None and mismatch.kind != "values":
                        verdict = mismatch
                start = culprit
            if start is not None:
                line = start.line
                called = _course_call(ctx, line)
                if called and verdict.kind in ("values", "shape", "transposed"):
                    verdict = Mismatch("signature", f"comes from {called}(...), which the doctor found right on "
                                       f"its own: the arguments passed to it on this line are wrong (an activation "
                                       "string, a layer's W or b, a cache or gradient of another layer?)",
                                       None, verdict.actual_shape, verdict.expected_shape)
    if verdict.constant is not None:
        line = _constant_line(ctx, func, verdict.constant) or line
    if line is None:
        line = return_line(ctx, func)
    where = f" ({probe.label})" if probe.label else ""
    if culprit_name != name:
        message = f"{culprit_name} {verdict.detail}{where}, which makes {name} wrong."
    else:
        message = f"{name} {verdict.detail}{where}."
    fix = verdict.fix or spec.fixes.get(culprit_name) or spec.fixes.get(name, "")
    if verdict.kind in ("scale_m",):
        message += " The cost is the mean over the m examples, so every gradient carries a factor 1/m."
    return finding(ctx, label, func, verdict.kind, name, message, line, fix)


ELEMENTWISE = {"sigmoid", "relu", "tanh", "sigmoid_prime", "sigmoid_backward", "relu_backward"}


def _course_call(ctx: Context, line: Union[int, None]) -> Union[str, None]:
    """The course function (found correct, not an elementwise helper) that the statement on ``line`` calls."""
    if ctx.source is None or line is None:
        return None
    try:
        statement = ast.parse(ctx.source.line_text(line).strip())
    except SyntaxError:
        return None
    for node in ast.walk(statement):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            name = node.func.id
            if name in ctx.correct and name not in ELEMENTWISE:
                return name
    return None


def _unwrapped(events: list[trace.Event], start: Union[trace.Event, None]) -> Union[trace.Event, None]:
    """``cost = np.squeeze(cost)`` keeps the value: the culprit is the line before it that made the value."""
    while start is not None:
        earlier = next((e for e in reversed(events[:start.order])
                        if e.function == start.function and e.name == start.name), None)
        if earlier is None or not trace.same_value(earlier.value, start.value):
            return start
        start = earlier
    return start


def _intermediate(probe: Probe, event: trace.Event, output: str) -> Union[str, None]:
    """The intermediate the event's name stands for when ``output`` is wrong ('dZ1', or 'delta@1' for a layer)."""
    for candidate in (event.key, event.name):
        if candidate is None:
            continue
        if candidate in probe.intermediates and output in probe.scope.get(candidate, (output,)):
            return candidate
        for key, outputs in probe.scope.items():
            if key.split("@")[0] == candidate and output in outputs and key in probe.intermediates:
                return key
    return None


def _fingerprint_any(value: Any, expected: Any, m: Any) -> Any:
    """``fingerprint``, also for a list of per-layer arrays (Nielsen's nabla_w): the first entry that differs."""
    if isinstance(expected, list):
        if not isinstance(value, (list, tuple)) or len(value) != len(expected):
            return fingerprint(None, expected[0], m)
        return next((f for f in (fingerprint(v, e, m) for v, e in zip(value, expected)) if f is not None), None)
    return fingerprint(value, expected, m)


def _return_event(ctx: Context, func: Callable, events: list[trace.Event], code_name: Any) -> Union[trace.Event, None]:
    """A stand-in event at the function's last return whose value is an expression, not a bare name."""
    tree = function_tree(ctx, func)
    if tree is None:
        return None
    returns = [n for n in ast.walk(tree) if isinstance(n, ast.Return) and n.value is not None
               and not isinstance(n.value, ast.Name)]
    if not returns:
        return None
    return trace.Event(len(events), code_name, max(n.lineno for n in returns), "<return>", None, None)


def _right_intermediate(event: trace.Event, probe: Probe) -> bool:
    key = event.key if event.key in probe.intermediates else event.name
    return key in probe.intermediates and fingerprint(event.value, probe.intermediates[key], probe.m) is None


def _constant_line(ctx: Context, func: Callable, value: Any) -> Union[int, None]:
    tree = function_tree(ctx, func)
    if tree is None:
        return None
    for statement in getattr(tree, "body", []):            # not the defaults in the def line
        for node in ast.walk(statement):
            if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) \
                    and not isinstance(node.value, bool) and node.value == value:
                return node.lineno
    return None


def return_line(ctx: Context, func: Callable) -> Union[int, None]:
    tree = function_tree(ctx, func)
    if tree is None:
        return getattr(code_of(func), "co_firstlineno", None)
    returns = [n.lineno for n in ast.walk(tree) if isinstance(n, ast.Return)]
    return max(returns) if returns else getattr(tree, "lineno", None)


def exception_finding(ctx: Context, label: str, func: Callable, error: BaseException, probe: Probe,
                      fixes: Union[dict, None] = None) -> Finding:
    """The line that raised (the deepest frame in the learner's file), with the shapes it used."""
    filename = filename_of(ctx, func)
    frames = [(frame, lineno) for frame, lineno in traceback.walk_tb(error.__traceback__)
              if frame.f_code.co_filename == filename]
    line, frame = (frames[-1][1], frames[-1][0]) if frames else (None, None)
    own = [(f, n) for f, n in frames if f.f_code is code_of(func)]
    inner = ""
    if own and frame is not None and frame.f_code is not code_of(func):
        # NOTE: the error surfaced in a helper the function calls; the helper is judged on its own,
        # so what is wrong here is what this function handed it: blame the call.
        shown, cell = ctx.source.locate(line) if ctx.source is not None else (line, None)
        inner = f" inside {frame.f_code.co_name} ({'cell ' + str(cell) + ', ' if cell else ''}line {shown}), called here"
        frame, line = own[-1]
    text = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
    root = _root_of_exception(ctx, func, probe, line) if not inner and frame is not None else None
    if root is not None:
        culprit, key, mismatch = root
        name = key.split("@")[0]
        message = (f"{name} {mismatch.detail} ({probe.label}); that is why line {ctx.source.locate(line)[0] if ctx.source else line} "
                   f"raises {text}.")
        return finding(ctx, label, func, mismatch.kind, name, message, culprit.line, (fixes or {}).get(name, ""))
    if isinstance(error, DoctorTimeout):
        message = f"{error} ({probe.label}); an endless loop, or far more iterations than asked for?"
        return finding(ctx, label, func, "exception", None, message, line)
    shapes = operand_shapes(ctx, func, line, frame) if frame is not None else ""
    message = f"raises {text}{inner} ({probe.label})." + (f" {shapes}" if shapes else "")
    if inner:
        message += " The helper works on the right inputs, so the arguments passed to it here are wrong."
    if isinstance(error, AssertionError):
        message += " The course's own test inputs trip this assert, so the value it checks is wrong."
    return finding(ctx, label, func, "exception", None, message, line)


def _root_of_exception(ctx: Context, func: Callable, probe: Probe, line: Union[int, None]):
    """(event, intermediate, mismatch) for the earliest wrong named value the raising line depends on."""
    tree = function_tree(ctx, func)
    if tree is None or line is None or not probe.intermediates:
        return None
    recorder = trace.Recorder(filename_of(ctx, func))
    with ctx.stubbed(probe.stubs):
        ctx.call(func, copy.deepcopy(probe.args), probe.kwargs, recorder=recorder)
    code_name = getattr(code_of(func), "co_name", None)
    raising = trace.Event(len(recorder.events), code_name, line, "<raise>", None, None)
    events = recorder.events + [raising]

    def wrong(event: trace.Event) -> Union[tuple, None]:
        for key in (event.key, event.name):
            if key in probe.intermediates:
                found = fingerprint(event.value, probe.intermediates[key], probe.m)
                if found is not None and found.kind not in SCALE_KINDS:
                    return key, found
        return None

    culprit = trace.slice_back(events, raising, tree, lambda e: wrong(e) is not None)
    if culprit is raising:
        return None
    key, mismatch = wrong(culprit)
    return culprit, key, mismatch


def operand_shapes(ctx: Context, func: Callable, line: Union[int, None], frame: Any) -> str:
    """'np.dot(W1, X): (4, 2) and (3, 400)' for the products and sums on the line that raised."""
    text = code_line(ctx, func, line).strip()
    try:
        statement = ast.parse(text if not text.endswith(":") else text + " pass")
    except SyntaxError:
        return ""
    scope = dict(frame.f_globals)
    scope.update(frame.f_locals)
    parts = []
    for node in ast.walk(statement):
        operands = None
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.MatMult, ast.Mult, ast.Add, ast.Sub, ast.Div)):
            operands = [node.left, node.right]
        elif isinstance(node, ast.Call) and ast.unparse(node.func) in ("np.dot", "np.matmul", "np.multiply",
                                                                       "numpy.dot", "np.outer"):
            operands = node.args[:2]
        if not operands:
            continue
        shapes = [_shape_of(operand, scope) for operand in operands]
        if all(s is not None for s in shapes) and any(s != () for s in shapes):
            part = f"{ast.unparse(node)}: shapes {' and '.join(str(s) for s in shapes)}"
            product = isinstance(node, ast.Call) and "multiply" not in ast.unparse(node.func) or \
                isinstance(node, ast.BinOp) and isinstance(node.op, ast.MatMult)
            a, b = shapes
            if product and len(a) == 2 and len(b) == 2 and a[1] != b[0]:
                part += f" (a matrix product needs the inner sizes to agree: {a[1]} ≠ {b[0]})"
            elif not product and len(a) == len(b) == 2 and a != b and not _broadcastable(a, b):
                part += " (an elementwise operation needs equal shapes: is a matrix product meant, or a transpose?)"
            part += _whose(shapes, operands, scope)
            parts.append(part)
    if not parts:
        return ""
    return "Shapes on that line: " + "; ".join(parts[:3]) + "."


def _broadcastable(a: tuple, b: tuple) -> bool:
    return all(x == y or x == 1 or y == 1 for x, y in zip(a[::-1], b[::-1]))


def _parameters_in(scope: dict) -> dict[str, tuple]:
    """Name -> shape of the 2-D W/b arrays the frame can see (locals, and inside dicts such as parameters)."""
    found: dict[str, tuple] = {}
    for name, value in scope.items():
        items = value.items() if isinstance(value, dict) and len(value) <= 40 else [(name, value)]
        for key, array in items:
            if isinstance(key, str) and isinstance(array, np.ndarray) and array.ndim == 2 and key[:1] in "Wb" \
                    and key[1:].isdigit():
                found.setdefault(key, array.shape)
    return found


def _whose(shapes: list, operands: list, scope: dict) -> str:
    """For a product whose sizes do not line up: the layer's W that would fit ('W2 (1, 4) would fit')."""
    a, b = shapes
    if len(a) != 2 or len(b) != 2 or a[1] == b[0]:
        return ""
    left = ast.unparse(operands[0])
    fits = [f"{k} {v}" for k, v in sorted(_parameters_in(scope).items())
            if k[0] == "W" and v[1] == b[0] and k not in left and (v[0] == a[0] or True)]
    if not fits or not any(k in left for k in _parameters_in(scope)):
        return ""
    return f"; {left} is a layer's W, and {' or '.join(fits[:2])} would fit (another layer's W meant?)"


def _shape_of(node: ast.AST, scope: dict) -> Union[tuple, None]:
    if any(isinstance(n, (ast.Call, ast.Lambda, ast.NamedExpr)) for n in ast.walk(node)):
        call_ok = all(ast.unparse(n.func) in ("np.transpose",) for n in ast.walk(node) if isinstance(n, ast.Call))
        if not call_ok:
            return None
    try:
        value = eval(compile(ast.Expression(node), "<doctor>", "eval"), {"np": np}, scope)
    except Exception:
        return None
    return tuple(np.shape(value)) if isinstance(value, (np.ndarray, np.generic, int, float)) else None


def mutation_finding(ctx: Context, label: str, func: Callable, probe: Probe, changed: list[str]) -> Finding:
    recorder = trace.Recorder(filename_of(ctx, func))
    ctx.call(func, copy.deepcopy(probe.args), probe.kwargs, recorder=recorder)
    code_name = getattr(code_of(func), "co_name", None)
    line = next((e.line for e in recorder.events if e.function == code_name and e.base in changed), None)
    names = ", ".join(changed)
    message = (f"changes its argument {names} in place ({probe.label}). The caller still needs the original "
               "values (X and Y feed every iteration; a cache feeds the next layer's backward), and the course's "
               "tests compare them afterwards.")
    return finding(ctx, label, func, "mutates_input", changed[0],
                    message, line or return_line(ctx, func),
                    "work on a copy (X = X.copy(), or dZ = np.array(dA, copy=True)) or write the result to a new name")


def source_text(ctx: Context, func: Any) -> str:
    """The text of the learner's function (from the program the doctor ran; a notebook is not a .py on disk)."""
    tree = function_tree(ctx, func)
    if tree is not None and ctx.source is not None:
        return "\n".join(ctx.source.text.splitlines()[tree.lineno - 1:tree.end_lineno])
    try:
        return inspect.getsource(func)
    except (OSError, TypeError):
        return ""
