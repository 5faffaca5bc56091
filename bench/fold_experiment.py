#!/usr/bin/env python3
"""Does folding the bias into the GEMM (and storing W transposed) speed up config A? Measured, not assumed.

    OPENBLAS_NUM_THREADS=1 python3 bench/fold_experiment.py [float32|float64] [--rounds 7]

Config A ([784, 30, 10] sigmoid, quadratic cost, SGD eta 3.0, batch 10) on the first 10k MNIST
training images (synthetic data of that shape when ../shared/data/mnist.pkl.gz is absent), trained
by four hand-written NumPy loops and compared with the GEMM floor of the same batches:

* ``hand``: bench/numpy_loop.py (``W`` and ``b`` apart, ``Z = A @ W``, ``Z += b``, db = 1ᵀ·δ).
* ``fold``: each layer one (n_in + 1, n_out) array ``Wb`` (``W = Wb[:-1]``, ``b = Wb[-1]``); every
  layer input carries a constant ones column, so ``Z = A_ext @ Wb`` includes the bias, the
  activation writes σ(Z) into the strided view ``A_ext[:, :n]``, one product ``A_extᵀ δ`` gives
  dW and db together, and each layer is updated with one subtraction. The batch is gathered into
  the strided view ``X_ext[:, :784]``.
* ``fold+T``: as ``fold`` with the weights stored transposed, (n_out, n_in + 1) C-contiguous.
* ``fold+chunk``: as ``fold``, gathering 670 rows (about 2 MiB) at a time into a buffer with a
  ones column, as ``chainrule.data.batches`` gathers.

Prints the minimum µs per batch of each loop over the rounds, and its ratio to the floor.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))
sys.path.insert(0, str(HERE))
import numpy_loop  # noqa: E402
from configs import CONFIGS  # noqa: E402
from measurement import batch_list, load_mnist, training_arrays  # noqa: E402
from peers.gemm_floor import gemm_floor_epoch  # noqa: E402  (the bench's own floor, not a copy)

M, BATCH, LR, CHUNK = 10_000, 10, 3.0, 670


def per_batch_us(seconds: float) -> float:
    """µs per batch of an epoch of M examples that took ``seconds``."""
    return seconds / (M / BATCH) * 1e6


def fold_epoch(X, Y, W1, b1, W2, b2, order, dt, transposed=False, chunked=False) -> float:
    """One epoch of the folded-bias loop; returns µs per batch."""
    dot, sub, mul, neg, exp, add, rec = np.dot, np.subtract, np.multiply, np.negative, np.exp, np.add, np.reciprocal
    Wb1, Wb2 = np.vstack([W1, b1[None]]).astype(dt), np.vstack([W2, b2[None]]).astype(dt)
    if transposed:
        Wb1, Wb2 = np.ascontiguousarray(Wb1.T), np.ascontiguousarray(Wb2.T)     # (n_out, n_in + 1)
    X_ext, Y_b = np.ones((BATCH, 785), dt), np.empty((BATCH, 10), dt)
    X_chunk, Y_chunk = np.ones((CHUNK, 785), dt), np.empty((CHUNK, 10), dt)
    A1_ext = np.ones((BATCH, 31), dt)
    A1 = A1_ext[:, :30]
    Z1, Z2 = np.empty((BATCH, 30), dt), np.empty((BATCH, 10), dt)
    d1, d2, t1, t2 = (np.empty((BATCH, n), dt) for n in (30, 10, 30, 10))
    dWb1, dWb2 = np.empty_like(Wb1), np.empty_like(Wb2)
    step, one = np.array(LR / BATCH, dt), np.array(1.0, dt)
    predicted = np.empty(len(order), np.int64)
    start = time.perf_counter()
    with np.errstate(all="ignore"):
        for s in range(0, len(order), BATCH):
            if chunked:
                offset = s % CHUNK
                if offset == 0:
                    rows = order[s:s + CHUNK]
                    np.take(X, rows, 0, X_chunk[:len(rows), :784], "clip")
                    np.take(Y, rows, 0, Y_chunk[:len(rows)], "clip")
                Xe, Yb = X_chunk[offset:offset + BATCH], Y_chunk[offset:offset + BATCH]
            else:
                rows = order[s:s + BATCH]
                np.take(X, rows, 0, X_ext[:, :784], "clip")
                np.take(Y, rows, 0, Y_b, "clip")
                Xe, Yb = X_ext, Y_b
            dot(Xe, Wb1.T if transposed else Wb1, Z1)
            neg(Z1, Z1); exp(Z1, Z1); add(Z1, one, Z1); rec(Z1, A1)                 # noqa: E702
            dot(A1_ext, Wb2.T if transposed else Wb2, Z2)
            neg(Z2, Z2); exp(Z2, Z2); add(Z2, one, Z2); rec(Z2, Z2)                 # noqa: E702
            sub(Z2, Yb, d2)
            float(np.vdot(d2, d2))
            mul(d2, step, d2)
            sub(one, Z2, t2); mul(t2, Z2, t2); mul(d2, t2, d2)                       # noqa: E702
            if transposed:
                dot(d2.T, A1_ext, dWb2)
                dot(d2, Wb2[:, :30], d1)
            else:
                dot(A1_ext.T, d2, dWb2)
                dot(d2, Wb2[:30].T, d1)
            sub(one, A1, t1); mul(t1, A1, t1); mul(d1, t1, d1)                       # noqa: E702
            dot(d1.T, Xe, dWb1) if transposed else dot(Xe.T, d1, dWb1)
            sub(Wb1, dWb1, Wb1)
            sub(Wb2, dWb2, Wb2)
            np.argmax(Z2, 1, predicted[s:s + BATCH])
    return per_batch_us(time.perf_counter() - start)


def timed_us(run_epoch) -> float:
    """µs per batch of one call of ``run_epoch``."""
    start = time.perf_counter()
    run_epoch()
    return per_batch_us(time.perf_counter() - start)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dtype", nargs="?", default="float32", choices=["float32", "float64"])
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    dt = np.dtype(args.dtype)
    X, Y = training_arrays(CONFIGS["A"], load_mnist(), M, dt)
    rng = np.random.default_rng(0)
    W1, W2 = rng.standard_normal((784, 30)).astype(dt), rng.standard_normal((30, 10)).astype(dt)
    b1, b2 = rng.standard_normal(30).astype(dt), rng.standard_normal(10).astype(dt)
    hand = numpy_loop.HandLoop([(W1, b1), (W2, b2)], dt, LR, BATCH, 0)
    floor = gemm_floor_epoch(CONFIGS["A"], batch_list(M, BATCH), dt)
    floor()                             # warm-up
    names = ["floor", "hand", "fold", "fold+T", "fold+chunk"]
    times = {name: [] for name in names}
    for _ in range(args.rounds):        # interleaved, so drifts of the machine hit every loop alike
        order = rng.permutation(M)
        times["floor"].append(timed_us(floor))
        times["hand"].append(timed_us(lambda: hand.epoch(X, Y)))
        times["fold"].append(fold_epoch(X, Y, W1, b1, W2, b2, order, dt))
        times["fold+T"].append(fold_epoch(X, Y, W1, b1, W2, b2, order, dt, transposed=True))
        times["fold+chunk"].append(fold_epoch(X, Y, W1, b1, W2, b2, order, dt, chunked=True))
    best_floor = min(times["floor"])
    print(f"config A, {dt.name}, batch {BATCH}, {M} examples, best of {args.rounds} rounds (µs per batch):")
    for name in names:
        best = min(times[name])
        print(f"  {name:11s} {best:7.1f}   {best / best_floor:.2f}x the floor")
    return 0


if __name__ == "__main__":
    sys.exit(main())
