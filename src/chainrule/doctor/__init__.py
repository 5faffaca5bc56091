"""The backprop doctor: which line of a learner's own backprop is wrong, and why.

- ``diagnose(params, cost, grads, data=None)``: any parameters and gradient function, checked
  against central differences (``numeric``).
- ``check_file(path)``: a learner's ``.py`` file or ``.ipynb`` notebook; every function named as
  in the course (``propagate``, ``backward_propagation``, ``L_model_backward``, ...) or Nielsen's
  ``Network`` is run beside ``chainrule.classic``'s on the same inputs (``checkup``).
- ``check(globals())``: the same inside a running notebook; prints the report.
- ``run(path)``: ``check_file`` in a subprocess with a time limit (what ``chainrule doctor`` runs).
- ``training_hints(history, model, X)`` / ``cost_hints(costs)``: what a training run says (a rising,
  flat or oscillating cost, identical or dead units, badly scaled inputs), from ``chainrule.hints``,
  the same code ``fit(hints=True)`` and ``chainrule train`` use.

Every result is a ``Report`` of ``Finding`` s: function, parameter, kind, line (and cell), what is
wrong, why, and the corrected formula.
"""

from __future__ import annotations

import inspect
from typing import Any, Union

from ..hints import Hint, cost_hints, training_hints
from .numeric import diagnose
from .report import KINDS, Finding, Report
from .runner import check_file, run

__all__ = ["KINDS", "Finding", "Hint", "Report", "check", "check_file", "cost_hints", "diagnose", "run",
           "training_hints"]


def check(namespace: Union[dict[str, Any], None] = None, *, function: Union[str, None] = None,
          quiet: bool = False) -> Report:
    """Check the course-named functions of a running notebook: ``chainrule.doctor.check(globals())``.

    Prints the report (unless ``quiet``) and returns it.
    """
    from .checkup import check_namespace
    if namespace is None:
        frame = inspect.currentframe()
        namespace = frame.f_back.f_globals if frame is not None and frame.f_back is not None else {}
    if not isinstance(namespace, dict):
        raise TypeError(f"check: pass globals() (a dict), got {type(namespace).__name__}.")
    report = check_namespace(namespace, None, function)
    if not quiet:
        print(report)
    return report
