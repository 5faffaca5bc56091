"""Save and load models: one ``.npz`` holding the arrays plus a JSON document.

The file is plain and inspectable (``np.load(path)`` lists ``layers.1.W`` ...; the JSON sits under
``__chainrule__``), written atomically, and read with ``allow_pickle=False``: loading a file never
runs code. A file written by this version loads in later ones (``format_version`` is checked).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from . import _files, registry
from ._version import __version__
from .callbacks import History
from .model import Sequential
from .optimizers import Optimizer
from .preprocessing import Standardize
from .registry import register  # noqa: F401  (chainrule.io.register: make a custom class loadable)

FORMAT = "chainrule.Sequential"
#: Bumped only when a file written now could not be read by an older chainrule; older files always load.
FORMAT_VERSION = 1


def to_document(model: Sequential) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """Everything needed to rebuild and resume ``model``: ``(arrays, JSON-able document)``.

    Arrays: ``layers.{i}.{W,b,...}`` (``i`` from 1, as in the errors) and ``optimizer.{state}.{j}``.
    The document holds the architecture (each layer, the loss and the optimizer as its class name,
    the name ``chainrule.registry`` finds it by, plus its ``config()``), dtype, seed, the optimizer's
    step count, the History and the generator state (so resumed training continues bit for bit).
    """
    arrays: dict[str, np.ndarray] = {}
    layers = []
    for i, layer in enumerate(model.layers, start=1):
        layers.append({"type": type(layer).__name__, "config": layer.config()})
        for name, (param, _) in zip(layer.param_names, layer.params_and_grads()):
            arrays[f"layers.{i}.{name}"] = param
        for name, buffer in layer.buffers():
            arrays[f"layers.{i}.{name}"] = buffer
    optimizer = None
    if model.optimizer is not None:
        state = model.optimizer.state_dict()
        optimizer = {"type": state["type"], "config": state["config"], "t": state["t"],
                     "state_names": list(model.optimizer.state_names)}
        for name in model.optimizer.state_names:
            for j, array in enumerate(state[name]):
                arrays[f"optimizer.{name}.{j}"] = array
    step = getattr(model, "preprocessing", None)
    if step is not None:
        arrays.update({f"preprocessing.{name}": array for name, array in step.arrays()})
    loss = model.loss
    document = {
        "format": FORMAT, "format_version": FORMAT_VERSION, "chainrule_version": __version__,
        "dtype": model.dtype.name, "seed": model.seed, "layers": layers,
        "loss": None if loss is None else {"type": type(loss).__name__, "config": loss.config()},
        "optimizer": optimizer, "history": model.history.history, "rng_state": model.rng.bit_generator.state,
        "meta": model.meta,
    }
    if step is not None:                # only then: a model without one writes the same document as before
        document["preprocessing"] = {"type": type(step).__name__, "config": step.config(),
                                     "arrays": [name for name, _ in step.arrays()]}
    if not any(hasattr(layer, "n_in") for layer in model.layers):
        document["n_features"] = model.n_features      # only a parameter-free stack needs it to rebuild
    return arrays, document


def save(model: Sequential, path: Any) -> None:
    """Write ``model`` to ``path`` (``.npz``) atomically; same as ``model.save(path)``."""
    if not isinstance(model, Sequential):
        raise ValueError(f"save: expected a chainrule Sequential, got {type(model).__name__}.")
    arrays, document = to_document(model)
    _files.write_npz(path, arrays, document)


def _build(spec: Any, kind: str, where: str) -> Any:
    if not isinstance(spec, dict) or "type" not in spec:
        raise ValueError(f"{where}: a {kind} entry is malformed: {spec!r}.")
    try:
        cls = registry.lookup(kind, spec["type"], where)
    except ValueError as exc:
        raise ValueError(f"{exc} A custom class must be registered with chainrule.io.register before loading.") \
            from None
    try:
        return cls(**spec.get("config", {}))
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{where}: cannot rebuild {kind} {spec['type']} from {spec.get('config')}: {exc}") from exc


def load(path: Any) -> Sequential:
    """Rebuild a model saved by ``save``: weights, dtype, seed, loss, optimizer state, History, RNG state.

    Raises ``FileNotFoundError`` for a missing file and ``ValueError`` (naming the file) for a
    truncated, corrupted, pickled or foreign one.
    """
    where = f"load({str(path)!r})"
    arrays, doc = _files.read_npz(path, check=lambda doc, headers: _check_arrays(doc, headers, where))
    if doc.get("format") != FORMAT:
        raise ValueError(f"{where}: not a chainrule model (format {doc.get('format')!r}).")
    version = doc.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise ValueError(f"{where}: file format version {version!r} is newer than this chainrule understands "
                         f"({FORMAT_VERSION}); upgrade chainrule.")
    try:
        layers = [_build(spec, "layer", where) for spec in doc["layers"]]
        model = Sequential(layers, dtype=doc["dtype"], seed=doc.get("seed"), n_features=doc.get("n_features"))
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
            model.loss = _build(doc["loss"], "loss", where)
        if doc.get("optimizer") is not None:
            model.optimizer = _load_optimizer(doc["optimizer"], arrays, model, where)
        if doc.get("preprocessing") is not None:        # absent from files written before issue 13
            model.preprocessing = _load_preprocessing(doc["preprocessing"], arrays, model, where)
    except (KeyError, TypeError, IndexError) as exc:
        raise ValueError(f"{where}: the model document is incomplete or malformed ({exc!r}).") from exc
    except ValueError as exc:
        if str(exc).startswith(where):
            raise
        raise ValueError(f"{where}: {exc}") from exc
    return model


PREPROCESSING = {"Standardize": Standardize}


def _load_preprocessing(spec: dict[str, Any], arrays: dict[str, np.ndarray], model: Sequential,
                        where: str) -> Standardize:
    """Rebuild the step from its class name and config plus its arrays (``preprocessing.mean`` ...)."""
    if spec.get("type") not in PREPROCESSING:
        raise ValueError(f"{where}: unknown preprocessing step {spec.get('type')!r}; known: {sorted(PREPROCESSING)}.")
    keys = {name: f"preprocessing.{name}" for name in spec.get("arrays", [])}
    missing = [key for key in keys.values() if key not in arrays]
    if missing:
        raise ValueError(f"{where}: preprocessing arrays {missing} are missing.")
    step = PREPROCESSING[spec["type"]](**spec.get("config", {}), **{n: arrays[k] for n, k in keys.items()})
    if step.fitted and step.n_features != model.n_features:
        raise ValueError(f"{where}: the {spec['type']} step has {step.n_features} features, "
                         f"the model {model.n_features}.")
    return step
#: config entries that size a layer's arrays (Dense's n_in x n_out, BatchNorm's n_features)
SIZE_KEYS = ("n_in", "n_out", "n_features")


def _check_arrays(doc: dict[str, Any], headers: dict[str, _files.ArrayHeader], where: str) -> None:
    """Before any array is read or any layer built: every array is in the document's dtype, and no layer's
    sizes ask for more values than the file stores for it (a tampered Dense(10**6, 10**6) would allocate 8 TB)."""
    dtype = doc.get("dtype")
    for name, header in headers.items():
        if header.dtype.name != dtype and not name.startswith("preprocessing."):    # the step keeps float64
            raise ValueError(f"{where}: array {name} is {header.dtype}{header.shape} but the model is {dtype!r}; "
                             "the file is corrupt or was not written by chainrule.")
    layers = doc.get("layers")
    for i, spec in enumerate(layers if isinstance(layers, list) else [], start=1):
        config = spec.get("config") if isinstance(spec, dict) else None
        try:
            names = registry.lookup("layer", spec["type"], where).param_names
        except (ValueError, KeyError, TypeError):
            names = ()                  # reported when the layers are built
        for name in names:
            if f"layers.{i}.{name}" not in headers:
                raise ValueError(f"{where}: array layers.{i}.{name} is missing.")
        sizes = [v for k, v in (config or {}).items() if k in SIZE_KEYS and isinstance(v, int)]
        stored = sum(math.prod(h.shape) for name, h in headers.items() if name.startswith(f"layers.{i}."))
        if sizes and math.prod(sizes) > stored:
            raise ValueError(f"{where}: layer {i} {spec.get('type')}{config} needs at least {math.prod(sizes):,} "
                             f"values but the file stores {stored:,} for it; the file is corrupt or tampered with.")


def _load_optimizer(spec: dict[str, Any], arrays: dict[str, np.ndarray], model: Sequential,
                    where: str) -> Optimizer:
    config = spec.get("config")
    lr = config.get("lr") if isinstance(config, dict) else None
    # NOTE: a schedule may leave lr at 0 (CosineDecay ends at min_lr=0 after its last epoch), which the
    # constructor refuses as a typo; such a file is built with lr 1 and then given its saved lr of 0.
    scheduled_to_zero = type(lr) in (int, float) and lr == 0
    optimizer = _build({**spec, "config": {**config, "lr": 1.0}} if scheduled_to_zero else spec, "optimizer", where)
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
    if scheduled_to_zero:
        optimizer.lr = 0.0
    return optimizer
