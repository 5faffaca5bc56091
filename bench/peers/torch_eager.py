"""PyTorch on the CPU: ``nn.Linear`` layers in a plain eager loop (torch is imported lazily).

One thread in run.py's one-thread process (``torch.set_num_threads(1)``); torch's default count in its
default-thread process (bench/threads.py).
"""

from __future__ import annotations

import numpy as np

from configs import Config
from measurement import Ctx, Session, accuracy_from_outputs, targets


class TorchSession(Session):
    impl = "torch"

    def __init__(self, cfg: Config, ctx: Ctx, dtype: str) -> None:
        import torch
        import torch.nn.functional as F
        if ctx.threads == "1":
            torch.set_num_threads(1)
        torch.manual_seed(ctx.seed)
        self.torch = torch
        self.cfg, self.data = cfg, ctx.data
        self.tdt = tdt = {"float32": torch.float32, "float64": torch.float64}[dtype]
        d = ctx.data
        self.n_timed = m = ctx.n_train
        self.linears = []
        for W, b in ctx.params:
            lin = torch.nn.Linear(W.shape[0], W.shape[1], dtype=tdt)
            with torch.no_grad():
                lin.weight.copy_(torch.from_numpy(np.ascontiguousarray(W.T)))
                lin.bias.copy_(torch.from_numpy(b))
            self.linears.append(lin)
        self.act = {"sigmoid": torch.sigmoid, "relu": torch.relu}[cfg.hidden]
        self.X = torch.from_numpy(np.ascontiguousarray(d.X_train[:m])).to(tdt)
        self.Y = torch.from_numpy(targets(cfg, d.y_train[:m], np.float64)).to(tdt)
        self.labels = torch.from_numpy(d.y_train[:m])
        n_threads = torch.get_num_threads()
        wd, notes = 0.0, [f"eager loop, index-tensor batches, {n_threads} thread{'s' if n_threads > 1 else ''}"]
        if cfg.cost == "quadratic":
            def loss_fn(z, yb, lb):
                return 0.5 * ((torch.sigmoid(z) - yb) ** 2).sum() / z.shape[0]
            notes.append("0.5*sum((sigmoid(z)-y)^2)/m")
        elif cfg.cost == "nielsen_ce":
            def loss_fn(z, yb, lb):      # network2's cost: sum over outputs, mean over the batch
                return F.binary_cross_entropy_with_logits(z, yb, reduction="sum") / z.shape[0]
            wd = cfg.lmbda / m
            notes.append("BCE-with-logits sum/m")
        elif cfg.cost == "softmax_ce":
            def loss_fn(z, yb, lb):
                return F.cross_entropy(z, lb)
            wd = cfg.lmbda / m
        else:   # bce, cat net
            def loss_fn(z, yb, lb):
                return F.binary_cross_entropy_with_logits(z, yb)
        if wd:
            notes.append("weight_decay=lmbda/n on W only")
        self.loss_fn = loss_fn
        groups = [{"params": [lin.weight for lin in self.linears], "weight_decay": wd},
                  {"params": [lin.bias for lin in self.linears], "weight_decay": 0.0}]
        if cfg.optimizer == "sgd":
            self.opt = torch.optim.SGD(groups, lr=cfg.lr, momentum=0.0)
        else:
            self.opt = torch.optim.Adam(groups, lr=cfg.lr)
        self.gen = torch.Generator().manual_seed(ctx.seed)
        self.note = "; ".join(notes)

    def forward(self, x):
        for lin in self.linears[:-1]:
            x = self.act(lin(x))
        return self.linears[-1](x)          # logits (pre-activation) of the output layer

    def _update(self, xb, yb, lb) -> None:
        loss = self.loss_fn(self.forward(xb), yb, lb)
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        self.opt.step()

    def step(self, units: int) -> list[float]:
        X, Y, labels, bs = self.X, self.Y, self.labels, self.cfg.batch
        m = X.shape[0]

        def one_epoch() -> None:
            if self.cfg.data == "cat":
                self._update(X, Y, labels)
                return
            perm = self.torch.randperm(m, generator=self.gen)
            for start in range(0, m, bs):
                idx = perm[start:start + bs]
                self._update(X[idx], Y[idx], labels[idx])
        return self.timed(one_epoch, units)

    def accuracy(self) -> float:
        with self.torch.no_grad():
            z = self.forward(self.torch.from_numpy(self.data.X_test).to(self.tdt))
            out = self.torch.sigmoid(z) if self.cfg.sizes[-1] == 1 else z
        return accuracy_from_outputs(out.numpy(), self.data.y_test)
