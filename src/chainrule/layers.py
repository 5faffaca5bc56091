"""Layers: the ``Layer`` contract, ``Dense`` and ``Dropout``.

Examples are rows. ``Dense`` computes ``Z = A_prev @ W + b`` with ``A_prev`` (m, n_in),
``W`` (n_in, n_out), ``b`` (n_out,). That is the transpose of the course's ``Z = W·A + b``:
our ``W`` is the course's ``Wᵀ`` and our ``b`` its ``b.ravel()``.

The contract every layer keeps, and all that ``fit`` relies on::

    build(rng, dtype)                        (re)create parameters in dtype, drawing from rng
    forward(A_prev, training=False) -> A     caches what backward needs
    backward(dA) -> dA_prev                  sets the gradients (overwrites; one backward per forward)
    params_and_grads() -> [(W, dW), ...]     the parameters and their gradients; [] without parameters
    config() -> dict                         constructor arguments, for save/load

A layer may rebind its gradient arrays in ``backward`` (``self.dW = ...``); ``fit`` asks for
``params_and_grads()`` after every backward. The built-in layers also accept, as keywords,
``input_grad=False`` (skip ∂L/∂A_prev, which the first layer's caller never needs) and a
``workspace`` dict (write outputs into arrays kept there between batches; its ``"scale"`` is a
factor the incoming gradient already carries, which ``Dense``'s penalty terms then carry too); the
training plan (``chainrule.plan``) passes them, and without them the layers return fresh arrays.
The built-in ``Dense`` writes ``dW`` and ``db`` into the arrays ``build`` made.

The optimizer owns the memory of ``W`` and ``b`` and updates it in place; nothing rebinds them.
The loss owns the 1/m: layers apply only the local chain rule, so ``dW = A_prev.T @ dZ``.
"""

from __future__ import annotations

from typing import Any, Union

import numpy as np

from . import _checks, initializers
from ._constants import ones


def scratch(workspace: Union[dict, None], name: str, shape: tuple, dtype: Any) -> np.ndarray:
    """An array to write ``name`` into: a new one, or the workspace's, reused while shape and dtype hold."""
    if workspace is None:
        return np.empty(shape, dtype)
    buffer = workspace.get(name)
    if buffer is None or buffer.shape != shape or buffer.dtype != dtype:
        buffer = workspace[name] = np.empty(shape, dtype)     # the last, smaller batch reallocates once
    return buffer


class Layer:
    """Base class. Subclasses implement ``forward`` and ``backward``; parameterized ones also
    override ``params_and_grads`` and ``build``."""

    index: Union[int, None] = None

    def build(self, rng: np.random.Generator, dtype: np.dtype) -> None:
        """(Re)create parameters and random state from ``rng`` in ``dtype``. Default: nothing."""

    def forward(self, A_prev: np.ndarray, training: bool = False) -> np.ndarray:
        raise NotImplementedError

    def backward(self, dA: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def params_and_grads(self) -> list[tuple[np.ndarray, np.ndarray]]:
        return []

    def buffers(self) -> list[tuple[str, np.ndarray]]:
        """Named state saved and loaded with the model but not trained (``BatchNorm``'s running statistics)."""
        return []

    def penalty(self) -> float:
        """Regularization term this layer adds to the loss value. Default: 0."""
        return 0.0

    @property
    def has_penalty(self) -> bool:
        """Whether ``penalty`` can be non-zero (lets ``fit`` skip computing it)."""
        return False

    #: names of the parameters in ``params_and_grads`` order, e.g. ``("W", "b")``
    param_names: tuple[str, ...] = ()

    def output_dim(self, input_dim: int) -> int:
        """Number of features this layer outputs for ``input_dim`` input features."""
        return input_dim

    def config(self) -> dict[str, Any]:
        """JSON-serializable constructor arguments (used by save/load and ``summary``)."""
        return {}

    def describe(self) -> str:
        """Human name used in error messages, e.g. ``Dense layer 2 (n_in=128, n_out=10)``."""
        where = f" layer {self.index}" if self.index is not None else ""
        args = ", ".join(f"{k}={v}" for k, v in self.config().items() if not isinstance(v, dict))
        return f"{type(self).__name__}{where}" + (f" ({args})" if args else "")

    def _check_backward(self, cache: Any, dA: np.ndarray) -> None:
        if cache is None:
            raise ValueError(f"{self.describe()}: backward called before forward; call forward(A_prev) first.")
        if dA.shape != cache.shape:
            raise ValueError(
                f"{self.describe()}: backward got dA of shape {dA.shape}, but forward produced an "
                f"output of shape {cache.shape}; dA must have the shape of this layer's output."
            )

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.config().items())
        return f"{type(self).__name__}({args})"


