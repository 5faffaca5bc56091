"""The model's parts that flags name: --loss, --optimizer, --lr-schedule, --layers and --metrics."""

from __future__ import annotations

import argparse
import difflib
import functools
from typing import Any, Callable

import numpy as np

from .. import metrics as metrics_module
from .. import registry, targets
from ..losses import Loss
from ..optimizers import SGD, Optimizer
from ..schedules import Schedule
from .common import CommandError


def make_loss(name: str) -> Loss:
    """``--loss``: a short name from ``chainrule.registry`` ("bce" is from logits: mlp's output is linear)."""
    return registry.create("loss", name, "--loss")


def make_optimizer(name: str, lr: float, momentum: float) -> Optimizer:
    """``--optimizer`` with ``--lr``; ``--momentum`` applies to SGD only."""
    extra = {"momentum": momentum} if registry.lookup("optimizer", name, "--optimizer") is SGD else {}
    return registry.create("optimizer", name, "--optimizer", lr=lr, **extra)


#: --lr-schedule name -> the chainrule.schedules arguments it takes from --lr and --epochs ("constant": none,
#: the optimizer keeps --lr). Only schedules whose other arguments have defaults fit for any run are offered.
LR_SCHEDULES: dict[str, Callable[[float, int], dict[str, Any]] | None] = {
    "constant": None,
    "cosine": lambda lr, epochs: {"lr": lr, "total_epochs": epochs},      # from lr down to 0 after the last epoch
}


def schedule_record(name: str, lr: float, epochs: int) -> dict[str, Any] | None:
    """``--lr-schedule`` as the model records it, ``{"type": "cosine", "config": {...}}``; ``None`` for constant."""
    arguments = LR_SCHEDULES[name]
    if arguments is None:
        return None
    schedule = registry.create("schedule", name, "--lr-schedule", **arguments(lr, epochs))
    return {"type": name, "config": schedule.config()}


def recorded_schedule(meta: dict[str, Any]) -> Schedule | None:
    """The schedule a model was trained with (``meta["lr_schedule"]``), rebuilt; ``None`` for a constant lr."""
    record = meta.get("lr_schedule")
    if record is None:
        return None
    if not (isinstance(record, dict) and record.get("type") in LR_SCHEDULES and isinstance(record.get("config"), dict)):
        raise CommandError(f"the model's recorded lr_schedule is malformed: {record!r}; expected "
                           "{'type': 'cosine', 'config': {...}}.")
    try:
        return registry.create("schedule", record["type"], "recorded lr_schedule", **record["config"])
    except TypeError as exc:
        raise CommandError(f"the model's recorded lr_schedule {record!r} cannot be rebuilt: {exc}.") from None


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
