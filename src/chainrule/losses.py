"""Losses: ``forward(Y_hat, Y) -> float`` and ``backward() -> dY_hat``.

The loss owns the 1/m: ``backward`` returns ∂L/∂Ŷ of the *mean* loss over the m rows, so layers
apply only the local chain rule. Each loss keeps its value next to its output-layer gradient
(Nielsen's ``fn``/``delta``). What the targets mean (classes or values, labels, accuracy) lives in
``chainrule.targets``; a loss only declares its ``link`` there.
"""

from __future__ import annotations

from typing import Any, Union

import numpy as np

from . import _checks
from . import targets
from ._constants import constant
from .activations import sigmoid


class Loss:
    """Base class: subclasses implement ``forward``, ``backward`` and ``per_example``.

    ``link`` says how the outputs become class probabilities (see ``chainrule.targets``): ``None``
    here, so a subclass that declares nothing is scored as a regressor.
    """

    link: Union[str, None] = None

    def __init__(self) -> None:
        self._cache: Union[tuple, None] = None

    def forward(self, Y_hat: np.ndarray, Y: np.ndarray) -> float:
        raise NotImplementedError

    def backward(self) -> np.ndarray:
        """∂L/∂Ŷ (m, k) for the Ŷ and Y of the last ``forward``; a new array every call."""
        raise NotImplementedError

    def per_example(self, Y_hat: np.ndarray, Y: np.ndarray) -> np.ndarray:
        """Each row's loss ℓ_i (m,), so that ``forward`` is their mean; used for sample weights."""
        raise NotImplementedError

    def weighted(self, Y_hat: np.ndarray, Y: np.ndarray, weights: np.ndarray) -> float:
        """L = 1/m · Σ w_i ℓ_i, caching for ``backward_weighted``."""
        self.forward(Y_hat, Y)
        return float(np.dot(weights, self.per_example(Y_hat, Y))) / Y_hat.shape[0]

    def backward_weighted(self, weights: np.ndarray) -> np.ndarray:
        """∂/∂Ŷ of 1/m · Σ w_i ℓ_i: each row of the unweighted gradient times its w_i."""
        dY_hat = self.backward()
        dY_hat *= weights[:, None]
        return dY_hat

    def __call__(self, Y_hat: np.ndarray, Y: np.ndarray) -> float:
        return self.forward(Y_hat, Y)

    def config(self) -> dict[str, Any]:
        return {}

    def _check_pair(self, Y_hat: np.ndarray, Y: np.ndarray) -> None:
        if Y_hat.shape != Y.shape:
            hint = ""
            if Y_hat.ndim == Y.ndim == 2 and Y_hat.shape[0] == Y.shape[0]:
                hint = (f" Y needs one column per output ({Y_hat.shape[1]}); if Y holds class labels, use "
                        f"chainrule.one_hot(labels, n_classes={Y_hat.shape[1]}).")
            raise ValueError(
                f"{type(self).__name__}: Y_hat has shape {Y_hat.shape} but Y has shape {Y.shape}; "
                f"they must match (rows are examples).{hint}"
            )

    def _saved(self) -> tuple:
        if self._cache is None:
            raise ValueError(f"{type(self).__name__}: backward called before forward.")
        return self._cache

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.config().items())
        return f"{type(self).__name__}({args})"


class MeanSquaredError(Loss):
    """Quadratic cost, averaged over the m rows.

    half=True (Nielsen's quadratic cost):  L = 1/(2m) · Σ‖ŷ - y‖²,  dŶ = (Ŷ - Y) / m
    half=False (the course's seed 004):    L = 1/m · Σ‖ŷ - y‖²,     dŶ = 2(Ŷ - Y) / m
    """

    link = "identity"          # classes when Y is one-hot or 0/1 (Nielsen's digits), values otherwise

    def __init__(self, half: bool = True) -> None:
        super().__init__()
        self.half = bool(half)
        self.scale = 0.5 if self.half else 1.0

    def forward(self, Y_hat: np.ndarray, Y: np.ndarray) -> float:
        self._check_pair(Y_hat, Y)
        diff = Y_hat - Y
        self._cache = (diff,)
        return self.scale * float(np.vdot(diff, diff)) / Y.shape[0]

    def backward(self) -> np.ndarray:
        (diff,) = self._saved()
        # NOTE: the factor as a 0-d array of diff's dtype: the same rounding as a Python float, ~0.7 µs less
        return np.multiply(diff, constant(2.0 * self.scale / diff.shape[0], diff.dtype))

    def per_example(self, Y_hat: np.ndarray, Y: np.ndarray) -> np.ndarray:
        diff = Y_hat - Y
        return self.scale * np.einsum("ij,ij->i", diff, diff)

    def config(self) -> dict[str, Any]:
        return {"half": self.half}


