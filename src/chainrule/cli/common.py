"""What every command shares: the one-line error, warnings, argument types and flag groups.

The bottom of the ``chainrule.cli`` package: it imports no other module of the package.
"""

from __future__ import annotations

import argparse
import math
import sys

from .. import compiled, datasets, registry

TOY = sorted(datasets.GENERATORS)
DATA_HELP = (f"data set: one of {', '.join(TOY)}, digits (needs scikit-learn), mnist (from CHAINRULE_DATA or "
             "~/.cache/chainrule; its own train / validation / test splits), or a path to a .csv (label in the "
             "last column, or --label-column; numbers or class names) or .npz (arrays X and y)")
#: losses that fit values; with --task auto they make the run a regression
REGRESSION_LOSSES = ("mse", "mae", "huber")
SPLITS = ("train", "validation", "test")
VAL_SPLIT = 0.2


class CommandError(Exception):
    """A runtime error to report as one line with exit code 1."""


def warn(command: str, message: str) -> None:
    print(f"chainrule {command}: warning: {message}", file=sys.stderr)


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Keeps the example epilog as written and appends every option's default to its help."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        shown = action.option_strings and not any(action.default is v for v in (None, False, argparse.SUPPRESS))
        if shown and "%(default)" not in text:
            text += " (default: %(default)s)"
        return text


def label_column_arg(text: str) -> int | str:
    """--label-column: a header name, or a 1-based column number (negative: from the end, -1 the last)."""
    try:
        number = int(text)
    except ValueError:
        return text
    if number == 0:
        raise argparse.ArgumentTypeError("columns are numbered from 1 (or -1 for the last), got 0")
    return number - 1 if number > 0 else number


def positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be an integer >= 1, got {text}")
    return value


def non_negative_int(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be an integer >= 0, got {text}")
    return value


def positive_float(text: str) -> float:
    value = float(text)
    if not (value > 0 and math.isfinite(value)):
        raise argparse.ArgumentTypeError(f"must be a number > 0, got {text}")
    return value


def non_negative_float(text: str) -> float:
    value = float(text)
    if not (value >= 0 and math.isfinite(value)):
        raise argparse.ArgumentTypeError(f"must be a number >= 0, got {text}")
    return value


def unit_interval(text: str) -> float:
    value = float(text)
    if not 0 <= value < 1:
        raise argparse.ArgumentTypeError(f"must be in [0, 1), got {text}")
    return value


def data_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--label-column", type=label_column_arg,
                   help="CSV label column: a header name or a column number counted from 1 (-1: the last; default: the last)")
    p.add_argument("--n-samples", type=positive_int, help="examples to generate for the toy data sets")


def model_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--layers", help="comma-separated sizes, input first, e.g. 2,16,1 (default: n_features,16,n_outputs)")
    p.add_argument("--activation", default="relu", choices=sorted(registry.SHORT_NAMES["activation"]),
                   help="hidden activation")
    p.add_argument("--loss", default="ce", choices=["ce", "bce", "mse", "mae", "huber"],
                   help="ce: softmax cross-entropy; bce: binary cross-entropy (one output); mse, mae, huber: "
                        "squared, absolute and Huber error (regression with --task auto)")
    p.add_argument("--task", default="auto", choices=["auto", "classification", "regression"],
                   help="auto: the loss decides (mse, mae and huber fit values, ce and bce classes); "
                        "classification with --loss mse fits one-hot targets")
    p.add_argument("--l2", type=non_negative_float, default=0.0, help="L2 strength on every Dense layer")
    p.add_argument("--seed", type=int, default=0, help="seeds the weights, the shuffles and the toy data")
    data_flags(p)


def backend_flag(p: argparse.ArgumentParser) -> None:
    p.add_argument("--backend", default="auto", choices=compiled.BACKENDS,
                   help="fit's backend: compiled runs each epoch in numba (pip install chainrule[fast]); auto "
                        "compiles a supported model when numba is installed; numpy never compiles")


def progress_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--log-every", type=positive_int, default=1, help="print one line every N epochs (and the last)")
    p.add_argument("--quiet", action="store_true", help="no per-epoch lines")
