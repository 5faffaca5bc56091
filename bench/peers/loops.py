"""The two loops without a framework: Nielsen's per-example loop and the careful hand-written NumPy loop.

The algorithms live in bench/nielsen_loop.py and bench/numpy_loop.py; these sessions only feed
them the bench's data and initial weights.
"""

from __future__ import annotations

import numpy as np

import nielsen_loop
import numpy_loop
from configs import Config
from measurement import Ctx, Session, accuracy_from_outputs, training_arrays


class NielsenSession(Session):
    impl = "nielsen-loop"
    note = "per-example loop in float64 (x float32, as mnist.pkl.gz)"

    def __init__(self, cfg: Config, ctx: Ctx, dtype: str) -> None:
        d = ctx.data
        self.cfg = cfg
        self.n_timed = m = ctx.n_nielsen
        self.training = nielsen_loop.wrap_training(d.X_train[:m], d.y_train[:m])
        self.test = nielsen_loop.wrap_test(d.X_test, d.y_test)
        cost = {"quadratic": "quadratic", "nielsen_ce": "cross_entropy"}[cfg.cost]
        self.net = nielsen_loop.Network(cfg.sizes, weights=[W.T for W, _ in ctx.params],
                                        biases=[b.reshape(-1, 1) for _, b in ctx.params], cost=cost,
                                        seed=ctx.seed)

    def step(self, units: int) -> list[float]:
        times: list[float] = []
        self.net.SGD(self.training, units, self.cfg.batch, self.cfg.lr, lmbda=self.cfg.lmbda,
                     epoch_end=lambda j, s: times.append(s))
        return times

    def accuracy(self) -> float:
        return self.net.evaluate(self.test) / len(self.test)


class NumpyLoopSession(Session):
    impl = "numpy-loop"
    note = "hand-written NumPy loop: buffers, out=, no layers or checks (bench/numpy_loop.py)"

    def __init__(self, cfg: Config, ctx: Ctx, dtype: str) -> None:
        if cfg.cost != "quadratic" or cfg.hidden != "sigmoid" or cfg.optimizer != "sgd":
            raise ValueError("numpy-loop covers only sigmoid + quadratic cost + SGD (A, A128)")
        self.cfg, self.data = cfg, ctx.data
        self.n_timed = ctx.n_train
        dt = np.dtype(dtype)
        self.X, self.Y = training_arrays(cfg, ctx.data, ctx.n_train, dt)
        self.loop = numpy_loop.HandLoop(ctx.params, dt, cfg.lr, cfg.batch, ctx.seed)

    def step(self, units: int) -> list[float]:
        return self.timed(lambda: self.loop.epoch(self.X, self.Y), units)

    def accuracy(self) -> float:
        return accuracy_from_outputs(self.loop.predict(self.data.X_test), self.data.y_test)
