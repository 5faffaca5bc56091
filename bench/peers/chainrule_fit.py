"""chainrule itself, trained by ``Sequential.fit`` one epoch per turn and timed by a callback."""

from __future__ import annotations

import time

import numpy as np

import chainrule as cr
from configs import Config
from measurement import Ctx, Session, accuracy_from_outputs, training_arrays


class EpochTimer(cr.Callback):
    """Seconds of every epoch of one ``fit`` call, from ``on_train_begin`` (after input checks)."""

    def on_train_begin(self, model):
        super().on_train_begin(model)
        self.times: list[float] = []
        self._t = time.perf_counter()

    def on_epoch_end(self, epoch, logs):
        now = time.perf_counter()
        self.times.append(now - self._t)
        self._t = now


def chainrule_setup(cfg: Config, dtype, n_train: int, params):
    """Model, loss and optimizer; returns (model, loss, optimizer, note)."""
    lr, l2, note = cfg.lr, 0.0, ""
    if cfg.cost == "quadratic":
        loss = cr.MeanSquaredError(half=True)
    elif cfg.cost == "nielsen_ce":
        # Nielsen's CrossEntropyCost sums over the k outputs and averages over m (sum_over_outputs);
        # fused with the sigmoid from the logits, its output delta is network2's a - y exactly, and
        # Dense(l2=lmbda/n) with SGD(eta) is his decay (1 - eta*lmbda/n).
        loss = cr.BinaryCrossEntropy(from_logits=True, sum_over_outputs=True)
        l2 = cfg.lmbda / n_train
        note = "linear output + BCE(from_logits=True, sum_over_outputs=True), l2=lmbda/n"
    elif cfg.cost == "softmax_ce":
        loss = cr.SoftmaxCrossEntropy()
        l2 = cfg.lmbda / n_train
        if l2:
            note = "Dense(l2=lmbda/n)"
    elif cfg.cost == "bce":
        loss = cr.BinaryCrossEntropy(from_logits=False)
    else:
        raise ValueError(cfg.cost)
    act = {"sigmoid": cr.Sigmoid, "relu": cr.ReLU}[cfg.hidden]
    loss_has_sigmoid = getattr(loss, "from_logits", False)        # B: the loss applies the output sigmoid
    layers: list = []
    n_layers = len(cfg.sizes) - 1
    for i, (n_in, n_out) in enumerate(zip(cfg.sizes[:-1], cfg.sizes[1:])):
        layers.append(cr.Dense(n_in, n_out, l2=l2))
        if i < n_layers - 1:
            layers.append(act())
        elif cfg.output == "sigmoid" and not loss_has_sigmoid:
            layers.append(cr.Sigmoid())
    model = cr.Sequential(layers, dtype=dtype, seed=0)
    dense = [layer for layer in model.layers if isinstance(layer, cr.Dense)]
    for layer, (W, b) in zip(dense, params):
        layer.W[...] = W
        layer.b[...] = b
    opt = cr.SGD(lr=lr) if cfg.optimizer == "sgd" else cr.Adam(lr=lr)
    return model, loss, opt, note


class ChainruleSession(Session):
    """``fit`` on the NumPy plan (``backend="numpy"``): what chainrule does without the fast extra."""
    impl = "chainrule"
    backend = "numpy"

    def __init__(self, cfg: Config, ctx: Ctx, dtype: str) -> None:
        self.cfg, self.data = cfg, ctx.data
        self.n_timed = m = ctx.n_train
        dt = np.dtype(dtype)
        self.X, self.Y = training_arrays(cfg, ctx.data, m, dt)
        self.model, self.loss, self.opt, self.note = chainrule_setup(cfg, dt, m, ctx.params)
        self.timer = EpochTimer()

    def step(self, units: int) -> list[float]:
        # each fit call checks X once before training; EpochTimer times only the epochs
        self.model.fit(self.X, self.Y, loss=self.loss, optimizer=self.opt, epochs=units,
                       batch_size=self.cfg.batch, callbacks=[self.timer], shuffle=self.cfg.data != "cat",
                       backend=self.backend)
        return list(self.timer.times)

    def accuracy(self) -> float:
        return accuracy_from_outputs(self.model.predict(self.data.X_test), self.data.y_test)


class CompiledSession(ChainruleSession):
    """``fit(backend="compiled")``: the numba epoch (``pip install chainrule[fast]``)."""
    impl = "chainrule-compiled"
    backend = "compiled"

    def __init__(self, cfg: Config, ctx: Ctx, dtype: str) -> None:
        super().__init__(cfg, ctx, dtype)
        # the first compiled call compiles (or loads numba's disk cache): timed on a throwaway model
        model, loss, opt, _ = chainrule_setup(cfg, np.dtype(dtype), self.n_timed, ctx.params)
        start = time.perf_counter()
        model.fit(self.X[:2 * cfg.batch], self.Y[:2 * cfg.batch], loss, opt, batch_size=cfg.batch,
                  backend="compiled")
        self.first_call_s = time.perf_counter() - start
        self.note = (self.note + "; " if self.note else "") + \
            f"first call {self.first_call_s:.2f} s (compile or numba cache load, excluded)"
