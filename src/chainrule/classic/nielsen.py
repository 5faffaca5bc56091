"""Nielsen's ``network.py`` / ``network2.py`` API (seed 002), computed by the chainrule engine.

``Network(sizes)`` keeps Nielsen's names and shapes: an example ``x`` is a column (n, 1),
``weights[l]`` is (n_out, n_in) and ``biases[l]`` is (n_out, 1). Underneath is an engine
``Sequential`` of ``Dense``/``Sigmoid`` layers working on *rows*, a whole mini-batch at a time, so
there is exactly one copy of the backpropagation math (the engine's)::

    Nielsen, one example (columns)             engine, a mini-batch of m rows
    z = w·a + b       w (y, x), b (y, 1)       Z = A_prev @ W + b     W = wᵀ (x, y), b = b.ravel() (y,)
    a = σ(z)                                   A = σ(Z)
    δᴸ = ∇ₐC ⊙ σ'(zᴸ)                          dZ = Sigmoid.backward(loss.backward())
    δˡ = (wˡ⁺¹ᵀ δˡ⁺¹) ⊙ σ'(zˡ)                  dZ = Sigmoid.backward(dZ_next @ W_nextᵀ)
    ∂C/∂b = δ,  ∂C/∂w = δ·a_prevᵀ               db = dZ.sum(axis=0),  dW = A_prevᵀ @ dZ

The engine loss averages over the m rows, so one engine step ``W -= eta·dW`` is Nielsen's
``w -> w - (eta/m)·Σₓ ∂Cₓ/∂w``; with Dense layers built with ``l2 = lmbda/n`` it is network2's
``w -> (1 - eta·lmbda/n)·w - (eta/m)·Σₓ ∂Cₓ/∂w``. ``weights`` and ``biases`` are views of the
engine's arrays (``layer.W.T`` and ``layer.b.reshape(-1, 1)``), so they always show the live values.

Randomness: initial weights come from ``np.random.RandomState(seed)`` in Nielsen's order (all
biases, then all weights); the per-epoch shuffles from ``np.random.default_rng(seed)``. The global
NumPy state is never touched.
"""

from __future__ import annotations

import json
import math
import os
from typing import Any, Iterable, Union

import numpy as np

from .. import _checks, _files
from ..activations import Sigmoid, sigmoid
from ..callbacks import Callback
from ..data import one_hot
from ..layers import Dense, Layer
from ..losses import BinaryCrossEntropy, Loss, MeanSquaredError
from ..model import Sequential
from ..optimizers import SGD
from . import _bridge
from .mnist_loader import load_data_wrapper as load_mnist

__all__ = ["Network", "QuadraticCost", "CrossEntropyCost", "load", "load_mnist", "sigmoid", "sigmoid_prime"]

Example = tuple[Any, Any]


def sigmoid_prime(z: np.ndarray) -> np.ndarray:
    """σ'(z) = σ(z)(1 - σ(z)), computed by the engine's ``Sigmoid.backward`` of ones."""
    z = np.asarray(z, dtype=np.float64)
    layer = Sigmoid()
    layer.forward(z)
    return layer.backward(np.ones_like(z))


class QuadraticCost:
    """C = ½‖a - y‖² per example;  δᴸ = (a - y) ⊙ σ'(zᴸ).

    Engine form: a ``Sigmoid`` output layer with ``MeanSquaredError(half=True)``, whose value over m
    rows is ``1/(2m)·Σ‖ŷ - y‖²`` and whose ``backward`` is ``(Ŷ - Y)/m``.
    """

    #: the engine model ends with Dense -> Sigmoid and the loss sees the activations
    logits_output = False

    @staticmethod
    def engine_loss() -> Loss:
        """The engine loss this cost is: ``MeanSquaredError(half=True)``."""
        return MeanSquaredError(half=True)

    @staticmethod
    def fn(a: Any, y: Any) -> float:
        """Cost ½‖a - y‖² of output ``a`` for target ``y`` (k, 1); for (k, m) columns, the sum over them."""
        a, y = _bridge.nielsen_columns("QuadraticCost.fn", a=a, y=y)
        return QuadraticCost.engine_loss().forward(a.T, y.T) * a.shape[1]

    @staticmethod
    def delta(z: Any, a: Any, y: Any) -> np.ndarray:
        """Output error δᴸ = (a - y) ⊙ σ'(z), shape (k, 1) or (k, m)."""
        z, a, y = _bridge.nielsen_columns("QuadraticCost.delta", z=z, a=a, y=y)
        loss = QuadraticCost.engine_loss()
        loss.forward(a.T, y.T)
        dA = loss.backward() * a.shape[1]       # per-example: undo the engine's 1/m
        layer = Sigmoid()
        layer.forward(z.T)
        return layer.backward(dA).T


