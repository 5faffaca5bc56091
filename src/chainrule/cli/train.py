"""``chainrule train`` and ``chainrule resume``: fit with a live progress bar and a checkpoint every epoch."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any, Callable

import numpy as np

from .. import compiled, datasets, io, registry
from ..builders import mlp
from ..callbacks import Callback, EarlyStopping, LearningRateScheduler
from ..losses import Loss
from ..model import Sequential
from ..optimizers import SGD, Optimizer
from ..preprocessing import Standardize
from .common import (DATA_HELP, TOY, VAL_SPLIT, CommandError, backend_flag, model_flags, non_negative_int,
                     positive_float, positive_int, progress_flags, unit_interval, warn)
from .from_flags import (LR_SCHEDULES, METRICS, layer_sizes, make_loss, make_optimizer, metric_fns, metric_names,
                         recorded_schedule, schedule_record)
from .inputs import (class_names, data_for, encoded_splits, is_file_spec, labels_for, load_data, load_model,
                     resolve_task, task_of)
from .report import report, write_plot


class ProgressBar(Callback):
    """A live bar on a terminal (batches/s, loss, ETA); one line per ``every`` epochs (and the last) elsewhere.

    With a ``schedule`` (epoch -> lr), each line also shows the lr that epoch ran at.
    """

    def __init__(self, stream: Any = None, every: int = 1, schedule: Callable[[int], float] | None = None) -> None:
        self.stream = stream or sys.stdout
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.every = every
        self.schedule = schedule
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
        if self.schedule is not None:
            metrics += f"  lr {self.schedule(epoch):.4g}"
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


def fit_with_checkpoints(model: Sequential, data: dict[str, tuple[np.ndarray, np.ndarray]], loss: Loss,
                         optimizer: Optimizer, epochs: int, batch_size: int, out: Path, log_every: int = 1,
                         quiet: bool = False, patience: int | None = None, backend: str = "auto") -> None:
    """fit with a checkpoint after every epoch and the lr schedule the model records (``meta["lr_schedule"]``,
    continued from the model's epoch count); with ``patience``, stop early and keep the best epoch's weights."""
    model.loss, model.optimizer = loss, optimizer
    options = model.meta
    schedule = recorded_schedule(options)
    check_schedule_covers(schedule, len(model.history.epoch), epochs)
    if backend == "compiled":       # numba missing or the model unsupported: refused before a file is written
        compiled.choose(model, loss, optimizer, backend, weighted=options.get("class_weight") is not None)
    model.save(out)                                   # a valid file exists before the first epoch ends
    n_classes = len(options["classes"]) if options.get("classes") else model.n_outputs
    fns = metric_fns(options.get("metrics", []), task_of(model), max(n_classes, 2))
    X_train, y_train = data["train"]
    validation = None
    if "validation" in data:
        validation = (data["validation"][0], labels_for(model, data["validation"][1]))
    callbacks: list[Callback] = [] if quiet else [ProgressBar(every=log_every, schedule=schedule)]
    if schedule is not None:      # before Checkpoint, so the file holds the next epoch's lr
        callbacks.append(LearningRateScheduler(schedule))
    callbacks.append(Checkpoint(out))
    stopper = None
    if patience is not None:
        stopper = EarlyStopping("val_loss" if validation else "loss", patience=patience, restore_best_weights=True)
        callbacks.append(stopper)
    try:
        model.fit(X_train, labels_for(model, y_train), loss, optimizer, epochs=epochs, batch_size=batch_size,
                  validation_data=validation, callbacks=callbacks, class_weight=options.get("class_weight"),
                  metrics=fns, backend=backend)
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


def check_schedule_covers(schedule: Callable[[int], float] | None, done: int, epochs: int) -> None:
    """Refuse epochs that a finished schedule would run at lr 0 (cosine reaches 0 after its last planned epoch)."""
    if schedule is None:
        return
    idle = next((e for e in range(done, done + epochs) if schedule(e) == 0), None)
    if idle is None:
        return
    left = (f"resume with --epochs {idle - done} at most to finish it" if idle > done else
            "more epochs would not change the weights")
    raise CommandError(f"the model's lr schedule {schedule!r} gives lr 0 from epoch {idle + 1} on and the model has "
                       f"trained {done} epochs: {left}. To train longer, train a new model with more --epochs.")


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
              "class_weight": args.class_weight if task == "classification" else None,
              "lr_schedule": schedule_record(args.lr_schedule, args.lr, args.epochs)}
    model.meta.update({k: v for k, v in extras.items() if v is not None})
    out = Path(args.out)
    check_out(out, model, args.force)
    print(model.summary())
    if classes:
        print(f"classes: {', '.join(classes)}")
    optimizer = make_optimizer(args.optimizer, args.lr, args.momentum)
    schedule = recorded_schedule(model.meta)
    if schedule is not None:
        print(f"lr schedule: {schedule!r}")
    fit_with_checkpoints(model, data, loss, optimizer, args.epochs, args.batch_size, out, args.log_every,
                         args.quiet, args.patience, args.backend)
    report(model, data)
    from ..hints import print_hints, training_hints
    X_seen = model.preprocessing.transform(X_train) if model.preprocessing is not None else X_train
    # the lr asked for, not the one a schedule ended at (cosine: 0)
    print_hints(training_hints(model.history, model, X_seen, lr=args.lr))
    if args.plot:
        write_plot(model, "history", Path(args.plot), data)


def add_train_command(add: Any) -> None:
    p = add("train", "train a network and save it", "chainrule train --data moons --layers 2,16,2 --epochs 50 --out moons.npz")
    p.add_argument("--data", required=True, help=DATA_HELP)
    model_flags(p)
    p.add_argument("--optimizer", default="adam", choices=sorted(registry.SHORT_NAMES["optimizer"]), help="optimizer")
    p.add_argument("--lr", type=positive_float, default=1e-2, help="learning rate (with a schedule: its start)")
    p.add_argument("--lr-schedule", default="constant", choices=list(LR_SCHEDULES),
                   help="constant: --lr throughout; cosine: from --lr down to 0 over --epochs, half a cosine "
                        "(chainrule.schedules.CosineDecay), recorded in the model and continued by resume")
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
    backend_flag(p)
    progress_flags(p)
    p.add_argument("--out", default="model.npz", help="where to save the model (.npz)")
    p.add_argument("--force", action="store_true", help="overwrite --out even when it holds a different model")
    p.add_argument("--plot", help="also write the training curves to this PNG")
    p.set_defaults(run=cmd_train)


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
                         args.quiet, backend=args.backend)
    report(model, data)


def add_resume_command(add: Any) -> None:
    p = add("resume", "continue training a saved model exactly where it stopped", "chainrule resume moons.npz --epochs 10")
    p.add_argument("model")
    p.add_argument("--epochs", type=positive_int, required=True, help="more epochs to train")
    p.add_argument("--data", help="data set (default: the one it was trained on)")
    p.add_argument("--batch-size", type=positive_int, help="default: the one it was trained with")
    backend_flag(p)
    progress_flags(p)
    p.add_argument("--out", help="where to save (default: overwrite MODEL)")
    p.add_argument("--force", action="store_true", help="overwrite --out even when it holds a different model")
    p.set_defaults(run=cmd_resume)
