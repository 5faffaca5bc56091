"""The GEMM floor: only the matrix products of one epoch, on preallocated arrays. No trainer can beat it."""

from __future__ import annotations

from typing import Callable

import numpy as np

from configs import Config
from measurement import Ctx, Session, batch_list


def gemm_floor_epoch(cfg: Config, sizes_of_batches: list[int], dtype) -> Callable[[], None]:
    """A function running only the matmuls of one epoch, on arrays allocated here."""
    rng = np.random.default_rng(0)
    dt = np.dtype(dtype)
    pairs = list(zip(cfg.sizes[:-1], cfg.sizes[1:]))
    Ws = [rng.standard_normal((a, b)).astype(dt) * 0.01 for a, b in pairs]
    dWs = [np.empty_like(W) for W in Ws]
    WTs = [W.T for W in Ws]
    buffers = {}
    for bsz in set(sizes_of_batches):
        A = [rng.random((bsz, a)).astype(dt) for a, _ in pairs]             # layer inputs
        Z = [np.empty((bsz, b), dt) for _, b in pairs]
        dZ = [rng.standard_normal((bsz, b)).astype(dt) * 0.01 for _, b in pairs]
        dA = [np.empty((bsz, a), dt) for a, _ in pairs]
        AT = [a.T for a in A]
        buffers[bsz] = (A, Z, dZ, dA, AT)
    L = len(pairs)
    plan = [buffers[b] for b in sizes_of_batches]
    # np.dot: the same BLAS call as np.matmul with less dispatch (~0.6 us less per small product);
    # chainrule's Dense uses it too, so the floor stays the fastest way to issue these products.
    dot = np.dot

    def epoch() -> None:
        for A, Z, dZ, dA, AT in plan:
            for i in range(L):
                dot(A[i], Ws[i], out=Z[i])
            for i in range(L - 1, -1, -1):
                dot(AT[i], dZ[i], out=dWs[i])
                if i:
                    dot(dZ[i], WTs[i], out=dA[i])
    return epoch


class FloorSession(Session):
    impl = "gemm-floor"
    note = "matmuls only (np.dot), preallocated, out="
    SAMPLE_ITERATIONS = 20          # D: iterations timed per round (the floor is a steady loop)

    def __init__(self, cfg: Config, ctx: Ctx, dtype: str) -> None:
        self.cfg = cfg
        self.n_timed = ctx.n_train
        if cfg.data == "cat":
            self.one = gemm_floor_epoch(cfg, [ctx.n_train], dtype)
            self.note = f"matmuls only (np.dot), preallocated, out=; {self.SAMPLE_ITERATIONS} it timed per round"
        else:
            self.one = gemm_floor_epoch(cfg, batch_list(ctx.n_train, cfg.batch), dtype)
        self.one()      # warm-up

    def step(self, units: int) -> list[float]:
        return self.timed(self.one, min(units, self.SAMPLE_ITERATIONS) if self.cfg.data == "cat" else units)
