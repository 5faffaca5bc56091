"""The training plan: how ``fit`` runs an epoch, and the one place that owns the speed.

Every mini-batch goes through the canonical step, the four lines a user can write::

    Y_hat = model.forward(X_b, training=True)
    value = loss.forward(Y_hat, Y_b) + model.penalty()
    model.backward(loss.backward())
    optimizer.step(model.params_and_grads())

``canonical_step`` is exactly that, and ``Sequential.train_step`` calls it. When every layer, the
loss and the optimizer are *exactly* built-in types (a subclass is not), ``Plan`` runs the same
math faster: each layer writes into a workspace kept between batches (no allocation per batch),
the first layer skips ∂L/∂X, and the (param, grad) pairs are collected once, since the built-in
layers write their gradients into the arrays ``build`` made. Anything else runs the canonical step
as written, with ``params_and_grads()`` asked after every backward. No layer, loss or optimizer
carries a flag that changes what its documented methods mean.

With numba installed (the ``fast`` extra), a plan whose model ``chainrule.compiled`` supports runs
each epoch there instead, in one compiled call (``fit(..., backend=...)`` chooses; see that module).
"""

from __future__ import annotations

import contextlib
import math
from typing import Any, Iterable, Union

import numpy as np

from . import _checks, compiled, targets
from .activations import Identity, LeakyReLU, ReLU, Sigmoid, Softmax, Tanh
from .data import batches
from .layers import Dense, Dropout
from .losses import BinaryCrossEntropy, Huber, Loss, MeanAbsoluteError, MeanSquaredError, SoftmaxCrossEntropy
from .normalization import BatchNorm
from .optimizers import SGD, Adagrad, Adam, AdamW, Optimizer, RMSprop

FAST_LAYERS = frozenset({Dense, Dropout, BatchNorm, Sigmoid, Tanh, ReLU, LeakyReLU, Identity, Softmax})
FAST_LOSSES = frozenset({MeanSquaredError, BinaryCrossEntropy, SoftmaxCrossEntropy, MeanAbsoluteError, Huber})
FAST_OPTIMIZERS = frozenset({SGD, Adam, AdamW, RMSprop, Adagrad})


def is_fast(layers: Iterable[Any], loss: Any, optimizer: Any) -> bool:
    """Exactly built-in types everywhere (``type(x) in``, so a subclass runs the canonical step)."""
    return (all(type(layer) in FAST_LAYERS for layer in layers) and type(loss) in FAST_LOSSES
            and type(optimizer) in FAST_OPTIMIZERS)


def loss_value(model: Any, loss: Loss, Y_hat: np.ndarray, Y_b: np.ndarray, weights: Union[np.ndarray, None],
               penalized: Union[bool, None] = None) -> float:
    """L = loss(Ŷ, Y) (or 1/m·Σ wᵢℓᵢ with sample weights) + the layers' penalties.

    ``penalized``: whether any layer has a penalty, when the caller knows it already (asked otherwise).
    """
    value = loss.forward(Y_hat, Y_b) if weights is None else loss.weighted(Y_hat, Y_b, weights)
    if penalized is None:
        penalized = any(layer.has_penalty for layer in model.layers)
    if penalized:
        value += model.penalty()
    return value


def output_gradient(loss: Loss, weights: Union[np.ndarray, None]) -> np.ndarray:
    """∂L/∂Ŷ: the loss's backward, each row times its weight with sample weights."""
    return loss.backward() if weights is None else loss.backward_weighted(weights)


def canonical_step(model: Any, X_b: np.ndarray, Y_b: np.ndarray, loss: Loss, optimizer: Optimizer,
                   weights: Union[np.ndarray, None] = None) -> tuple[float, np.ndarray]:
    """One gradient step as the documented contract reads; returns (loss value, Ŷ)."""
    Y_hat = model.forward(X_b, training=True)
    value = loss_value(model, loss, Y_hat, Y_b, weights)
    if not math.isfinite(value):        # no step on a NaN or inf loss: the weights stay the last finite ones
        return value, Y_hat
    model.backward(output_gradient(loss, weights))
    optimizer.step(model.params_and_grads())
    return value, Y_hat


