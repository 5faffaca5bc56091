"""What the doctor found: one ``Finding`` per mistake, gathered in a ``Report``.

A finding names the function, the parameter or output that is wrong, the kind of mistake, the
line that produced it (a file line for ``.py``, a cell and a line in that cell for notebooks), and
a message that says what is wrong, why, and the corrected formula.
"""

from __future__ import annotations

import json
import textwrap
from dataclasses import dataclass, field
from typing import Any, Union

KINDS = (
    "exception",              # the function raised
    "shape",                  # an output has the wrong shape
    "transposed",             # an output is the transpose of the right one
    "scale_m",                # m times too large (a missing 1/m)
    "scale_inv_m",            # m times too small (1/m applied twice)
    "sign",                   # the right values with the opposite sign
    "scale",                  # off by another constant factor (2, 1/2, lr, ...)
    "values",                 # wrong values with no simple relation
    "nonfinite",              # nan or inf for large but legal inputs
    "batch_dependence",       # a mean cost or gradient changes when every example is repeated
    "mutates_input",          # the function changed an argument it should only read
    "activation_derivative",  # g'(A) instead of g'(Z), or the derivative of another activation
    "symmetry",               # identical hidden units (zero or constant initialization)
    "signature",              # wrong arguments passed on, ignored arguments, wrong return structure
)


@dataclass
class Finding:
    """One mistake: where it is, what it is, and how to fix it."""

    function: str
    kind: str
    message: str
    param: Union[str, None] = None
    line: Union[int, None] = None
    cell: Union[int, None] = None
    code: str = ""
    fix: str = ""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"Finding: kind must be one of {KINDS}, got {self.kind!r}.")

    def where(self) -> str:
        """'line 12', 'cell 3, line 4' or '' when no line is known."""
        if self.line is None:
            return ""
        return f"cell {self.cell}, line {self.line}" if self.cell is not None else f"line {self.line}"

    def to_dict(self) -> dict[str, Any]:
        message = self.message + (f" Fix: {self.fix}" if self.fix else "")
        return {"function": self.function, "param": self.param, "kind": self.kind,
                "line": self.line, "cell": self.cell, "message": message}

    def text(self) -> str:
        head = f"  [{self.kind}]"
        if self.param:
            head += f" {self.param}"
        if self.where():
            head += f" at {self.where()}"
        lines = [head]
        if self.code:
            lines.append(f"      {self.code.strip()}")
        lines.append(textwrap.fill(self.message, 100, initial_indent="    ", subsequent_indent="    "))
        if self.fix:
            lines.append(f"    Fix: {self.fix}")
        return "\n".join(lines)


@dataclass
class Report:
    """Every finding, plus the functions that were checked and found correct."""

    findings: list[Finding] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    path: Union[str, None] = None

    @property
    def ok(self) -> bool:
        return not self.findings

    def add(self, finding: Finding) -> None:
        self.findings.append(finding)

    def for_function(self, name: str) -> list[Finding]:
        return [f for f in self.findings if f.function == name]

    def to_dict(self) -> dict[str, Any]:
        return {"findings": [f.to_dict() for f in self.findings], "ok": self.ok}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)

    def __str__(self) -> str:
        lines = [f"chainrule doctor: {self.path}"] if self.path else []
        names = list(dict.fromkeys(self.checked + [f.function for f in self.findings]))
        for name in names:
            found = self.for_function(name)
            if not found:
                lines.append(f"{name}: OK")
                continue
            lines.append(f"{name}: {len(found)} problem{'s' if len(found) > 1 else ''}")
            lines.extend(f.text() for f in found)
        lines.extend(f"note: {note}" for note in self.notes)
        if not names:
            lines.append("no function the doctor knows was found (see `chainrule doctor --help` for the names).")
        elif self.ok:
            lines.append(f"all {len(names)} checked functions are correct.")
        else:
            lines.append(f"{len(self.findings)} finding{'s' if len(self.findings) > 1 else ''} "
                         f"in {len({f.function for f in self.findings})} function(s).")
        return "\n".join(lines)

    def _repr_markdown_(self) -> str:
        return "```text\n" + str(self) + "\n```"
