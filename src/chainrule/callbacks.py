"""Callbacks: ``History`` (a dict of per-epoch lists), ``EarlyStopping``, ``ProgressLogger``,
``LearningRateScheduler`` and ``ReduceLROnPlateau``.

``Sequential.fit`` calls ``on_train_begin(model)``, then ``on_epoch_end(epoch, logs)`` after each
epoch with ``logs`` such as ``{"loss": 0.31, "accuracy": 0.9, "val_loss": ...}``, and finally
``on_train_end(logs)``. A callback stops training by setting ``model.stop_training = True``.
``ProgressLogger`` is the one printer in the core.
"""

from __future__ import annotations

import difflib
import math
import sys
import time
from typing import Any, TextIO, Union

import numpy as np


class Callback:
    """Base class with no-op hooks."""

    model: Any = None

    def on_train_begin(self, model: Any) -> None:
        self.model = model

    def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> None:
        pass

    def on_batch_end(self, batch: int, logs: dict[str, float]) -> None:
        pass

    def on_train_end(self, logs: dict[str, float]) -> None:
        pass


class History(Callback):
    """Per-epoch metrics: ``history.history["loss"][epoch]``; also indexable as ``history["loss"]``."""

    def __init__(self, history: Union[dict[str, list[float]], None] = None) -> None:
        self.history: dict[str, list[float]] = {k: list(v) for k, v in (history or {}).items()}
        self.epoch: list[int] = list(range(len(next(iter(self.history.values()), []))))

    def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> None:
        self.epoch.append(epoch)
        for key, value in logs.items():
            self.history.setdefault(key, []).append(float(value))

    def __getitem__(self, key: str) -> list[float]:
        return self.history[key]

    def __contains__(self, key: object) -> bool:
        return key in self.history

    def keys(self):
        return self.history.keys()

    def __repr__(self) -> str:
        return f"History(epochs={len(self.epoch)}, keys={sorted(self.history)})"


class _Plateau(Callback):
    """Watches ``monitor`` for improvements larger than ``min_delta`` (EarlyStopping, ReduceLROnPlateau).

    ``mode`` is ``"min"`` for losses and ``"max"`` for accuracies (``"auto"`` picks by name).
    """

    def __init__(self, monitor: str, patience: int, min_delta: float, mode: str) -> None:
        where = type(self).__name__
        number = (int, float, np.integer, np.floating)
        if isinstance(patience, bool) or not isinstance(patience, (int, np.integer)) or patience < 0:
            raise ValueError(f"{where}: patience must be an integer >= 0, got {patience!r}.")
        if isinstance(min_delta, bool) or not isinstance(min_delta, number) or not 0 <= min_delta < math.inf:
            raise ValueError(f"{where}: min_delta must be in [0, inf), got {min_delta!r}.")
        if mode not in ("auto", "min", "max"):
            raise ValueError(f"{where}: mode must be 'auto', 'min' or 'max', got {mode!r}.")
        self.monitor = monitor
        self.patience = int(patience)
        self.min_delta = float(min_delta)
        self.mode = mode if mode != "auto" else ("min" if "loss" in monitor else "max")

    def on_train_begin(self, model: Any) -> None:
        super().on_train_begin(model)
        self.best = math.inf if self.mode == "min" else -math.inf
        self.wait = 0

    def _improved(self, value: float) -> bool:
        if self.mode == "min":
            return value < self.best - self.min_delta
        return value > self.best + self.min_delta

    def _value(self, logs: dict[str, float]) -> float:
        if self.monitor not in logs:
            close = difflib.get_close_matches(self.monitor, list(logs), n=1, cutoff=0.5)
            if self.monitor.startswith("val_") and not any(k.startswith("val_") for k in logs):
                fix = " Pass validation_data to fit to get the 'val_*' metrics."
            else:
                fix = f" Did you mean monitor={close[0]!r}?" if close else ""
            raise ValueError(f"{type(self).__name__}: monitor {self.monitor!r} is not among the logged metrics "
                             f"{sorted(logs)}.{fix}")
        return logs[self.monitor]


class EarlyStopping(_Plateau):
    """Stop when ``monitor`` has not improved by more than ``min_delta`` for ``patience`` epochs.

    ``mode`` is ``"min"`` for losses and ``"max"`` for accuracies (``"auto"`` picks by name). With
    ``restore_best_weights`` the parameters of the best epoch are copied back in place at the end.
    """

    def __init__(self, monitor: str = "val_loss", patience: int = 5, min_delta: float = 0.0,
                 mode: str = "auto", restore_best_weights: bool = True) -> None:
        super().__init__(monitor, patience, min_delta, mode)
        self.restore_best_weights = restore_best_weights

    def on_train_begin(self, model: Any) -> None:
        super().on_train_begin(model)
        self.best_epoch: Union[int, None] = None
        self.best_weights: Union[list[np.ndarray], None] = None
        self.stopped_epoch: Union[int, None] = None

    def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> None:
        value = self._value(logs)
        if self._improved(value):
            self.best, self.best_epoch, self.wait = value, epoch, 0
            if self.restore_best_weights:
                self.best_weights = [array.copy() for array in _state_arrays(self.model)]
            return
        self.wait += 1
        if self.wait >= self.patience:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs: dict[str, float]) -> None:
        if self.restore_best_weights and self.best_weights is not None:
            for array, best in zip(_state_arrays(self.model), self.best_weights):
                array[...] = best


