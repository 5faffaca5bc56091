#!/usr/bin/env python3
"""Epoch times of ``Sequential.fit`` from two source trees, measured in turn in one run.

    OPENBLAS_NUM_THREADS=1 python3 bench/vs_tree.py OLD_SRC NEW_SRC [--rounds 5] [--epochs 5]

For each round, each configuration (A: [784,30,10] sigmoid, half-MSE, SGD 3.0, batch 10; C:
[784,256,128,10] sigmoid, softmax CE, Dense(l2=5/n), SGD 2.0, batch 128) and each dtype, a fresh
process imports chainrule from OLD_SRC, then one from NEW_SRC (alternating, so drift hits both), and
trains 1 + ``--epochs`` epochs on MNIST's first 10k training rows; the first epoch is dropped.
Prints, per tree, the minimum and median epoch seconds over all rounds, and the new/old ratio of
the minima. Used for issue 12's "no slower than before in the same run".
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

CHILD = r"""
import gzip, json, pickle, sys, time
import numpy as np
import chainrule as cr
config, dtype, epochs, mnist = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
extra = json.loads(sys.argv[5])
with gzip.open(mnist, "rb") as f:
    (X, y), _, _ = pickle.load(f, encoding="latin1")
X, y = X[:10_000].astype(dtype), y[:10_000]
Y = np.eye(10)[y]
rng = np.random.default_rng(0)
if config == "A":
    sizes, act, loss, lr, batch, l2 = [784, 30, 10], cr.Sigmoid, cr.MeanSquaredError(half=True), 3.0, 10, 0.0
else:
    sizes, act, loss, lr, batch, l2 = [784, 256, 128, 10], cr.Sigmoid, cr.SoftmaxCrossEntropy(), 2.0, 128, 5.0 / len(X)
layers = []
for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
    layers.append(cr.Dense(n_in, n_out, l2=l2))
    if i < len(sizes) - 2 or config == "A":
        layers.append(act())
model = cr.Sequential(layers, dtype=dtype, seed=0)
class Timer(cr.Callback):
    def on_train_begin(self, model):
        super().on_train_begin(model); self.times = []; self.t = time.perf_counter()
    def on_epoch_end(self, epoch, logs):
        now = time.perf_counter(); self.times.append(now - self.t); self.t = now
timer = Timer()
model.fit(X, Y, loss, cr.SGD(lr=lr), epochs=epochs + 1, batch_size=batch, callbacks=[timer], **extra)
print(json.dumps(timer.times[1:]))
"""


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("old_src")
    p.add_argument("new_src")
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--configs", default="A,C")
    p.add_argument("--dtypes", default="float64,float32")
    p.add_argument("--new-fit", default="{}", help='JSON keyword arguments for the new tree\'s fit, e.g. \'{"backend": "numpy"}\'')
    p.add_argument("--mnist", default=str(Path(os.environ.get("CHAINRULE_DATA", Path(__file__).resolve().parents[2]
                                                                / "shared" / "data")) / "mnist.pkl.gz"))
    args = p.parse_args()
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
    times: dict[tuple, list[float]] = {}
    for _ in range(args.rounds):
        for config in args.configs.split(","):
            for dtype in args.dtypes.split(","):
                for tree in ("old", "new"):
                    env["PYTHONPATH"] = getattr(args, f"{tree}_src")
                    extra = args.new_fit if tree == "new" else "{}"
                    out = subprocess.run([sys.executable, "-c", CHILD, config, dtype, str(args.epochs), args.mnist, extra],
                                         env=env, capture_output=True, text=True, check=True).stdout
                    times.setdefault((config, dtype, tree), []).extend(json.loads(out))
    print("| config | dtype | old min s/epoch | old median | new min s/epoch | new median | new/old (min) |")
    print("|---|---|---|---|---|---|---|")
    for config in args.configs.split(","):
        for dtype in args.dtypes.split(","):
            old, new = sorted(times[(config, dtype, "old")]), sorted(times[(config, dtype, "new")])
            print(f"| {config} | {dtype} | {old[0]:.4f} | {old[len(old) // 2]:.4f} | {new[0]:.4f} | "
                  f"{new[len(new) // 2]:.4f} | {new[0] / old[0]:.2f} |")


if __name__ == "__main__":
    main()
