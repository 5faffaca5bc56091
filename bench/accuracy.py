#!/usr/bin/env python3
"""Accuracy check for the bench's C-adam configuration: test accuracy after each of 10 epochs, per seed.

    OPENBLAS_NUM_THREADS=1 PYTHONPATH=src python3 bench/accuracy.py [--seeds 0-5] [--epochs 10]

[784, 256, 128, 10] ReLU, He-normal weights, softmax cross-entropy from the logits, Adam(1e-3),
batch 128, float32, on MNIST's 50k training images; accuracy on the 10k test images after every
epoch. run.py times 3 epochs; this script answers the other half of the performance issue:
whether the fast configuration also reaches >= 98% within 10 epochs. It prints one line per seed
and a summary (how many seeds reach 98%, and in which epoch).
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

import chainrule as cr  # noqa: E402
from measurement import MNIST_PATH, load_mnist  # noqa: E402


def seeds_from(text: str) -> list[int]:
    if "-" in text:
        lo, hi = (int(v) for v in text.split("-"))
        return list(range(lo, hi + 1))
    return [int(v) for v in text.split(",")]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="0-5", help="e.g. 0-5 or 1,4,7 (default 0-5)")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--target", type=float, default=0.98)
    args = parser.parse_args()
    if not MNIST_PATH.is_file():
        print(f"needs {MNIST_PATH} (Nielsen's mnist.pkl.gz); not found", file=sys.stderr)
        return 2
    mnist = load_mnist(MNIST_PATH)
    X, y, X_test, y_test = mnist.X_train, mnist.y_train, mnist.X_test, mnist.y_test
    reached = []
    for seed in seeds_from(args.seeds):
        model = cr.Sequential([cr.Dense(784, 256, init="he_normal"), cr.ReLU(),
                               cr.Dense(256, 128, init="he_normal"), cr.ReLU(),
                               cr.Dense(128, 10, init="he_normal")], dtype=np.float32, seed=seed)
        loss, optimizer = cr.SoftmaxCrossEntropy(), cr.Adam(1e-3)
        accuracies, start = [], time.perf_counter()
        for _ in range(args.epochs):
            model.fit(X, y, loss, optimizer, epochs=1, batch_size=128)
            accuracies.append(float(np.mean(model.predict(X_test).argmax(axis=1) == y_test)))
        first = next((i + 1 for i, a in enumerate(accuracies) if a >= args.target), None)
        reached.append(first)
        print(f"seed {seed}: " + " ".join(f"{a:.4f}" for a in accuracies)
              + f"   best {max(accuracies):.4f}, first >= {args.target:g} at epoch {first}"
              + f"   ({time.perf_counter() - start:.0f} s)", flush=True)
    hits = [r for r in reached if r is not None]
    print(f"{len(hits)} of {len(reached)} seeds reach {args.target:.0%} within {args.epochs} epochs"
          + (f" (epochs {sorted(hits)})" if hits else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
