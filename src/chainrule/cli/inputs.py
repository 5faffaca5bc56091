"""What the commands read: --data as named splits, labels encoded for the task, and saved models."""

from __future__ import annotations

import argparse
from typing import Any

import numpy as np

from .. import datasets, io, targets
from ..data import train_val_split
from ..model import Sequential
from .common import REGRESSION_LOSSES, TOY, VAL_SPLIT, CommandError


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


def labels_for(model: Sequential, y: np.ndarray) -> np.ndarray:
    """Encoded labels as the model's loss takes them (one-hot for MSE on classes)."""
    return targets.from_labels(model.loss, y, model.n_outputs) if task_of(model) == "classification" else y


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
