"""Batch normalization for dense layers (Ioffe & Szegedy 2015, Algorithm 1).

``BatchNorm(n)`` normalizes each of the n features over the batch, then rescales it with learned
γ and β. It usually sits between a ``Dense`` layer and its activation::

    Sequential([Dense(2, 16), BatchNorm(16), ReLU(), Dense(16, 1)])

Examples are rows, so the batch statistics are reductions over ``axis=0``. In the course's column
layout (n, m) the same statistics are over axis 1.
"""

from __future__ import annotations

from typing import Any, Union

import numpy as np

from . import _checks
from .layers import Layer


class BatchNorm(Layer):
    """Batch normalization of the features of A_prev (m, n); γ, β, μ, σ² are (n,).

    Training (``training=True``), with the statistics of this batch::

        μ  = mean(A_prev, axis=0)                      (n,)
        σ² = mean((A_prev - μ)², axis=0)               (n,)    biased: divides by m
        X̂  = (A_prev - μ) / √(σ² + eps)                (m, n)
        A  = γ·X̂ + β                                   (m, n)

    and the running statistics, used at inference, move towards the batch's::

        running_mean = momentum·running_mean + (1 - momentum)·μ
        running_var  = momentum·running_var  + (1 - momentum)·m/(m - 1)·σ²

    ``running_var`` tracks the *unbiased* variance m/(m-1)·σ², as PyTorch does; normalization
    itself uses the biased σ², as in the paper. ``momentum`` weights the old value (Keras's
    convention): PyTorch's ``momentum=0.1`` is our ``momentum=0.9``.

    Inference (``training=False``): the same X̂ and A with μ = running_mean and σ² = running_var.

    Parameters
    ----------
    n_features : int
        Features per example, the ``n_out`` of the layer before.
    momentum : float in [0, 1)
        Weight of the old running statistics in each update.
    eps : float > 0
        Added to the variance before the square root.
    dtype : float64 (default) or float32
        ``Sequential`` rebuilds the layer in the model dtype.

    γ (``gamma``) and β (``beta``) are parameters (``params_and_grads``); ``running_mean`` and
    ``running_var`` are buffers, saved with the model but not trained (``buffers()``).

    NOTE: subtracting μ cancels the bias b of a ``Dense`` just before this layer, so in training
    its gradient db is exactly 0 (β plays its role); a gradient check reports that 0 against
    rounding noise as a relative error of 1.

    Raises ``ValueError`` for input that is not (m, n_features), and for a training batch of fewer
    than 2 examples (a single example normalizes to 0; with m = 2, X̂ is ±1, up to eps, whatever the input).
    """

    param_names = ("gamma", "beta")

    def __init__(self, n_features: int, momentum: float = 0.9, eps: float = 1e-5, dtype: Any = np.float64):
        where = f"BatchNorm({n_features!r})"
        self.n_features = _checks.positive_int(n_features, "n_features", where)
        self.momentum = _checks.in_range(momentum, "momentum", where, 0.0, 1.0)
        self.eps = _checks.positive_number(eps, "eps", where)
        self.X_hat: Union[np.ndarray, None] = None
        self.inv_std: Union[np.ndarray, None] = None
        self.used_batch_stats = False   # whether the last forward normalized with the batch's μ, σ²
        self.build(np.random.default_rng(0), _checks.as_float_dtype(dtype, where))

    @property
    def n_in(self) -> int:
        """Input width, for ``Sequential``'s size check: the layer before must output n_features."""
        return self.n_features

    def build(self, rng: np.random.Generator, dtype: np.dtype) -> None:
        """γ = 1, β = 0, running_mean = 0, running_var = 1: the layer starts as the identity (up to eps)."""
        n = self.n_features
        self.gamma = np.ones(n, dtype=dtype)
        self.beta = np.zeros(n, dtype=dtype)
        self.dgamma = np.zeros_like(self.gamma)
        self.dbeta = np.zeros_like(self.beta)
        self.running_mean = np.zeros(n, dtype=dtype)
        self.running_var = np.ones(n, dtype=dtype)

    def forward(self, A_prev: np.ndarray, training: bool = False, *,
                workspace: Union[dict, None] = None) -> np.ndarray:
        """A = γ·X̂ + β   (m, n), with X̂ from the batch (training) or running statistics."""
        if A_prev.ndim != 2 or A_prev.shape[1] != self.n_features:
            transposed = A_prev.ndim == 2 and A_prev.shape[0] == self.n_features
            hint = " If X is (n_features, m), pass X.T." if transposed else ""
            raise ValueError(
                f"{self.describe()} got input of shape {A_prev.shape}; expected (m, {self.n_features}). "
                f"Make n_features equal the number of outputs of the layer before it.{hint}"
            )
        m = A_prev.shape[0]
        if training:
            if m < 2:
                raise ValueError(
                    f"{self.describe()} got a batch of {m} example(s) in training mode. Batch norm normalizes "
                    "each feature over the batch, so it needs batches of at least 2 (one example would "
                    "normalize to 0). Use batch_size >= 2, and pick one that does not leave a last "
                    "mini-batch of 1 (n_examples % batch_size != 1); or call forward(A_prev, training=False) to use "
                    "the running statistics."
                )
            mu = A_prev.mean(axis=0)
            var = A_prev.var(axis=0)                  # biased: mean((A_prev - μ)², axis=0)
            # NOTE: in place with Python-float factors, so float32 buffers stay float32.
            self.running_mean *= self.momentum
            self.running_mean += (1.0 - self.momentum) * mu
            self.running_var *= self.momentum
            self.running_var += ((1.0 - self.momentum) * m / (m - 1)) * var
        else:
            mu, var = self.running_mean, self.running_var
        self.inv_std = 1.0 / np.sqrt(var + self.eps)
        self.X_hat = (A_prev - mu) * self.inv_std
        self.used_batch_stats = training
        return self.gamma * self.X_hat + self.beta

    def backward(self, dA: np.ndarray, *, input_grad: bool = True,
                 workspace: Union[dict, None] = None) -> Union[np.ndarray, None]:
        """Backpropagate through A = γ·X̂ + β.

        dγ = Σ_rows dA·X̂                                              (n,)
        dβ = Σ_rows dA                                                (n,)
        dX̂ = dA·γ                                                     (m, n)
        training:  dA_prev = (1/m)·(1/√(σ² + eps))·(m·dX̂ - Σ_rows dX̂ - X̂·Σ_rows(dX̂·X̂))   (m, n)
        inference: dA_prev = dX̂ / √(running_var + eps)               (m, n)

        In training μ and σ² depend on every row, which gives the two subtracted terms: - Σ dX̂
        through μ, and - X̂·Σ(dX̂·X̂) through σ². At inference they are constants and the layer is
        affine.
        """
        X_hat, inv_std = self.X_hat, self.inv_std
        self._check_backward(X_hat, dA)
        np.sum(dA * X_hat, axis=0, out=self.dgamma)        # into the arrays build made: stable pairs
        np.sum(dA, axis=0, out=self.dbeta)
        if not input_grad:
            return None
        dX_hat = dA * self.gamma
        if not self.used_batch_stats:
            return dX_hat * inv_std
        m = dA.shape[0]
        return (1.0 / m) * inv_std * (m * dX_hat - dX_hat.sum(axis=0) - X_hat * (dX_hat * X_hat).sum(axis=0))

    def params_and_grads(self) -> list[tuple[np.ndarray, np.ndarray]]:
        return [(self.gamma, self.dgamma), (self.beta, self.dbeta)]

    def buffers(self) -> list[tuple[str, np.ndarray]]:
        """Non-trained state to save and load with the model: live arrays, copy into them with ``[...] =``."""
        return [("running_mean", self.running_mean), ("running_var", self.running_var)]

    def output_dim(self, input_dim: int) -> int:
        return input_dim

    def config(self) -> dict[str, Any]:
        return {"n_features": self.n_features, "momentum": self.momentum, "eps": self.eps}
