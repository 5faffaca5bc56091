"""Commands that read a saved model: ``evaluate``, ``predict``, ``info`` and ``plot``."""

from __future__ import annotations

import argparse
import sys
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from .. import _files, datasets
from ..model import Sequential
from .common import SPLITS, CommandError, label_column_arg
from .from_flags import METRICS, metric_names, recorded_schedule
from .inputs import all_rows, data_for, encode, is_file_spec, load_model, task_of
from .report import score_line, write_plot


def cmd_evaluate(args: argparse.Namespace) -> None:
    model = load_model(args.model)
    if model.loss is None:
        raise CommandError("this model was saved without a loss; it cannot be evaluated.")
    if args.metrics is not None:
        model.meta["metrics"] = metric_names(args.metrics)
    if args.data and is_file_spec(args.data) and args.split is None:
        column = args.label_column if args.label_column is not None else model.meta.get("label_column")
        X, y = all_rows(args.data, 0, label_column=column)
        y = encode(y, task_of(model), model.meta.get("classes"), args.data)
        print(f"scoring every row of {args.data}")
        print(score_line(model, "all", X, y))
        return
    data = data_for(model, args)
    if args.split is not None and args.split not in data:
        spec = args.data or model.meta.get("data")
        why = ("only mnist has a test split; the CLI holds out a validation split from other data. "
               "Score a held-out file with --data FILE" if args.split == "test" else "--val-split 0 left none")
        raise CommandError(f"--split {args.split}: {spec} has no {args.split} split ({', '.join(data)}): {why}.")
    for name in [args.split] if args.split else [n for n in ("train", "validation") if n in data]:
        print(score_line(model, name, *data[name]))


def add_evaluate_command(add: Any) -> None:
    p = add("evaluate", "loss and accuracy of a saved model on its data splits or on a held-out file",
            "chainrule evaluate iris.npz --data iris_test.csv")
    p.add_argument("model")
    p.add_argument("--data", help="data set (default: the one it was trained on); a .csv or .npz file is scored "
                                  "on every row unless --split is given")
    p.add_argument("--split", choices=SPLITS, help="score one split: train, validation (held out at train), or "
                                                   "test (mnist's 10,000 test images) (default: train and validation)")
    p.add_argument("--label-column", type=label_column_arg,
                   help="CSV label column for --data: a header name or a number from 1 (default: as at train)")
    p.add_argument("--metrics", help=f"extra metrics, comma-separated: {', '.join(METRICS)} (default: as at train)")
    p.set_defaults(run=cmd_evaluate)


def read_inputs(path: str, model: Sequential) -> np.ndarray:
    """The rows of a .csv, .npy or .npz (array X) file; a CSV that still holds its label column gets a hint."""
    if path.endswith((".npy", ".npz")):
        try:
            if path.endswith(".npy"):
                return _files.read_npy(path)
            _files.npz_headers(path)        # every member's declared shape checked against the file before reading
            with np.load(path, allow_pickle=False) as loaded:
                if "X" not in loaded.files:
                    raise CommandError(f"{path} must hold an array named X (as for train), found {loaded.files}.")
                return loaded["X"]
        except (ValueError, OSError, zipfile.BadZipFile) as exc:
            raise CommandError(f"cannot read {path}: {exc}") from None
    if not path.endswith(".csv"):
        raise CommandError(f"INPUT must be a .csv, .npy or .npz file, got {path!r}.")
    try:
        table = datasets.read_table(path)
    except (ValueError, OSError) as exc:
        raise CommandError(f"cannot read {path}: {exc}") from None
    n_columns, n_features = table.cells.shape[1], model.n_features
    if n_columns == n_features + 1:
        text = table.text_columns()
        column = text[0] if len(text) == 1 else table.column_index(model.meta.get("label_column", -1))
        raise CommandError(f"{path} has {n_columns} columns but the model takes {n_features} features: it seems to "
                           f"still hold its label column: {table.column_name(column)}. Remove that column and "
                           "predict again.")
    try:
        return table.numbers()
    except ValueError as exc:
        raise CommandError(str(exc)) from None


def cmd_predict(args: argparse.Namespace) -> None:
    model = load_model(args.model)
    task = task_of(model)
    if args.proba and task == "regression":
        raise CommandError("--proba is for classifiers; this model predicts values (a regression): drop --proba.")
    X = read_inputs(args.input, model)
    classes = model.meta.get("classes")
    if task == "regression":
        outputs, fmt = model.predict(X), "%.8g"
    elif args.proba:
        outputs, fmt = model.predict_proba(X), "%.8g"
    else:
        outputs = model.predict_labels(X)
        outputs, fmt = (np.array(classes, dtype=object)[outputs], "%s") if classes else (outputs, "%d")
    outputs = np.asarray(outputs)
    rows = outputs.reshape(len(outputs), -1)
    if args.out:
        from .._files import atomic_write
        atomic_write(args.out, lambda f: np.savetxt(f, rows, fmt=fmt, delimiter=","))
        print(f"wrote {len(outputs)} predictions to {args.out}")
    else:
        np.savetxt(sys.stdout, rows, fmt=fmt, delimiter=",")


def add_predict_command(add: Any) -> None:
    p = add("predict", "predict labels, probabilities or values for a .csv, .npy or .npz file of rows",
            "chainrule predict moons.npz points.csv --out labels.csv")
    p.add_argument("model")
    p.add_argument("input", help="a .csv (features only), .npy or .npz (array X) file, one example per row")
    p.add_argument("--proba", action="store_true", help="classifiers: output class probabilities instead of labels")
    p.add_argument("--out", help="write predictions to this CSV instead of printing")
    p.set_defaults(run=cmd_predict)


def cmd_info(args: argparse.Namespace) -> None:
    model = load_model(args.model)
    print(model.summary())
    print(f"loss: {model.loss!r}   optimizer: {model.optimizer!r}   seed: {model.seed}")
    if model.preprocessing is not None:
        print(f"preprocessing: {model.preprocessing!r} (applied by predict and evaluate)")
    history = model.history.history
    epochs = len(model.history.epoch)
    print(f"epochs trained: {epochs}")
    if epochs:
        print("last epoch: " + "  ".join(f"{k} {v[-1]:.4f}" for k, v in history.items()))
    if model.meta:
        shown = {**model.meta, "lr_schedule": recorded_schedule(model.meta)} if "lr_schedule" in model.meta \
            else model.meta
        print("recorded: " + "  ".join(f"{k}={v}" for k, v in shown.items()))


def add_info_command(add: Any) -> None:
    p = add("info", "layers, shapes, parameter count and training history of a saved model", "chainrule info moons.npz")
    p.add_argument("model")
    p.set_defaults(run=cmd_info)


def cmd_plot(args: argparse.Namespace) -> None:
    model = load_model(args.model)
    path = Path(args.out or f"{Path(args.model).with_suffix('')}_{args.what}.png")
    wants_data = args.what == "boundary" or (args.what == "weights" and (model.meta.get("data") or args.data))
    data = data_for(model, args) if wants_data else None
    write_plot(model, args.what, path, data)


def add_plot_command(add: Any) -> None:
    p = add("plot", "plot a saved model's history, decision boundary or weights", "chainrule plot moons.npz --what boundary")
    p.add_argument("model")
    p.add_argument("--what", default="history", choices=["history", "boundary", "weights"], help="what to plot")
    p.add_argument("--data", help="data set for --what boundary (default: the one it was trained on)")
    p.add_argument("--out", help="PNG path (default: MODEL_WHAT.png)")
    p.set_defaults(run=cmd_plot)
