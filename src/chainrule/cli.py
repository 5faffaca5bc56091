"""The ``chainrule`` command: train, evaluate, predict, info, plot, resume, gradcheck, doctor.

The only module that exits or writes files on the user's behalf. Exit codes: 0 ok, 2 usage
error (argparse), 1 runtime error reported as one line (``--debug`` shows the traceback).
"""

from __future__ import annotations

import argparse
import difflib
import math
import sys
import time
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from . import _files, datasets, io, registry, targets
from ._version import __version__
from .builders import mlp
from .callbacks import Callback
from .data import train_val_split
from .gradcheck import check_gradients
from .losses import Loss
from .model import Sequential
from .optimizers import SGD, Optimizer

TOY = sorted(datasets.GENERATORS)
DATA_HELP = (f"data set: one of {', '.join(TOY)}, digits (needs scikit-learn), mnist (from CHAINRULE_DATA or "
             "~/.cache/chainrule), or a path to a .csv (label in the last column) or .npz (arrays X and y)")


class CommandError(Exception):
    """A runtime error to report as one line with exit code 1."""


# -- data -----------------------------------------------------------------------------------------
def load_data(spec: str, seed: int, val_split: float, n_samples: int | None = None) -> dict[str, np.ndarray]:
    """Resolve ``--data`` into train and test (validation) arrays, examples as rows."""
    rng = np.random.default_rng([seed, 1])          # data and split: independent of the model's stream
    if spec in datasets.GENERATORS:
        kwargs = {"n_samples": n_samples} if n_samples else {}
        X, y = datasets.GENERATORS[spec](seed=seed, **kwargs)
    elif spec == "digits":
        X, y = datasets.load_digits()
    elif spec == "mnist":
        X_train, y_train, X_val, y_val, _, _ = datasets.load_mnist()
        return {"X_train": X_train, "y_train": y_train, "X_test": X_val, "y_test": y_val}
    elif spec.endswith((".csv", ".npz")):
        X, y = datasets.load_table(spec)
    else:
        raise CommandError(f"unknown --data {spec!r}. Use one of {', '.join(TOY)}, digits, mnist, or a .csv/.npz path.")
    X_train, y_train, X_test, y_test = train_val_split(X, y, val_split, rng=rng)
    return {"X_train": X_train, "y_train": y_train, "X_test": X_test, "y_test": y_test}


# -- model, loss, optimizer from flags --------------------------------------------------------------
def make_loss(name: str) -> Loss:
    """``--loss``: a short name from ``chainrule.registry`` ("bce" is from logits: mlp's output is linear)."""
    return registry.create("loss", name, "--loss")


def make_optimizer(name: str, lr: float, momentum: float) -> Optimizer:
    """``--optimizer`` with ``--lr``; ``--momentum`` applies to SGD only."""
    extra = {"momentum": momentum} if registry.lookup("optimizer", name, "--optimizer") is SGD else {}
    return registry.create("optimizer", name, "--optimizer", lr=lr, **extra)


def layer_sizes(args: argparse.Namespace, n_features: int, y: np.ndarray, default_hidden: int) -> list[int]:
    """--layers checked against the data, or [n_features, default_hidden, n_outputs]; bce has one output."""
    n_classes = targets.n_classes(y)
    n_outputs = 1 if args.loss == "bce" else max(n_classes, 1)
    if args.layers:
        return parse_layers(args.layers, n_features, n_outputs)
    return [n_features, default_hidden, n_outputs]


def parse_layers(text: str, n_features: int, n_outputs: int) -> list[int]:
    try:
        sizes = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise CommandError(f"--layers must be comma-separated integers such as 2,16,1, got {text!r}.") from None
    if len(sizes) < 2:
        raise CommandError(f"--layers needs at least an input and an output size, got {text!r}.")
    if sizes[0] != n_features:
        raise CommandError(f"--layers starts with {sizes[0]} but the data has {n_features} features.")
    if sizes[-1] != n_outputs:
        raise CommandError(f"--layers ends with {sizes[-1]} but this data and loss need {n_outputs} outputs.")
    return sizes


