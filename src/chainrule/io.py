"""Save and load models: one ``.npz`` holding the arrays plus a JSON document.

The file is plain and inspectable (``np.load(path)`` lists ``layers.1.W`` ...; the JSON sits under
``__chainrule__``), written atomically, and read with ``allow_pickle=False``: loading a file never
runs code. A file written by this version loads in later ones (``format_version`` is checked).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import _files
from .activations import Identity, LeakyReLU, ReLU, Sigmoid, Softmax, Tanh
from .callbacks import History
from .layers import Dense, Dropout, Layer
from .losses import BinaryCrossEntropy, Huber, Loss, MeanAbsoluteError, MeanSquaredError, SoftmaxCrossEntropy
from .model import Sequential
from .normalization import BatchNorm
from .optimizers import OPTIMIZERS, Optimizer

LAYER_TYPES: dict[str, type] = {cls.__name__: cls for cls in
                                (Dense, Dropout, BatchNorm, Sigmoid, Tanh, ReLU, LeakyReLU, Identity, Softmax)}
LOSS_TYPES: dict[str, type] = {cls.__name__: cls for cls in (MeanSquaredError, BinaryCrossEntropy, SoftmaxCrossEntropy,
                                                            MeanAbsoluteError, Huber)}
OPTIMIZER_TYPES: dict[str, type] = {cls.__name__: cls for cls in OPTIMIZERS.values()}


def register(cls: type) -> type:
    """Make a custom Layer, Loss or Optimizer subclass loadable by its class name (usable as a decorator)."""
    for base, table in ((Layer, LAYER_TYPES), (Loss, LOSS_TYPES), (Optimizer, OPTIMIZER_TYPES)):
        if isinstance(cls, type) and issubclass(cls, base):
            table[cls.__name__] = cls
            return cls
    raise ValueError(f"register: {cls!r} is not a chainrule Layer, Loss or Optimizer subclass.")


def save(model: Sequential, path: Any) -> None:
    """Write ``model`` to ``path`` (``.npz``) atomically; same as ``model.save(path)``."""
    if not isinstance(model, Sequential):
        raise ValueError(f"save: expected a chainrule Sequential, got {type(model).__name__}.")
    model.save(path)


def _build(spec: Any, table: dict[str, type], kind: str, where: str) -> Any:
    if not isinstance(spec, dict) or "type" not in spec:
        raise ValueError(f"{where}: a {kind} entry is malformed: {spec!r}.")
    cls = table.get(spec["type"])
    if cls is None:
        raise ValueError(f"{where}: unknown {kind} type {spec['type']!r}; known: {sorted(table)}. "
                         "A custom class must be registered with chainrule.io.register before loading.")
    try:
        return cls(**spec.get("config", {}))
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{where}: cannot rebuild {kind} {spec['type']} from {spec.get('config')}: {exc}") from exc


def load(path: Any) -> Sequential:
    """Rebuild a model saved by ``save``: weights, dtype, seed, loss, optimizer state, History, RNG state.

    Raises ``FileNotFoundError`` for a missing file and ``ValueError`` (naming the file) for a
    truncated, corrupted, pickled or foreign one.
    """
    arrays, doc = _files.read_npz(path)
    where = f"load({str(path)!r})"
    if doc.get("format") != Sequential.FORMAT:
        raise ValueError(f"{where}: not a chainrule model (format {doc.get('format')!r}).")
    version = doc.get("format_version")
    if not isinstance(version, int) or version > Sequential.FORMAT_VERSION:
        raise ValueError(f"{where}: file format version {version!r} is newer than this chainrule understands "
                         f"({Sequential.FORMAT_VERSION}); upgrade chainrule.")
    try:
        layers = [_build(spec, LAYER_TYPES, "layer", where) for spec in doc["layers"]]
        model = Sequential(layers, dtype=doc["dtype"], seed=doc.get("seed"))
        for i, layer in enumerate(model.layers, start=1):
            params = [param for param, _ in layer.params_and_grads()]
            for name, target in [*zip(layer.param_names, params), *layer.buffers()]:
                key = f"layers.{i}.{name}"
                if key not in arrays:
                    raise ValueError(f"{where}: array {key} is missing.")
                if arrays[key].shape != target.shape:
                    raise ValueError(f"{where}: {key} has shape {arrays[key].shape}, expected {target.shape}.")
                target[...] = arrays[key]
                if not np.isfinite(target).all():
                    raise ValueError(f"{where}: {key} holds NaN or inf.")
        if doc.get("rng_state") is not None:
            model.rng.bit_generator.state = doc["rng_state"]
        model.history = History(doc.get("history") or {})
        model.meta = dict(doc.get("meta") or {})
        if doc.get("loss") is not None:
            model.loss = _build(doc["loss"], LOSS_TYPES, "loss", where)
        if doc.get("optimizer") is not None:
            model.optimizer = _load_optimizer(doc["optimizer"], arrays, model, where)
    except (KeyError, TypeError, IndexError) as exc:
        raise ValueError(f"{where}: the model document is incomplete or malformed ({exc!r}).") from exc
    except ValueError as exc:
        if str(exc).startswith(where):
            raise
        raise ValueError(f"{where}: {exc}") from exc
    return model


def _load_optimizer(spec: dict[str, Any], arrays: dict[str, np.ndarray], model: Sequential,
                    where: str) -> Optimizer:
    optimizer = _build(spec, OPTIMIZER_TYPES, "optimizer", where)
    t = spec.get("t", 0)
    if not isinstance(t, int) or t < 0:
        raise ValueError(f"{where}: optimizer step count t must be an integer >= 0, got {t!r}.")
    state: dict[str, Any] = {"type": spec["type"], "t": t}
    params = [p for p, _ in model.params_and_grads()]
    for name in optimizer.state_names:
        keys = [f"optimizer.{name}.{j}" for j in range(len(params))]
        if t == 0 and not any(k in arrays for k in keys):
            state[name] = []            # saved before the first step: no state yet
            continue
        for key, param in zip(keys, params):
            if key not in arrays:
                raise ValueError(f"{where}: optimizer state array {key} is missing.")
            if arrays[key].shape != param.shape or arrays[key].dtype != param.dtype:
                raise ValueError(f"{where}: optimizer state {key} is {arrays[key].dtype}{arrays[key].shape}; "
                                 f"expected {param.dtype}{param.shape} to match the parameter.")
        state[name] = [arrays[k] for k in keys]
    optimizer.load_state_dict(state)
    return optimizer
