"""The ``chainrule`` command: train, evaluate, predict, info, plot, resume, gradcheck, doctor, playground, export.

The only package that exits or writes files on the user's behalf. Exit codes: 0 ok, 2 usage
error (argparse), 1 runtime error reported as one line (``--debug`` shows the traceback).

Its modules import one way, each only from those listed before it:

- ``common``: CommandError, warnings, argument types, the shared flag groups
- ``from_flags``: the loss, optimizer, lr schedule, layer sizes and metrics that flags name
- ``inputs``: --data as named splits, labels encoded for the task, saved models
- ``report``: score lines and plots
- ``train`` (train, resume), ``saved_model`` (evaluate, predict, info, plot), ``checks`` (gradcheck, doctor),
  ``extras`` (playground, export): the subcommands, each with the ``add_*_command`` that declares its flags
- this file: the parser and ``main``
"""

from __future__ import annotations

import argparse
import difflib
import sys
from typing import Sequence

from .._version import __version__
from .checks import add_doctor_command, add_gradcheck_command
from .common import CommandError, HelpFormatter
from .extras import add_export_command, add_playground_command
from .from_flags import make_loss, make_optimizer
from .saved_model import add_evaluate_command, add_info_command, add_plot_command, add_predict_command
from .train import Checkpoint, ProgressBar, add_resume_command, add_train_command

__all__ = ["main", "build_parser", "CommandError", "Checkpoint", "ProgressBar", "make_loss", "make_optimizer"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="chainrule", description="Train, inspect and check dense neural networks "
                                     "written in NumPy with hand-written backprop.")
    parser.add_argument("--version", action="version", version=f"chainrule {__version__}")
    parser.add_argument("--debug", action="store_true", help="show full tracebacks on errors")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                        help="show full tracebacks on errors")

    def add(name: str, help_: str, example: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=help_, description=help_, epilog=f"example:\n  {example}",
                              formatter_class=HelpFormatter, parents=[common])

    add_train_command(add)
    add_evaluate_command(add)
    add_predict_command(add)
    add_info_command(add)
    add_plot_command(add)
    add_resume_command(add)
    add_gradcheck_command(add)
    add_doctor_command(add)
    add_playground_command(add)
    add_export_command(add)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    commands = ["train", "evaluate", "predict", "info", "plot", "resume", "gradcheck", "doctor", "export",
                "playground"]
    first = next((a for a in argv if not a.startswith("-")), None)
    if first is not None and first not in commands:
        close = difflib.get_close_matches(first, commands, n=1)
        if close:
            parser.error(f"unknown command {first!r}; did you mean {close[0]!r}?")
    args = parser.parse_args(argv)
    try:
        args.run(args)
    except SystemExit:
        raise
    except (CommandError, ValueError, FloatingPointError, FileNotFoundError, ImportError, OSError) as exc:
        if args.debug:
            raise
        print(f"chainrule {args.command}: error: {exc}", file=sys.stderr)
        return 1
    return 0
