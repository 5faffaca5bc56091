"""Commands that check backprop: ``gradcheck`` (chainrule's own) and ``doctor`` (a learner's code, lazily)."""

from __future__ import annotations

import argparse
import difflib
import sys
from pathlib import Path
from typing import Any

from .. import targets
from ..builders import mlp
from ..gradcheck import check_gradients
from .common import DATA_HELP, model_flags, positive_float, positive_int
from .from_flags import layer_sizes, make_loss
from .inputs import class_names, encoded_splits, load_data, resolve_task


def cmd_gradcheck(args: argparse.Namespace) -> None:
    task = resolve_task(args.task, args.loss)
    raw = load_data(args.data, args.seed, 0.5, args.n_samples, args.label_column)
    X, y = encoded_splits(raw, task, class_names(raw, task))["train"]
    X, y = X[:args.examples], y[:args.examples]
    loss = make_loss(args.loss)
    sizes = layer_sizes(args, X.shape[1], y, task, default_hidden=8)
    model = mlp(sizes, activation=args.activation, l2=args.l2, seed=args.seed)
    Y = targets.from_labels(loss, y, sizes[-1]) if task == "classification" else y
    report_ = check_gradients(model, X, Y, loss, max_entries=args.max_entries)
    print(report_)
    if not report_.passed:
        raise SystemExit(1)


def add_gradcheck_command(add: Any) -> None:
    p = add("gradcheck", "compare backprop with central differences, layer by layer",
            "chainrule gradcheck --data flower --layers 2,4,1 --activation tanh --loss bce")
    p.add_argument("--data", default="flower", help=DATA_HELP)
    model_flags(p)
    p.add_argument("--examples", type=positive_int, default=8, help="examples in the check")
    p.add_argument("--max-entries", type=positive_int, default=200, help="entries checked per parameter array")
    p.set_defaults(run=cmd_gradcheck)


def cmd_doctor(args: argparse.Namespace) -> None:
    """Check a learner's own functions; exit 0 when all are correct, 1 when something is wrong."""
    from .. import doctor
    from ..doctor.checkup import KNOWN
    if args.function is not None and args.function not in KNOWN and f"Network.{args.function}" not in KNOWN:
        close = difflib.get_close_matches(args.function, KNOWN, n=1)
        hint = f" Did you mean {close[0]!r}?" if close else f" Known: {', '.join(KNOWN)}."
        print(f"chainrule doctor: error: unknown --function {args.function!r}.{hint}", file=sys.stderr)
        raise SystemExit(2)
    path = Path(args.path)
    if not path.is_file() or path.suffix not in (".py", ".ipynb"):
        what = "no such file" if not path.is_file() else f"not a .py file or .ipynb notebook ({path.suffix or 'no suffix'})"
        print(f"chainrule doctor: error: {args.path}: {what}.", file=sys.stderr)
        raise SystemExit(2)
    report_ = doctor.run(path, function=args.function, timeout=args.timeout)
    print(report_.to_json() if args.json else report_)
    if not report_.ok:
        raise SystemExit(1)


def add_doctor_command(add: Any) -> None:
    p = add("doctor", "check a learner's own backprop code (.py or .ipynb) against chainrule's, line by line",
            "chainrule doctor my_assignment.ipynb --function backward_propagation")
    p.add_argument("path", help="a .py file or a Jupyter notebook defining the course's functions "
                                "(propagate, backward_propagation, L_model_backward, ...) or Nielsen's Network")
    p.add_argument("--function", help="check only this function (others still run, to feed it)")
    p.add_argument("--json", action="store_true", help="print the findings as JSON")
    p.add_argument("--timeout", type=positive_float, default=120.0,
                   help="seconds allowed for importing and checking the file")
    p.set_defaults(run=cmd_doctor)