class Dense(Layer):
    """Fully connected layer: ``Z = A_prev @ W + b``.

    Shapes: ``A_prev`` (m, n_in), ``W`` (n_in, n_out), ``b`` (n_out,), ``Z`` (m, n_out).

    Parameters
    ----------
    n_in, n_out : int
        Input and output features.
    init : str or callable
        Weight initializer (see ``chainrule.initializers``); ``b`` starts at zero.
    l2 : float
        L2 strength λ: adds ``½·λ·ΣW²`` to the loss and ``λ·W`` to ``dW``. The course's
        ``λ/(2m)·Σ‖W‖²`` with training-set size m is ``l2 = λ/m``.
    l1 : float
        L1 strength: adds ``l1·Σ|W|`` to the loss and ``l1·sign(W)`` to ``dW`` (a subgradient: 0 at W = 0).
    rng : numpy.random.Generator, optional
        Draws the initial weights; ``Sequential`` re-draws them from its own seeded generator.
    """

    def __init__(self, n_in: int, n_out: int, init: Union[str, initializers.Initializer] = "glorot_uniform",
                 l2: float = 0.0, rng: Union[np.random.Generator, None] = None, dtype: Any = np.float64,
                 l1: float = 0.0):
        where = f"Dense({n_in!r}, {n_out!r})"
        self.n_in = _checks.positive_int(n_in, "n_in", where)
        self.n_out = _checks.positive_int(n_out, "n_out", where)
        self.init = initializers.get(init)
        self.l2 = _checks.in_range(l2, "l2", where, 0.0, float("inf"))
        self.l1 = _checks.in_range(l1, "l1", where, 0.0, float("inf"))
        self.A_prev: Union[np.ndarray, None] = None
        self.build(rng if rng is not None else np.random.default_rng(),
                   _checks.as_float_dtype(dtype, where))

    def build(self, rng: np.random.Generator, dtype: np.dtype) -> None:
        shape = (self.n_in, self.n_out)
        W = np.asarray(self.init(shape, rng, dtype), dtype=dtype)
        if W.shape != shape:
            raise ValueError(f"{self.describe()}: initializer returned shape {W.shape}, expected {shape}.")
        self.W = np.ascontiguousarray(W)
        self.b = np.zeros(self.n_out, dtype=dtype)
        self.dW = np.zeros_like(self.W)
        self.db = np.zeros_like(self.b)

    def forward(self, A_prev: np.ndarray, training: bool = False, *,
                workspace: Union[dict, None] = None) -> np.ndarray:
        """Z = A_prev @ W + b   (m, n_out)."""
        if A_prev.ndim != 2 or A_prev.shape[1] != self.n_in:
            raise ValueError(
                f"{self.describe()} got input of shape {A_prev.shape}; expected (m, {self.n_in}). "
                "Check the layer sizes; if X is (n_features, m), pass X.T."
            )
        if A_prev.dtype != self.W.dtype:
            A_prev = A_prev.astype(self.W.dtype)
        self.A_prev = A_prev
        # NOTE: np.dot rather than np.matmul: the same BLAS call with less dispatch, about 0.6 µs
        # less per product at batch 10 (np.dot's out= needs the exact dtype, hence the casts).
        Z = np.dot(A_prev, self.W, out=scratch(workspace, "Z", (A_prev.shape[0], self.n_out), self.W.dtype))
        np.add(Z, self.b, out=Z)
        return Z

    def backward(self, dZ: np.ndarray, *, input_grad: bool = True,
                 workspace: Union[dict, None] = None) -> Union[np.ndarray, None]:
        """Backpropagate through Z = A_prev @ W + b (the course's Z = W·A + b, transposed).

        dW = A_prev.T @ dZ + l2·W + l1·sign(W)   (n_in, n_out)
        db = dZ.sum(axis=0)          (n_out,)
        dA_prev = dZ @ W.T           (m, n_in); None when ``input_grad`` is false
        """
        A_prev = self.A_prev
        if A_prev is None:
            raise ValueError(f"{self.describe()}: backward called before forward; call forward(A_prev) first.")
        if dZ.shape != (A_prev.shape[0], self.n_out):
            raise ValueError(
                f"{self.describe()}: backward got dZ of shape {dZ.shape}; expected "
                f"{(A_prev.shape[0], self.n_out)}, the shape of this layer's output."
            )
        dtype = self.W.dtype
        if dZ.dtype != dtype:
            dZ = dZ.astype(dtype)
        np.dot(A_prev.T, dZ, out=self.dW)
        # NOTE: the training plan may fold plain SGD's lr into the output gradient; it then puts the
        # factor in the workspace ("scale"), and the penalty terms carry it too: dW = lr·∂L/∂W.
        scale = workspace.get("scale", 1.0) if workspace is not None else 1.0
        if self.l2:
            self.dW += np.multiply(self.W, scale * self.l2, out=scratch(workspace, "penalty", self.W.shape, dtype))
        if self.l1:
            penalty = np.sign(self.W, out=scratch(workspace, "penalty", self.W.shape, dtype))
            self.dW += np.multiply(penalty, scale * self.l1, out=penalty)
        # NOTE: db = 1ᵀ·dZ, the row sum as one BLAS call: about 2x faster than np.add.reduce(axis=0)
        np.dot(ones(dZ.shape[0], dtype), dZ, out=self.db)
        if not input_grad:
            return None
        return np.dot(dZ, self.W.T, out=scratch(workspace, "dA_prev", A_prev.shape, dtype))

    param_names = ("W", "b")

    def params_and_grads(self) -> list[tuple[np.ndarray, np.ndarray]]:
        return [(self.W, self.dW), (self.b, self.db)]

    @property
    def has_penalty(self) -> bool:
        return self.l2 > 0.0 or self.l1 > 0.0

    def penalty(self) -> float:
        """½·l2·ΣW² + l1·Σ|W|."""
        value = 0.0
        if self.l2:
            value += 0.5 * self.l2 * float(np.vdot(self.W, self.W))
        if self.l1:
            value += self.l1 * float(np.abs(self.W).sum())
        return value

    def output_dim(self, input_dim: int) -> int:
        return self.n_out

    def config(self) -> dict[str, Any]:
        config: dict[str, Any] = {"n_in": self.n_in, "n_out": self.n_out}
        if self.l2:
            config["l2"] = self.l2
        if self.l1:
            config["l1"] = self.l1
        return config


