"""A careful hand-written NumPy training loop: the bench's answer to "how fast can plain NumPy go?".

Config A/A128 only (sigmoid layers, Nielsen's quadratic cost, plain SGD), with every trick that
needs no framework: preallocated buffers and ``out=`` everywhere, one ``np.errstate`` per epoch,
``np.take(..., out=, mode="clip")`` gathers, 0-d constants instead of Python floats, ``np.dot`` for
the products and for db = 1ᵀ·δ, eta/m folded
into the output delta, and no per-batch bookkeeping beyond the loss value and the predicted labels
(which ``fit`` also computes). It has no layers, checks or callbacks, so it bounds from below what
any framework built on the same NumPy calls can reach; chainrule's ``fit`` is compared with it.
"""

from __future__ import annotations

import numpy as np


class HandLoop:
    """[LINEAR -> SIGMOID] * L trained with mini-batch SGD on C = 1/(2m)·Σ‖a - y‖²."""

    def __init__(self, params: list, dtype, lr: float, batch: int, seed: int) -> None:
        dt = np.dtype(dtype)
        self.W = [np.ascontiguousarray(W, dtype=dt) for W, _ in params]
        self.b = [np.array(b, dtype=dt) for _, b in params]
        self.dW = [np.empty_like(W) for W in self.W]
        self.db = [np.empty_like(b) for b in self.b]
        self.WT = [W.T for W in self.W]          # views: BLAS reads the transpose in place
        self.dtype, self.lr, self.batch = dt, lr, batch
        self.one = np.array(1.0, dt)
        self.rng = np.random.default_rng(seed)
        self._buffers: dict = {}

    def _bufs(self, m: int, n_in: int, n_out: int) -> tuple:
        """Per-batch-size buffers: X_b, Y_b, the activations A_l, the deltas D_l, one temp per layer."""
        bufs = self._buffers.get(m)
        if bufs is None:
            dt = self.dtype
            widths = [W.shape[1] for W in self.W]
            bufs = (np.empty((m, n_in), dt), np.empty((m, n_out), dt),
                    [np.empty((m, w), dt) for w in widths], [np.empty((m, w), dt) for w in widths],
                    [np.empty((m, w), dt) for w in widths], np.array(self.lr / m, dt), np.ones(m, dt))
            self._buffers[m] = bufs
        return bufs

    def epoch(self, X: np.ndarray, Y: np.ndarray) -> float:
        """One shuffled pass; returns the training accuracy (argmax of the outputs vs of Y)."""
        dot, neg, exp, add, recip = np.dot, np.negative, np.exp, np.add, np.reciprocal
        sub, mul, take = np.subtract, np.multiply, np.take
        W, b, dW, db, WT, one = self.W, self.b, self.dW, self.db, self.WT, self.one
        L = len(W)
        m_total = X.shape[0]
        order = self.rng.permutation(m_total)
        predicted = np.empty(m_total, np.int64)
        total = 0.0
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            for start in range(0, m_total, self.batch):
                rows = order[start:start + self.batch]
                m = len(rows)
                X_b, Y_b, A, D, T, step, ones = self._bufs(m, X.shape[1], Y.shape[1])
                take(X, rows, 0, X_b, "clip")
                take(Y, rows, 0, Y_b, "clip")
                prev = X_b
                for l in range(L):                  # A_l = σ(A_{l-1} W_l + b_l)
                    Z = dot(prev, W[l], A[l])
                    add(Z, b[l], Z)
                    neg(Z, Z)
                    exp(Z, Z)
                    add(Z, one, Z)
                    recip(Z, Z)
                    prev = Z
                out = A[-1]
                delta = sub(out, Y_b, D[-1])        # a - y
                total += float(np.vdot(delta, delta))
                predicted[start:start + m] = out.argmax(axis=1)
                mul(delta, step, delta)             # eta/m · (a - y)
                for l in range(L - 1, -1, -1):      # δ_l = δ ⊙ σ'(z_l);  dW_l = A_{l-1}ᵀ δ_l
                    s = sub(one, A[l], T[l])
                    mul(s, A[l], s)
                    mul(D[l], s, D[l])
                    dot((A[l - 1] if l else X_b).T, D[l], dW[l])
                    dot(ones, D[l], db[l])              # db = 1ᵀ·δ
                    if l:
                        dot(D[l], WT[l], D[l - 1])
                for l in range(L):
                    sub(W[l], dW[l], W[l])
                    sub(b[l], db[l], b[l])
        truth = Y.argmax(axis=1)[order]
        return float(np.mean(predicted == truth))

    def predict(self, X: np.ndarray) -> np.ndarray:
        A = np.asarray(X, dtype=self.dtype)
        with np.errstate(over="ignore"):
            for W, b in zip(self.W, self.b):
                A = 1.0 / (1.0 + np.exp(-(A @ W + b)))
        return A