class CrossEntropyCost:
    """C = -Σⱼ [yⱼ ln aⱼ + (1 - yⱼ) ln(1 - aⱼ)] per example;  δᴸ = a - y.

    Engine form: the model ends with the ``Dense`` layer (logits zᴸ) and the loss is
    ``BinaryCrossEntropy(from_logits=True, sum_over_outputs=True)``: ``σ`` and the log fused,
    ``dZ = (σ(Z) - Y)/m``, never ``log(0)``. ``Network.feedforward`` applies ``σ`` to the logits.
    """

    logits_output = True

    @staticmethod
    def engine_loss() -> Loss:
        """The engine loss this cost is, on the logits."""
        return BinaryCrossEntropy(from_logits=True, sum_over_outputs=True)

    @staticmethod
    def fn(a: Any, y: Any) -> float:
        """Cost of output activations ``a`` for target ``y`` (k, 1); for (k, m) columns, the sum over them.

        Only ``a`` is known here, not the logits, so this uses the engine's ``from_logits=False``
        form, which clips ``a`` to [1e-15, 1 - 1e-15] inside the logs. Nielsen's ``np.nan_to_num``
        instead turns ``0·log 0`` into 0 and ``-log 0`` into 1.8e308. ``Network.total_cost`` works
        from the logits and is exact.
        """
        a, y = _bridge.nielsen_columns("CrossEntropyCost.fn", a=a, y=y)
        loss = BinaryCrossEntropy(from_logits=False, sum_over_outputs=True)
        return loss.forward(a.T, y.T) * a.shape[1]

    @staticmethod
    def delta(z: Any, a: Any, y: Any) -> np.ndarray:
        """Output error δᴸ = a - y, shape (k, 1) or (k, m); ``z`` is unused (may be ``None``), as in Nielsen's.

        σ'(z) cancels against the cost's 1/(a(1 - a)), so δᴸ needs only ``a``. Computing it from
        ``z`` instead would disagree with Nielsen's whenever a caller's ``a`` is not exactly σ(z).
        (The engine's fused loss gives the same δᴸ from the logits: ``(σ(Z) - Y)/m`` per example.)
        """
        a, y = _bridge.nielsen_columns("CrossEntropyCost.delta", a=a, y=y)
        return a - y


COSTS = {"QuadraticCost": QuadraticCost, "CrossEntropyCost": CrossEntropyCost}


def _check_cost(cost: Any, where: str) -> type:
    if isinstance(cost, (QuadraticCost, CrossEntropyCost)):
        cost = type(cost)
    if not (isinstance(cost, type) and hasattr(cost, "engine_loss") and hasattr(cost, "logits_output")):
        raise ValueError(f"{where}: cost must be QuadraticCost or CrossEntropyCost (the class), got {cost!r}.")
    return cost


