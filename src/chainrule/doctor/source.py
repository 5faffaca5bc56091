"""A learner's code as the doctor runs it: a ``.py`` file or the code cells of a notebook.

A notebook becomes one program: its code cells in order, with IPython magics (``%...``, ``%%``
cells), shell lines (``!...``) and help lines (``x?``) left blank, so every line keeps its place
and maps back to (cell, line). ``execute`` runs the program one top-level statement at a time in
a fresh namespace with the learner's directory on ``sys.path``: a statement that raises, reads
``input()`` or runs past its time limit is reported and skipped, and the definitions after it are
still made.
"""

from __future__ import annotations

import ast
import builtins
import contextlib
import io
import json
import os
import signal
import sys
import threading
import tokenize
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Union


class DoctorTimeout(Exception):
    """A learner's statement or call ran past its time limit."""


@dataclass
class LearnerSource:
    """The program text and, for notebooks, where each of its lines came from."""

    path: Path
    text: str
    cells: Union[list[tuple[int, int]], None] = None      # program line - 1 -> (cell, line in cell)
    problems: list[tuple[int, str]] = field(default_factory=list)   # (program line, message)
    _tree: Union[ast.Module, None] = field(default=None, repr=False)
    syntax_error: Union[tuple[int, str], None] = None

    @property
    def filename(self) -> str:
        return str(self.path)

    def locate(self, line: Union[int, None]) -> tuple[Union[int, None], Union[int, None]]:
        """(line, cell) as the learner sees them: the file line, or the line inside a notebook cell."""
        if line is None or self.cells is None:
            return line, None
        if 1 <= line <= len(self.cells):
            cell, in_cell = self.cells[line - 1]
            return in_cell, cell
        return line, None

    def line_text(self, line: Union[int, None]) -> str:
        lines = self.text.splitlines()
        return lines[line - 1] if line is not None and 1 <= line <= len(lines) else ""

    def tree(self) -> ast.Module:
        """The program's syntax tree (parsed once; a learner's invalid escape such as '\\p' stays quiet)."""
        if self._tree is None:
            self._tree = quiet_parse(self.text, self.filename)
        return self._tree


def quiet_parse(text: str, filename: str = "<learner>") -> ast.Module:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ast.parse(text, filename)


def _is_magic(line: str) -> bool:
    stripped = line.lstrip()
    return stripped.startswith(("%", "!")) or (stripped.endswith("?") and not stripped.startswith("#"))


def _statement_open(lines: list[str]) -> bool:
    """True inside an unfinished statement (an open bracket): a '%' line there is Python, not a magic."""
    text = "\n".join(lines) + "\n"
    try:
        for _ in tokenize.generate_tokens(io.StringIO(text).readline):
            pass
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return True
    return False


def read_notebook(path: Path) -> LearnerSource:
    """Concatenate a notebook's code cells; cell numbers count every cell from 1, as Jupyter shows them."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        cells = document["cells"]
    except (ValueError, KeyError, TypeError, RecursionError) as error:     # RecursionError: JSON nested too deep
        raise ValueError(f"{path}: not a Jupyter notebook (nbformat 4 JSON with a 'cells' list): {error}") from None
    lines: list[str] = []
    origin: list[tuple[int, int]] = []
    problems: list[tuple[int, str]] = []
    for number, cell in enumerate(cells, start=1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        text = "".join(source) if isinstance(source, list) else str(source)
        cell_lines = text.splitlines()
        if cell_lines and cell_lines[0].lstrip().startswith("%%"):
            cell_lines = [""] * len(cell_lines)
        kept: list[str] = []
        for line in cell_lines:
            kept.append("" if _is_magic(line) and not _statement_open(kept) else line)
        cell_lines = kept
        try:
            quiet_parse("\n".join(cell_lines))
        except SyntaxError as error:
            problems.append((len(lines) + (error.lineno or 1), f"cell {number} has a syntax error: {error.msg}; "
                                                                  "the doctor skipped that cell"))
            cell_lines = [""] * len(cell_lines)
        for in_cell, line in enumerate(cell_lines, start=1):
            lines.append(line)
            origin.append((number, in_cell))
    return LearnerSource(path, "\n".join(lines) + "\n", origin, problems)


def read(path: Union[str, os.PathLike]) -> LearnerSource:
    """Read a ``.py`` file or an ``.ipynb`` notebook. Raises ValueError for anything else."""
    path = Path(path).resolve()
    if not path.is_file():
        raise ValueError(f"{path}: no such file. Pass a learner's .py file or .ipynb notebook.")
    if path.suffix == ".ipynb":
        return read_notebook(path)
    if path.suffix != ".py":
        raise ValueError(f"{path}: the doctor reads .py files and .ipynb notebooks, not {path.suffix or 'this file'}.")
    return LearnerSource(path, path.read_text(encoding="utf-8", errors="replace"))


@contextlib.contextmanager
def time_limit(seconds: float, what: str):
    """Raise DoctorTimeout in the running code after ``seconds`` (main thread on POSIX; else no limit)."""
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable or seconds <= 0:
        yield
        return

    def expire(signum, frame):
        raise DoctorTimeout(f"{what} did not finish within {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _no_input(prompt: Any = "") -> str:
    raise EOFError("the doctor runs your code without a keyboard: input() is not available")


def execute(source: LearnerSource, statement_seconds: float = 10.0) -> dict[str, Any]:
    """Run the program statement by statement in a fresh namespace; return the namespace.

    What a statement prints is swallowed; a statement that raises or times out is recorded in
    ``source.problems`` and skipped.
    """
    try:
        tree = source.tree()
    except SyntaxError as error:
        source.syntax_error = (error.lineno or 1, error.msg)
        return {}
    namespace: dict[str, Any] = {"__name__": "__learner__", "__file__": source.filename,
                                 "__builtins__": builtins, "input": _no_input}
    folder = str(source.path.parent)
    if folder not in sys.path:
        sys.path.insert(0, folder)
    for statement in tree.body:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            code = compile(ast.Module(body=[statement], type_ignores=[]), source.filename, "exec")
        try:
            with contextlib.redirect_stdout(io.StringIO()), time_limit(statement_seconds, "this statement"):
                exec(code, namespace)
        except DoctorTimeout as error:
            source.problems.append((statement.lineno, f"{error}; the doctor skipped it"))
        except (Exception, SystemExit) as error:
            line = _learner_line(error, source.filename) or statement.lineno
            source.problems.append((line, f"raised {type(error).__name__}: {error}; the doctor skipped this "
                                          "statement and kept the definitions around it"))
    return namespace


def _learner_line(error: BaseException, filename: str) -> Union[int, None]:
    line = None
    tb = error.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == filename:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line