class BinaryCrossEntropy(Loss):
    """Binary cross-entropy, averaged over all m·k entries (k independent sigmoid outputs).

    from_logits=True (pair with a linear output; fused, never log(0)):
        L = 1/(m·k) · Σ [max(z, 0) - z·y + log(1 + exp(-|z|))],   dZ = (σ(Z) - Y) / (m·k)
    from_logits=False (pair with a ``Sigmoid`` output, as the course does):
        L = -1/(m·k) · Σ [y·log(a) + (1 - y)·log(1 - a)],        dA = (A - Y) / (A(1 - A)) / (m·k)
        A is clipped to [ε, 1 - ε] inside the logs only (ε = 1e-15, or float32's 1.2e-7); dA is (A - Y) / (A(1 - A)) / (m·k),
        the course's -(Y/A - (1 - Y)/(1 - A)) / m.
    With k = 1 this is the course's cost ``-1/m Σ (y log a + (1-y) log(1-a))``.
    ``sum_over_outputs=True`` divides by m instead of m·k: Nielsen's ``CrossEntropyCost``, which
    sums over the k outputs and averages over the examples (its delta is ``a - y`` per example).
    """

    link = "sigmoid"           # each output its own 0/1 label; ``from_logits`` says whether Ŷ is Z or σ(Z)
    clip = 1e-15

    def _eps(self, A: np.ndarray) -> float:
        """The clip bound: 1e-15, or the dtype's machine epsilon when larger (float32: 1 - 1e-15 == 1)."""
        return max(self.clip, float(np.finfo(A.dtype).eps)) if A.dtype.kind == "f" else self.clip

    def __init__(self, from_logits: bool = False, sum_over_outputs: bool = False) -> None:
        super().__init__()
        self.from_logits = bool(from_logits)
        self.sum_over_outputs = bool(sum_over_outputs)

    def _count(self, Y: np.ndarray) -> int:
        """The divisor: m·k entries, or m examples when summing over outputs."""
        return Y.shape[0] if self.sum_over_outputs else Y.size

    def forward(self, Y_hat: np.ndarray, Y: np.ndarray) -> float:
        self._check_pair(Y_hat, Y)
        targets.probabilities_only(Y, "BinaryCrossEntropy", "BinaryCrossEntropy.forward")
        self._cache = (Y_hat, Y)
        return float(self._terms(Y_hat, Y).sum()) / self._count(Y)

    def _terms(self, Y_hat: np.ndarray, Y: np.ndarray) -> np.ndarray:
        """The loss of every entry (m, k), before averaging."""
        if self.from_logits:
            Z = Y_hat
            return np.maximum(Z, 0.0) - Z * Y + np.log1p(np.exp(-np.abs(Z)))
        eps = self._eps(Y_hat)
        A = np.clip(Y_hat, eps, 1.0 - eps)
        return -(Y * np.log(A) + (1.0 - Y) * np.log(1.0 - A))

    def backward(self) -> np.ndarray:
        Y_hat, Y = self._saved()
        if self.from_logits:
            dZ = sigmoid(Y_hat)
            dZ -= Y
            dZ *= 1.0 / self._count(Y)
            return dZ
        A = Y_hat
        denominator = A * (1.0 - A)
        # NOTE: a saturated sigmoid gives A = 1.0 exactly; a tiny denominator keeps dA finite, and the
        # Sigmoid's backward then multiplies it by A(1 - A) = 0. Clipping A itself would change dA
        # for every A outside (0, 1), which the course's test cases feed in on purpose.
        denominator[denominator == 0.0] = np.finfo(denominator.dtype).tiny
        dA = np.subtract(A, Y)
        dA /= denominator
        dA *= 1.0 / self._count(Y)
        return dA

    def per_example(self, Y_hat: np.ndarray, Y: np.ndarray) -> np.ndarray:
        return self._terms(Y_hat, Y).sum(axis=1) * (Y.shape[0] / self._count(Y))

    def config(self) -> dict[str, Any]:
        config: dict[str, Any] = {"from_logits": self.from_logits}
        if self.sum_over_outputs:
            config["sum_over_outputs"] = True
        return config


