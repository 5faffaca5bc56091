"""One playground run: validated settings, the data, the engine's model, and what the page shows.

A ``Session`` holds a model built by ``chainrule.mlp`` and trains it with ``Sequential.fit``, one
epoch per call (the same ``fit`` a user runs; its History, optimizer state and shuffles carry over,
so n calls of one epoch are one ``fit`` of n epochs). After each call ``state()`` reports what the
page draws: the loss and accuracy curves, the decision boundary on a grid, each Dense layer's
gradient norm, the fraction of dead or saturated units per hidden layer (``hints.unit_health``)
and the training hints (``hints.training_hints``, the code ``fit(hints=True)`` and the CLI use).
``code()`` writes the Python program that reproduces the run with chainrule.

Every setting is checked against ``LIMITS`` with a message naming the setting, the value and the
allowed range; the server turns that ``ValueError`` into HTTP 400.
"""

from __future__ import annotations

import math
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

from .. import datasets, hints, io, registry, targets
from ..builders import mlp
from ..data import train_val_split
from ..layers import Dense
from ..plotting import grid_around

#: bounds on the work one session may ask for (the server refuses anything larger)
LIMITS = {"max_hidden_layers": 6, "max_units": 64, "min_points": 20, "max_points": 2000,
          "max_epochs_per_step": 50, "max_epochs": 5000, "grid": 64}

#: the generated sets (``datasets.GENERATORS``); the noise slider sets ``noise``, or the keyword named here
DATASETS = tuple(datasets.GENERATORS)
NOISE_KEYWORD = {"blobs": "spread"}
#: the choices offered, by registry short name ("momentum" is SGD with momentum 0.9)
ACTIVATIONS = ("relu", "tanh", "sigmoid", "leaky_relu")
LOSSES = ("ce", "bce")
OPTIMIZERS = ("sgd", "momentum", "adam", "rmsprop")


@dataclass
class Settings:
    """What the page's controls choose. ``Settings.checked(dict)`` validates a request's JSON."""

    dataset: str = "moons"
    noise: float = 0.2
    n_samples: int = 300
    test_fraction: float = 0.3
    hidden: list = field(default_factory=lambda: [8, 8])
    activation: str = "tanh"
    loss: str = "ce"
    optimizer: str = "adam"
    lr: float = 0.03
    batch_size: int = 16
    l2: float = 0.0
    dropout: float = 0.0
    seed: int = 0

    @classmethod
    def checked(cls, raw: Any) -> "Settings":
        if not isinstance(raw, dict):
            raise ValueError(f"settings must be a JSON object, got {type(raw).__name__}.")
        unknown = sorted(set(raw) - set(cls.__dataclass_fields__))
        if unknown:
            raise ValueError(f"unknown setting {unknown[0]!r}; known: {', '.join(cls.__dataclass_fields__)}.")
        s = cls(**raw)
        s.dataset = _choice("dataset", s.dataset, DATASETS)
        s.activation = _choice("activation", s.activation, ACTIVATIONS)
        s.loss = _choice("loss", s.loss, LOSSES)
        s.optimizer = _choice("optimizer", s.optimizer, OPTIMIZERS)
        s.noise = _number("noise", s.noise, 0.0, 1.0)
        s.n_samples = _integer("n_samples", s.n_samples, LIMITS["min_points"], LIMITS["max_points"])
        s.test_fraction = _number("test_fraction", s.test_fraction, 0.1, 0.9)
        if not isinstance(s.hidden, list) or len(s.hidden) > LIMITS["max_hidden_layers"]:
            raise ValueError(f"hidden must be a list of at most {LIMITS['max_hidden_layers']} layer sizes, "
                             f"got {s.hidden!r}.")
        s.hidden = [_integer(f"hidden[{i}]", n, 1, LIMITS["max_units"]) for i, n in enumerate(s.hidden)]
        s.lr = checked_lr(s.lr)
        s.batch_size = _integer("batch_size", s.batch_size, 1, LIMITS["max_points"])
        s.l2 = _number("l2", s.l2, 0.0, 1.0)
        s.dropout = _number("dropout", s.dropout, 0.0, 0.9)
        s.seed = _integer("seed", s.seed, 0, 2 ** 31 - 1)
        return s


def checked_lr(lr: Any) -> float:
    return _number("lr", lr, 1e-6, 100.0)