class ProgressLogger(Callback):
    """Print one line per epoch: ``epoch 3/10  loss 0.2310  accuracy 0.9420  val_loss ...  (1.2 s)``."""

    def __init__(self, every: int = 1, stream: Union[TextIO, None] = None) -> None:
        if not isinstance(every, int) or every < 1:
            raise ValueError(f"ProgressLogger: every must be an integer >= 1, got {every!r}.")
        self.every = every
        self.stream = stream

    def on_train_begin(self, model: Any) -> None:
        super().on_train_begin(model)
        self.epochs = getattr(model, "planned_epochs", None)
        self.started = time.perf_counter()

    def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> None:
        if (epoch + 1) % self.every and epoch + 1 != self.epochs:
            return
        now = time.perf_counter()
        total = f"/{self.epochs}" if self.epochs else ""
        metrics = "  ".join(f"{k} {v:.4f}" for k, v in logs.items())
        stream = self.stream if self.stream is not None else sys.stdout
        print(f"epoch {epoch + 1}{total}  {metrics}  ({now - self.started:.1f} s)", file=stream, flush=True)
        self.started = now


def _state_arrays(model: Any) -> list[np.ndarray]:
    """The live parameters, then the layers' buffers (BatchNorm's running statistics)."""
    buffers = [b for layer in getattr(model, "layers", ()) for _, b in layer.buffers()]
    return [p for p, _ in model.params_and_grads()] + buffers


def _optimizer_of(model: Any, where: str) -> Any:
    """The optimizer ``fit`` attached to ``model`` (it sets ``model.optimizer`` before ``on_train_begin``)."""
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None or not hasattr(optimizer, "lr"):
        raise ValueError(f"{where}: the model has no optimizer with an lr; use this callback in Sequential.fit.")
    return optimizer


class LearningRateScheduler(Callback):
    """Set ``model.optimizer.lr = schedule(epoch)`` before every epoch (epochs counted from 0).

    ``schedule`` is any callable ``epoch -> lr``, e.g. ``chainrule.schedules.StepDecay(0.1)``.
    ``fit`` has no epoch-begin hook, so the lr of the first epoch is set in ``on_train_begin`` and
    that of epoch e + 1 at the end of epoch e. The epoch number is the model's (``len(history.epoch)``
    at the start), so a second ``fit`` call, or training resumed from a saved model, continues the
    schedule. After ``fit`` the optimizer holds the lr of the next epoch, which is what a saved model
    should resume with. ``epochs`` and ``lrs`` record each epoch trained and the lr it used.
    """

    def __init__(self, schedule: Any) -> None:
        if not callable(schedule):
            raise ValueError(f"LearningRateScheduler: schedule must be a callable epoch -> lr, got {schedule!r}.")
        self.schedule = schedule
        self.epochs: list[int] = []
        self.lrs: list[float] = []

    def _set(self, epoch: int) -> None:
        lr = self.schedule(epoch)
        if isinstance(lr, bool) or not isinstance(lr, (int, float, np.integer, np.floating)) \
                or not math.isfinite(lr) or lr < 0:
            raise ValueError(f"LearningRateScheduler: schedule({epoch}) returned {lr!r}; "
                             "a learning rate must be a finite number >= 0.")
        self.optimizer.lr = float(lr)         # a Python float: float32 updates stay float32

    def on_train_begin(self, model: Any) -> None:
        super().on_train_begin(model)
        self.optimizer = _optimizer_of(model, "LearningRateScheduler")
        self._set(len(model.history.epoch))

    def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> None:
        self.epochs.append(epoch)
        self.lrs.append(self.optimizer.lr)
        self._set(epoch + 1)


class ReduceLROnPlateau(_Plateau):
    """Multiply the optimizer's lr by ``factor`` when ``monitor`` stops improving, as in Keras.

    After ``patience`` epochs in a row without an improvement larger than ``min_delta``:
    lr ← max(lr · factor, min_lr), and the count restarts. ``mode`` is ``"min"`` for losses and
    ``"max"`` for accuracies (``"auto"`` picks by name). ``reductions`` records ``(epoch, new_lr)``.
    """

    def __init__(self, monitor: str = "val_loss", factor: float = 0.1, patience: int = 5, min_delta: float = 0.0,
                 min_lr: float = 0.0, mode: str = "auto") -> None:
        number = (int, float, np.integer, np.floating)
        if isinstance(factor, bool) or not isinstance(factor, number) or not 0 < factor < 1:
            raise ValueError(f"ReduceLROnPlateau: factor must be in (0, 1), got {factor!r}.")
        if isinstance(min_lr, bool) or not isinstance(min_lr, number) or not 0 <= min_lr < math.inf:
            raise ValueError(f"ReduceLROnPlateau: min_lr must be in [0, inf), got {min_lr!r}.")
        super().__init__(monitor, patience, min_delta, mode)
        self.factor = float(factor)
        self.min_lr = float(min_lr)
        self.reductions: list[tuple[int, float]] = []

    def on_train_begin(self, model: Any) -> None:
        super().on_train_begin(model)
        self.optimizer = _optimizer_of(model, "ReduceLROnPlateau")

    def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> None:
        value = self._value(logs)
        if self._improved(value):
            self.best, self.wait = value, 0
            return
        self.wait += 1
        if self.wait >= self.patience:
            self.wait = 0
            new_lr = max(self.optimizer.lr * self.factor, self.min_lr)
            if new_lr < self.optimizer.lr:
                self.optimizer.lr = new_lr
                self.reductions.append((epoch, new_lr))