class SoftmaxCrossEntropy(Loss):
    """Softmax and cross-entropy fused, from logits Z (m, k).

    P = softmax(Z),   L = -1/m · Σ_i Σ_j Y_ij · log P_ij,   dZ = (P - Y) / m

    ``backward`` is the gradient with respect to the softmax *input* Z: it never divides by a
    probability. log P is computed as (Z - max Z) - log Σ exp(Z - max Z), so it is never log(0).
    Y may be one-hot rows (m, k) or integer class indices (m,).
    """

    link = "softmax"

    def forward(self, Y_hat: np.ndarray, Y: np.ndarray) -> float:
        Y = targets.dense(Y, Y_hat)
        self._check_pair(Y_hat, Y)
        targets.probabilities_only(Y, "SoftmaxCrossEntropy", "SoftmaxCrossEntropy.forward")
        log_P = self._log_softmax(Y_hat)
        self._cache = (np.exp(log_P), Y)
        return -float(np.vdot(Y, log_P)) / Y.shape[0]

    @staticmethod
    def _log_softmax(Z: np.ndarray) -> np.ndarray:
        """log P = (Z - max Z) - log Σ exp(Z - max Z), per row: never log(0)."""
        shifted = Z - Z.max(axis=1, keepdims=True)
        return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))

    def backward(self) -> np.ndarray:
        P, Y = self._saved()
        dZ = np.subtract(P, Y)
        dZ *= 1.0 / Y.shape[0]
        return dZ

    def per_example(self, Y_hat: np.ndarray, Y: np.ndarray) -> np.ndarray:
        Y = targets.dense(Y, Y_hat)
        return -(Y * self._log_softmax(Y_hat)).sum(axis=1)

class MeanAbsoluteError(Loss):
    """L = 1/(m·k) · Σ |ŷ - y|;   dŶ = sign(Ŷ - Y) / (m·k)   (a subgradient: 0 where ŷ = y)."""

    def forward(self, Y_hat: np.ndarray, Y: np.ndarray) -> float:
        self._check_pair(Y_hat, Y)
        diff = Y_hat - Y
        self._cache = (diff,)
        return float(np.abs(diff).sum()) / diff.size

    def backward(self) -> np.ndarray:
        (diff,) = self._saved()
        return np.sign(diff) * (1.0 / diff.size)

    def per_example(self, Y_hat: np.ndarray, Y: np.ndarray) -> np.ndarray:
        return np.abs(Y_hat - Y).sum(axis=1) / Y.shape[1]


class Huber(Loss):
    """Huber loss with threshold δ, averaged over all m·k entries; quadratic near 0, linear in the tails.

    r = ŷ - y;   ℓ(r) = ½r² if |r| <= δ else δ(|r| - ½δ);   dŶ = clip(r, -δ, δ) / (m·k)
    """

    def __init__(self, delta: float = 1.0) -> None:
        super().__init__()
        self.delta = _checks.positive_number(delta, "delta", "Huber")

    def forward(self, Y_hat: np.ndarray, Y: np.ndarray) -> float:
        self._check_pair(Y_hat, Y)
        r = Y_hat - Y
        self._cache = (r,)
        return float(self._terms(r).sum()) / r.size

    def _terms(self, r: np.ndarray) -> np.ndarray:
        a = np.abs(r)
        return np.where(a <= self.delta, 0.5 * r * r, self.delta * (a - 0.5 * self.delta))

    def per_example(self, Y_hat: np.ndarray, Y: np.ndarray) -> np.ndarray:
        return self._terms(Y_hat - Y).sum(axis=1) / Y.shape[1]

    def backward(self) -> np.ndarray:
        (r,) = self._saved()
        dY_hat = np.clip(r, -self.delta, self.delta)
        dY_hat *= 1.0 / r.size
        return dY_hat

    def config(self) -> dict[str, Any]:
        return {"delta": self.delta}
