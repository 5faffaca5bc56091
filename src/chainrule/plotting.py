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
    from matplotlib.ticker import MaxNLocator
    record = history.history if hasattr(history, "history") else dict(history)
    metrics = [k for k in record if not k.startswith("val_")]
    fig, axes = plt.subplots(1, len(metrics), figsize=(5 * len(metrics), 3.6), squeeze=False)
    for ax, key in zip(axes[0], metrics):
        epochs = np.arange(1, len(record[key]) + 1)
        ax.plot(epochs, record[key], label=f"train {key}")
        if f"val_{key}" in record:
            ax.plot(epochs, record[f"val_{key}"], label=f"validation {key}")
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))     # epochs are whole: no 1.2, 1.4, ...
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


def grid_around(X: np.ndarray, resolution: int) -> tuple[np.ndarray, np.ndarray]:
    """``resolution`` evenly spaced x₁ and x₂ values spanning 2-D points X (m, 2), padded by 10% + 0.5."""
    pad_x, pad_y = 0.1 * np.ptp(X[:, 0]) + 0.5, 0.1 * np.ptp(X[:, 1]) + 0.5
    xs = np.linspace(X[:, 0].min() - pad_x, X[:, 0].max() + pad_x, resolution)
    ys = np.linspace(X[:, 1].min() - pad_y, X[:, 1].max() + pad_y, resolution)
    return xs, ys


def plot_decision_boundary(predict_labels: Any, X: np.ndarray, y: np.ndarray,
                           path: Union[str, os.PathLike, None] = None, title: str = "decision boundary",
                           resolution: int = 300) -> Any:
    """Filled class regions of ``predict_labels(points) -> labels`` over 2-D data X (m, 2), with the data on top."""
    plt = _pyplot()
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y).ravel()
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"plot_decision_boundary needs 2-D points X of shape (m, 2), got {X.shape}.")
    grid_x, grid_y = np.meshgrid(*grid_around(X, resolution))
    labels = np.asarray(predict_labels(np.c_[grid_x.ravel(), grid_y.ravel()])).reshape(grid_x.shape)
    fig, ax = plt.subplots(figsize=(5.5, 4.5))
    ax.contourf(grid_x, grid_y, labels, alpha=0.35, cmap="coolwarm")
    ax.scatter(X[:, 0], X[:, 1], c=y, s=14, cmap="coolwarm", edgecolors="k", linewidths=0.3)
    ax.set_title(title)
    ax.set_xlabel("x1")
    ax.set_ylabel("x2")
    return _finish(fig, path)


def plot_weights(model: Any, path: Union[str, os.PathLike, None] = None, bins: int = 40,
                 with_gradients: bool = True) -> Any:
    """Per-layer histograms of W (and of dW after a backward pass); for a square input such as
    784 = 28², also the first layer's weights as images, one per hidden unit (up to 32)."""
    plt = _pyplot()
    dense = [layer for layer in model.layers if hasattr(layer, "W")]
    side = int(round(np.sqrt(dense[0].n_in))) if dense else 0
    images = bool(dense) and side * side == dense[0].n_in and side >= 4
    rows = 1 + int(with_gradients) + int(images)
    fig, axes = plt.subplots(rows, len(dense), figsize=(3.2 * len(dense), 2.8 * rows), squeeze=False)
    for col, layer in enumerate(dense):
        ax = axes[0][col]
        ax.hist(layer.W.ravel(), bins=bins, color="tab:blue")
        ax.set_title(f"layer {layer.index} W {layer.W.shape}\nstd {layer.W.std():.3g}")
        if with_gradients:
            ax = axes[1][col]
            ax.hist(layer.dW.ravel(), bins=bins, color="tab:orange")
            ax.set_title(f"layer {layer.index} dW  |dW| {np.linalg.norm(layer.dW):.3g}")
    if images:
        for ax in axes[-1]:
            ax.axis("off")
        W = dense[0].W
        n_show = min(W.shape[1], 32)
        grid = int(np.ceil(np.sqrt(n_show)))
        tiles = np.ones(((side + 1) * grid, (side + 1) * grid)) * np.nan
        for unit in range(n_show):
            r, c = divmod(unit, grid)
            tiles[r * (side + 1):r * (side + 1) + side, c * (side + 1):c * (side + 1) + side] = W[:, unit].reshape(side, side)
        axes[-1][0].imshow(tiles, cmap="RdBu_r")
        axes[-1][0].set_title(f"first-layer weights of {n_show} units as {side}x{side} images")
    return _finish(fig, path)


def plot_confusion_matrix(y_true: Any, y_pred: Any, path: Union[str, os.PathLike, None] = None,
                          labels: Union[list, None] = None) -> Any:
    """Counts of (true class, predicted class) pairs, with the count written in each cell."""
    plt = _pyplot()
    y_true, y_pred = np.asarray(y_true).ravel().astype(int), np.asarray(y_pred).ravel().astype(int)
    k = int(max(y_true.max(), y_pred.max())) + 1
    counts = np.zeros((k, k), dtype=int)
    np.add.at(counts, (y_true, y_pred), 1)
    fig, ax = plt.subplots(figsize=(1.0 + 0.5 * k, 0.8 + 0.5 * k))
    ax.imshow(counts, cmap="Blues")
    for (i, j), n in np.ndenumerate(counts):
        ax.text(j, i, str(n), ha="center", va="center", color="white" if n > counts.max() / 2 else "black", fontsize=8)
    ticks = labels if labels is not None else list(range(k))
    ax.set_xticks(range(k), ticks)
    ax.set_yticks(range(k), ticks)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(f"accuracy {np.trace(counts) / counts.sum():.3f}")
    return _finish(fig, path)
