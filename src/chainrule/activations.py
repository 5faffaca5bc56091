"""Activations as parameter-free layers: ``A = g(Z)`` forward, ``dZ = dA * g'(Z)`` backward.

Each class writes its function and its derivative next to each other, as the chain rule reads.
All are numerically stable: no overflow warnings at |Z| = 1e4.
"""

from __future__ import annotations

from typing import Any, Union

import numpy as np

from . import _checks
from ._constants import constant
from .layers import Layer, scratch


class Activation(Layer):
    """Base for elementwise activations; subclasses define ``fn`` and ``derivative``.

    ``backward(dA) = derivative(dA, out)``: dZ = dA * g'(Z), from the cached output A.
    """

    def __init__(self) -> None:
        self.A: Union[np.ndarray, None] = None

    def fn(self, Z: np.ndarray, out: Union[np.ndarray, None] = None, quiet: bool = False) -> np.ndarray:
        raise NotImplementedError

    def derivative(self, dA: np.ndarray, workspace: Union[dict, None]) -> np.ndarray:
        raise NotImplementedError

    def forward(self, Z: np.ndarray, training: bool = False, *, workspace: Union[dict, None] = None) -> np.ndarray:
        # NOTE: with a workspace the caller (the training plan) holds an errstate already: quiet.
        self.A = self.fn(Z, out=scratch(workspace, "A", Z.shape, Z.dtype), quiet=workspace is not None)
        return self.A

    def backward(self, dA: np.ndarray, *, input_grad: bool = True,
                 workspace: Union[dict, None] = None) -> Union[np.ndarray, None]:
        if not input_grad:
            return None
        self._check_backward(self.A, dA)
        return self.derivative(dA, workspace)


def sigmoid(Z: np.ndarray, out: Union[np.ndarray, None] = None, quiet: bool = False) -> np.ndarray:
    """σ(Z) = 1 / (1 + exp(-Z)), written into ``out`` when given.

    NOTE: exp(-Z) overflows to inf below Z = -88 (float32) or -709 (float64), which gives the exact
    limit σ = 0; an errstate silences the warning only then, since entering one costs more than
    the max that decides it. ``quiet=True`` skips the check when the caller has silenced overflow
    already (``fit`` holds one errstate per epoch).
    """
    A = np.negative(Z, out=out)
    if not quiet and A.size and A.max() > 80.0:
        with np.errstate(over="ignore"):
            np.exp(A, out=A)
    else:
        np.exp(A, out=A)
    np.add(A, constant(1.0, A.dtype), out=A)
    np.reciprocal(A, out=A)
    return A


class Sigmoid(Activation):
    """A = σ(Z) = 1 / (1 + exp(-Z));  dZ = dA * A * (1 - A)."""

    def fn(self, Z: np.ndarray, out: Union[np.ndarray, None] = None, quiet: bool = False) -> np.ndarray:
        return sigmoid(Z, out, quiet=quiet)

    def derivative(self, dA: np.ndarray, workspace: Union[dict, None]) -> np.ndarray:
        A = self.A
        dZ = np.subtract(constant(1.0, A.dtype), A, out=scratch(workspace, "dZ", A.shape, A.dtype))
        np.multiply(dZ, A, out=dZ)
        np.multiply(dZ, dA, out=dZ)
        return dZ


class Tanh(Activation):
    """A = tanh(Z);  dZ = dA * (1 - A²)."""

    def fn(self, Z: np.ndarray, out: Union[np.ndarray, None] = None, quiet: bool = False) -> np.ndarray:
        return np.tanh(Z, out=out)

    def derivative(self, dA: np.ndarray, workspace: Union[dict, None]) -> np.ndarray:
        A = self.A
        dZ = np.multiply(A, A, out=scratch(workspace, "dZ", A.shape, A.dtype))
        np.subtract(constant(1.0, A.dtype), dZ, out=dZ)
        np.multiply(dZ, dA, out=dZ)
        return dZ


class ReLU(Activation):
    """A = max(Z, 0);  dZ = dA * [Z > 0].

    ReLU'(0) is taken as 0 (the course's ``dZ[Z <= 0] = 0``); A > 0 exactly where Z > 0.
    """

    def fn(self, Z: np.ndarray, out: Union[np.ndarray, None] = None, quiet: bool = False) -> np.ndarray:
        return np.maximum(Z, constant(0.0, Z.dtype), out=out)

    def derivative(self, dA: np.ndarray, workspace: Union[dict, None]) -> np.ndarray:
        A = self.A
        positive = np.greater(A, constant(0.0, A.dtype), out=scratch(workspace, "positive", A.shape, bool))
        return np.multiply(dA, positive, out=scratch(workspace, "dZ", A.shape, np.result_type(dA, A)))


class LeakyReLU(Activation):
    """A = Z if Z > 0 else alpha·Z;  dZ = dA if Z > 0 else alpha·dA."""

    def __init__(self, alpha: float = 0.01) -> None:
        super().__init__()
        self.alpha = _checks.in_range(alpha, "alpha", f"LeakyReLU({alpha!r})", 0.0, 1.0)
        self.positive: Union[np.ndarray, None] = None

    def fn(self, Z: np.ndarray, out: Union[np.ndarray, None] = None, quiet: bool = False) -> np.ndarray:
        self.positive = Z > 0
        return np.where(self.positive, Z, self.alpha * Z)

    def derivative(self, dA: np.ndarray, workspace: Union[dict, None]) -> np.ndarray:
        return np.where(self.positive, dA, self.alpha * dA)

    def config(self) -> dict[str, Any]:
        return {"alpha": self.alpha}


class Identity(Activation):
    """A = Z;  dZ = dA. The output layer of a regression net, or a logits layer."""

    def fn(self, Z: np.ndarray, out: Union[np.ndarray, None] = None, quiet: bool = False) -> np.ndarray:
        return Z

    def derivative(self, dA: np.ndarray, workspace: Union[dict, None]) -> np.ndarray:
        return dA


def softmax(Z: np.ndarray) -> np.ndarray:
    """P = exp(Z - max Z) / Σ exp(Z - max Z) along the last axis: shifting never overflows."""
    P = Z - Z.max(axis=-1, keepdims=True)
    np.exp(P, out=P)
    P /= P.sum(axis=-1, keepdims=True)
    return P


class Softmax(Activation):
    """P = softmax(Z) per row;  dZ = P * (dA - Σ_j dA_j P_j).

    For training, prefer a linear output with ``SoftmaxCrossEntropy`` (fused, from logits):
    it gives dZ = (P - Y)/m directly. This layer is for inference and for other losses.
    """

    def fn(self, Z: np.ndarray, out: Union[np.ndarray, None] = None, quiet: bool = False) -> np.ndarray:
        return softmax(Z)

    def derivative(self, dA: np.ndarray, workspace: Union[dict, None]) -> np.ndarray:
        P = self.A
        return P * (dA - (dA * P).sum(axis=-1, keepdims=True))