class Network:
    """Nielsen's fully connected sigmoid network, trained by the chainrule engine.

    Parameters
    ----------
    sizes : list of int
        Neurons per layer, input first, e.g. ``[784, 30, 10]``.
    cost : QuadraticCost (default, network.py) or CrossEntropyCost (network2.py)
    seed : int, optional
        Seeds the ``RandomState`` that draws the initial weights and the ``Generator`` that
        shuffles the training data. ``None`` draws fresh entropy, like Nielsen's unseeded code.
    init : "default" or "large"
        "default" is network2's ``randn(y, x)/sqrt(x)`` weights; "large" is network.py's
        ``randn(y, x)``. Biases are ``randn(y, 1)`` in both.

    Attributes
    ----------
    num_layers, sizes : as in Nielsen's code
    weights, biases : lists of (y, x) and (y, 1) arrays, views of the engine's ``W.T`` and ``b``
    model : chainrule.Sequential, the engine network (rows are examples)
    loss : the engine loss, see ``cost``
    """

    def __init__(self, sizes: Iterable[int], cost: type = QuadraticCost, seed: Union[int, None] = None,
                 init: str = "default") -> None:
        where = "Network"
        try:
            sizes = list(sizes)
        except TypeError:
            pass
        if not isinstance(sizes, list) or len(sizes) < 2:
            raise ValueError(f"{where}: sizes must be a list of at least two layer sizes, e.g. [784, 30, 10]; "
                             f"got {sizes!r}.")
        self.sizes = [_checks.positive_int(s, f"sizes[{i}]", where) for i, s in enumerate(sizes)]
        self.num_layers = len(self.sizes)
        self.cost = _check_cost(cost, where)
        if seed is not None:
            seed = _checks.non_negative_int(seed, "seed", where)
        if init not in ("default", "large"):
            raise ValueError(f"{where}: init must be 'default' (randn/sqrt(n_in)) or 'large' (randn), got {init!r}.")
        self.seed = seed
        self.random_state = np.random.RandomState(seed)
        layers: list[Layer] = []
        for l, (x, y) in enumerate(zip(self.sizes[:-1], self.sizes[1:]), start=1):
            layers.append(Dense(x, y, init="zeros"))
            if l < self.num_layers - 1 or not self.cost.logits_output:
                layers.append(Sigmoid())
        self.model = Sequential(layers, seed=seed)
        self.rng = self.model.rng           # default_rng(seed): the zero-initialized layers draw nothing from it
        self.loss = self.cost.engine_loss()
        self._dense = [layer for layer in self.model.layers if isinstance(layer, Dense)]
        if init == "default":
            self.default_weight_initializer()
        else:
            self.large_weight_initializer()

    # -- parameters: Nielsen-shaped views of the engine arrays -----------------------------------------
    @property
    def weights(self) -> list[np.ndarray]:
        """``weights[l]`` (sizes[l+1], sizes[l]): the view ``W.T`` of engine layer l's ``W``."""
        return [layer.W.T for layer in self._dense]

    @weights.setter
    def weights(self, values: Iterable[Any]) -> None:
        arrays = self._checked_params(values, "weights", [(y, x) for x, y in zip(self.sizes[:-1], self.sizes[1:])])
        for layer, w in zip(self._dense, arrays):
            layer.W[...] = w.T          # in place: the engine owns this memory

    @property
    def biases(self) -> list[np.ndarray]:
        """``biases[l]`` (sizes[l+1], 1): the view ``b.reshape(-1, 1)`` of engine layer l's ``b``."""
        return [layer.b.reshape(-1, 1) for layer in self._dense]

    @biases.setter
    def biases(self, values: Iterable[Any]) -> None:
        arrays = self._checked_params(values, "biases", [(y, 1) for y in self.sizes[1:]])
        for layer, b in zip(self._dense, arrays):
            layer.b[...] = b.ravel()

    def _checked_params(self, values: Iterable[Any], name: str, shapes: list[tuple[int, int]]) -> list[np.ndarray]:
        where = f"Network.{name}"
        values = list(values)
        if len(values) != len(shapes):
            raise ValueError(f"{where}: expected a list of {len(shapes)} arrays for sizes {self.sizes}, got {len(values)}.")
        arrays = []
        for l, (value, shape) in enumerate(zip(values, shapes)):
            array = _checks.as_array(value, f"{name}[{l}]", where, dtype=np.float64)
            if array.shape != shape:
                hint = f" It is transposed; pass {name}[{l}].T." if array.shape == shape[::-1] else ""
                raise ValueError(f"{where}: {name}[{l}] has shape {array.shape}; expected {shape} "
                                 f"for sizes {self.sizes}.{hint}")
            arrays.append(array)
        return arrays

    def default_weight_initializer(self) -> None:
        """network2: biases ~ N(0, 1) (y, 1), weights ~ N(0, 1/x) (y, x), drawn biases first."""
        draw = self.random_state.randn
        self.biases = [draw(y, 1) for y in self.sizes[1:]]
        self.weights = [draw(y, x) / math.sqrt(x) for x, y in zip(self.sizes[:-1], self.sizes[1:])]

    def large_weight_initializer(self) -> None:
        """network.py: biases ~ N(0, 1) (y, 1), weights ~ N(0, 1) (y, x), drawn biases first."""
        draw = self.random_state.randn
        self.biases = [draw(y, 1) for y in self.sizes[1:]]
        self.weights = [draw(y, x) for x, y in zip(self.sizes[:-1], self.sizes[1:])]

    # -- forward -----------------------------------------------------------------------------------
    def feedforward(self, a: Any) -> np.ndarray:
        """Output activations for input ``a`` (n, 1), or (n, m) for m columns: aˡ = σ(wˡ·aˡ⁻¹ + bˡ).

        Computed as the engine's rows: ``A = model.forward(a.T)`` (m, k), returned as ``A.T`` (k, m).
        """
        a = _checks.as_array(a, "a", "Network.feedforward", dtype=np.float64)
        n_in = self.sizes[0]
        if a.ndim != 2 or a.shape[0] != n_in:
            hint = ""
            if a.shape == (n_in,):
                hint = " Pass a.reshape(-1, 1): Nielsen's inputs are columns."
            elif a.ndim == 2 and a.shape[1] == n_in:
                hint = " It looks like rows are examples; pass a.T."
            raise ValueError(f"Network.feedforward: a has shape {a.shape}; expected ({n_in}, 1) or ({n_in}, m).{hint}")
        return self._output(a.T).T

    def _output(self, X: np.ndarray) -> np.ndarray:
        """Output activations (m, k) for rows X (m, n): the model output, through σ for logits."""
        Z = self.model.forward(X)
        return sigmoid(Z) if self.cost.logits_output else Z

    # -- training ----------------------------------------------------------------------------------
    def SGD(self, training_data: Iterable[Example], epochs: int, mini_batch_size: int, eta: float,
            lmbda: float = 0.0, evaluation_data: Union[Iterable[Example], None] = None,
            test_data: Union[Iterable[Example], None] = None,
            monitor_evaluation_cost: bool = False, monitor_evaluation_accuracy: bool = False,
            monitor_training_cost: bool = False, monitor_training_accuracy: bool = False,
            verbose: bool = True) -> tuple[list[float], list[int], list[float], list[int]]:
        """Mini-batch stochastic gradient descent, each mini-batch one engine step.

        This is the engine's ``fit`` (the rows shuffled each epoch by ``self.rng``, the model's
        generator, cut into mini-batches of ``mini_batch_size``, each one engine step) with a callback
        that prints and records the book's per-epoch lines::

            w -> (1 - eta·lmbda/n)·w - (eta/m)·Σₓ ∂Cₓ/∂w      engine: Dense(..., l2=lmbda/n), SGD(lr=eta)
            b -> b - (eta/m)·Σₓ ∂Cₓ/∂b                         (the loss's mean supplies the 1/m)

        Parameters
        ----------
        training_data : iterable of (x (n, 1), y (k, 1)) pairs, e.g. ``load_mnist()[0]``; a ``zip``
            works too (it is read once). Converted once to rows X (n_examples, n), Y (n_examples, k).
        epochs, mini_batch_size : int >= 1
        eta : float > 0, the learning rate
        lmbda : float >= 0, network2's L2 strength (weight decay ``1 - eta·lmbda/n``)
        evaluation_data : (x, int label) pairs, monitored as in network2
        test_data : (x, int label) pairs; prints "Epoch j: correct / n_test" after each epoch (network.py)
        monitor_* : record (and print) network2's per-epoch costs and accuracies
        verbose : print the per-epoch lines

        Returns
        -------
        (evaluation_cost, evaluation_accuracy, training_cost, training_accuracy)
            network2's four per-epoch lists (accuracies are counts of correct examples); empty when
            not monitored.
        """
        where = "Network.SGD"
        epochs = _checks.positive_int(epochs, "epochs", where)
        mini_batch_size = _checks.positive_int(mini_batch_size, "mini_batch_size", where)
        eta = _checks.positive_number(eta, "eta", where)
        lmbda = _checks.in_range(lmbda, "lmbda", where, 0.0, float("inf"))
        X, Y = self._vectors(training_data, where, "training_data")
        n = X.shape[0]
        evaluation = None if evaluation_data is None else self._labels(evaluation_data, where, "evaluation_data")
        test = None if test_data is None else self._labels(test_data, where, "test_data")
        if evaluation is None and (monitor_evaluation_cost or monitor_evaluation_accuracy):
            raise ValueError(f"{where}: monitoring evaluation cost or accuracy needs evaluation_data.")
        book = _BookLines(self, X, Y, lmbda, evaluation, test, verbose, monitor_evaluation_cost,
                          monitor_evaluation_accuracy, monitor_training_cost, monitor_training_accuracy)
        # the NumPy plan, as the course's programs: the book's per-epoch counts, digit for digit
        self._trainer(lmbda / n).fit(X, Y, self.loss, SGD(lr=eta), epochs=epochs, batch_size=mini_batch_size,
                                     callbacks=[book], backend="numpy")
        return book.evaluation_cost, book.evaluation_accuracy, book.training_cost, book.training_accuracy

    def update_mini_batch(self, mini_batch: Iterable[Example], eta: float, lmbda: float = 0.0,
                          n: Union[int, None] = None) -> None:
        """One gradient-descent step on ``mini_batch`` (a list of (x, y) pairs), as one engine step.

        w -> (1 - eta·lmbda/n)·w - (eta/m)·Σₓ ∂Cₓ/∂w,   b -> b - (eta/m)·Σₓ ∂Cₓ/∂b,   m = len(mini_batch);
        ``n`` is the size of the whole training set (needed only when ``lmbda > 0``).
        """
        where = "Network.update_mini_batch"
        eta = _checks.positive_number(eta, "eta", where)
        lmbda = _checks.in_range(lmbda, "lmbda", where, 0.0, float("inf"))
        if lmbda and n is None:
            raise ValueError(f"{where}: lmbda > 0 needs n, the size of the whole training set "
                             "(the weight decay is 1 - eta·lmbda/n).")
        X, Y = self._vectors(mini_batch, where, "mini_batch")
        trainer = self._trainer(lmbda / _checks.positive_int(n, "n", where) if lmbda else 0.0)
        value = trainer.train_step(X, Y, self.loss, SGD(lr=eta))
        if not math.isfinite(value):
            raise FloatingPointError(f"Network: the cost became {value} at {where} (eta={eta}). "
                                     f"Try a smaller eta, e.g. {eta / 10:g}.")

    def backprop(self, x: Any, y: Any) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """(nabla_b, nabla_w): the gradient of the cost Cₓ of one example, in Nielsen's shapes.

        The engine runs a batch of one row, ``X = xᵀ`` (1, n); with m = 1 its mean loss is Cₓ, so
        ``nabla_w[l] = dWᵀ`` (y, x) and ``nabla_b[l] = db.reshape(-1, 1)`` (y, 1). No L2 term.
        """
        X, Y = self._vectors([(x, y)], "Network.backprop", "example")
        self._forward_backward(X, Y)
        nabla_b = [layer.db.reshape(-1, 1).copy() for layer in self._dense]
        nabla_w = [layer.dW.T.copy() for layer in self._dense]
        return nabla_b, nabla_w

    def cost_derivative(self, output_activations: Any, y: Any) -> np.ndarray:
        """∂Cₓ/∂a for the quadratic cost: ``output_activations - y``."""
        a, y = _bridge.nielsen_columns("Network.cost_derivative", output_activations=output_activations, y=y)
        return a - y

    def _trainer(self, l2: float) -> Sequential:
        """The model a training call steps: ``self.model``, or for network2's L2 (``l2 = lmbda/n > 0``)
        a twin whose Dense layers are built with ``l2`` and share this network's W and b arrays and
        generator. The optimizer updates W and b in place, so ``self.model`` sees every step."""
        if not l2:
            return self.model
        twin = Sequential([Dense(layer.n_in, layer.n_out, init="zeros", l2=l2) if isinstance(layer, Dense) else layer
                           for layer in self.model.layers], dtype=self.model.dtype)
        for layer, twin_layer in zip(self.model.layers, twin.layers):
            if isinstance(layer, Dense):
                twin_layer.W, twin_layer.b = layer.W, layer.b
        twin.rng = self.model.rng
        return twin

    def _forward_backward(self, X: np.ndarray, Y: np.ndarray) -> float:
        """The engine's loop body without the update: forward, loss, backward; returns the loss."""
        value = self.loss.forward(self.model.forward(X, training=True), Y)
        self.model.backward(self.loss.backward())
        return value

    # -- evaluation --------------------------------------------------------------------------------
    def evaluate(self, test_data: Iterable[Example]) -> int:
        """Number of (x, label) pairs whose largest output activation is at index ``label``."""
        return self._count_correct(*self._labels(test_data, "Network.evaluate", "test_data"))

    def accuracy(self, data: Iterable[Example], convert: bool = False) -> int:
        """Number classified correctly (network2). ``convert=False``: y are int labels (validation and
        test data); ``convert=True``: y are one-hot (k, 1) vectors (training data)."""
        where = "Network.accuracy"
        if convert:
            X, Y = self._vectors(data, where, "data", hint=" With int labels use convert=False.")
            return self._count_correct(X, self._labels_of(Y))
        return self._count_correct(*self._labels(data, where, "data",
                                                         hint=" With one-hot y use convert=True."))

    def total_cost(self, data: Iterable[Example], lmbda: float, convert: bool = False) -> float:
        """network2's cost on ``data``: (1/N)·Σₓ Cₓ + (lmbda/2N)·Σ‖w‖², N = len(data).

        ``convert=False``: y are one-hot (k, 1) vectors (training data); ``convert=True``: y are int
        labels (validation and test data). The engine loss computes the mean; with cross-entropy it
        works from the logits, so it is exact where Nielsen's ``nan_to_num`` is not.
        """
        where = "Network.total_cost"
        lmbda = _checks.in_range(lmbda, "lmbda", where, 0.0, float("inf"))
        if convert:
            X, labels = self._labels(data, where, "data", hint=" With one-hot y use convert=False.")
            Y = one_hot(labels, self.sizes[-1])
        else:
            X, Y = self._vectors(data, where, "data", hint=" With int labels use convert=True.")
        return self._total_cost(X, Y, lmbda)

    def _total_cost(self, X: np.ndarray, Y: np.ndarray, lmbda: float) -> float:
        cost = self.loss.forward(self.model.forward(X), Y)
        if lmbda:
            cost += 0.5 * (lmbda / X.shape[0]) * sum(float(np.vdot(layer.W, layer.W)) for layer in self._dense)
        return cost

    def _count_correct(self, X: np.ndarray, labels: np.ndarray) -> int:
        return int(np.count_nonzero(self._output(X).argmax(axis=1) == labels))

    def _vectors(self, data: Any, where: str, name: str, hint: str = "") -> tuple[np.ndarray, np.ndarray]:
        """Rows X (N, n) and Y (N, k) from (x (n, 1), y (k, 1)) pairs, converted once."""
        return _bridge.vector_examples(data, self.sizes[0], self.sizes[-1], where, name, hint)

    def _labels(self, data: Any, where: str, name: str, hint: str = "") -> tuple[np.ndarray, np.ndarray]:
        """Rows X (N, n) and int labels (N,) from (x (n, 1), int label) pairs, converted once."""
        return _bridge.label_examples(data, self.sizes[0], self.sizes[-1], where, name, hint)

    @staticmethod
    def _labels_of(Y: np.ndarray) -> np.ndarray:
        return Y.argmax(axis=1)

    # -- persistence -------------------------------------------------------------------------------
    def save(self, filename: Union[str, os.PathLike]) -> None:
        """Write network2's JSON {"sizes", "weights", "biases", "cost"}, atomically.

        The JSON goes to a temporary file in the same directory, which then replaces ``filename``,
        so an interrupted save never leaves a half-written file.
        """
        data = {"sizes": self.sizes,
                "weights": [w.tolist() for w in self.weights],
                "biases": [b.tolist() for b in self.biases],
                "cost": self.cost.__name__}
        _files.atomic_write(filename, lambda f: json.dump(data, f), binary=False)

    def __repr__(self) -> str:
        return f"Network({self.sizes!r}, cost={self.cost.__name__}, seed={self.seed!r})"


