"""The ``chainrule`` command: train, evaluate, predict, info, plot, resume, gradcheck, doctor.

The only module that exits or writes files on the user's behalf. Exit codes: 0 ok, 2 usage
error (argparse), 1 runtime error reported as one line (``--debug`` shows the traceback).
"""

from __future__ import annotations

import argparse
import difflib
import functools
import math
import sys
import time
import zipfile
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

from . import _files, datasets, io, registry, targets
from . import metrics as metrics_module
from ._version import __version__
from .builders import mlp
from .callbacks import Callback, EarlyStopping
from .data import train_val_split
from .gradcheck import check_gradients
from .losses import Loss
from .model import Sequential
from .optimizers import SGD, Optimizer
from .preprocessing import Standardize

TOY = sorted(datasets.GENERATORS)
DATA_HELP = (f"data set: one of {', '.join(TOY)}, digits (needs scikit-learn), mnist (from CHAINRULE_DATA or "
             "~/.cache/chainrule; its own train / validation / test splits), or a path to a .csv (label in the "
             "last column, or --label-column; numbers or class names) or .npz (arrays X and y)")
#: losses that fit values; with --task auto they make the run a regression
REGRESSION_LOSSES = ("mse", "mae", "huber")
SPLITS = ("train", "validation", "test")


class CommandError(Exception):
    """A runtime error to report as one line with exit code 1."""


def warn(command: str, message: str) -> None:
    print(f"chainrule {command}: warning: {message}", file=sys.stderr)


# -- data -----------------------------------------------------------------------------------------
def is_file_spec(spec: str) -> bool:
    return spec.endswith((".csv", ".npz"))