# -- progress -------------------------------------------------------------------------------------
class ProgressBar(Callback):
    """A live bar on a terminal (batches/s, loss, ETA); one line per epoch elsewhere."""

    def __init__(self, stream: Any = None, every: float = 0.1) -> None:
        self.stream = stream or sys.stdout
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.every = every

    def on_train_begin(self, model: Any) -> None:
        super().on_train_begin(model)
        self.epoch_start = self.last_draw = time.perf_counter()

    def on_batch_end(self, batch: int, logs: dict[str, float]) -> None:
        now = time.perf_counter()
        if not self.tty or now - self.last_draw < self.every:
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
        metrics = "  ".join(f"{k} {v:.4f}" for k, v in logs.items())
        total = self.model.planned_epochs or 0
        clear = "\r" + " " * 100 + "\r" if self.tty else ""
        self.stream.write(f"{clear}epoch {epoch + 1}/{total}  {metrics}  ({now - self.epoch_start:.2f} s)\n")
        self.stream.flush()
        self.epoch_start = self.last_draw = now


class Checkpoint(Callback):
    """Save the model after every epoch, atomically: Ctrl-C never loses more than one epoch."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> None:
        self.model.save(self.path)


# -- subcommands ----------------------------------------------------------------------------------
def fit_with_checkpoints(model: Sequential, data: dict[str, np.ndarray], loss: Loss, optimizer: Optimizer,
                         epochs: int, batch_size: int, out: Path) -> None:
    n_out = model.n_outputs
    model.loss, model.optimizer = loss, optimizer
    model.save(out)                                   # a valid file exists before the first epoch ends
    try:
        Y_train, Y_test = (targets.from_labels(loss, data[k], n_out) for k in ("y_train", "y_test"))
        model.fit(data["X_train"], Y_train, loss, optimizer, epochs=epochs,
                  batch_size=batch_size, validation_data=(data["X_test"], Y_test),
                  callbacks=[ProgressBar(), Checkpoint(out)])
    except KeyboardInterrupt:
        done = len(io.load(out).history.epoch)
        print(f"\ninterrupted: {out} holds the model after epoch {done} "
              f"(continue with: chainrule resume {out} --epochs N)")
        raise SystemExit(130)
    print(f"saved {out}")


def cmd_train(args: argparse.Namespace) -> None:
    data = load_data(args.data, args.seed, args.val_split, args.n_samples)
    loss = make_loss(args.loss)
    sizes = layer_sizes(args, data["X_train"].shape[1], data["y_train"], default_hidden=16)
    model = mlp(sizes, activation=args.activation, l2=args.l2, dropout=args.dropout,
                dtype=np.float32 if args.float32 else np.float64, seed=args.seed)
    spec = str(Path(args.data).resolve()) if args.data.endswith((".csv", ".npz")) else args.data
    model.meta = {"data": spec, "seed": args.seed, "val_split": args.val_split, "batch_size": args.batch_size,
                  "n_samples": args.n_samples}
    print(model.summary())
    optimizer = make_optimizer(args.optimizer, args.lr, args.momentum)
    out = Path(args.out)
    fit_with_checkpoints(model, data, loss, optimizer, args.epochs, args.batch_size, out)
    report(model, data)
    from .hints import print_hints, training_hints
    print_hints(training_hints(model.history, model, data["X_train"], lr=optimizer.lr))
    if args.plot:
        write_plot(model, "history", Path(args.plot), data)


def report(model: Sequential, data: dict[str, np.ndarray]) -> None:
    loss = model.loss
    test = model.evaluate(data["X_test"], targets.from_labels(loss, data["y_test"], model.n_outputs))
    print("test  " + "  ".join(f"{k} {v:.4f}" for k, v in test.items()))


def load_model(path: str) -> Sequential:
    try:
        return io.load(path)
    except FileNotFoundError as exc:
        raise CommandError(str(exc)) from None


def data_for(model: Sequential, args: argparse.Namespace) -> dict[str, np.ndarray]:
    spec = args.data or model.meta.get("data")
    if not spec:
        raise CommandError("this model does not record its data set; pass --data.")
    return load_data(spec, model.meta.get("seed", 0), model.meta.get("val_split", 0.2), model.meta.get("n_samples"))


def cmd_evaluate(args: argparse.Namespace) -> None:
    model = load_model(args.model)
    data = data_for(model, args)
    if model.loss is None:
        raise CommandError("this model was saved without a loss; it cannot be evaluated.")
    for split in ("train", "test"):
        result = model.evaluate(data[f"X_{split}"], targets.from_labels(model.loss, data[f"y_{split}"], model.n_outputs))
        print(f"{split:<5} " + "  ".join(f"{k} {v:.4f}" for k, v in result.items()))


def read_inputs(path: str) -> np.ndarray:
    if path.endswith(".npy"):
        try:
            return _files.read_npy(path)
        except (ValueError, OSError) as exc:
            raise CommandError(f"cannot read {path}: {exc}") from None
    if path.endswith(".csv"):
        try:
            return datasets.read_csv(Path(path))
        except (ValueError, OSError) as exc:
            raise CommandError(f"cannot read {path} as numeric CSV: {exc}") from None
    raise CommandError(f"INPUT must be a .csv or .npy file, got {path!r}.")


def cmd_predict(args: argparse.Namespace) -> None:
    model = load_model(args.model)
    X = read_inputs(args.input)
    outputs = model.predict_proba(X) if args.proba else model.predict_labels(X)
    outputs = np.asarray(outputs)
    if args.out:
        fmt = "%.8g" if args.proba else "%d"
        from ._files import atomic_write
        atomic_write(args.out, lambda f: np.savetxt(f, outputs.reshape(len(outputs), -1), fmt=fmt, delimiter=","))
        print(f"wrote {len(outputs)} predictions to {args.out}")
    else:
        np.savetxt(sys.stdout, outputs.reshape(len(outputs), -1), fmt="%.6g" if args.proba else "%d", delimiter=",")


def cmd_info(args: argparse.Namespace) -> None:
    model = load_model(args.model)
    print(model.summary())
    print(f"loss: {model.loss!r}   optimizer: {model.optimizer!r}   seed: {model.seed}")
    history = model.history.history
    epochs = len(model.history.epoch)
    print(f"epochs trained: {epochs}")
    if epochs:
        print("last epoch: " + "  ".join(f"{k} {v[-1]:.4f}" for k, v in history.items()))
    if model.meta:
        print("recorded: " + "  ".join(f"{k}={v}" for k, v in model.meta.items()))


def write_plot(model: Sequential, what: str, path: Path, data: dict[str, np.ndarray] | None = None) -> None:
    from . import plotting
    if what == "history":
        if not model.history.epoch:
            raise CommandError("the model has no training history to plot.")
        plotting.plot_history(model.history, path=path)
    elif what == "boundary":
        if data is None or data["X_train"].shape[1] != 2:
            raise CommandError("--what boundary needs 2-D data (flower, moons, circles, spirals, xor, blobs).")
        X = np.concatenate([data["X_train"], data["X_test"]])
        y = np.concatenate([data["y_train"], data["y_test"]])
        plotting.plot_decision_boundary(model.predict_labels, X, y, path=path)
    elif what == "weights":
        if data is not None and model.loss is not None:
            # gradients of one batch, so the dW histograms show what training would do next
            X, y = data["X_train"][:256], data["y_train"][:256]
            model.gradients(X, targets.from_labels(model.loss, y, model.n_outputs), model.loss, training=False)
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
    print(f"resuming after epoch {len(model.history.epoch)}")
    fit_with_checkpoints(model, data, model.loss, model.optimizer, args.epochs, batch_size, Path(args.out or args.model))
    report(model, data)


def cmd_gradcheck(args: argparse.Namespace) -> None:
    data = load_data(args.data, args.seed, 0.5, args.n_samples)
    X, y = data["X_train"][:args.examples], data["y_train"][:args.examples]
    loss = make_loss(args.loss)
    sizes = layer_sizes(args, X.shape[1], data["y_train"], default_hidden=8)
    model = mlp(sizes, activation=args.activation, l2=args.l2, seed=args.seed)
    report_ = check_gradients(model, X, targets.from_labels(loss, y, sizes[-1]), loss, max_entries=args.max_entries)
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


# -- argument parsing -----------------------------------------------------------------------------
def positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be an integer >= 1, got {text}")
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


def fraction(text: str) -> float:
    value = float(text)
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1 (exclusive), got {text}")
    return value


def model_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--layers", help="comma-separated sizes, input first, e.g. 2,16,1 (default: n_features,16,n_outputs)")
    p.add_argument("--activation", default="relu", choices=sorted(registry.SHORT_NAMES["activation"]))
    p.add_argument("--loss", default="ce", choices=["ce", "bce", "mse"],
                   help="ce: softmax cross-entropy; bce: binary cross-entropy (one output); mse: squared error")
    p.add_argument("--l2", type=non_negative_float, default=0.0, help="L2 strength on every Dense layer")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--n-samples", type=positive_int, help="examples to generate for the toy data sets")


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
                              formatter_class=argparse.RawDescriptionHelpFormatter, parents=[common])

    p = add("train", "train a network and save it", "chainrule train --data moons --layers 2,16,2 --epochs 50 --out moons.npz")
    p.add_argument("--data", required=True, help=DATA_HELP)
    model_flags(p)
    p.add_argument("--optimizer", default="adam", choices=sorted(registry.SHORT_NAMES["optimizer"]))
    p.add_argument("--lr", type=positive_float, default=1e-2)
    p.add_argument("--momentum", type=unit_interval, default=0.0, help="SGD momentum, in [0, 1)")
    p.add_argument("--dropout", type=unit_interval, default=0.0, help="dropout rate after hidden activations, in [0, 1)")
    p.add_argument("--epochs", type=positive_int, default=20)
    p.add_argument("--batch-size", type=positive_int, default=32)
    p.add_argument("--val-split", type=fraction, default=0.2, help="fraction held out for validation")
    p.add_argument("--float32", action="store_true", help="train in float32 (about 2x faster on big nets)")
    p.add_argument("--out", default="model.npz", help="where to save the model (.npz)")
    p.add_argument("--plot", help="also write the training curves to this PNG")
    p.set_defaults(run=cmd_train)

    p = add("evaluate", "loss and accuracy of a saved model", "chainrule evaluate moons.npz")
    p.add_argument("model")
    p.add_argument("--data", help="data set (default: the one it was trained on)")
    p.set_defaults(run=cmd_evaluate)

    p = add("predict", "predict labels (or probabilities) for a CSV or .npy file of rows",
            "chainrule predict moons.npz points.csv --out labels.csv")
    p.add_argument("model")
    p.add_argument("input", help="a .csv or .npy file, one example per row")
    p.add_argument("--proba", action="store_true", help="output probabilities instead of labels")
    p.add_argument("--out", help="write predictions to this CSV instead of printing")
    p.set_defaults(run=cmd_predict)

    p = add("info", "layers, shapes, parameter count and training history of a saved model", "chainrule info moons.npz")
    p.add_argument("model")
    p.set_defaults(run=cmd_info)

    p = add("plot", "plot a saved model's history, decision boundary or weights", "chainrule plot moons.npz --what boundary")
    p.add_argument("model")
    p.add_argument("--what", default="history", choices=["history", "boundary", "weights"])
    p.add_argument("--data", help="data set for --what boundary (default: the one it was trained on)")
    p.add_argument("--out", help="PNG path (default: MODEL_WHAT.png)")
    p.set_defaults(run=cmd_plot)

    p = add("resume", "continue training a saved model exactly where it stopped", "chainrule resume moons.npz --epochs 10")
    p.add_argument("model")
    p.add_argument("--epochs", type=positive_int, required=True)
    p.add_argument("--data", help="data set (default: the one it was trained on)")
    p.add_argument("--batch-size", type=positive_int, help="default: the one it was trained with")
    p.add_argument("--out", help="where to save (default: overwrite MODEL)")
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
                   help="seconds allowed for importing and checking the file (default: %(default)s)")
    p.set_defaults(run=cmd_doctor)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    commands = [c for c in ("train", "evaluate", "predict", "info", "plot", "resume", "gradcheck", "doctor")]
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
