"""The one table from names to classes, used by save/load, ``mlp``, the CLI and the classic adapters.

A name is either a *short name* that users type (``mlp(activation="relu")``, ``--loss bce``,
``--optimizer adam``) or, for the three kinds a saved file holds (layer, loss, optimizer), the
class's own name, which is what the file records (``{"type": "Dense", "config": {...}}``).

    lookup("activation", "relu")       -> ReLU
    lookup("layer", "BatchNorm")       -> BatchNorm
    create("loss", "bce")              -> BinaryCrossEntropy(from_logits=True)
    create("optimizer", "adam", lr=0.01)

A short name may fix keyword arguments (``PRESETS``): ``"bce"`` is binary cross-entropy on logits,
which is what ``mlp``'s linear output layer gives. An unknown name raises ``ValueError`` listing
the known ones and the closest match. ``register`` makes a user's class loadable by its name.
"""

from __future__ import annotations

import difflib
from typing import Any

from .activations import Identity, LeakyReLU, ReLU, Sigmoid, Softmax, Tanh
from .layers import Dense, Dropout, Layer
from .losses import BinaryCrossEntropy, Huber, Loss, MeanAbsoluteError, MeanSquaredError, SoftmaxCrossEntropy
from .normalization import BatchNorm
from .optimizers import SGD, Adagrad, Adam, AdamW, Optimizer, RMSprop
from .schedules import Constant, CosineDecay, ExponentialDecay, InverseTimeDecay, StepDecay

#: kind -> short name -> class: the names users type.
SHORT_NAMES: dict[str, dict[str, type]] = {
    "activation": {"sigmoid": Sigmoid, "tanh": Tanh, "relu": ReLU, "leaky_relu": LeakyReLU,
                   "identity": Identity, "linear": Identity, "softmax": Softmax},
    "loss": {"mse": MeanSquaredError, "mae": MeanAbsoluteError, "huber": Huber, "bce": BinaryCrossEntropy,
             "ce": SoftmaxCrossEntropy},
    "optimizer": {"sgd": SGD, "rmsprop": RMSprop, "adagrad": Adagrad, "adam": Adam, "adamw": AdamW},
    "schedule": {"constant": Constant, "step": StepDecay, "exponential": ExponentialDecay,
                 "inverse_time": InverseTimeDecay, "cosine": CosineDecay},
}

#: (kind, short name) -> the keyword arguments the name fixes; the caller's own arguments win.
PRESETS: dict[tuple[str, str], dict[str, Any]] = {("loss", "bce"): {"from_logits": True}}

#: The kinds a saved file holds, each found by class name among the subclasses of its base.
SAVED_KINDS: dict[str, type] = {"layer": Layer, "loss": Loss, "optimizer": Optimizer}

#: class name -> class, for every built-in layer, loss and optimizer, plus those ``register`` adds.
CLASSES: dict[str, type] = {cls.__name__: cls for cls in (
    Dense, Dropout, BatchNorm, *SHORT_NAMES["activation"].values(), *SHORT_NAMES["loss"].values(),
    *SHORT_NAMES["optimizer"].values())}

KINDS = ("layer", *SHORT_NAMES)


def lookup(kind: str, name: Any, where: str = "") -> type:
    """The class ``name`` stands for, e.g. ``lookup("activation", "relu")`` is ``ReLU``.

    Raises ``ValueError`` naming the known names and the closest one for an unknown name.
    """
    short, by_class = _names(kind)
    if isinstance(name, str) and name in short:
        return short[name]
    if isinstance(name, str) and name in by_class:
        return by_class[name]
    prefix = f"{where}: " if where else ""
    known = ", ".join(sorted(short))
    if by_class:
        known = f"{known}; or a class name: {', '.join(sorted(by_class))}" if short else ", ".join(sorted(by_class))
    if not isinstance(name, str):
        raise ValueError(f"{prefix}{kind} must be given by name, got {name!r}. Known {kind} names: {known}.")
    guess = _closest(name, [*short, *by_class])
    hint = f"; did you mean {guess!r}?" if guess else "."
    raise ValueError(f"{prefix}unknown {kind} {name!r}{hint} Known {kind} names: {known}.")


def create(kind: str, name: Any, where: str = "", **kwargs: Any) -> Any:
    """An instance: ``lookup(kind, name)(**{**PRESETS for the name, **kwargs})``."""
    cls = lookup(kind, name, where)
    return cls(**{**PRESETS.get((kind, name), {}), **kwargs})


def register(cls: type) -> type:
    """Make a custom Layer, Loss or Optimizer subclass loadable by its class name (usable as a decorator).

    Registering a class again under the same name replaces it (a notebook cell run twice); a name
    taken by a class of another kind is refused, since files of that kind would stop loading.
    """
    kind = next((k for k, base in SAVED_KINDS.items() if isinstance(cls, type) and issubclass(cls, base)), None)
    if kind is None:
        raise ValueError(f"register: {cls!r} is not a chainrule Layer, Loss or Optimizer subclass.")
    taken = CLASSES.get(cls.__name__)
    if taken is not None and not issubclass(taken, SAVED_KINDS[kind]):
        raise ValueError(f"register: the name {cls.__name__!r} already belongs to {taken.__module__}."
                         f"{taken.__qualname__}, which is not a {kind}; rename your class.")
    CLASSES[cls.__name__] = cls
    return cls


def _names(kind: str) -> tuple[dict[str, type], dict[str, type]]:
    if kind not in KINDS:
        raise ValueError(f"registry: unknown kind {kind!r}; one of {', '.join(KINDS)}.")
    base = SAVED_KINDS.get(kind)
    by_class = {} if base is None else {n: cls for n, cls in CLASSES.items() if issubclass(cls, base)}
    return SHORT_NAMES.get(kind, {}), by_class


def _closest(name: str, candidates: list[str]) -> str | None:
    # Compare in lower case so "ReLU" still suggests "relu" (case-sensitive ratios are too low).
    lowered = {c.lower(): c for c in reversed(candidates)}          # short names win a tie: they come first
    if name.lower() in lowered:
        return lowered[name.lower()]
    match = difflib.get_close_matches(name.lower(), list(lowered), n=1)
    return lowered[match[0]] if match else None
