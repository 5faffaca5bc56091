"""Find the course-named functions in a learner's namespace and check each against chainrule's.

Functions are checked in the order the course builds them (helpers before the functions that call
them). A function found wrong is replaced by chainrule's own while the later ones are checked, so
a mistake is reported once, where it is, and not again in every function that calls it.
"""

from __future__ import annotations

import inspect
from typing import Any, Callable, Union

import numpy as np

from ..classic import _bridge
from ..classic import deep as course_deep
from ..classic import logistic as course_logistic
from ..classic import planar as course_planar
from . import course_common, course_deep as deep_specs, course_logistic as logistic_specs
from . import course_planar as planar_specs
from . import nielsen as nielsen_specs
from .locate import finding
from .reference import check
from .spec import Context, NotChecked, Spec
from .report import Finding, Report
from .source import LearnerSource

ORDER = ["sigmoid", "relu", "relu_backward", "sigmoid_backward", "initialize_with_zeros", "propagate", "optimize", "layer_sizes", "initialize_parameters",
         "initialize_parameters_deep", "linear_forward", "linear_activation_forward", "forward_propagation",
         "L_model_forward", "compute_cost", "linear_backward", "linear_activation_backward",
         "backward_propagation", "L_model_backward", "update_parameters", "predict", "model", "nn_model",
         "two_layer_model", "L_layer_model"]

_SPECS: dict[str, Spec] = {spec.name: spec for spec in
                           logistic_specs.SPECS + planar_specs.SPECS + deep_specs.SPECS
                           + [course_common.INITIALIZE_PARAMETERS, course_common.INITIALIZE_PARAMETERS_DEEP,
                              course_common.COMPUTE_COST, course_common.UPDATE_PARAMETERS]
                           if spec.name not in ("predict",)}
KNOWN = ORDER + [f"Network.{name}" for name in ["__init__"] + nielsen_specs.METHODS + ["SGD"]]


def parameter_names(func: Callable) -> list[str]:
    try:
        return list(inspect.signature(func).parameters)
    except (TypeError, ValueError):
        return []


def spec_for(name: str, func: Callable) -> Union[Spec, None]:
    """The spec for ``name``; ``predict`` is told apart by its signature (w, b, X / parameters, X / X, y, parameters)."""
    if name == "predict":
        names = [n.lower() for n in parameter_names(func)]
        first = names[0] if names else ""
        if first in ("parameters", "params"):
            return planar_specs.PREDICT
        if first in ("x", "data", "inputs") or names[-1:] in (["parameters"], ["params"]):
            return deep_specs.PREDICT
        if len(names) == 3:
            return logistic_specs.PREDICT
        return planar_specs.PREDICT if len(names) == 2 else deep_specs.PREDICT
    if name == "model" and len(parameter_names(func)) < 4:
        return None
    return _SPECS.get(name)


def _substitute(ctx: Context, name: str, learner: Callable) -> Union[Callable, None]:
    """chainrule's version of ``name``, shaped like the learner's (seed 001's sigmoid returns (A, cache))."""
    hidden = lambda: ctx.variant.get("hidden", "tanh")                       # noqa: E731
    cost = lambda: ctx.variant.get("cost", "cross_entropy")                 # noqa: E731
    if name in ("sigmoid", "relu"):
        result, error = ctx.call(learner, (np.zeros(2),))
        pair = error is None and isinstance(result, tuple)
        activation = _bridge.activation(name, "the doctor")
        single = course_logistic.sigmoid if name == "sigmoid" else (
            lambda z: activation.forward(np.asarray(z, dtype=float).reshape(1, -1)).reshape(np.shape(z)))
        return (lambda z: (single(z), z)) if pair else single
    def unit(activation: str, backward: bool) -> Callable:
        def forward(Z: Any) -> Any:
            layer = _bridge.activation(activation, "the doctor")
            return layer.forward(np.asarray(Z, dtype=float).T).T, Z

        def backward_(dA: Any, Z: Any) -> Any:
            layer = _bridge.activation(activation, "the doctor")
            layer.forward(np.asarray(Z, dtype=float).T)
            return layer.backward(np.asarray(dA, dtype=float).T).T
        return backward_ if backward else forward

    table: dict[str, Callable] = {
        "relu_backward": unit("relu", True),
        "sigmoid_backward": unit("sigmoid", True),
        "initialize_with_zeros": course_logistic.initialize_with_zeros,
        "propagate": course_logistic.propagate,
        "optimize": course_logistic.optimize,
        "layer_sizes": course_planar.layer_sizes,
        "initialize_parameters": course_planar.initialize_parameters,
        "initialize_parameters_deep": course_deep.initialize_parameters_deep,
        "linear_forward": course_deep.linear_forward,
        "linear_activation_forward": course_deep.linear_activation_forward,
        "forward_propagation": lambda X, parameters: course_planar.forward_propagation(X, parameters, hidden()),
        "L_model_forward": course_deep.L_model_forward,
        "compute_cost": lambda A, Y, *rest: course_planar.compute_cost(A, Y, cost=cost()),
        "linear_backward": course_deep.linear_backward,
        "linear_activation_backward": course_deep.linear_activation_backward,
        "backward_propagation": lambda parameters, cache, X, Y: course_planar.backward_propagation(
            parameters, cache, X, Y, hidden(), cost()),
        "L_model_backward": course_deep.L_model_backward,
        "update_parameters": lambda parameters, grads, learning_rate=1.2: course_deep.update_parameters(
            parameters, grads, learning_rate),
    }
    if name == "predict":
        spec = spec_for(name, learner)
        if spec is logistic_specs.PREDICT:
            return course_logistic.predict
        if spec is planar_specs.PREDICT:
            return lambda parameters, X: course_planar.predict(parameters, X, hidden())
        return course_deep.predict
    return table.get(name)