class _BookLines(Callback):
    """After each epoch of ``Network.SGD``: the book's printed lines and network2's monitored lists."""

    def __init__(self, net: "Network", X: np.ndarray, Y: np.ndarray, lmbda: float, evaluation: Any, test: Any,
                 verbose: bool, evaluation_cost: bool, evaluation_accuracy: bool, training_cost: bool,
                 training_accuracy: bool) -> None:
        self.net, self.X, self.Y, self.lmbda = net, X, Y, lmbda
        self.evaluation, self.test, self.verbose = evaluation, test, verbose
        self.monitor = {"evaluation_cost": evaluation_cost, "evaluation_accuracy": evaluation_accuracy,
                        "training_cost": training_cost, "training_accuracy": training_accuracy}
        self.evaluation_cost: list[float] = []
        self.evaluation_accuracy: list[int] = []
        self.training_cost: list[float] = []
        self.training_accuracy: list[int] = []
        self._j = 0

    def say(self, line: str) -> None:
        if self.verbose:
            print(line)

    def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> None:
        net, test, evaluation = self.net, self.test, self.evaluation
        j, self._j = self._j, self._j + 1        # the book counts the epochs of this SGD call from 0
        if test is not None:
            self.say(f"Epoch {j}: {net._count_correct(*test)} / {test[0].shape[0]}")
        else:
            self.say(f"Epoch {j} complete")
        if self.monitor["training_cost"]:
            self.training_cost.append(net._total_cost(self.X, self.Y, self.lmbda))
            self.say(f"Cost on training data: {self.training_cost[-1]}")
        if self.monitor["training_accuracy"]:
            self.training_accuracy.append(net._count_correct(self.X, net._labels_of(self.Y)))
            self.say(f"Accuracy on training data: {self.training_accuracy[-1]} / {self.X.shape[0]}")
        if evaluation is not None and self.monitor["evaluation_cost"]:
            X_e, labels_e = evaluation
            self.evaluation_cost.append(net._total_cost(X_e, one_hot(labels_e, net.sizes[-1]), self.lmbda))
            self.say(f"Cost on evaluation data: {self.evaluation_cost[-1]}")
        if evaluation is not None and self.monitor["evaluation_accuracy"]:
            self.evaluation_accuracy.append(net._count_correct(*evaluation))
            self.say(f"Accuracy on evaluation data: {self.evaluation_accuracy[-1]} / {evaluation[0].shape[0]}")


