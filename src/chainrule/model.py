"""``Sequential``: a stack of layers with ``fit``, ``evaluate`` and ``predict``.

``fit`` runs the canonical loop, which users may also write themselves::

    for X_b, Y_b in minibatches(X, Y, batch_size, rng):
        loss = loss_fn.forward(model.forward(X_b, training=True), Y_b)
        model.backward(loss_fn.backward())
        optimizer.step(model.params_and_grads())

``train_step`` is one pass of that loop's body; ``fit`` drives the same step through a training
plan (``chainrule.plan``), which runs it faster when everything is a built-in type.
"""

from __future__ import annotations

from typing import Any, Iterable, Sequence, Union

import numpy as np

from . import _checks, targets
from .callbacks import Callback, History, ProgressLogger
from . import metrics as metrics_module
from .data import epoch_batches, example_weights, prepared_batches
from .hints import print_hints, training_hints
from .layers import Layer
from .losses import Loss
from .optimizers import Optimizer
from .plan import FAST_LAYERS, Plan, canonical_step


class Sequential:
    """Layers applied in order: ``A = layer_L(... layer_1(X))``.

    Parameters
    ----------
    layers : sequence of Layer
        E.g. ``[Dense(2, 4), Tanh(), Dense(4, 1)]``. Consecutive ``Dense`` sizes must agree.
    dtype : float64 (default) or float32
        Parameters, gradients and optimizer state use it; inputs are cast once at ``fit``,
        ``evaluate`` and ``predict``.
    seed : int or None
        Seeds the model's ``np.random.Generator``, which draws every layer's initial weights
        (in layer order), the per-epoch shuffles and the dropout masks. The same seed gives
        bit-identical weights after training.
    n_features : int or None
        Input features per example. Optional when a layer knows its ``n_in`` (``Dense``); required for a
        stack of parameter-free layers such as ``[Dropout(0.5)]``, as Keras's ``Input(shape=...)``.
    """

    def __init__(self, layers: Sequence[Layer], dtype: Any = np.float64, seed: Union[int, None] = None,
                 n_features: Union[int, None] = None) -> None:
        layers = list(layers)
        if not layers:
            raise ValueError("Sequential: layers is empty; pass e.g. [Dense(2, 4), Tanh(), Dense(4, 1)].")
        for i, layer in enumerate(layers, start=1):
            if not isinstance(layer, Layer):
                raise ValueError(f"Sequential: item {i} is {layer!r}, not a chainrule Layer.")
        self.layers = layers
        self.dtype = _checks.as_float_dtype(dtype, "Sequential")
        self.seed = seed
        self.rng = np.random.default_rng(seed)
        if n_features is not None:
            n_features = _checks.positive_int(n_features, "n_features", "Sequential")
        self.n_features, self.n_outputs = self._check_sizes(n_features)
        for i, layer in enumerate(layers, start=1):
            layer.index = i
            layer.build(self.rng, self.dtype)
        self.history = History()
        self.loss: Union[Loss, None] = None
        self.optimizer: Union[Optimizer, None] = None
        self.stop_training = False
        self.planned_epochs: Union[int, None] = None
        self.planned_batches: Union[int, None] = None
        #: free-form JSON-able notes saved with the model (the CLI records its data and batch size here)
        self.meta: dict[str, Any] = {}
        #: a step such as ``chainrule.preprocessing.Standardize()``, fitted on the first ``fit``'s X and
        #: applied to X by ``fit``, ``evaluate`` and ``predict`` (not by ``forward``); saved with the model
        self.preprocessing: Any = None

    def _check_sizes(self, n_features: Union[int, None]) -> tuple[int, int]:
        sized = [layer for layer in self.layers if hasattr(layer, "n_in")]
        if n_features is None and not sized:
            raise ValueError("Sequential: no layer knows the input size (none has n_in); pass n_features=, "
                             "e.g. Sequential([Dropout(0.5)], n_features=784).")
        first = dim = n_features if n_features is not None else sized[0].n_in
        for i, layer in enumerate(self.layers, start=1):
            n_in = getattr(layer, "n_in", None)
            if n_in is not None and n_in != dim:
                before = "the layers before it output" if i > 1 else "n_features is"
                raise ValueError(
                    f"Sequential: layer {i} ({layer!r}) expects {n_in} input features, but {before} "
                    f"{dim}. Make n_in of layer {i} equal {dim}."
                )
            dim = layer.output_dim(dim)
        return first, dim

    # -- the three calls of the training loop -------------------------------------------------
    def forward(self, X: np.ndarray, training: bool = False) -> np.ndarray:
        """A = layer_L(... layer_1(X)); X is (m, n_features), cast to the model dtype."""
        A = X if type(X) is np.ndarray and X.dtype == self.dtype else np.asarray(X, dtype=self.dtype)
        for layer in self.layers:
            A = layer.forward(A, training)
        return A

    def backward(self, dA: np.ndarray, input_grad: bool = False) -> Union[np.ndarray, None]:
        """Backpropagate ∂L/∂A_L through every layer, setting each layer's gradients.

        Returns ∂L/∂X when ``input_grad`` is true, else ``None`` (a built-in first layer then skips
        that product; any other layer computes it as its ``backward`` does, and it is dropped).
        """
        layers = self.layers
        for layer in layers[:0:-1]:
            dA = layer.backward(dA)
        first = layers[0]
        if input_grad:
            return first.backward(dA)
        if type(first) in FAST_LAYERS:
            first.backward(dA, input_grad=False)
        else:
            first.backward(dA)
        return None

    def train_step(self, X_b: Any, Y_b: Any, loss: Loss, optimizer: Optimizer) -> float:
        """One step of gradient descent on a mini-batch; returns its loss value (with penalties).

        Exactly: ``value = loss.forward(forward(X_b, training=True), Y_b) + penalty()``, then
        ``backward(loss.backward())``, then ``optimizer.step(params_and_grads())``.
        """
        X_b = np.asarray(X_b, dtype=self.dtype)
        value, _ = canonical_step(self, X_b, np.asarray(Y_b, dtype=self.dtype), loss, optimizer)
        return value

    def gradients(self, X: Any, Y: Any, loss: Loss, training: bool = True) -> list[tuple[np.ndarray, np.ndarray]]:
        """Every (param, ∂L/∂param) pair for the whole of (X, Y), without a step; the layers keep them too.

        ``training=False`` runs the forward pass in inference mode (no dropout, BatchNorm's running statistics).
        """
        X, Y = self._prepare(X, Y, loss, "Sequential.gradients")
        loss.forward(self.forward(X, training=training), Y)
        self.backward(loss.backward())
        return [(param, grad.copy()) for param, grad in self.params_and_grads()]

    def params_and_grads(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """Every layer's (param, grad) pairs, in layer order: [(W1, dW1), (b1, db1), ...]."""
        return [pair for layer in self.layers for pair in layer.params_and_grads()]

    def penalty(self) -> float:
        """Sum of the layers' regularization terms, added to the loss value."""
        return sum(layer.penalty() for layer in self.layers)

    # -- training --------------------------------------------------------------------------------
    def fit(self, X: Any, Y: Any, loss: Loss, optimizer: Optimizer, epochs: int = 1, batch_size: int = 32,
            validation_data: Union[tuple[Any, Any], None] = None, callbacks: Iterable[Callback] = (),
            verbose: bool = False, shuffle: bool = True, sample_weight: Any = None,
            class_weight: Union[dict, str, None] = None, metrics: metrics_module.Metrics = (),
            hints: bool = False, backend: str = "auto") -> History:
        """Train with mini-batch gradient descent; return the model's ``History``.

        Parameters
        ----------
        X : array (m, n_features); memory-mapped arrays (``np.load(path, mmap_mode="r")``) work as is.
            Or, with ``Y=None``, streamed batches for data larger than memory: an iterable of
            ``(X_b, Y_b)`` (or ``(X_b, Y_b, sample_weight_b)``) trained on in the order given, read once
            per epoch (``chainrule.data.epoch_batches``): a function returning a fresh iterator, a
            re-iterable object, or a generator (one-shot: ``epochs=1`` only). ``batch_size``,
            ``shuffle``, ``sample_weight`` and ``class_weight`` then do not apply; callbacks, History,
            validation and metrics work as with arrays.
        Y : array (m, n_outputs), or (m,) for one output or for class indices with SoftmaxCrossEntropy;
            ``None`` when X streams batches
        loss : Loss, e.g. ``SoftmaxCrossEntropy()``
        optimizer : Optimizer, e.g. ``SGD(lr=0.1)``; its state carries over between ``fit`` calls
        epochs, batch_size : int >= 1 (``batch_size >= m`` is full-batch gradient descent)
        validation_data : (X_val, Y_val), optional; adds ``val_loss`` and ``val_accuracy``
        callbacks : e.g. ``[EarlyStopping()]``
        verbose : print one line per epoch
        shuffle : reshuffle the rows every epoch with the model's generator
        sample_weight : array (m,) of weights w_i >= 0; the loss becomes 1/m · Σ w_i ℓ_i
        class_weight : {class: weight} or ``"balanced"`` (m / (n_classes · count of the class));
            multiplies ``sample_weight``
        metrics : functions ``f(y_true, y_pred) -> float`` such as ``chainrule.metrics.f1``, as a list
            (logged under ``f.__name__``) or a dict ``{name: f}``, e.g.
            ``{"macro_f1": functools.partial(chainrule.metrics.f1, average="macro")}``. Each is logged
            per epoch on the epoch's training-mode outputs (as ``accuracy`` is) and, with
            ``validation_data``, as ``val_<name>``. Classifiers pass class labels (m,); regressors
            (targets not 0/1 or one-hot) pass the values, (m,) or (m, k).
        hints : after training, print ``chainrule.hints.training_hints`` (cost curve, weights, units,
            inputs, overfitting) as ``hint: ...`` lines
        backend : ``"auto"`` (default), ``"numpy"`` or ``"compiled"``. With numba installed
            (``pip install chainrule[fast]``), ``"auto"`` runs each epoch of a model that
            ``chainrule.compiled`` supports as one compiled call (measured faster at every size
            tried), and anything else on NumPy; ``"compiled"`` compiles any supported model and raises when it
            cannot; ``"numpy"`` never compiles. Same results either way (to 1e-12 in float64).

        Returns
        -------
        History
            ``history["loss"]`` etc., one value per epoch; it keeps growing over later ``fit`` calls.

        Raises
        ------
        FloatingPointError
            When the loss becomes NaN or inf, naming the epoch, batch and lr.
        """
        where = "Sequential.fit"
        if not isinstance(loss, Loss):
            raise ValueError(f"{where}: loss must be a chainrule Loss such as MeanSquaredError(), got {loss!r}.")
        if not isinstance(optimizer, Optimizer):
            raise ValueError(f"{where}: optimizer must be a chainrule Optimizer such as SGD(lr=0.1), got {optimizer!r}.")
        epochs = _checks.positive_int(epochs, "epochs", where)
        batch_size = _checks.positive_int(batch_size, "batch_size", where)
        metric_fns = metrics_module.metric_table(metrics, where)
        targets.check_output(loss, self.layers, where)
        read_epoch, weights = None, None
        if Y is None:                   # streamed (out-of-core) batches: any weights come with each batch
            if sample_weight is not None or class_weight is not None:
                raise ValueError(f"{where}: with streamed batches, give sample weights as a third item of each "
                                 "batch, (X_b, Y_b, sample_weight_b); class_weight is not available.")
            read_epoch = epoch_batches(X, epochs, where)
        else:
            X, Y = self._prepare(X, Y, loss, where, fit_preprocessing=True)
            weights = example_weights(sample_weight, class_weight, Y, self.dtype, where)
        if validation_data is not None:
            if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
                raise ValueError(f"{where}: validation_data must be a pair (X_val, Y_val).")
            X_val, Y_val = self._prepare(*validation_data, loss, f"{where} (validation_data)")
        plan = Plan(self, loss, optimizer, backend, weighted=weights is not None)     # raises before training
        self.loss, self.optimizer = loss, optimizer
        self.stop_training = False
        first_epoch = len(self.history.epoch)
        self.planned_epochs = first_epoch + epochs
        if read_epoch:
            self.planned_batches = len(X) if hasattr(X, "__len__") else None
        else:
            self.planned_batches = -(-X.shape[0] // batch_size)
        hooks = [self.history, *callbacks] + ([ProgressLogger()] if verbose else [])
        batch_hooks = [h for h in hooks if type(h).on_batch_end is not Callback.on_batch_end]
        for hook in hooks:
            hook.on_train_begin(self)
        logs: dict[str, float] = {}
        labels = None if read_epoch else targets.labels(loss, Y)    # true labels, once per fit (None: not classes)
        for epoch in range(first_epoch, first_epoch + epochs):
            outputs: Union[list, None] = [] if metric_fns else None
            if read_epoch:
                stream = prepared_batches(read_epoch(), lambda X_b, Y_b, at: self._prepare(X_b, Y_b, loss, at),
                                          self.dtype, where)
                logs = plan.run(stream, epoch, batch_hooks, outputs, streamed=True)
            else:
                order = self.rng.permutation(X.shape[0]) if shuffle else None
                logs = plan.epoch(X, Y, weights, labels, batch_size, order, epoch, batch_hooks, outputs)
            if metric_fns:
                Y_seen = np.concatenate([Y_b for Y_b, _ in outputs])
                Y_hat = np.concatenate([Y_hat_b for _, Y_hat_b in outputs])
                logs.update(self._score(metric_fns, loss, Y_hat, Y_seen, where))
            if validation_data is not None:
                val = self._evaluate(X_val, Y_val, loss, metric_fns, f"{where} (validation_data)")
                logs.update({f"val_{k}": v for k, v in val.items()})
            for hook in hooks:
                hook.on_epoch_end(epoch, logs)
            if self.stop_training:
                break
        for hook in hooks:
            hook.on_train_end(logs)
        if hints:
            print_hints(training_hints(self.history, self.layers, None if read_epoch else X,
                                       lr=getattr(optimizer, "lr", None)))
        return self.history

    def _prepare(self, X: Any, Y: Any, loss: Loss, where: str,
                 fit_preprocessing: bool = False) -> tuple[np.ndarray, np.ndarray]:
        X = self._inputs(X, where, fit_preprocessing)
        Y = targets.prepare(loss, Y, self.n_outputs, where)
        _checks.same_length(X, Y, where)
        return X, np.ascontiguousarray(Y, dtype=self.dtype)

    # -- inference -------------------------------------------------------------------------------
    def predict(self, X: Any, batch_size: int = 4096) -> np.ndarray:
        """Model outputs for X (m, n_features), computed in batches: shape (m, n_outputs).

        With a from-logits loss these are logits; ``predict_proba`` maps them to probabilities.
        """
        X = self._inputs(X, "Sequential.predict")
        batch_size = _checks.positive_int(batch_size, "batch_size", "Sequential.predict")
        return self._predict(X, batch_size)

    def _inputs(self, X: Any, where: str, fit_preprocessing: bool = False) -> np.ndarray:
        """X checked as (m, n_features) in the model dtype, then through ``preprocessing`` when set."""
        X = _checks.matrix(X, "X", where, n_features=self.n_features, dtype=self.dtype)
        if self.preprocessing is None:
            return X
        if fit_preprocessing and not self.preprocessing.fitted:
            self.preprocessing.fit(X)
        return self.preprocessing.transform(X)

    def _predict(self, X: np.ndarray, batch_size: int = 4096) -> np.ndarray:
        parts = [self.forward(X[i:i + batch_size]) for i in range(0, X.shape[0], batch_size)]
        return parts[0] if len(parts) == 1 else np.concatenate(parts)

    def predict_proba(self, X: Any) -> np.ndarray:
        """Probabilities: softmax or sigmoid of the logits when the training loss works from logits."""
        return targets.probabilities(self._require_loss(None, "predict_proba"), self.predict(X))

    def predict_labels(self, X: Any) -> np.ndarray:
        """Class labels: argmax over outputs, or output > threshold for one output."""
        return targets.predicted_labels(self._require_loss(None, "predict_labels"), self.predict(X))

    def evaluate(self, X: Any, Y: Any, loss: Union[Loss, None] = None, metrics: metrics_module.Metrics = ()) -> dict[str, float]:
        """Return ``{"loss": ..., "accuracy": ..., <metric>: ...}`` on (X, Y); accuracy where the loss defines it.

        ``loss`` defaults to the one the model was last trained with. The loss value includes the
        layers' regularization terms, as during training. ``metrics`` as in ``fit``.
        """
        where = "Sequential.evaluate"
        metric_fns = metrics_module.metric_table(metrics, where)
        loss = self._require_loss(loss, "evaluate")
        X, Y = self._prepare(X, Y, loss, where)
        return self._evaluate(X, Y, loss, metric_fns, where)

    def _evaluate(self, X: np.ndarray, Y: np.ndarray, loss: Loss, metrics: Union[dict, None] = None,
                  where: str = "Sequential.evaluate") -> dict[str, float]:
        Y_hat = self._predict(X)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            result = {"loss": loss.forward(Y_hat, Y) + self.penalty()}
        accuracy = targets.accuracy(loss, Y_hat, Y)
        if accuracy is not None:
            result["accuracy"] = accuracy
        result.update(self._score(metrics, loss, Y_hat, Y, where))
        return result

    @staticmethod
    def _score(metrics: Union[dict, None], loss: Loss, Y_hat: np.ndarray, Y: np.ndarray, where: str) -> dict[str, float]:
        if not metrics:
            return {}
        return metrics_module.score(metrics, *targets.metric_inputs(loss, Y_hat, Y, where))

    def _require_loss(self, loss: Union[Loss, None], what: str) -> Loss:
        loss = loss if loss is not None else self.loss
        if loss is None:
            example = "model.evaluate(X, Y, loss=cr.SoftmaxCrossEntropy())" if what == "evaluate" else \
                "model.loss = cr.SoftmaxCrossEntropy()"
            raise ValueError(f"Sequential.{what}: no loss to use: fit records one, a hand-written loop does not. "
                             f"Give the loss you trained with, e.g. {example}.")
        return loss

    # -- description -----------------------------------------------------------------------------
    def count_params(self) -> int:
        return sum(p.size for p, _ in self.params_and_grads())

    def summary(self) -> str:
        """A Keras-like table: layer, output shape, parameter count. Returned, not printed."""
        rows = [("#", "layer", "output shape", "params")]
        dim = self.n_features
        for layer in self.layers:
            dim = layer.output_dim(dim)
            n_params = sum(p.size for p, _ in layer.params_and_grads())
            rows.append((str(layer.index), repr(layer), f"(m, {dim})", f"{n_params:,}"))
        widths = [max(len(r[c]) for r in rows) for c in range(4)]
        lines = ["  ".join(cell.ljust(w) if c < 3 else cell.rjust(w) for c, (cell, w) in enumerate(zip(r, widths)))
                 for r in rows]
        rule = "-" * len(lines[0])
        total = f"total parameters: {self.count_params():,}   dtype: {self.dtype}   input: (m, {self.n_features})"
        return "\n".join([lines[0], rule, *lines[1:], rule, total])

    # -- saving --------------------------------------------------------------------------------------
    def save(self, path: Any) -> None:
        """Write the model to one ``.npz`` file (arrays plus a JSON document), atomically.

        The same as ``chainrule.save(model, path)``; ``chainrule.load(path)`` rebuilds the model with
        its loss, optimizer state and History.
        """
        # NOTE: io is above model in the import order (io.load builds a Sequential), so it is imported
        # here, when called: chainrule.io owns the file format (issue 12) and this is its front door.
        from . import io
        io.save(self, path)

    def __repr__(self) -> str:
        return f"Sequential({self.layers!r}, dtype={self.dtype.name}, seed={self.seed!r})"