class Plan:
    """Built once per ``fit``: the step to run (fast or canonical) and the workspaces it keeps."""

    def __init__(self, model: Any, loss: Loss, optimizer: Optimizer, backend: str = "numpy",
                 weighted: bool = False) -> None:
        self.model, self.loss, self.optimizer = model, loss, optimizer
        #: the compiled epoch, or None (backend "auto" picks it when numba and the model allow it)
        self.compiled = compiled.choose(model, loss, optimizer, backend, weighted)
        self.fast = is_fast(model.layers, loss, optimizer)
        self.workspaces = [{} for _ in model.layers] if self.fast else None
        self.pairs: Union[tuple, None] = None
        self.penalized = any(layer.has_penalty for layer in model.layers)
        # NOTE: the lr fold, measured (bench/README.md): for plain SGD, scaling the m x k output
        # gradient by lr makes every layer's gradient lr·∂L/∂W (Dense's penalty terms read the factor
        # from the workspace), and the update is one in-place subtraction per parameter instead of a
        # W-sized product and a subtraction. The gradients are divided back after each epoch, so
        # after fit dW is ∂L/∂W as after any step.
        plain = type(optimizer) is SGD and optimizer.momentum == 0.0 and optimizer.clip_norm is None \
            and optimizer.clip_value is None
        self.fold = self.fast and plain
        self.folded_lr: Union[float, None] = None     # the lr the layers' gradients carry now
        self.lr_array = np.array(0.0)                  # folded_lr as a 0-d array of the outputs' dtype

    def step(self, X_b: np.ndarray, Y_b: np.ndarray, weights: Union[np.ndarray, None]) -> tuple[float, np.ndarray]:
        """One gradient step on a mini-batch; returns (loss value, Ŷ). Ŷ may live in a workspace."""
        if not self.fast:
            return canonical_step(self.model, X_b, Y_b, self.loss, self.optimizer, weights)
        layers, workspaces, loss = self.model.layers, self.workspaces, self.loss
        A = X_b
        for layer, workspace in zip(layers, workspaces):
            A = layer.forward(A, True, workspace=workspace)
        value = loss_value(self.model, loss, A, Y_b, weights, self.penalized)
        if not math.isfinite(value):
            return value, A
        dA = output_gradient(loss, weights)
        if self.fold:
            lr = self.optimizer.lr
            if lr != self.folded_lr:            # a schedule or callback changed it
                for workspace in workspaces:
                    workspace["scale"] = lr
                self.folded_lr = lr
                self.lr_array = np.array(lr, dtype=dA.dtype)      # multiplies as lr does, ~0.7 µs faster
            np.multiply(dA, self.lr_array, out=dA)
        for i in range(len(layers) - 1, -1, -1):
            dA = layers[i].backward(dA, input_grad=i > 0, workspace=workspaces[i])
        if self.pairs is None:          # built-in layers keep their gradient arrays: collect once
            self.pairs = tuple(self.model.params_and_grads())
        if self.fold:
            self.optimizer.t += 1
            for param, grad in self.pairs:
                np.subtract(param, grad, out=param)       # W ← W - lr·∂L/∂W, lr already inside
        else:
            self.optimizer.step(self.pairs)
        return value, A

    def unfold(self) -> None:
        """After an epoch with the lr fold: the layers hold ∂L/∂W again, not lr·∂L/∂W."""
        if self.fold and self.pairs is not None and self.folded_lr is not None:
            for _, grad in self.pairs:
                grad /= self.folded_lr

    @contextlib.contextmanager
    def _unfolding(self):
        try:
            yield
        finally:
            self.unfold()

    def epoch(self, X: np.ndarray, Y: np.ndarray, weights: Union[np.ndarray, None],
              labels: Union[np.ndarray, None], batch_size: int, order: Union[np.ndarray, None], epoch: int,
              batch_hooks: Iterable[Any] = (), outputs: Union[list, None] = None) -> dict[str, float]:
        """One pass over the rows in ``order``; appends each batch's (Y_b, Ŷ) to ``outputs`` when given."""
        if self.compiled is not None:          # chosen only without weights
            return self.compiled.epoch(X, Y, labels, batch_size, order, epoch, batch_hooks, outputs)
        # NOTE: the outputs are kept (as large as Y) and labelled once per epoch: one argmax call per
        # batch cost about 4 µs of the 53 µs of a batch of 10 in [784, 30, 10].
        kept = None if labels is None else np.empty(Y.shape, dtype=Y.dtype)
        arrays = [X, Y] if weights is None else [X, Y, weights]
        logs = self.run(batches(arrays, batch_size, order), epoch, batch_hooks, outputs, kept)
        if labels is not None:
            truth = labels if order is None else labels[order]
            logs["accuracy"] = float(np.mean(targets.predicted_labels(self.loss, kept) == truth))
        return logs

    def run(self, stream: Iterable[list], epoch: int, batch_hooks: Iterable[Any] = (),
            outputs: Union[list, None] = None, kept: Union[np.ndarray, None] = None,
            streamed: bool = False) -> dict[str, float]:
        """Train on each ``[X_b, Y_b]`` or ``[X_b, Y_b, w_b]`` of ``stream``; return the epoch's logs.

        Each batch's outputs Ŷ go into ``kept`` (rows in stream order) when given. ``streamed``
        batches (out-of-core data, no arrays to compare at the end) count correct labels batch by
        batch instead, and the logs then hold ``accuracy`` too when every batch holds classes.
        """
        total_loss, seen = 0.0, 0
        correct, n_labels = (0, 0) if streamed else (None, 0)
        lr = getattr(self.optimizer, "lr", None)
        # NOTE: one errstate per epoch, not per batch; a non-finite loss is caught below instead.
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"), self._unfolding():
            for batch, (X_b, Y_b, *w_b) in enumerate(stream):
                value, Y_hat = self.step(X_b, Y_b, w_b[0] if w_b else None)
                if not math.isfinite(value):
                    raise _checks.diverged(value, epoch, batch, lr, [p for p, _ in self.model.params_and_grads()])
                if outputs is not None:
                    outputs.append((Y_b.copy(), Y_hat.copy()))      # workspaces are reused next batch
                m = X_b.shape[0]
                if kept is not None:
                    kept[seen:seen + m] = Y_hat
                elif correct is not None:
                    truth = targets.labels(self.loss, Y_b)
                    correct = None if truth is None else \
                        correct + int(np.count_nonzero(targets.predicted_labels(self.loss, Y_hat) == truth))
                    n_labels += 0 if truth is None else truth.size
                total_loss += value * m
                seen += m
                for hook in batch_hooks:
                    hook.on_batch_end(batch, {"loss": value})
        if seen == 0:
            raise ValueError(f"epoch {epoch + 1} got no batches: the data stream is empty (or was used up by an "
                             "earlier epoch; pass a function returning a fresh iterator per epoch).")
        # NOTE: with one batch (full-batch GD) report that batch's loss exactly, not value·m/m.
        logs = {"loss": value if seen == X_b.shape[0] else total_loss / seen}
        if correct is not None:
            logs["accuracy"] = correct / n_labels
        return logs