def load(filename: Union[str, os.PathLike]) -> Network:
    """Load a ``Network`` written by ``Network.save`` (or by Nielsen's network2)."""
    where = f"chainrule.classic.nielsen.load({os.fspath(filename)!r})"
    with open(filename, encoding="utf-8") as f:
        try:
            data = json.load(f)
        except (ValueError, RecursionError) as exc:          # RecursionError: JSON nested too deep
            raise ValueError(f"{where}: not valid JSON ({exc}).") from None
    keys = ("sizes", "weights", "biases", "cost")
    if not isinstance(data, dict) or any(key not in data for key in keys):
        found = sorted(data) if isinstance(data, dict) else type(data).__name__
        raise ValueError(f"{where}: expected a JSON object with keys {list(keys)} (network2's format), got {found}.")
    if not isinstance(data["cost"], str) or data["cost"] not in COSTS:
        raise ValueError(f"{where}: unknown cost {data['cost']!r}; expected one of {sorted(COSTS)}.")
    try:
        weights = [np.array(w, dtype=np.float64) for w in _list(data["weights"], "weights")]
        biases = [np.array(b, dtype=np.float64) for b in _list(data["biases"], "biases")]
        sizes = _list(data["sizes"], "sizes")
        # NOTE: bounded before Network(sizes) draws weights: a tampered sizes [10**6, 10**6] would ask for 8 TB.
        if all(isinstance(n, int) for n in sizes):
            needed = sum(n_out * (n_in + 1) for n_in, n_out in zip(sizes[:-1], sizes[1:]))
            if needed > 2 * (sum(w.size for w in weights) + sum(b.size for b in biases)) + 10**6:  # else: exact message below
                raise ValueError(f"sizes {sizes} need {needed:,} weights and biases, more than the file stores; "
                                 "the file is corrupt or was edited.")
        net = Network(sizes, cost=COSTS[data["cost"]])
        net.weights, net.biases = weights, biases
    except (ValueError, TypeError) as exc:
        raise ValueError(f"{where}: {exc}") from exc
    return net


def _list(value: Any, name: str) -> list:
    if not isinstance(value, list):
        raise ValueError(f"{name} must be a list of nested lists, got {type(value).__name__}.")
    return value

