"""The doctor on a corpus of learner files (tests/doctor_cases/): every buggy file diagnosed with the
right function, kind and line; every correct file without a single finding.

Each case file starts with ``# doctor-case: buggy`` or ``# doctor-case: correct`` (the first line of
the first code cell in a notebook); the buggy line ends with ``# BUG: <kind>``. The expected function
is the ``def`` around the marker (``Network.backprop`` for a method). See doctor_cases/README.md.
"""

import ast
import json
from pathlib import Path

import pytest

from chainrule.doctor import KINDS, check_file, run
from chainrule.doctor.source import quiet_parse

CASES = Path(__file__).resolve().parent / "doctor_cases"


def cells_of(path):
    """[(cell number, source)] for the code cells of a notebook, or [(None, text)] for a .py file."""
    if path.suffix == ".ipynb":
        document = json.loads(path.read_text(encoding="utf-8"))
        return [(number, "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"])
                for number, cell in enumerate(document["cells"], start=1) if cell["cell_type"] == "code"]
    return [(None, path.read_text(encoding="utf-8"))]


def header(path):
    cells = cells_of(path)
    first = cells[0][1].splitlines()[0] if cells and cells[0][1].strip() else ""
    return first.strip() if first.startswith("# doctor-case:") else None


def enclosing_function(source, line):
    tree = quiet_parse("\n".join(l if not l.lstrip().startswith(("%", "!")) else "" for l in source.splitlines()))
    best = None
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, ast.FunctionDef) and item.lineno <= line <= item.end_lineno:
                    best = f"{node.name}.{item.name}"
        elif isinstance(node, ast.FunctionDef) and node.lineno <= line <= node.end_lineno and best is None:
            best = node.name
    return best


def expected_bug(path):
    for cell, source in cells_of(path):
        for number, text in enumerate(source.splitlines(), start=1):
            if "# BUG:" in text:
                kind = text.split("# BUG:")[1].split()[0]
                return enclosing_function(source, number), kind, number, cell
    raise AssertionError(f"{path.name}: a buggy case needs a '# BUG: <kind>' marker")


def cases(kind):
    found = []
    for path in sorted(CASES.rglob("*")):
        if path.suffix in (".py", ".ipynb") and (header(path) or "").split(":")[1:2] and \
                header(path).split(":", 1)[1].split()[0] == kind:
            found.append(path)
    return found


BUGGY, CORRECT, ROBUST = cases("buggy"), cases("correct"), cases("robust")


def test_the_corpus_is_as_large_as_promised():
    assert len(BUGGY) >= 30 and len(CORRECT) >= 15
    assert sum(p.suffix == ".ipynb" for p in BUGGY + CORRECT) >= 8
    kinds = {expected_bug(p)[1] for p in BUGGY}
    assert kinds <= set(KINDS)
    assert kinds == set(KINDS), f"kinds without a case: {set(KINDS) - kinds}"


@pytest.mark.parametrize("path", BUGGY, ids=lambda p: p.name)
def test_each_buggy_file_is_diagnosed_exactly(path):
    function, kind, line, cell = expected_bug(path)
    report = check_file(path)
    found = [(f.function, f.kind, f.line, f.cell) for f in report.findings]
    assert (function, kind, line, cell) in found, f"expected {(function, kind, line, cell)}\n{report}"


@pytest.mark.parametrize("path", CORRECT, ids=lambda p: p.name)
def test_correct_files_get_no_finding(path):
    report = check_file(path)
    assert report.checked, f"{path.name}: no function was checked\n{report}"
    assert report.ok, str(report)


@pytest.mark.parametrize("path", ROBUST, ids=lambda p: p.name)
def test_hostile_files_never_hang_or_crash_the_doctor(path):
    report = run(path, timeout=60)
    assert report.checked or report.findings or report.notes, f"{path.name}: the doctor said nothing about it\n{report}"
