"""Plots (optional extra ``chainrule[plot]``): matplotlib is imported inside each function.

Each function returns the matplotlib ``Figure`` and, given ``path``, saves it as PNG. In a
session with no display the Agg backend is selected automatically.
"""

from __future__ import annotations

import os
from typing import Any, Union

import numpy as np


def _pyplot():
    try:
        import matplotlib
    except ImportError as exc:
        raise ImportError(
            "chainrule.plotting needs matplotlib: pip install 'chainrule[plot]' (or pip install matplotlib)."
        ) from exc
    if not os.environ.get("DISPLAY") and not os.environ.get("MPLBACKEND"):
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def _finish(fig: Any, path: Union[str, os.PathLike, None]) -> Any:
    fig.tight_layout()
    if path is not None:
        fig.savefig(os.fspath(path), dpi=110)
    return fig


def plot_history(history: Any, path: Union[str, os.PathLike, None] = None, title: str = "training") -> Any:
    """Loss (left) and accuracy (right, when recorded) per epoch, train against validation."""
    plt = _pyplot()
    record = history.history if hasattr(history, "history") else dict(history)
    metrics = [k for k in record if not k.startswith("val_")]
    fig, axes = plt.subplots(1, len(metrics), figsize=(5 * len(metrics), 3.6), squeeze=False)
    for ax, key in zip(axes[0], metrics):
        epochs = np.arange(1, len(record[key]) + 1)
        ax.plot(epochs, record[key], label=f"train {key}")
        if f"val_{key}" in record:
            ax.plot(epochs, record[f"val_{key}"], label=f"validation {key}")
        ax.set_xlabel("epoch")
        ax.set_ylabel(key)
        ax.set_title(f"{title}: {key}")
        ax.grid(alpha=0.3)
        ax.legend()
    return _finish(fig, path)


def plot_costs(costs: Any, learning_rate: float, every: int = 100,
               path: Union[str, os.PathLike, None] = None) -> Any:
    """The course's cost curve: cost recorded every ``every`` iterations."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot(np.arange(len(costs)) * every, np.squeeze(costs))
    ax.set_ylabel("cost")
    ax.set_xlabel("iteration")
    ax.set_title(f"Learning rate = {learning_rate}")
    ax.grid(alpha=0.3)
    return _finish(fig, path)


def plot_decision_boundary(predict_labels: Any, X: np.ndarray, y: np.ndarray,
                           path: Union[str, os.PathLike, None] = None, title: str = "decision boundary",
                           resolution: int = 300) -> Any:
    """Filled class regions of ``predict_labels(points) -> labels`` over 2-D data X (m, 2), with the data on top."""
    plt = _pyplot()
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y).ravel()
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"plot_decision_boundary needs 2-D points X of shape (m, 2), got {X.shape}.")
    pad_x, pad_y = 0.1 * np.ptp(X[:, 0]) + 0.5, 0.1 * np.ptp(X[:, 1]) + 0.5
    xs = np.linspace(X[:, 0].min() - pad_x, X[:, 0].max() + pad_x, resolution)
    ys = np.linspace(X[:, 1].min() - pad_y, X[:, 1].max() + pad_y, resolution)
    grid_x, grid_y = np.meshgrid(xs, ys)
    labels = np.asarray(predict_labels(np.c_[grid_x.ravel(), grid_y.ravel()])).reshape(grid_x.shape)
    fig, ax = plt.subplots(figsize=(5.5, 4.5))
    ax.contourf(grid_x, grid_y, labels, alpha=0.35, cmap="coolwarm")
    ax.scatter(X[:, 0], X[:, 1], c=y, s=14, cmap="coolwarm", edgecolors="k", linewidths=0.3)
    ax.set_title(title)
    ax.set_xlabel("x1")
    ax.set_ylabel("x2")
    return _finish(fig, path)
