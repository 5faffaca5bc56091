"""Learning-rate schedules: ``schedule(epoch) -> lr``, with ``epoch`` counted from 0.

A schedule is any callable from an epoch number to a learning rate; the classes here add a
``config()`` (their constructor arguments) and argument checks. The ``LearningRateScheduler``
callback sets ``optimizer.lr = schedule(epoch)`` before each epoch::

    model.fit(X, Y, loss, SGD(lr=0.1), epochs=30,
              callbacks=[LearningRateScheduler(StepDecay(0.1, drop=0.5, every=10))])

In the formulas lr₀ is the initial rate (the ``lr`` argument) and e the epoch.
``update_lr`` and ``schedule_lr_decay`` are the course's (C2W2) functions, with its signatures.
"""

from __future__ import annotations

import math
from typing import Any

from . import _checks


class Schedule:
    """Base class: ``__call__(epoch) -> lr`` checks the epoch and calls ``rate``."""

    def __call__(self, epoch: int) -> float:
        return self.rate(_checks.non_negative_int(epoch, "epoch", type(self).__name__))

    def rate(self, epoch: int) -> float:
        raise NotImplementedError

    def config(self) -> dict[str, Any]:
        raise NotImplementedError

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.config().items())
        return f"{type(self).__name__}({args})"


class Constant(Schedule):
    """lr(e) = lr₀"""

    def __init__(self, lr: float) -> None:
        self.lr = _checks.positive_number(lr, "lr", "Constant")

    def rate(self, epoch: int) -> float:
        return self.lr

    def config(self) -> dict[str, Any]:
        return {"lr": self.lr}


class StepDecay(Schedule):
    """Multiply by ``drop`` every ``every`` epochs: lr(e) = lr₀ · drop^⌊e / every⌋"""

    def __init__(self, lr: float, drop: float = 0.5, every: int = 10) -> None:
        self.lr = _checks.positive_number(lr, "lr", "StepDecay")
        self.drop = _checks.in_range(drop, "drop", "StepDecay", 0.0, 1.0, low_closed=False, high_closed=True)
        self.every = _checks.positive_int(every, "every", "StepDecay")

    def rate(self, epoch: int) -> float:
        return self.lr * self.drop ** (epoch // self.every)

    def config(self) -> dict[str, Any]:
        return {"lr": self.lr, "drop": self.drop, "every": self.every}


class ExponentialDecay(Schedule):
    """lr(e) = lr₀ · decay_rate^e"""

    def __init__(self, lr: float, decay_rate: float) -> None:
        self.lr = _checks.positive_number(lr, "lr", "ExponentialDecay")
        self.decay_rate = _checks.in_range(decay_rate, "decay_rate", "ExponentialDecay", 0.0, 1.0,
                                           low_closed=False, high_closed=True)

    def rate(self, epoch: int) -> float:
        return self.lr * self.decay_rate ** epoch

    def config(self) -> dict[str, Any]:
        return {"lr": self.lr, "decay_rate": self.decay_rate}


class InverseTimeDecay(Schedule):
    """lr(e) = lr₀ / (1 + decay_rate · e / every),   with ⌊e / every⌋ when ``staircase``

    With ``every=1`` this is the course's ``update_lr``; with ``staircase=True`` and
    ``every=time_interval`` it is its fixed-interval ``schedule_lr_decay``.
    """

    def __init__(self, lr: float, decay_rate: float, every: int = 1, staircase: bool = False) -> None:
        self.lr = _checks.positive_number(lr, "lr", "InverseTimeDecay")
        self.decay_rate = _checks.in_range(decay_rate, "decay_rate", "InverseTimeDecay", 0.0, math.inf)
        self.every = _checks.positive_int(every, "every", "InverseTimeDecay")
        self.staircase = bool(staircase)

    def rate(self, epoch: int) -> float:
        periods = epoch // self.every if self.staircase else epoch / self.every
        return self.lr / (1 + self.decay_rate * periods)

    def config(self) -> dict[str, Any]:
        return {"lr": self.lr, "decay_rate": self.decay_rate, "every": self.every, "staircase": self.staircase}


class CosineDecay(Schedule):
    """Linear warm-up, then half a cosine from lr₀ down to ``min_lr``; w = warmup_epochs, T = total_epochs.

    e < w:        lr(e) = lr₀ · (e + 1) / w
    w ≤ e < T:    p = (e - w) / (T - w);   lr(e) = min_lr + (lr₀ - min_lr) · (1 + cos(π·p)) / 2
    e ≥ T:        lr(e) = min_lr

    Epochs w - 1 and w both run at lr₀. The cosine reaches ``min_lr`` at e = T, just after the last
    planned epoch, so ``min_lr=0`` never spends an epoch at lr 0.
    """

    def __init__(self, lr: float, total_epochs: int, warmup_epochs: int = 0, min_lr: float = 0.0) -> None:
        self.lr = _checks.positive_number(lr, "lr", "CosineDecay")
        self.total_epochs = _checks.positive_int(total_epochs, "total_epochs", "CosineDecay")
        self.warmup_epochs = _checks.non_negative_int(warmup_epochs, "warmup_epochs", "CosineDecay")
        if self.warmup_epochs >= self.total_epochs:
            raise ValueError(f"CosineDecay: warmup_epochs must be in [0, total_epochs) = [0, {self.total_epochs}), "
                             f"got {warmup_epochs!r}.")
        self.min_lr = _checks.in_range(min_lr, "min_lr", "CosineDecay", 0.0, self.lr, high_closed=True)

    def rate(self, epoch: int) -> float:
        w, T = self.warmup_epochs, self.total_epochs
        if epoch < w:
            return self.lr * (epoch + 1) / w
        if epoch >= T:
            return self.min_lr
        p = (epoch - w) / (T - w)
        return self.min_lr + (self.lr - self.min_lr) * (1 + math.cos(math.pi * p)) / 2

    def config(self) -> dict[str, Any]:
        return {"lr": self.lr, "total_epochs": self.total_epochs, "warmup_epochs": self.warmup_epochs,
                "min_lr": self.min_lr}


def update_lr(learning_rate0: float, epoch_num: int, decay_rate: float) -> float:
    """The course's inverse-time decay: learning_rate0 / (1 + decay_rate · epoch_num).

    ``update_lr(0.5, 2, 1)`` is 0.5 / 3 = 0.16666666666666666.
    """
    return InverseTimeDecay(learning_rate0, decay_rate)(epoch_num)


def schedule_lr_decay(learning_rate0: float, epoch_num: int, decay_rate: float, time_interval: int = 1000) -> float:
    """The course's fixed-interval decay: learning_rate0 / (1 + decay_rate · ⌊epoch_num / time_interval⌋).

    ``schedule_lr_decay(0.5, 100, 0.3, 100)`` is 0.5 / 1.3 = 0.3846153846153846, as the notebook prints.
    """
    return InverseTimeDecay(learning_rate0, decay_rate, every=time_interval, staircase=True)(epoch_num)
