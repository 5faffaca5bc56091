"""Full-batch gradient descent for the classic APIs, run by the engine's ``Sequential.fit``."""

from __future__ import annotations

from typing import Callable

import numpy as np

from ..callbacks import Callback
from ..losses import Loss
from ..model import Sequential
from ..optimizers import SGD


class _CostPrinter(Callback):
    """Prints the course's "Cost after iteration i: cost" line every ``every`` iterations."""

    def __init__(self, every: int, line: Callable[[int, float], str]) -> None:
        self.every, self.line = every, line

    def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> None:
        if epoch % self.every == 0:
            print(self.line(epoch, logs["loss"]))


def gradient_descent(model: Sequential, X_rows: np.ndarray, Y_rows: np.ndarray, loss: Loss,
                     learning_rate: float, num_iterations: int, print_cost: bool = False,
                     every: int = 100, line: Callable[[int, float], str] | None = None) -> list[float]:
    """Run ``num_iterations`` full-batch steps ``W -= learning_rate · dW``; return the cost every ``every`` steps.

    The cost of iteration i is computed before its update, as in the course's loop.
    """
    line = line or (lambda i, cost: "Cost after iteration %i: %f" % (i, cost))
    callbacks = [_CostPrinter(every, line)] if print_cost else []
    # NOTE: the NumPy plan, never the compiled epoch: the course prints costs to the last digit
    # (seed 004's "Loss is: 0.24999568648674583"), and numba's libm exp/tanh can move that digit.
    history = model.fit(X_rows, Y_rows, loss, SGD(lr=learning_rate), epochs=num_iterations,
                        batch_size=X_rows.shape[0], shuffle=False, callbacks=callbacks, backend="numpy")
    return history["loss"][-num_iterations::every]
