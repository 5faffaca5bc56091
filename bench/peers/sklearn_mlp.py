"""scikit-learn's ``MLPClassifier``, one ``partial_fit`` per epoch (sklearn is imported lazily)."""

from __future__ import annotations

import warnings

import numpy as np

from configs import Config
from measurement import Ctx, Session


class SklearnSession(Session):
    impl = "sklearn"

    def __init__(self, cfg: Config, ctx: Ctx, dtype: str) -> None:
        from sklearn.neural_network import MLPClassifier
        self.data = ctx.data
        self.n_timed = m = ctx.n_train
        lr = cfg.lr
        notes = ["softmax+CE output", "own init"]
        if cfg.cost == "quadratic":
            lr = 0.5        # sklearn has no quadratic cost; eta 3.0 is tuned for it, not for CE
            notes = ["NOT identical: softmax+CE (no quadratic cost), lr 0.5", "own init"]
        elif cfg.cost == "nielsen_ce":
            notes = ["NOT identical: softmax+CE, not 10 sigmoid CEs", "own init"]
        # sklearn's L2 gradient is alpha*W/batch: alpha = batch*lmbda/n gives the decay eta*lmbda/n.
        alpha = cfg.batch * cfg.lmbda / m
        if alpha:
            notes.append("alpha=batch*lmbda/n")
        if cfg.optimizer == "adam":
            notes.append("Adam eps after bias correction")
        self.clf = MLPClassifier(hidden_layer_sizes=tuple(cfg.sizes[1:-1]),
                                 activation={"sigmoid": "logistic", "relu": "relu"}[cfg.hidden],
                                 solver=cfg.optimizer, alpha=alpha, batch_size=cfg.batch,
                                 learning_rate="constant", learning_rate_init=lr, momentum=0.0,
                                 nesterovs_momentum=False, shuffle=True, random_state=ctx.seed)
        self.X = np.ascontiguousarray(ctx.data.X_train[:m], dtype=dtype)
        self.y = ctx.data.y_train[:m]
        self.classes = np.arange(cfg.sizes[-1])
        self.dtype = dtype
        self.notes = notes

    def step(self, units: int) -> list[float]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return self.timed(lambda: self.clf.partial_fit(self.X, self.y, classes=self.classes), units)

    @property
    def note(self) -> str:          # type: ignore[override]
        notes = list(self.notes)
        coefs = getattr(self.clf, "coefs_", None)
        if coefs is not None and coefs[0].dtype.name != self.dtype:
            notes.append(f"computes in {coefs[0].dtype.name}")
        return "; ".join(notes + ["partial_fit per epoch (incl. its input checks)"])

    def accuracy(self) -> float:
        return float(np.mean(self.clf.predict(self.data.X_test.astype(self.dtype)) == self.data.y_test))