def _choice(name: str, value: Any, allowed: Any) -> str:
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(allowed)}; got {value!r}.")
    return value


def _number(name: str, value: Any, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        raise ValueError(f"{name} must be a number in [{low:g}, {high:g}], got {value!r}.")
    return float(value)


def _integer(name: str, value: Any, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValueError(f"{name} must be a whole number in [{low}, {high}], got {value!r}.")
    return value


class Session:
    """A model, its data and its run, built from ``Settings``; ``step`` trains, ``state`` reports."""

    def __init__(self, settings: Settings) -> None:
        self.settings = s = settings
        make, noise_keyword = _generator(s.dataset)
        X, y = make(n_samples=s.n_samples, seed=s.seed, **{noise_keyword: s.noise})
        self.X_train, self.y_train, self.X_test, self.y_test = train_val_split(
            X, y, s.test_fraction, np.random.default_rng(s.seed))
        self.n_classes = int(y.max()) + 1
        if s.loss == "bce" and self.n_classes != 2:
            raise ValueError(f"loss 'bce' needs two classes, but {s.dataset} has {self.n_classes}; use 'ce'.")
        n_out = 1 if s.loss == "bce" else self.n_classes
        self.model = mlp([2, *s.hidden, n_out], activation=s.activation, l2=s.l2, dropout=s.dropout, seed=s.seed)
        self.loss = registry.create("loss", s.loss)
        if s.optimizer == "momentum":
            self.optimizer = registry.create("optimizer", "sgd", lr=s.lr, momentum=0.9)
        else:
            self.optimizer = registry.create("optimizer", s.optimizer, lr=s.lr)
        self.lrs: list[float] = []           # the lr of every epoch trained, for code()
        self.diverged: str | None = None

    @property
    def epoch(self) -> int:
        return len(self.model.history.epoch)

    def set_lr(self, lr: Any) -> None:
        """Change the learning rate from the next epoch on (weights and optimizer state are kept)."""
        self.optimizer.lr = checked_lr(lr)

    def step(self, epochs: Any = 1) -> None:
        """Train ``epochs`` more epochs with ``fit``; a non-finite loss stops the run (``diverged``)."""
        epochs = _integer("epochs", epochs, 1, LIMITS["max_epochs_per_step"])
        if self.diverged:
            raise ValueError("this run diverged; press Reset (or change a setting) to start again.")
        epochs = min(epochs, LIMITS["max_epochs"] - self.epoch)
        if epochs <= 0:
            raise ValueError(f"this run reached the playground's limit of {LIMITS['max_epochs']} epochs; press Reset.")
        for _ in range(epochs):
            lr = self.optimizer.lr
            try:
                self.model.fit(self.X_train, self.y_train, self.loss, self.optimizer, epochs=1,
                               batch_size=self.settings.batch_size, validation_data=(self.X_test, self.y_test))
            except FloatingPointError as error:
                self.diverged = str(error)
                return
            self.lrs.append(lr)

    # -- what the page shows ---------------------------------------------------------------------
    def state(self, with_points: bool = False) -> dict[str, Any]:
        h = self.model.history.history
        result: dict[str, Any] = {
            "epoch": self.epoch, "settings": asdict(self.settings), "lr": self.optimizer.lr,
            "history": {key: [_finite(v) for v in h.get(key, [])]
                        for key in ("loss", "val_loss", "accuracy", "val_accuracy")},
            "diverged": self.diverged, "hints": self.hints(),
        }
        if not self.diverged:
            result["boundary"] = self.boundary()
            result["layers"] = self.layer_report()
        if with_points:
            result["points"] = {"train": _points(self.X_train, self.y_train), "test": _points(self.X_test, self.y_test),
                                "n_classes": self.n_classes}
        return result

    def hints(self) -> list[dict[str, Any]]:
        """The training hints on the run so far; a diverged run adds its non-finite loss to the costs."""
        costs = list(self.model.history.history.get("loss", []))
        if self.diverged:
            found = hints.cost_hints(costs + [math.nan], self.optimizer.lr, unit="epochs")
        else:
            found = hints.training_hints(self.model.history, self.model, self.X_train, lr=self.optimizer.lr)
        return [{"code": h.code, "message": h.message, "layer": h.layer} for h in found]

    def boundary(self) -> dict[str, Any]:
        """The predicted class and its probability on a square grid around the data (rows from the bottom)."""
        n = LIMITS["grid"]
        xs, ys = grid_around(np.vstack([self.X_train, self.X_test]), n)
        gx, gy = np.meshgrid(xs, ys)
        with np.errstate(all="ignore"):
            P = targets.probabilities(self.loss, self.model.predict(np.c_[gx.ravel(), gy.ravel()]))
        if P.shape[1] == 1:
            P = np.hstack([1.0 - P, P])
        labels = P.argmax(axis=1)
        confidence = np.nan_to_num(P.max(axis=1), nan=0.0)
        return {"x": [float(xs[0]), float(xs[-1])], "y": [float(ys[0]), float(ys[-1])], "n": n,
                "labels": labels.tolist(), "confidence": np.round(confidence, 3).tolist()}

    def layer_report(self) -> list[dict[str, Any]]:
        """Per Dense layer: ‖dW‖ of the last batch and ‖W‖; per hidden activation: the stuck units' fraction."""
        layers = self.model.layers
        trained = self.epoch > 0                        # before the first step there is no gradient yet
        report = [{"layer": layer.describe(),
                   "grad_norm": _finite(float(np.linalg.norm(layer.dW))) if trained else None,
                   "weight_norm": _finite(float(np.linalg.norm(layer.W)))}
                  for layer in layers if isinstance(layer, Dense)]
        for health in hints.unit_health(self.model, self.X_train):
            report.append({"layer": layers[health.position].describe(), "kind": health.kind,
                           "fraction": round(health.fraction, 4), "units": health.units})
        return report

    def model_file(self) -> bytes:
        """The trained model as the bytes of a chainrule ``.npz`` file (``chainrule.load`` reads it)."""
        with tempfile.TemporaryDirectory() as directory:
            path = Path(directory) / "playground_model.npz"
            io.save(self.model, path)
            return path.read_bytes()

    def code(self) -> str:
        """A Python program that reproduces this run with chainrule (the same data, weights and steps)."""
        s = self.settings
        make, noise_keyword = _generator(s.dataset)
        n_out = 1 if s.loss == "bce" else self.n_classes
        momentum = ", momentum=0.9" if s.optimizer == "momentum" else ""
        optimizer = f"cr.{type(self.optimizer).__name__}(lr={s.lr!r}{momentum})"
        lines = [
            "import numpy as np",
            "import chainrule as cr",
            "",
            f"X, y = cr.datasets.{make.__name__}(n_samples={s.n_samples}, {noise_keyword}={s.noise!r}, seed={s.seed})",
            f"X_train, y_train, X_test, y_test = cr.train_val_split(X, y, {s.test_fraction!r}, np.random.default_rng({s.seed}))",
            f"model = cr.mlp({[2, *s.hidden, n_out]}, activation={s.activation!r}, l2={s.l2!r}, dropout={s.dropout!r}, "
            f"seed={s.seed})",
            f"optimizer = {optimizer}",
        ]
        callbacks = ""
        if len(set(self.lrs)) > 1:
            lines.append(f"LRS = {self.lrs!r}   # the learning rate of each epoch, as changed on the page")
            lines.append("schedule = cr.LearningRateScheduler(lambda epoch: LRS[min(epoch, len(LRS) - 1)])")
            callbacks = ", callbacks=[schedule]"
        lines += [
            f"history = model.fit(X_train, y_train, cr.{self.loss!r}, optimizer, epochs={len(self.lrs)}, "
            f"batch_size={s.batch_size},",
            f"                    validation_data=(X_test, y_test){callbacks})",
            "print(model.evaluate(X_test, y_test))",
        ]
        if self.diverged:
            lines.append(f"# the playground's run then stopped: {self.diverged}")
        return "\n".join(lines) + "\n"


def _generator(name: str) -> tuple[Callable[..., Any], str]:
    """The data set's generator and the keyword the noise slider sets."""
    return datasets.GENERATORS[name], NOISE_KEYWORD.get(name, "noise")


def _finite(value: float) -> float | None:
    """JSON has no nan or inf: those become null."""
    return float(value) if math.isfinite(value) else None


def _points(X: np.ndarray, y: np.ndarray) -> list[list[float]]:
    return [[round(float(a), 4), round(float(b), 4), int(label)] for (a, b), label in zip(X, y)]