def all_rows(spec: str, seed: int, n_samples: int | None = None,
             label_column: int | str | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Every row of ``--data`` (not MNIST): ``(X, y)``, y as stored (indices, values or class names)."""
    if spec in datasets.GENERATORS:
        kwargs = {"n_samples": n_samples} if n_samples else {}
        return datasets.GENERATORS[spec](seed=seed, **kwargs)
    if spec == "digits":
        return datasets.load_digits()
    if is_file_spec(spec):
        return datasets.load_table(spec, -1 if label_column is None else label_column)
    raise CommandError(f"unknown --data {spec!r}. Use one of {', '.join(TOY)}, digits, mnist, or a .csv/.npz path.")


def load_data(spec: str, seed: int, val_split: float, n_samples: int | None = None,
              label_column: int | str | None = None, dtype: Any = np.float64) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """``--data`` as named splits ``{"train": (X, y), "validation": (X, y)}`` (no validation for
    ``val_split`` 0); MNIST keeps its own 50k / 10k / 10k train / validation / test splits."""
    if spec == "mnist":
        mnist = datasets.load_mnist(dtype=dtype)
        return {"train": (mnist.X_train, mnist.y_train), "validation": (mnist.X_val, mnist.y_val),
                "test": (mnist.X_test, mnist.y_test)}
    X, y = all_rows(spec, seed, n_samples, label_column)
    if val_split == 0:
        return {"train": (X, y)}
    rng = np.random.default_rng([seed, 1])          # data and split: independent of the model's stream
    X_train, y_train, X_val, y_val = train_val_split(X, y, val_split, rng=rng)
    return {"train": (X_train, y_train), "validation": (X_val, y_val)}


def resolve_task(task: str, loss: str) -> str:
    """``--task auto``: the loss decides (mse, mae, huber fit values; ce and bce fit classes)."""
    if task == "auto":
        return "regression" if loss in REGRESSION_LOSSES else "classification"
    if task == "regression" and loss not in REGRESSION_LOSSES:
        raise CommandError(f"--task regression needs --loss mse, mae or huber, got --loss {loss}.")
    if task == "classification" and loss not in ("ce", "bce", "mse"):
        raise CommandError(f"--task classification needs --loss ce, bce or mse (one-hot targets), got --loss {loss}.")
    return task


def task_of(model: Sequential) -> str:
    """The task recorded at ``train``; for other models, the loss decides (as ``targets`` does)."""
    task = model.meta.get("task")
    if task in ("classification", "regression"):
        return task
    loss = model.loss
    if loss is not None and (loss.link in ("softmax", "sigmoid") or (loss.link == "identity" and model.n_outputs > 1)):
        return "classification"
    return "regression" if loss is not None else "classification"


def class_names(splits: dict[str, tuple[np.ndarray, np.ndarray]], task: str) -> list[str] | None:
    """Sorted class names when the labels are text (e.g. "setosa"), else ``None`` (labels are indices)."""
    labels = [y for _, y in splits.values()]
    if task != "classification" or not any(y.dtype.kind in "US" for y in labels):
        return None
    return sorted(set(np.concatenate([y.astype(str) for y in labels]).tolist()))


def encode(y: np.ndarray, task: str, classes: list[str] | None, where: str) -> np.ndarray:
    """Labels as the loss takes them: class indices (names mapped by ``classes``) or float values."""
    if task == "regression":
        if y.dtype.kind in "US":
            raise CommandError(f"{where}: the targets are text ({str(y[0])!r}); a regression needs numbers. "
                               "For class names use --task classification with --loss ce.")
        return y.astype(np.float64)
    if classes is not None:
        index = {name: i for i, name in enumerate(classes)}
        names = y.astype(str)
        unknown = sorted(set(names.tolist()) - set(index))
        if unknown:
            raise CommandError(f"{where}: labels {unknown[:5]} are not among the classes the model was trained on "
                               f"({', '.join(classes)}).")
        return np.array([index[name] for name in names.tolist()], dtype=np.int64)
    if y.dtype.kind in "US":
        raise CommandError(f"{where}: the labels are text ({str(y[0])!r}) but the model was trained on class indices.")
    if y.ndim == 1 and y.dtype.kind == "f":
        example = y[(y != np.round(y)) | (y < 0)][0]
        raise CommandError(f"{where}: the labels are not class indices (e.g. {float(example):g}); "
                           "to fit numbers, use --task regression or a regression loss (--loss mse).")
    return y


def encoded_splits(splits: dict[str, tuple[np.ndarray, np.ndarray]], task: str,
                   classes: list[str] | None) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    return {name: (X, encode(y, task, classes, f"--data ({name} split)")) for name, (X, y) in splits.items()}


def label_column_arg(text: str) -> int | str:
    """--label-column: a header name, or a 1-based column number (negative: from the end, -1 the last)."""
    try:
        number = int(text)
    except ValueError:
        return text
    if number == 0:
        raise argparse.ArgumentTypeError("columns are numbered from 1 (or -1 for the last), got 0")
    return number - 1 if number > 0 else number


# -- model, loss, optimizer from flags --------------------------------------------------------------
def make_loss(name: str) -> Loss:
    """``--loss``: a short name from ``chainrule.registry`` ("bce" is from logits: mlp's output is linear)."""
    return registry.create("loss", name, "--loss")


def make_optimizer(name: str, lr: float, momentum: float) -> Optimizer:
    """``--optimizer`` with ``--lr``; ``--momentum`` applies to SGD only."""
    extra = {"momentum": momentum} if registry.lookup("optimizer", name, "--optimizer") is SGD else {}
    return registry.create("optimizer", name, "--optimizer", lr=lr, **extra)


def layer_sizes(args: argparse.Namespace, n_features: int, y: np.ndarray, task: str, default_hidden: int) -> list[int]:
    """--layers checked against the data, or [n_features, default_hidden, n_outputs].

    Outputs: one per class (bce: one), one per target column for a regression.
    """
    if y.ndim == 2:
        n_outputs = y.shape[1]
    elif task == "regression" or args.loss == "bce":
        n_outputs = 1
    else:
        n_outputs = max(targets.n_classes(y), 1)
    if args.layers:
        hint = ""
        if task == "classification" and n_outputs > 20 and y.ndim == 1:
            hint = (f" The labels run from 0 to {n_outputs - 1}: if they are numbers to predict, not classes, "
                    "use --task regression or --loss mse.")
        return parse_layers(args.layers, n_features, n_outputs, hint)
    return [n_features, default_hidden, n_outputs]


def parse_layers(text: str, n_features: int, n_outputs: int, hint: str = "") -> list[int]:
    try:
        sizes = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise CommandError(f"--layers must be comma-separated integers such as 2,16,1, got {text!r}.") from None
    if len(sizes) < 2:
        raise CommandError(f"--layers needs at least an input and an output size, got {text!r}.")
    if sizes[0] != n_features:
        raise CommandError(f"--layers starts with {sizes[0]} but the data has {n_features} features.")
    if sizes[-1] != n_outputs:
        raise CommandError(f"--layers ends with {sizes[-1]} but this data and loss need {n_outputs} outputs.{hint}")
    return sizes


#: --metrics names: (function, what it needs). Class metrics average over classes ("macro") beyond two.
METRICS = {"f1": (metrics_module.f1, "classification"), "precision": (metrics_module.precision, "classification"),
           "recall": (metrics_module.recall, "classification"), "r2": (metrics_module.r2_score, "regression"),
           "mae": (metrics_module.mean_absolute_error, "regression")}


def metric_fns(names: list[str], task: str, n_classes: int) -> dict[str, Callable]:
    """``{name: f(y_true, y_pred)}`` for ``--metrics f1,recall``; accuracy and loss are always printed."""
    table: dict[str, Callable] = {}
    for name in names:
        if name == "accuracy":
            continue
        if name not in METRICS:
            close = difflib.get_close_matches(name, METRICS, n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise CommandError(f"--metrics: unknown metric {name!r}; known: {', '.join(METRICS)}.{hint}")
        fn, needs = METRICS[name]
        if needs != task:
            raise CommandError(f"--metrics {name} is for a {needs}, but this model is a {task}; "
                               f"use {', '.join(k for k, (_, t) in METRICS.items() if t == task)}.")
        table[name] = functools.partial(fn, average="macro") if needs == "classification" and n_classes > 2 else fn
    return table


def metric_names(text: str | None) -> list[str]:
    return [name.strip() for name in (text or "").split(",") if name.strip()]


# -- progress -------------------------------------------------------------------------------------
class ProgressBar(Callback):
    """A live bar on a terminal (batches/s, loss, ETA); one line per ``every`` epochs (and the last) elsewhere."""

    def __init__(self, stream: Any = None, every: int = 1) -> None:
        self.stream = stream or sys.stdout
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.every = every
        self.redraw = 0.1

    def on_train_begin(self, model: Any) -> None:
        super().on_train_begin(model)
        self.epoch_start = self.last_draw = self.logged = time.perf_counter()

    def on_batch_end(self, batch: int, logs: dict[str, float]) -> None:
        now = time.perf_counter()
        if not self.tty or now - self.last_draw < self.redraw:
            return
        self.last_draw = now
        total = self.model.planned_batches or 0
        rate = (batch + 1) / max(now - self.epoch_start, 1e-9)
        eta = (total - batch - 1) / rate
        filled = int(30 * (batch + 1) / total) if total else 0
        self.stream.write(f"\r[{'#' * filled}{'.' * (30 - filled)}] {batch + 1}/{total}  {rate:,.0f} batches/s  "
                          f"loss {logs['loss']:.4f}  ETA {eta:4.1f} s ")
        self.stream.flush()

    def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> None:
        now = time.perf_counter()
        self.epoch_start = self.last_draw = now
        self.last = (epoch, logs)
        if (epoch + 1) % self.every == 0 or epoch + 1 == self.model.planned_epochs:
            self.write(epoch, logs, now)

    def on_train_end(self, logs: dict[str, float]) -> None:
        epoch, last_logs = getattr(self, "last", (None, None))
        if epoch is not None and epoch != getattr(self, "written", None):    # stopped early between lines
            self.write(epoch, last_logs, time.perf_counter())

    def write(self, epoch: int, logs: dict[str, float], now: float) -> None:
        metrics = "  ".join(f"{k} {v:.4f}" for k, v in logs.items())
        clear = "\r" + " " * 100 + "\r" if self.tty else ""
        self.stream.write(f"{clear}epoch {epoch + 1}/{self.model.planned_epochs or 0}  {metrics}  "
                          f"({now - self.logged:.2f} s)\n")
        self.stream.flush()
        self.logged, self.written = now, epoch


class Checkpoint(Callback):
    """Save the model after every epoch, atomically: Ctrl-C never loses more than one epoch."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> None:
        self.model.save(self.path)


# -- subcommands ----------------------------------------------------------------------------------
def labels_for(model: Sequential, y: np.ndarray) -> np.ndarray:
    """Encoded labels as the model's loss takes them (one-hot for MSE on classes)."""
    return targets.from_labels(model.loss, y, model.n_outputs) if task_of(model) == "classification" else y


def fit_with_checkpoints(model: Sequential, data: dict[str, tuple[np.ndarray, np.ndarray]], loss: Loss,
                         optimizer: Optimizer, epochs: int, batch_size: int, out: Path, log_every: int = 1,
                         quiet: bool = False, patience: int | None = None) -> None:
    """fit with a checkpoint after every epoch; with ``patience``, stop early and keep the best epoch's weights."""
    model.loss, model.optimizer = loss, optimizer
    model.save(out)                                   # a valid file exists before the first epoch ends
    options = model.meta
    n_classes = len(options["classes"]) if options.get("classes") else model.n_outputs
    fns = metric_fns(options.get("metrics", []), task_of(model), max(n_classes, 2))
    X_train, y_train = data["train"]
    validation = None
    if "validation" in data:
        validation = (data["validation"][0], labels_for(model, data["validation"][1]))
    callbacks: list[Callback] = [] if quiet else [ProgressBar(every=log_every)]
    callbacks.append(Checkpoint(out))
    stopper = None
    if patience is not None:
        stopper = EarlyStopping("val_loss" if validation else "loss", patience=patience, restore_best_weights=True)
        callbacks.append(stopper)
    try:
        model.fit(X_train, labels_for(model, y_train), loss, optimizer, epochs=epochs, batch_size=batch_size,
                  validation_data=validation, callbacks=callbacks, class_weight=options.get("class_weight"),
                  metrics=fns)
    except KeyboardInterrupt:
        done = len(io.load(out).history.epoch)
        print(f"\ninterrupted: {out} holds the model after epoch {done} "
              f"(continue with: chainrule resume {out} --epochs N)")
        raise SystemExit(130)
    if stopper is not None and stopper.best_epoch is not None and stopper.best_epoch != model.history.epoch[-1]:
        if stopper.stopped_epoch is not None:
            print(f"early stopping after epoch {stopper.stopped_epoch + 1}: {stopper.monitor} did not improve "
                  f"for {patience} epochs")
        print(f"kept the weights of epoch {stopper.best_epoch + 1}, the best {stopper.monitor} ({stopper.best:.4f})")
        model.save(out)                               # the best epoch's weights, restored at the end of fit
    print(f"saved {out}")


def check_out(out: Path, model: Sequential, force: bool) -> None:
    """Refuse to overwrite a file that is not the same model (another architecture, data or loss) unless --force."""
    if force or not out.exists():
        return
    try:
        old = io.load(out)
    except ValueError:
        raise CommandError(f"--out {out} exists and is not a chainrule model; refusing to overwrite it. "
                           "Choose another --out, or pass --force.") from None
    old_setup = (repr(old.layers), type(old.loss).__name__, old.meta.get("data"), old.meta.get("task"))
    new_setup = (repr(model.layers), type(model.loss).__name__, model.meta.get("data"), model.meta.get("task"))
    if old_setup != new_setup:
        raise CommandError(f"--out {out} holds a different model ({len(old.history.epoch)} epochs of "
                           f"{old.meta.get('data') or 'unrecorded data'}, {type(old.loss).__name__}, "
                           f"{old.count_params():,} parameters); refusing to overwrite it. Choose another --out, "
                           "or pass --force to replace it.")


def train_warnings(args: argparse.Namespace, task: str) -> None:
    """One warning per option that does not apply to this run (it is ignored)."""
    if args.momentum != 0.0 and registry.lookup("optimizer", args.optimizer, "--optimizer") is not SGD:
        warn("train", f"--momentum applies to --optimizer sgd only; ignored with {args.optimizer} "
                      "(Adam's beta1 plays its part).")
    if args.data == "mnist" and args.val_split != VAL_SPLIT:
        warn("train", "--val-split is ignored for mnist, which has its own 10,000-image validation split.")
    if args.n_samples and args.data not in datasets.GENERATORS:
        warn("train", f"--n-samples applies to the generated sets ({', '.join(TOY)}); ignored for {args.data}.")
    if args.label_column is not None and not args.data.endswith(".csv"):
        warn("train", "--label-column applies to .csv data only; ignored.")
    if args.class_weight and task == "regression":
        warn("train", "--class-weight applies to classification only; ignored for this regression.")
    if args.patience is not None and args.val_split == 0 and args.data != "mnist":
        warn("train", "--val-split 0 leaves no validation split: --patience watches the training loss.")


def cmd_train(args: argparse.Namespace) -> None:
    task = resolve_task(args.task, args.loss)
    train_warnings(args, task)
    dtype = np.float32 if args.float32 else np.float64
    raw = load_data(args.data, args.seed, args.val_split, args.n_samples, args.label_column, dtype)
    classes = class_names(raw, task)
    data = encoded_splits(raw, task, classes)
    X_train, y_train = data["train"]
    loss = make_loss(args.loss)
    sizes = layer_sizes(args, X_train.shape[1], y_train, task, default_hidden=16)
    model = mlp(sizes, activation=args.activation, l2=args.l2, dropout=args.dropout, dtype=dtype, seed=args.seed)
    model.loss = loss
    if args.standardize:
        model.preprocessing = Standardize().fit(X_train)
    spec = str(Path(args.data).resolve()) if is_file_spec(args.data) else args.data
    model.meta = {"data": spec, "seed": args.seed, "val_split": args.val_split, "batch_size": args.batch_size,
                  "n_samples": args.n_samples, "task": task}
    extras = {"classes": classes, "label_column": args.label_column, "metrics": metric_names(args.metrics) or None,
              "class_weight": args.class_weight if task == "classification" else None}
    model.meta.update({k: v for k, v in extras.items() if v is not None})
    out = Path(args.out)
    check_out(out, model, args.force)
    print(model.summary())
    if classes:
        print(f"classes: {', '.join(classes)}")
    optimizer = make_optimizer(args.optimizer, args.lr, args.momentum)
    fit_with_checkpoints(model, data, loss, optimizer, args.epochs, args.batch_size, out, args.log_every,
                         args.quiet, args.patience)
    report(model, data)
    from .hints import print_hints, training_hints
    X_seen = model.preprocessing.transform(X_train) if model.preprocessing is not None else X_train
    print_hints(training_hints(model.history, model, X_seen, lr=optimizer.lr))
    if args.plot:
        write_plot(model, "history", Path(args.plot), data)


def score_line(model: Sequential, name: str, X: np.ndarray, y: np.ndarray) -> str:
    """'validation  rows 80  loss 0.3120  accuracy 0.9125  f1 0.9000'."""
    meta = model.meta
    n_classes = len(meta["classes"]) if meta.get("classes") else model.n_outputs
    fns = metric_fns(meta.get("metrics", []), task_of(model), max(n_classes, 2))
    result = model.evaluate(X, labels_for(model, y), metrics=fns)
    return f"{name:<10}  rows {X.shape[0]}  " + "  ".join(f"{k} {v:.4f}" for k, v in result.items())


def report(model: Sequential, data: dict[str, tuple[np.ndarray, np.ndarray]]) -> None:
    for name in ("train", "validation"):
        if name in data:
            print(score_line(model, name, *data[name]))


def load_model(path: str) -> Sequential:
    try:
        return io.load(path)
    except FileNotFoundError as exc:
        raise CommandError(str(exc)) from None


def data_for(model: Sequential, args: argparse.Namespace) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """The splits of --data (default: the data set the model was trained on), labels encoded as at train."""
    meta = model.meta
    spec = args.data or meta.get("data")
    if not spec:
        raise CommandError("this model does not record its data set; pass --data.")
    raw = load_data(spec, meta.get("seed", 0), meta.get("val_split", VAL_SPLIT), meta.get("n_samples"),
                    meta.get("label_column"), model.dtype)
    return encoded_splits(raw, task_of(model), meta.get("classes"))


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
        from ._files import atomic_write
        atomic_write(args.out, lambda f: np.savetxt(f, rows, fmt=fmt, delimiter=","))
        print(f"wrote {len(outputs)} predictions to {args.out}")
    else:
        np.savetxt(sys.stdout, rows, fmt=fmt, delimiter=",")


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
        print("recorded: " + "  ".join(f"{k}={v}" for k, v in model.meta.items()))


def write_plot(model: Sequential, what: str, path: Path,
               data: dict[str, tuple[np.ndarray, np.ndarray]] | None = None) -> None:
    from . import plotting
    if what == "history":
        if not model.history.epoch:
            raise CommandError("the model has no training history to plot.")
        plotting.plot_history(model.history, path=path)
    elif what == "boundary":
        if data is None or data["train"][0].shape[1] != 2:
            raise CommandError("--what boundary needs 2-D data (flower, moons, circles, spirals, xor, blobs).")
        X = np.concatenate([X for X, _ in data.values()])
        y = np.concatenate([y for _, y in data.values()])
        plotting.plot_decision_boundary(model.predict_labels, X, y, path=path)
    elif what == "weights":
        if data is not None and model.loss is not None:
            # gradients of one batch, so the dW histograms show what training would do next
            X, y = data["train"][0][:256], data["train"][1][:256]
            model.gradients(X, labels_for(model, y), model.loss, training=False)
        plotting.plot_weights(model, path=path, with_gradients=data is not None and model.loss is not None)
    print(f"wrote {path}")


def cmd_plot(args: argparse.Namespace) -> None:
    model = load_model(args.model)
    path = Path(args.out or f"{Path(args.model).with_suffix('')}_{args.what}.png")
    wants_data = args.what == "boundary" or (args.what == "weights" and (model.meta.get("data") or args.data))
    data = data_for(model, args) if wants_data else None
    write_plot(model, args.what, path, data)


def cmd_resume(args: argparse.Namespace) -> None:
    model = load_model(args.model)
    if model.loss is None or model.optimizer is None:
        raise CommandError("this model was saved without its loss and optimizer; it cannot be resumed.")
    data = data_for(model, args)
    batch_size = args.batch_size or model.meta.get("batch_size", 32)
    out = Path(args.out or args.model)
    if args.out:
        check_out(out, model, args.force)
    print(f"resuming after epoch {len(model.history.epoch)}")
    fit_with_checkpoints(model, data, model.loss, model.optimizer, args.epochs, batch_size, out, args.log_every,
                         args.quiet)
    report(model, data)


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


def cmd_doctor(args: argparse.Namespace) -> None:
    """Check a learner's own functions; exit 0 when all are correct, 1 when something is wrong."""
    from . import doctor
    from .doctor.checkup import KNOWN
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


def cmd_playground(args: argparse.Namespace) -> None:
    """Serve the playground page until Ctrl-C (a busy port is an OSError: exit 1 with its message)."""
    from .playground import serve
    if not 0 <= args.port <= 65535:
        raise CommandError(f"--port must be in [0, 65535], got {args.port}.")
    try:
        serve(args.host, args.port, open_browser=not args.no_browser)
    except OSError as error:
        raise CommandError(f"cannot serve on {args.host}:{args.port} ({error.strerror or error}); "
                           "pass another --port, or --port 0 for a free one.") from None


# -- export (issue 15) ---------------------------------------------------------------------------
def cmd_export(args: argparse.Namespace) -> None:
    """Write a saved model as an ONNX graph (needs the onnx extra)."""
    from . import onnx as onnx_export
    model = load_model(args.model)
    path = onnx_export.export(model, args.onnx, dtype=np.float64 if args.float64 else np.float32)
    outputs = "Y" + (", probabilities" if onnx_export.probability_op(model.loss) else "")
    print(f"wrote {path}: input X (batch, {model.n_features}), outputs {outputs} (batch, {model.n_outputs}), "
          f"{'float64' if args.float64 else 'float32'}")


def add_export_command(add: Any) -> None:
    p = add("export", "export a saved model to ONNX (needs: pip install 'chainrule[onnx]')",
            "chainrule export moons.npz --onnx moons.onnx")
    p.add_argument("model")
    p.add_argument("--onnx", required=True, help="path of the .onnx file to write")
    p.add_argument("--float64", action="store_true", help="export in float64 (default: float32)")
    p.set_defaults(run=cmd_export)


# -- argument parsing -----------------------------------------------------------------------------
VAL_SPLIT = 0.2


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Keeps the example epilog as written and appends every option's default to its help."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        shown = action.option_strings and not any(action.default is v for v in (None, False, argparse.SUPPRESS))
        if shown and "%(default)" not in text:
            text += " (default: %(default)s)"
        return text


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


def progress_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--log-every", type=positive_int, default=1, help="print one line every N epochs (and the last)")
    p.add_argument("--quiet", action="store_true", help="no per-epoch lines")


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

    p = add("train", "train a network and save it", "chainrule train --data moons --layers 2,16,2 --epochs 50 --out moons.npz")
    p.add_argument("--data", required=True, help=DATA_HELP)
    model_flags(p)
    p.add_argument("--optimizer", default="adam", choices=sorted(registry.SHORT_NAMES["optimizer"]), help="optimizer")
    p.add_argument("--lr", type=positive_float, default=1e-2, help="learning rate")
    p.add_argument("--momentum", type=unit_interval, default=0.0, help="SGD momentum, in [0, 1)")
    p.add_argument("--dropout", type=unit_interval, default=0.0, help="dropout rate after hidden activations, in [0, 1)")
    p.add_argument("--epochs", type=positive_int, default=20, help="passes over the training rows")
    p.add_argument("--batch-size", type=positive_int, default=32, help="rows per gradient step")
    p.add_argument("--val-split", type=unit_interval, default=VAL_SPLIT,
                   help="fraction of the rows held out for validation; 0 trains on every row")
    p.add_argument("--standardize", action="store_true",
                   help="scale each feature to mean 0 and std 1 with the training rows' statistics, saved in the "
                        "model and applied by predict and evaluate")
    p.add_argument("--patience", type=non_negative_int,
                   help="stop after N epochs without a lower val_loss and keep the best epoch's weights")
    p.add_argument("--class-weight", choices=["balanced"],
                   help="balanced: weight each class by m / (n_classes * its count)")
    p.add_argument("--metrics", help=f"extra metrics to log, comma-separated: {', '.join(METRICS)}")
    p.add_argument("--float32", action="store_true", help="train in float32 (about 2x faster on big nets)")
    progress_flags(p)
    p.add_argument("--out", default="model.npz", help="where to save the model (.npz)")
    p.add_argument("--force", action="store_true", help="overwrite --out even when it holds a different model")
    p.add_argument("--plot", help="also write the training curves to this PNG")
    p.set_defaults(run=cmd_train)

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

    p = add("predict", "predict labels, probabilities or values for a .csv, .npy or .npz file of rows",
            "chainrule predict moons.npz points.csv --out labels.csv")
    p.add_argument("model")
    p.add_argument("input", help="a .csv (features only), .npy or .npz (array X) file, one example per row")
    p.add_argument("--proba", action="store_true", help="classifiers: output class probabilities instead of labels")
    p.add_argument("--out", help="write predictions to this CSV instead of printing")
    p.set_defaults(run=cmd_predict)

    p = add("info", "layers, shapes, parameter count and training history of a saved model", "chainrule info moons.npz")
    p.add_argument("model")
    p.set_defaults(run=cmd_info)

    p = add("plot", "plot a saved model's history, decision boundary or weights", "chainrule plot moons.npz --what boundary")
    p.add_argument("model")
    p.add_argument("--what", default="history", choices=["history", "boundary", "weights"], help="what to plot")
    p.add_argument("--data", help="data set for --what boundary (default: the one it was trained on)")
    p.add_argument("--out", help="PNG path (default: MODEL_WHAT.png)")
    p.set_defaults(run=cmd_plot)

    p = add("resume", "continue training a saved model exactly where it stopped", "chainrule resume moons.npz --epochs 10")
    p.add_argument("model")
    p.add_argument("--epochs", type=positive_int, required=True, help="more epochs to train")
    p.add_argument("--data", help="data set (default: the one it was trained on)")
    p.add_argument("--batch-size", type=positive_int, help="default: the one it was trained with")
    progress_flags(p)
    p.add_argument("--out", help="where to save (default: overwrite MODEL)")
    p.add_argument("--force", action="store_true", help="overwrite --out even when it holds a different model")
    p.set_defaults(run=cmd_resume)

    p = add("gradcheck", "compare backprop with central differences, layer by layer",
            "chainrule gradcheck --data flower --layers 2,4,1 --activation tanh --loss bce")
    p.add_argument("--data", default="flower", help=DATA_HELP)
    model_flags(p)
    p.add_argument("--examples", type=positive_int, default=8, help="examples in the check")
    p.add_argument("--max-entries", type=positive_int, default=200, help="entries checked per parameter array")
    p.set_defaults(run=cmd_gradcheck)

    p = add("doctor", "check a learner's own backprop code (.py or .ipynb) against chainrule's, line by line",
            "chainrule doctor my_assignment.ipynb --function backward_propagation")
    p.add_argument("path", help="a .py file or a Jupyter notebook defining the course's functions "
                                "(propagate, backward_propagation, L_model_backward, ...) or Nielsen's Network")
    p.add_argument("--function", help="check only this function (others still run, to feed it)")
    p.add_argument("--json", action="store_true", help="print the findings as JSON")
    p.add_argument("--timeout", type=positive_float, default=120.0,
                   help="seconds allowed for importing and checking the file")
    p.set_defaults(run=cmd_doctor)

    p = add("playground", "a local web page that trains a network live: boundary, losses, gradients, hints",
            "chainrule playground --port 8000")
    p.add_argument("--host", default="127.0.0.1", help="address to bind; 127.0.0.1 is this machine only")
    p.add_argument("--port", type=int, default=8000, help="port; 0 picks a free one")
    p.add_argument("--no-browser", action="store_true", help="do not open the page in a browser")
    p.set_defaults(run=cmd_playground)
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


if __name__ == "__main__":
    sys.exit(main())