def is_learners(ctx: Context, func: Any) -> bool:
    """Defined in the learner's file (or, for ``check(globals())``, in the notebook's ``__main__``)."""
    code = getattr(func, "__code__", None)
    if code is None:
        return False
    if ctx.source is not None:
        return code.co_filename == ctx.source.filename
    return getattr(func, "__module__", None) == ctx.namespace.get("__name__", "__main__")


COURSE_ARGUMENTS = {
    "sigmoid": ["z"], "relu": ["z"], "relu_backward": ["da", "cache"], "sigmoid_backward": ["da", "cache"],
    "initialize_with_zeros": ["dim"], "propagate": ["w", "b", "x", "y"],
    "optimize": ["w", "b", "x", "y", "num_iterations", "learning_rate"], "layer_sizes": ["x", "y"],
    "initialize_parameters": ["n_x", "n_h", "n_y"], "initialize_parameters_deep": ["layer_dims"],
    "linear_forward": ["a", "w", "b"], "linear_activation_forward": ["a_prev", "w", "b", "activation"],
    "forward_propagation": ["x", "parameters"], "L_model_forward": ["x", "parameters"],
    "linear_backward": ["dz", "cache"], "linear_activation_backward": ["da", "cache", "activation"],
    "backward_propagation": ["parameters", "cache", "x", "y"], "L_model_backward": ["al", "y", "caches"],
    "update_parameters": ["parameters", "grads", "learning_rate"],
}


def _signature_finding(ctx: Context, name: str, func: Callable) -> Union[Finding, bool]:
    """True when ``func`` takes the course's positional arguments (extra ones with defaults are fine).

    Otherwise a ``signature`` finding when its arguments are (some of) the course's, a slip in the
    signature; ``False`` for the learner's own helper that only shares the name.
    """
    count = len(COURSE_ARGUMENTS.get(name, []))
    if not count:
        return True
    try:
        inspect.signature(func).bind(*range(count))
        return True
    except ValueError:
        return True
    except TypeError:
        pass
    if not _looks_like_the_course(name, parameter_names(func)):
        return False
    names = ", ".join(parameter_names(func))
    return finding(ctx, name, func, "signature", None,
                   f"{name}({names}) cannot be called with the course's {count} argument(s); the course's "
                   "tests and the functions that call it pass them positionally.",
                   func.__code__.co_firstlineno)


def _looks_like_the_course(name: str, names: list[str]) -> bool:
    """A function whose arguments are (some of) the course's: a slip in the signature, not another function."""
    course = COURSE_ARGUMENTS.get(name, []) + ["print_cost"]
    return bool(names) and all(n.lower() in course for n in names)


def check_namespace(namespace: dict[str, Any], source: Union[LearnerSource, None] = None,
                    only: Union[str, None] = None) -> Report:
    """Check every course-named function (and Nielsen's ``Network``) the learner defined."""
    ctx = Context(namespace, source)
    report = Report(path=str(source.path) if source is not None else None)
    if source is not None and source.syntax_error is not None:
        line, message = source.syntax_error
        shown, cell = source.locate(line)
        report.add(Finding("(file)", "exception", f"Python cannot read the file: {message}. Nothing in it could run, "
                           "so no function was checked.", line=shown, cell=cell, code=source.line_text(line)))
    if source is not None:
        for line, message in source.problems:
            shown, cell = source.locate(line)
            where = f"cell {cell}, line {shown}" if cell is not None else f"line {shown}"
            report.notes.append(f"{where}: {message}")
    for name in ORDER:
        func = namespace.get(name)
        if not callable(func) or not is_learners(ctx, func):
            continue
        spec = spec_for(name, func)
        if spec is None:
            continue
        callable_as_the_course = _signature_finding(ctx, name, func)
        if callable_as_the_course is False:
            report.notes.append(f"{name}({', '.join(parameter_names(func))}) is not the course's {name}: not checked.")
            continue
        try:
            if isinstance(callable_as_the_course, Finding):
                findings = [callable_as_the_course]
            else:
                findings = check(ctx, spec, func, name)
        except NotChecked as reason:
            report.notes.append(f"{name}: not checked: {reason}")
            ctx.wrong.add(name)
            continue
        _record(ctx, report, name, func, findings, only)
    network = namespace.get("Network")
    if isinstance(network, type) and is_learners(ctx, getattr(network, "__init__", None)):
        for label, findings in nielsen_specs.check_network(ctx, network):
            if only is None or only in (label, label.split(".")[-1]):
                report.checked.append(label)
                report.findings.extend(findings)
    report.notes.extend(ctx.notes)
    return report


def _record(ctx: Context, report: Report, name: str, func: Callable, findings: list[Finding],
            only: Union[str, None]) -> None:
    if findings:
        ctx.wrong.add(name)
        substitute = _substitute(ctx, name, func)
        if substitute is not None:
            ctx.substitutes[name] = substitute
    else:
        ctx.correct.add(name)
    if only is None or only == name:
        report.checked.append(name)
        report.findings.extend(findings)
