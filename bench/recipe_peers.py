#!/usr/bin/env python3
"""The 98 % MNIST recipe (examples/mnist_98.py) trained by chainrule, PyTorch and scikit-learn, timed alike.

    python3 bench/recipe_peers.py [--seeds 0] [--epochs 10] [--threads default|1] [--peers chainrule,...]

The recipe: 784-512-256-10 ReLU, He initialization, softmax cross-entropy, Adam (lr 1e-3) with a
cosine decay over the epochs, batch 128, float32, 50k training images, 10 epochs. Each peer runs
in its own process (so thread settings and imports do not leak) and reports the training seconds
(the epochs alone: no data loading, no per-epoch scoring) and the test accuracy on the 10k test
images afterwards.

- ``chainrule``: ``mlp`` + ``fit`` with ``LearningRateScheduler(CosineDecay)``, backend "auto"
  (the compiled epoch when numba is installed) and ``chainrule-numpy`` (the NumPy plan).
- ``torch``: the same layers (``kaiming_normal_`` on the weights, zero biases, PyTorch's ``Adam``),
  the lr set per epoch to the same cosine values, shuffled batches of 128.
- ``sklearn``: ``MLPClassifier(hidden_layer_sizes=(512, 256), solver="adam", batch_size=128,
  max_iter=10)``. NOT identical: scikit-learn has no cosine schedule (constant lr 1e-3), uses
  Glorot-uniform initialization and stops only at max_iter here (``n_iter_no_change`` = max_iter).

``--threads default`` leaves every library its default threading (both cores here); ``1`` sets
one thread for BLAS and PyTorch. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SRC = HERE.parent / "src"
MNIST = Path(os.environ.get("CHAINRULE_DATA", HERE.parents[1] / "shared" / "data")) / "mnist.pkl.gz"

CHILD = r"""
import json, math, sys, time
import numpy as np
peer, seed, epochs, mnist = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
from chainrule.mnist import load_mnist
data = load_mnist(mnist, dtype=np.float32)
X, y, X_test, y_test = data.X_train, data.y_train, data.X_test, data.y_test
lrs = [0.5 * 1e-3 * (1 + math.cos(math.pi * e / epochs)) for e in range(epochs)]    # CosineDecay(1e-3, epochs)
if peer.startswith("chainrule"):
    import chainrule as cr
    from chainrule.schedules import CosineDecay
    model = cr.mlp([784, 512, 256, 10], activation="relu", dtype=np.float32, seed=seed)
    schedule = cr.LearningRateScheduler(CosineDecay(1e-3, total_epochs=epochs))
    start = time.perf_counter()
    model.fit(X, y, cr.SoftmaxCrossEntropy(), cr.Adam(lr=1e-3), epochs=epochs, batch_size=128, callbacks=[schedule],
              backend="numpy" if peer == "chainrule-numpy" else "auto")
    seconds = time.perf_counter() - start
    accuracy = model.evaluate(X_test, y_test)["accuracy"]
elif peer == "torch":
    import torch
    torch.manual_seed(seed)
    net = torch.nn.Sequential(torch.nn.Linear(784, 512), torch.nn.ReLU(), torch.nn.Linear(512, 256), torch.nn.ReLU(),
                              torch.nn.Linear(256, 10))
    for layer in net:
        if isinstance(layer, torch.nn.Linear):
            torch.nn.init.kaiming_normal_(layer.weight, nonlinearity="relu")
            torch.nn.init.zeros_(layer.bias)
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y.astype(np.int64))
    generator = torch.Generator().manual_seed(seed)
    start = time.perf_counter()
    for epoch in range(epochs):
        for group in optimizer.param_groups:
            group["lr"] = lrs[epoch]
        order = torch.randperm(len(Xt), generator=generator)
        for i in range(0, len(Xt), 128):
            idx = order[i:i + 128]
            optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(net(Xt[idx]), yt[idx])
            loss.backward()
            optimizer.step()
    seconds = time.perf_counter() - start
    with torch.no_grad():
        accuracy = float((net(torch.from_numpy(X_test)).argmax(1).numpy() == y_test).mean())
elif peer == "sklearn":
    import warnings
    from sklearn.neural_network import MLPClassifier
    warnings.simplefilter("ignore")
    clf = MLPClassifier(hidden_layer_sizes=(512, 256), solver="adam", learning_rate_init=1e-3, batch_size=128,
                        max_iter=epochs, n_iter_no_change=epochs, tol=0.0, alpha=0.0, random_state=seed)
    start = time.perf_counter()
    clf.fit(X, y)
    seconds = time.perf_counter() - start
    accuracy = float((clf.predict(X_test) == y_test).mean())
print(json.dumps({"seconds": seconds, "accuracy": accuracy}))
"""


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--seeds", default="0")
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--threads", choices=["default", "1"], default="default")
    p.add_argument("--peers", default="chainrule,chainrule-numpy,torch,sklearn")
    p.add_argument("--mnist", default=str(MNIST))
    args = p.parse_args()
    env = dict(os.environ, PYTHONPATH=str(SRC))
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env.pop(var, None)
        if args.threads == "1":
            env[var] = "1"
    print(f"threads: {args.threads} ({os.cpu_count()} cores); {args.epochs} epochs on 50k images; test on 10k")
    print("| peer | seed | training seconds | test accuracy |")
    print("|---|---|---|---|")
    for seed in args.seeds.split(","):
        for peer in args.peers.split(","):
            done = subprocess.run([sys.executable, "-c", CHILD, peer, seed, str(args.epochs), args.mnist], env=env,
                                  capture_output=True, text=True)
            if done.returncode != 0:
                print(f"| {peer} | {seed} | failed: {done.stderr.strip().splitlines()[-1]} | |")
                continue
            result = json.loads(done.stdout.strip().splitlines()[-1])
            print(f"| {peer} | {seed} | {result['seconds']:.1f} | {100 * result['accuracy']:.2f} % |", flush=True)


if __name__ == "__main__":
    main()