class Dropout(Layer):
    """Inverted dropout: in training, ``A = A_prev * mask / (1 - rate)`` with ``mask ~ Bernoulli(1 - rate)``.

    At inference (``training=False``) it is the identity, so no rescaling is needed at test time.
    ``backward``: ``dA_prev = dA * mask / (1 - rate)``.
    """

    def __init__(self, rate: float, rng: Union[np.random.Generator, None] = None):
        self.rate = _checks.in_range(rate, "rate", f"Dropout({rate!r})", 0.0, 1.0)
        self.rng = rng if rng is not None else np.random.default_rng()
        self.mask: Union[np.ndarray, None] = None

    def build(self, rng: np.random.Generator, dtype: np.dtype) -> None:
        self.rng = rng

    def forward(self, A_prev: np.ndarray, training: bool = False, *,
                workspace: Union[dict, None] = None) -> np.ndarray:
        if not training or self.rate == 0.0:
            self.mask = None
            return A_prev
        keep = 1.0 - self.rate
        self.mask = (self.rng.random(A_prev.shape) < keep).astype(A_prev.dtype)
        self.mask *= 1.0 / keep     # Python float: a float32 mask stays float32
        return A_prev * self.mask

    def backward(self, dA: np.ndarray, *, input_grad: bool = True,
                 workspace: Union[dict, None] = None) -> Union[np.ndarray, None]:
        if not input_grad:
            return None
        if self.mask is None:
            return dA
        self._check_backward(self.mask, dA)
        return dA * self.mask

    def config(self) -> dict[str, Any]:
        return {"rate": self.rate}
