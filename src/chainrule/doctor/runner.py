"""Check a learner's file, in this process (``check_file``) or in a child process with a time limit (``run``).

The child imports the learner's code (which may loop forever, read ``input()``, print, plot or
crash), checks it and prints the report as JSON on its last output line; the parent kills it after
``timeout`` seconds. Matplotlib runs with the Agg backend, so plotting never opens a window.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
import warnings
from dataclasses import asdict
from pathlib import Path
from typing import Union

import numpy as np

from .report import Finding, Report
from .source import read, execute

MARK = "CHAINRULE-DOCTOR-REPORT "


def check_file(path: Union[str, os.PathLike], function: Union[str, None] = None,
               statement_seconds: float = 10.0) -> Report:
    """Import a learner's ``.py`` or ``.ipynb`` here and check its course-named functions."""
    from .checkup import check_namespace, KNOWN
    if function is not None and function not in KNOWN and f"Network.{function}" not in KNOWN:
        raise ValueError(f"unknown function {function!r}; the doctor knows {', '.join(KNOWN)}.")
    source = read(path)
    state = np.random.get_state()
    folder = os.getcwd()
    os.environ.setdefault("MPLBACKEND", "Agg")
    try:
        os.chdir(source.path.parent)
        with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()), \
                contextlib.redirect_stderr(io.StringIO()):
            warnings.simplefilter("ignore")
            namespace = execute(source, statement_seconds)
            report = check_namespace(namespace, source, function)
    finally:
        os.chdir(folder)
        np.random.set_state(state)
    if function is not None and not report.checked:
        report.notes.append(f"{source.path.name} defines no function {function!r}.")
    return report


def run(path: Union[str, os.PathLike], function: Union[str, None] = None, timeout: float = 120.0) -> Report:
    """``check_file`` in a child process; a learner's file that hangs becomes a finding, not a hang."""
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"{path}: no such file. Pass a learner's .py file or .ipynb notebook.")
    command = [sys.executable, "-m", "chainrule.doctor.runner", str(path.resolve())]
    if function:
        command += ["--function", function]
    env = dict(os.environ, MPLBACKEND="Agg", PYTHONIOENCODING="utf-8")
    env["PYTHONPATH"] = os.pathsep.join([str(Path(__file__).resolve().parents[2])] +
                                        [p for p in [env.get("PYTHONPATH")] if p])
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env,
                              stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        report = Report(path=str(path))
        report.add(Finding("(import)", "exception", f"checking {path.name} did not finish within {timeout:g} s: "
                           "the file (or a function it defines) runs too long or loops forever at import. Put "
                           "long training runs under `if __name__ == \"__main__\":`."))
        return report
    for line in reversed(done.stdout.splitlines()):
        if line.startswith(MARK):
            report = from_json(json.loads(line[len(MARK):]))
            report.path = str(path)            # as the learner typed it
            return report
    tail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
    raise RuntimeError(f"the doctor's worker failed on {path} (exit {done.returncode}): {tail[0]}")


def to_json(report: Report) -> dict:
    return {"path": report.path, "checked": report.checked, "notes": report.notes,
            "findings": [asdict(f) for f in report.findings]}


def from_json(document: dict) -> Report:
    return Report([Finding(**f) for f in document["findings"]], document["checked"], document["notes"],
                  document["path"])


def main(argv: Union[list[str], None] = None) -> int:
    import argparse
    parser = argparse.ArgumentParser(prog="python -m chainrule.doctor.runner")
    parser.add_argument("path")
    parser.add_argument("--function")
    args = parser.parse_args(argv)
    try:
        report = check_file(args.path, args.function)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    sys.stdout.write("\n" + MARK + json.dumps(to_json(report)) + "\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
