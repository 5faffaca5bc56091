"""What the bench trains: the configurations, the shared initial weights and how much of each is timed.

The bottom of the bench's import order (configs, measurement, peers, rounds and diagnostics, report,
run: each imports only from those before it); it imports nothing from the bench.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

FULL_TRAIN = 50_000          # the epoch every MNIST time is normalized to
N_CLASSES = 10


@dataclass
class Config:
    name: str
    title: str
    sizes: list
    hidden: str                 # "sigmoid" | "relu"
    output: str                 # "sigmoid" | "linear"
    cost: str                   # "quadratic" | "nielsen_ce" | "softmax_ce" | "bce"
    optimizer: str              # "sgd" | "adam"
    lr: float
    batch: int
    lmbda: float = 0.0          # Nielsen's L2 strength: weight decay eta*lmbda/n per step
    init: str = "lecun"         # "nielsen1" | "nielsen2" | "lecun" | "he"
    dtypes: tuple = ("float32",)
    peers: tuple = ("compiled", "torch", "jax-step", "jax-scan", "sklearn", "floor")
    data: str = "mnist"         # "mnist" | "cat"
    iterations: int = 0         # D: full-batch iterations (the "epoch" of D is all of them)


CONFIGS = {
    "A": Config("A", "[784,30,10] sigmoid, quadratic, SGD 3.0, batch 10 (network.py)",
                [784, 30, 10], "sigmoid", "sigmoid", "quadratic", "sgd", 3.0, 10, init="nielsen1",
                dtypes=("float64", "float32"), peers=("compiled", "nielsen", "numpy", "torch", "jax-step", "jax-scan", "sklearn", "floor")),
    "A128": Config("A128", "as A, batch 128",
                   [784, 30, 10], "sigmoid", "sigmoid", "quadratic", "sgd", 3.0, 128, init="nielsen1",
                   dtypes=("float64", "float32"), peers=("compiled", "nielsen", "numpy", "torch", "jax-step", "jax-scan", "sklearn", "floor")),
    "B": Config("B", "[784,30,10] sigmoid, cross-entropy + L2 (lmbda 5), SGD 0.5, batch 10 (network2.py)",
                [784, 30, 10], "sigmoid", "sigmoid", "nielsen_ce", "sgd", 0.5, 10, lmbda=5.0, init="nielsen2",
                dtypes=("float64", "float32"), peers=("compiled", "nielsen", "torch", "jax-step", "jax-scan", "sklearn", "floor")),
    "C": Config("C", "[784,256,128,10] sigmoid, softmax CE + L2 (lmbda 5), SGD 2.0, batch 128",
                [784, 256, 128, 10], "sigmoid", "linear", "softmax_ce", "sgd", 2.0, 128, lmbda=5.0,
                init="lecun", dtypes=("float64", "float32")),
    "C-adam": Config("C-adam", "[784,256,128,10] ReLU, softmax CE, Adam 1e-3, batch 128",
                     [784, 256, 128, 10], "relu", "linear", "softmax_ce", "adam", 1e-3, 128, init="he",
                     dtypes=("float32",)),
    "D": Config("D", "cat L-layer [12288,20,7,5,1] ReLU/sigmoid, BCE, GD 0.0075, full batch 209, 2500 it",
                [12288, 20, 7, 5, 1], "relu", "sigmoid", "bce", "sgd", 0.0075, 209, init="lecun",
                dtypes=("float64", "float32"), peers=("torch", "floor"), data="cat", iterations=2500),
}


def timed_sizes(args) -> tuple[int, int, int]:
    """(examples per timed epoch, examples for the per-example loop, D's iterations) from run.py's arguments.

    ``--quick``: 10k, 5k and 250; otherwise 50k, 50k and 2500; ``--train``, ``--nielsen-train`` and
    ``--iterations`` override them. Callers clip the example counts to the data they have.
    """
    n_train = args.train or (10_000 if args.quick else FULL_TRAIN)
    n_loop = args.nielsen_train or (5_000 if args.quick else n_train)
    iterations = args.iterations or (250 if args.quick else CONFIGS["D"].iterations)
    return n_train, n_loop, iterations


def initial_params(cfg: Config, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """[(W (n_in, n_out), b (n_out,)), ...] in float64, drawn from ``default_rng(seed)``.

    Every implementation but sklearn starts from these weights.
    nielsen1: W, b ~ N(0, 1) (network.py);  nielsen2: W ~ N(0, 1/n_in), b ~ N(0, 1) (network2.py);
    lecun: W ~ N(0, 1/n_in), b = 0 (the course's cat net);  he: W ~ N(0, 2/n_in), b = 0.
    """
    rng = np.random.default_rng(seed)
    params = []
    for n_in, n_out in zip(cfg.sizes[:-1], cfg.sizes[1:]):
        std = {"nielsen1": 1.0, "nielsen2": 1 / math.sqrt(n_in), "lecun": 1 / math.sqrt(n_in),
               "he": math.sqrt(2 / n_in)}[cfg.init]
        W = std * rng.standard_normal((n_in, n_out))
        b = rng.standard_normal(n_out) if cfg.init.startswith("nielsen") else np.zeros(n_out)
        params.append((W, b))
    return params
