"""What the commands print and draw about a model: one score line per split, and plots (matplotlib lazily)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..model import Sequential
from .common import CommandError
from .from_flags import metric_fns
from .inputs import labels_for, task_of


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


def write_plot(model: Sequential, what: str, path: Path,
               data: dict[str, tuple[np.ndarray, np.ndarray]] | None = None) -> None:
    from .. import plotting
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
