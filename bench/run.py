#!/usr/bin/env python3
"""Benchmark runner: chainrule against its peers, in one run, on the same data and seeds.

    OPENBLAS_NUM_THREADS=1 PYTHONPATH=src python3 bench/run.py [--quick] [--configs A,A128,...]
                                                                [--json out.json] [--epochs N]

For every configuration it trains chainrule (per dtype) and the peers that can express it:

* ``nielsen-loop``  -- bench/nielsen_loop.py, Nielsen's network.py / network2.py per-example loop
* ``torch``         -- PyTorch CPU eager loop, 1 thread (skipped with a note if not importable)
* ``sklearn``       -- MLPClassifier with partial_fit per epoch (skipped if not importable)
* ``gemm-floor``    -- only the matrix products of one epoch, on preallocated arrays

and prints a Markdown table (see bench/README.md for the columns), then writes JSON
(default bench/results/latest.json). Every peer runs inside try/except: a failure is a row
with a note, and the run goes on.
"""

from __future__ import annotations

import os

# Single-threaded BLAS everywhere, set before numpy (or torch) is imported.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "VECLIB_MAXIMUM_THREADS",
             "NUMEXPR_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import cProfile  # noqa: E402
import datetime  # noqa: E402
import gzip  # noqa: E402
import io  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import pickle  # noqa: E402
import platform  # noqa: E402
import pstats  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import traceback  # noqa: E402
import warnings  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any, Callable, Optional  # noqa: E402

import numpy as np  # noqa: E402

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
# Measure the working tree's chainrule (same as PYTHONPATH=src), and import the bench's own peers.
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(HERE))

import chainrule as cr  # noqa: E402
import nielsen_loop  # noqa: E402
import numpy_loop  # noqa: E402

MNIST_PATH = REPO.parent / "shared" / "data" / "mnist.pkl.gz"
CAT_DIR = REPO.parent / "shared" / "data" / "coursera"
FULL_TRAIN = 50_000          # the epoch every MNIST time is normalized to
N_CLASSES = 10

# ---------------------------------------------------------------------------------------------
# configurations
# ---------------------------------------------------------------------------------------------


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
    peers: tuple = ("torch", "sklearn", "floor")
    data: str = "mnist"         # "mnist" | "cat"
    iterations: int = 0         # D: full-batch iterations (the "epoch" of D is all of them)


CONFIGS = {
    "A": Config("A", "[784,30,10] sigmoid, quadratic, SGD 3.0, batch 10 (network.py)",
                [784, 30, 10], "sigmoid", "sigmoid", "quadratic", "sgd", 3.0, 10, init="nielsen1",
                dtypes=("float64", "float32"), peers=("nielsen", "numpy", "torch", "sklearn", "floor")),
    "A128": Config("A128", "as A, batch 128",
                   [784, 30, 10], "sigmoid", "sigmoid", "quadratic", "sgd", 3.0, 128, init="nielsen1",
                   dtypes=("float64", "float32"), peers=("nielsen", "numpy", "torch", "sklearn", "floor")),
    "B": Config("B", "[784,30,10] sigmoid, cross-entropy + L2 (lmbda 5), SGD 0.5, batch 10 (network2.py)",
                [784, 30, 10], "sigmoid", "sigmoid", "nielsen_ce", "sgd", 0.5, 10, lmbda=5.0, init="nielsen2",
                dtypes=("float64", "float32"), peers=("nielsen", "torch", "sklearn", "floor")),
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

# ---------------------------------------------------------------------------------------------
# data
# ---------------------------------------------------------------------------------------------


@dataclass
class Data:
    X_train: np.ndarray         # (m, n) float32
    y_train: np.ndarray         # (m,) int64
    X_test: np.ndarray
    y_test: np.ndarray
    source: str
    n_classes: int = N_CLASSES


def synthetic_classes(m: int, n: int, k: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Random pixels in [0, 1) with labels from a fixed random linear map: learnable, MNIST-shaped."""
    X = rng.random((m, n), dtype=np.float32)
    proj = rng.standard_normal((n, k)).astype(np.float32)
    if k == 1:
        y = (X @ proj[:, 0] > np.median(X @ proj[:, 0])).astype(np.int64)
    else:
        y = (X @ proj).argmax(axis=1).astype(np.int64)
    return X, y


def load_mnist(path: Path) -> Data:
    if path.exists():
        with gzip.open(path, "rb") as f:
            train, _valid, test = pickle.load(f, encoding="latin1")   # trusted bench data
        return Data(np.ascontiguousarray(train[0], dtype=np.float32), np.asarray(train[1], dtype=np.int64),
                    np.ascontiguousarray(test[0], dtype=np.float32), np.asarray(test[1], dtype=np.int64),
                    f"MNIST {path.name} (50k train / 10k test)")
    rng = np.random.default_rng(1234)
    Xtr, ytr = synthetic_classes(60_000, 784, N_CLASSES, rng)
    return Data(Xtr[:50_000], ytr[:50_000], Xtr[50_000:], ytr[50_000:],
                f"SYNTHETIC MNIST-shaped data ({path} not found): accuracies are not MNIST's")


def load_cat(directory: Path) -> Data:
    train, test = directory / "train_catvnoncat.h5", directory / "test_catvnoncat.h5"
    why = ""
    if train.exists() and test.exists():
        try:
            import h5py
            with h5py.File(train, "r") as f:
                Xtr, ytr = np.array(f["train_set_x"]), np.array(f["train_set_y"])
            with h5py.File(test, "r") as f:
                Xte, yte = np.array(f["test_set_x"]), np.array(f["test_set_y"])
            flat = lambda X: np.ascontiguousarray(X.reshape(X.shape[0], -1), dtype=np.float32) / 255.0  # noqa: E731
            return Data(flat(Xtr), ytr.astype(np.int64), flat(Xte), yte.astype(np.int64),
                        "catvnoncat.h5 (209 train / 50 test)", n_classes=2)
        except ImportError:
            why = "h5py not installed"
        except Exception as exc:  # a broken file: fall back, say why
            why = f"{type(exc).__name__}: {exc}"
    else:
        why = f"{train} not found"
    rng = np.random.default_rng(4321)
    X, y = synthetic_classes(259, 12288, 1, rng)
    return Data(X[:209], y[:209], X[209:], y[209:], f"SYNTHETIC random (209, 12288) ({why})", n_classes=2)


def targets(cfg: Config, y: np.ndarray, dtype) -> np.ndarray:
    """One-hot (m, 10) for MNIST; (m, 1) for the cat net."""
    if cfg.sizes[-1] == 1:
        return y.reshape(-1, 1).astype(dtype)
    return cr.one_hot(y, cfg.sizes[-1], dtype=dtype)


# ---------------------------------------------------------------------------------------------
# shared initial parameters: every implementation but sklearn starts from the same weights
# ---------------------------------------------------------------------------------------------


def initial_params(cfg: Config, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """[(W (n_in, n_out), b (n_out,)), ...] in float64, drawn from ``default_rng(seed)``.

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


# ---------------------------------------------------------------------------------------------
# sessions: one implementation in one dtype, set up once, then stepped epoch by epoch
# ---------------------------------------------------------------------------------------------


@dataclass
class Ctx:
    data: Data
    epochs: int
    seed: int
    quick: bool
    n_train: int                # examples per timed epoch for the fast implementations
    n_nielsen: int              # ... for the per-example loop
    iterations: int             # D's timed iterations
    params: list = field(default_factory=list)


class Session:
    """``step(units)`` trains ``units`` epochs (D: iterations) and returns one time per unit."""
    impl = "?"
    note = ""
    n_timed = 0

    def step(self, units: int) -> list[float]:
        raise NotImplementedError

    def accuracy(self) -> Optional[float]:
        return None

    @staticmethod
    def timed(run_one: Callable[[], Any], units: int) -> list[float]:
        """Call ``run_one`` ``units`` times; the seconds of each call."""
        times = []
        for _ in range(units):
            t = time.perf_counter()
            run_one()
            times.append(time.perf_counter() - t)
        return times


def training_arrays(cfg: Config, ctx: Ctx, dtype) -> tuple[np.ndarray, np.ndarray]:
    """The first ``ctx.n_train`` training rows as a contiguous X and the config's targets, in ``dtype``."""
    m = ctx.n_train
    return np.ascontiguousarray(ctx.data.X_train[:m], dtype=dtype), targets(cfg, ctx.data.y_train[:m], dtype)


def gemm_flops(cfg: Config, batch_sizes: list[int]) -> float:
    """FLOPs of forward X@W, weight gradient A.T@dZ (all layers), input gradient dZ@W.T (not layer 1)."""
    pairs = list(zip(cfg.sizes[:-1], cfg.sizes[1:]))
    per_row = 2 * sum(a * b for a, b in pairs) * 2 + 2 * sum(a * b for a, b in pairs[1:])
    return float(per_row * sum(batch_sizes))


def batch_list(m: int, bs: int) -> list[int]:
    return [bs] * (m // bs) + ([m % bs] if m % bs else [])


def accuracy_from_outputs(out: np.ndarray, y: np.ndarray) -> float:
    if out.shape[1] == 1:            # one sigmoid output: a probability
        return float(np.mean((out[:, 0] > 0.5) == y))
    return float(np.mean(out.argmax(axis=1) == y))


# -- chainrule --------------------------------------------------------------------------------
class EpochTimer(cr.Callback):
    """Seconds of every epoch of one ``fit`` call, from ``on_train_begin`` (after input checks)."""

    def on_train_begin(self, model):
        super().on_train_begin(model)
        self.times: list[float] = []
        self._t = time.perf_counter()

    def on_epoch_end(self, epoch, logs):
        now = time.perf_counter()
        self.times.append(now - self._t)
        self._t = now


def chainrule_setup(cfg: Config, dtype, n_train: int, params):
    """Model, loss and optimizer; returns (model, loss, optimizer, note)."""
    lr, l2, note = cfg.lr, 0.0, ""
    if cfg.cost == "quadratic":
        loss = cr.MeanSquaredError(half=True)
    elif cfg.cost == "nielsen_ce":
        # Nielsen's CrossEntropyCost sums over the k outputs and averages over m (sum_over_outputs);
        # fused with the sigmoid from the logits, its output delta is network2's a - y exactly, and
        # Dense(l2=lmbda/n) with SGD(eta) is his decay (1 - eta*lmbda/n).
        loss = cr.BinaryCrossEntropy(from_logits=True, sum_over_outputs=True)
        l2 = cfg.lmbda / n_train
        note = "linear output + BCE(from_logits=True, sum_over_outputs=True), l2=lmbda/n"
    elif cfg.cost == "softmax_ce":
        loss = cr.SoftmaxCrossEntropy()
        l2 = cfg.lmbda / n_train
        if l2:
            note = "Dense(l2=lmbda/n)"
    elif cfg.cost == "bce":
        loss = cr.BinaryCrossEntropy(from_logits=False)
    else:
        raise ValueError(cfg.cost)
    act = {"sigmoid": cr.Sigmoid, "relu": cr.ReLU}[cfg.hidden]
    loss_has_sigmoid = getattr(loss, "from_logits", False)        # B: the loss applies the output sigmoid
    layers: list = []
    n_layers = len(cfg.sizes) - 1
    for i, (n_in, n_out) in enumerate(zip(cfg.sizes[:-1], cfg.sizes[1:])):
        layers.append(cr.Dense(n_in, n_out, l2=l2))
        if i < n_layers - 1:
            layers.append(act())
        elif cfg.output == "sigmoid" and not loss_has_sigmoid:
            layers.append(cr.Sigmoid())
    model = cr.Sequential(layers, dtype=dtype, seed=0)
    dense = [layer for layer in model.layers if isinstance(layer, cr.Dense)]
    for layer, (W, b) in zip(dense, params):
        layer.W[...] = W
        layer.b[...] = b
    opt = cr.SGD(lr=lr) if cfg.optimizer == "sgd" else cr.Adam(lr=lr)
    return model, loss, opt, note


class ChainruleSession(Session):
    impl = "chainrule"

    def __init__(self, cfg: Config, ctx: Ctx, dtype: str) -> None:
        self.cfg, self.data = cfg, ctx.data
        self.n_timed = m = ctx.n_train
        dt = np.dtype(dtype)
        self.X, self.Y = training_arrays(cfg, ctx, dt)
        self.model, self.loss, self.opt, self.note = chainrule_setup(cfg, dt, m, ctx.params)
        self.timer = EpochTimer()

    def step(self, units: int) -> list[float]:
        # each fit call checks X once before training; EpochTimer times only the epochs
        self.model.fit(self.X, self.Y, loss=self.loss, optimizer=self.opt, epochs=units,
                       batch_size=self.cfg.batch, callbacks=[self.timer], shuffle=self.cfg.data != "cat")
        return list(self.timer.times)

    def accuracy(self) -> float:
        return accuracy_from_outputs(self.model.predict(self.data.X_test), self.data.y_test)


# -- Nielsen's per-example loop -------------------------------------------------------------------
class NielsenSession(Session):
    impl = "nielsen-loop"
    note = "per-example loop in float64 (x float32, as mnist.pkl.gz)"

    def __init__(self, cfg: Config, ctx: Ctx, dtype: str) -> None:
        d = ctx.data
        self.cfg = cfg
        self.n_timed = m = ctx.n_nielsen
        self.training = nielsen_loop.wrap_training(d.X_train[:m], d.y_train[:m])
        self.test = nielsen_loop.wrap_test(d.X_test, d.y_test)
        cost = {"quadratic": "quadratic", "nielsen_ce": "cross_entropy"}[cfg.cost]
        self.net = nielsen_loop.Network(cfg.sizes, weights=[W.T for W, _ in ctx.params],
                                        biases=[b.reshape(-1, 1) for _, b in ctx.params], cost=cost,
                                        seed=ctx.seed)

    def step(self, units: int) -> list[float]:
        times: list[float] = []
        self.net.SGD(self.training, units, self.cfg.batch, self.cfg.lr, lmbda=self.cfg.lmbda,
                     epoch_end=lambda j, s: times.append(s))
        return times

    def accuracy(self) -> float:
        return self.net.evaluate(self.test) / len(self.test)


# -- PyTorch ------------------------------------------------------------------------------------
class TorchSession(Session):
    impl = "torch"

    def __init__(self, cfg: Config, ctx: Ctx, dtype: str) -> None:
        import torch
        import torch.nn.functional as F
        torch.set_num_threads(1)
        torch.manual_seed(ctx.seed)
        self.torch = torch
        self.cfg, self.data = cfg, ctx.data
        self.tdt = tdt = {"float32": torch.float32, "float64": torch.float64}[dtype]
        d = ctx.data
        self.n_timed = m = ctx.n_train
        self.linears = []
        for W, b in ctx.params:
            lin = torch.nn.Linear(W.shape[0], W.shape[1], dtype=tdt)
            with torch.no_grad():
                lin.weight.copy_(torch.from_numpy(np.ascontiguousarray(W.T)))
                lin.bias.copy_(torch.from_numpy(b))
            self.linears.append(lin)
        self.act = {"sigmoid": torch.sigmoid, "relu": torch.relu}[cfg.hidden]
        self.X = torch.from_numpy(np.ascontiguousarray(d.X_train[:m])).to(tdt)
        self.Y = torch.from_numpy(targets(cfg, d.y_train[:m], np.float64)).to(tdt)
        self.labels = torch.from_numpy(d.y_train[:m])
        wd, notes = 0.0, ["eager loop, index-tensor batches"]
        if cfg.cost == "quadratic":
            def loss_fn(z, yb, lb):
                return 0.5 * ((torch.sigmoid(z) - yb) ** 2).sum() / z.shape[0]
            notes.append("0.5*sum((sigmoid(z)-y)^2)/m")
        elif cfg.cost == "nielsen_ce":
            def loss_fn(z, yb, lb):      # network2's cost: sum over outputs, mean over the batch
                return F.binary_cross_entropy_with_logits(z, yb, reduction="sum") / z.shape[0]
            wd = cfg.lmbda / m
            notes.append("BCE-with-logits sum/m")
        elif cfg.cost == "softmax_ce":
            def loss_fn(z, yb, lb):
                return F.cross_entropy(z, lb)
            wd = cfg.lmbda / m
        else:   # bce, cat net
            def loss_fn(z, yb, lb):
                return F.binary_cross_entropy_with_logits(z, yb)
        if wd:
            notes.append("weight_decay=lmbda/n on W only")
        self.loss_fn = loss_fn
        groups = [{"params": [lin.weight for lin in self.linears], "weight_decay": wd},
                  {"params": [lin.bias for lin in self.linears], "weight_decay": 0.0}]
        if cfg.optimizer == "sgd":
            self.opt = torch.optim.SGD(groups, lr=cfg.lr, momentum=0.0)
        else:
            self.opt = torch.optim.Adam(groups, lr=cfg.lr)
        self.gen = torch.Generator().manual_seed(ctx.seed)
        self.note = "; ".join(notes)

    def forward(self, x):
        for lin in self.linears[:-1]:
            x = self.act(lin(x))
        return self.linears[-1](x)          # logits (pre-activation) of the output layer

    def _update(self, xb, yb, lb) -> None:
        loss = self.loss_fn(self.forward(xb), yb, lb)
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        self.opt.step()

    def step(self, units: int) -> list[float]:
        X, Y, labels, bs = self.X, self.Y, self.labels, self.cfg.batch
        m = X.shape[0]

        def one_epoch() -> None:
            if self.cfg.data == "cat":
                self._update(X, Y, labels)
                return
            perm = self.torch.randperm(m, generator=self.gen)
            for start in range(0, m, bs):
                idx = perm[start:start + bs]
                self._update(X[idx], Y[idx], labels[idx])
        return self.timed(one_epoch, units)

    def accuracy(self) -> float:
        with self.torch.no_grad():
            z = self.forward(self.torch.from_numpy(self.data.X_test).to(self.tdt))
            out = self.torch.sigmoid(z) if self.cfg.sizes[-1] == 1 else z
        return accuracy_from_outputs(out.numpy(), self.data.y_test)


# -- scikit-learn -------------------------------------------------------------------------------
class SklearnSession(Session):
    impl = "sklearn"

    def __init__(self, cfg: Config, ctx: Ctx, dtype: str) -> None:
        from sklearn.neural_network import MLPClassifier
        self.data = ctx.data
        self.n_timed = m = ctx.n_train
        lr = cfg.lr
        notes = ["softmax+CE output", "own init"]
        if cfg.cost == "quadratic":
            lr = 0.5        # sklearn has no quadratic cost; eta 3.0 is tuned for it, not for CE
            notes = ["NOT identical: softmax+CE (no quadratic cost), lr 0.5", "own init"]
        elif cfg.cost == "nielsen_ce":
            notes = ["NOT identical: softmax+CE, not 10 sigmoid CEs", "own init"]
        # sklearn's L2 gradient is alpha*W/batch: alpha = batch*lmbda/n gives the decay eta*lmbda/n.
        alpha = cfg.batch * cfg.lmbda / m
        if alpha:
            notes.append("alpha=batch*lmbda/n")
        if cfg.optimizer == "adam":
            notes.append("Adam eps after bias correction")
        self.clf = MLPClassifier(hidden_layer_sizes=tuple(cfg.sizes[1:-1]),
                                 activation={"sigmoid": "logistic", "relu": "relu"}[cfg.hidden],
                                 solver=cfg.optimizer, alpha=alpha, batch_size=cfg.batch,
                                 learning_rate="constant", learning_rate_init=lr, momentum=0.0,
                                 nesterovs_momentum=False, shuffle=True, random_state=ctx.seed)
        self.X = np.ascontiguousarray(ctx.data.X_train[:m], dtype=dtype)
        self.y = ctx.data.y_train[:m]
        self.classes = np.arange(cfg.sizes[-1])
        self.dtype = dtype
        self.notes = notes

    def step(self, units: int) -> list[float]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return self.timed(lambda: self.clf.partial_fit(self.X, self.y, classes=self.classes), units)

    @property
    def note(self) -> str:          # type: ignore[override]
        notes = list(self.notes)
        coefs = getattr(self.clf, "coefs_", None)
        if coefs is not None and coefs[0].dtype.name != self.dtype:
            notes.append(f"computes in {coefs[0].dtype.name}")
        return "; ".join(notes + ["partial_fit per epoch (incl. its input checks)"])

    def accuracy(self) -> float:
        return float(np.mean(self.clf.predict(self.data.X_test.astype(self.dtype)) == self.data.y_test))


# -- GEMM floor ---------------------------------------------------------------------------------
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


# -- a careful hand-written NumPy loop (A, A128) -----------------------------------------------------
class NumpyLoopSession(Session):
    impl = "numpy-loop"
    note = "hand-written NumPy loop: buffers, out=, no layers or checks (bench/numpy_loop.py)"

    def __init__(self, cfg: Config, ctx: Ctx, dtype: str) -> None:
        if cfg.cost != "quadratic" or cfg.hidden != "sigmoid" or cfg.optimizer != "sgd":
            raise ValueError("numpy-loop covers only sigmoid + quadratic cost + SGD (A, A128)")
        self.cfg, self.data = cfg, ctx.data
        self.n_timed = ctx.n_train
        dt = np.dtype(dtype)
        self.X, self.Y = training_arrays(cfg, ctx, dt)
        self.loop = numpy_loop.HandLoop(ctx.params, dt, cfg.lr, cfg.batch, ctx.seed)

    def step(self, units: int) -> list[float]:
        return self.timed(lambda: self.loop.epoch(self.X, self.Y), units)

    def accuracy(self) -> float:
        return accuracy_from_outputs(self.loop.predict(self.data.X_test), self.data.y_test)


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


def gemm_peak(dtype, n: int = 1024, reps: int = 7) -> float:
    rng = np.random.default_rng(0)
    a = rng.standard_normal((n, n)).astype(dtype)
    b = rng.standard_normal((n, n)).astype(dtype)
    c = np.empty((n, n), dtype)
    np.matmul(a, b, out=c)
    best = math.inf
    for _ in range(reps):
        t = time.perf_counter()
        np.matmul(a, b, out=c)
        best = min(best, time.perf_counter() - t)
    return 2 * n ** 3 / best / 1e9


class CpuMeter:
    """CPU time used by OTHER processes while a row runs, in cores (0 = quiet machine).

    Linux only (/proc/stat); elsewhere it reports None. Our own CPU time is subtracted.
    """

    def __init__(self) -> None:
        self.clk = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
        self.start()

    def _busy(self) -> Optional[float]:
        try:
            with open("/proc/stat") as f:
                vals = [int(v) for v in f.readline().split()[1:9]]
        except (OSError, ValueError):
            return None
        return (sum(vals) - vals[3] - vals[4]) / self.clk

    def start(self) -> None:
        self.t0, self.busy0, self.own0 = time.perf_counter(), self._busy(), time.process_time()

    def other_seconds(self) -> tuple[Optional[float], float]:
        """(CPU-seconds used by other processes, wall seconds) since ``start``."""
        busy = self._busy()
        wall = time.perf_counter() - self.t0
        if busy is None or self.busy0 is None:
            return None, wall
        return max(0.0, busy - self.busy0 - (time.process_time() - self.own0)), wall

    def other_cores(self) -> Optional[float]:
        other, wall = self.other_seconds()
        return None if other is None or wall <= 0 else other / wall


def wait_idle(limit_s: float, threshold: float = 0.2) -> Optional[float]:
    """Wait (up to ``limit_s``) until other processes use < ``threshold`` cores over 0.5 s."""
    meter = CpuMeter()
    deadline = time.perf_counter() + limit_s
    while True:
        meter.start()
        time.sleep(0.5)
        load = meter.other_cores()
        if load is None or load < threshold or time.perf_counter() >= deadline:
            return load


SESSIONS = {"chainrule": ChainruleSession, "nielsen-loop": NielsenSession, "numpy-loop": NumpyLoopSession,
            "torch": TorchSession,
            "sklearn": SklearnSession, "gemm-floor": FloorSession}
PEER_KEYS = {"nielsen": "nielsen-loop", "numpy": "numpy-loop", "torch": "torch", "sklearn": "sklearn",
             "floor": "gemm-floor"}


def available(impl: str) -> tuple[bool, str]:
    mod = {"torch": "torch", "sklearn": "sklearn"}.get(impl)
    if mod is None:
        return True, ""
    try:
        __import__(mod)
        return True, ""
    except Exception as exc:
        return False, f"{mod} not importable ({type(exc).__name__})"


# ---------------------------------------------------------------------------------------------
# running a configuration and tabulating
# ---------------------------------------------------------------------------------------------


def plan_for(cfg: Config) -> list[tuple[str, str]]:
    """(implementation, dtype) rows in table order."""
    rows = [("chainrule", dt) for dt in cfg.dtypes]
    for peer in cfg.peers:
        impl = PEER_KEYS[peer]
        if impl == "nielsen-loop":
            rows.append((impl, "float64"))
        elif impl == "sklearn":
            rows.append((impl, "float32"))
        else:
            rows.extend((impl, dt) for dt in cfg.dtypes)
    return rows


def normalized(cfg: Config, times: list[float], n_timed: int, iterations: int) -> tuple[float, float, str]:
    """(seconds, scale, label): median seconds per 50k epoch; D: mean seconds per iteration x 2500."""
    if cfg.data == "cat":
        n = len(times)
        scale = cfg.iterations / n
        return statistics.fmean(times) * cfg.iterations, scale, \
            f"{n} it" + (f" (x{scale:g})" if scale != 1 else "")
    scale = FULL_TRAIN / n_timed
    label = f"{n_timed / 1000:g}k x {len(times)} ep" + (f" (x{scale:g})" if scale != 1 else "")
    return statistics.median(times) * scale, scale, label


def run_config(cfg: Config, args, mnist: Optional[Data], cat: Optional[Data], peaks: dict) -> list[dict]:
    """Set up every (implementation, dtype), then train them round-robin, one epoch per turn.

    Interleaving spreads slow drifts of the machine (other processes, clock changes) over all rows
    instead of charging them to whichever implementation happened to run at the time.
    """
    data = cat if cfg.data == "cat" else mnist
    assert data is not None
    quick = args.quick
    if cfg.data == "cat":
        n_train = data.X_train.shape[0]
        iterations = args.iterations or (250 if quick else cfg.iterations)
        n_nielsen = n_train
        rounds = min(5, iterations)
        units = [iterations // rounds + (1 if r < iterations % rounds else 0) for r in range(rounds)]
    else:
        n_train = min(args.train or (10_000 if quick else FULL_TRAIN), data.X_train.shape[0])
        n_nielsen = min(args.nielsen_train or (5_000 if quick else n_train), n_train)
        iterations = 0
        units = [1] * args.epochs
    ctx = Ctx(data, args.epochs, args.seed, quick, n_train, n_nielsen, iterations,
              initial_params(cfg, args.seed))
    rows: list[dict] = []
    live: list[tuple[dict, Session]] = []
    for impl, dtype in plan_for(cfg):
        row: dict[str, Any] = {"config": cfg.name, "impl": impl, "dtype": dtype, "status": "ok",
                               "times": [], "other_cpu_s": 0.0, "wall_s": 0.0}
        rows.append(row)
        ok, why = available(impl)
        if impl == "nielsen-loop" and args.no_nielsen:
            ok, why = False, "--no-nielsen"
        if not ok:
            row.update(status="skipped", note=why)
            print(f"  {impl}/{dtype}: {why}", flush=True)
            continue
        try:
            live.append((row, SESSIONS[impl](cfg, ctx, dtype)))
        except Exception as exc:
            row.update(status="failed", note=f"setup: {type(exc).__name__}: {exc}"[:200])
            print(f"  {impl}/{dtype} setup FAILED: {type(exc).__name__}: {exc}", flush=True)
            traceback.print_exc(limit=3, file=sys.stderr)
    for r, n_units in enumerate(units):
        order = live if r % 2 == 0 else live[::-1]
        parts = []
        for row, session in order:
            if row["status"] != "ok":
                continue
            if args.wait_idle:
                wait_idle(args.wait_idle)
            meter = CpuMeter()
            try:
                times = session.step(n_units)
            except Exception as exc:
                row.update(status="failed", note=f"{type(exc).__name__}: {exc}"[:200])
                print(f"  {row['impl']}/{row['dtype']} FAILED: {type(exc).__name__}: {exc}", flush=True)
                traceback.print_exc(limit=3, file=sys.stderr)
                continue
            other, wall = meter.other_seconds()
            row["times"].extend(times)
            row["wall_s"] += wall
            row["other_cpu_s"] = None if other is None or row["other_cpu_s"] is None else \
                row["other_cpu_s"] + other
            parts.append(f"{row['impl']}/{row['dtype'][5:]} {sum(times):.2f}s")
        what = "epoch" if cfg.data == "mnist" else f"{n_units} it"
        print(f"  round {r + 1}/{len(units)} ({what}): " + ", ".join(parts), flush=True)
    for row, session in live:
        if row["status"] != "ok":
            continue
        try:
            row["accuracy"] = session.accuracy()
        except Exception as exc:
            row["accuracy"] = None
            row["note_acc"] = f"accuracy failed: {type(exc).__name__}: {exc}"
        sec, scale, label = normalized(cfg, row["times"], session.n_timed, iterations)
        flops_batches = ([n_train] * cfg.iterations if cfg.data == "cat" else batch_list(FULL_TRAIN, cfg.batch))
        gflops = gemm_flops(cfg, flops_batches) / sec / 1e9
        other = row.pop("other_cpu_s")
        row.update(seconds=sec, timed=label, scale=scale, n_timed=session.n_timed, note=session.note,
                   gemm_gflops=gflops, pct_peak=100 * gflops / peaks[row["dtype"]] if peaks.get(row["dtype"]) else None,
                   other_cores=None if other is None or row["wall_s"] <= 0 else other / row["wall_s"],
                   median_s=statistics.median(row["times"]), min_s=min(row["times"]))
        if len(row["times"]) > 50:          # D: keep the summary, not 2500 numbers
            row["times"] = {"n": len(row["times"]), "sum": sum(row["times"]), "median": row["median_s"]}
    # ratios against the chainrule row of the same dtype (the floor's is floor/chainrule)
    ref = {r["dtype"]: r["seconds"] for r in rows if r["impl"] == "chainrule" and r["status"] == "ok"}
    for r in rows:
        if r["status"] == "ok" and r["dtype"] in ref:
            r["ratio"] = r["seconds"] / ref[r["dtype"]]
            r["ratio_vs"] = f"chainrule {r['dtype']}"
    return rows


def fmt_table(rows: list[dict]) -> str:
    head = ["config", "implementation", "dtype", "timed on", "sec", "peer/chainrule", "test acc",
            "GEMM GFLOP/s (% peak)", "bg cores", "note"]
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    for r in rows:
        if r["status"] != "ok":
            cells = [r["config"], r["impl"], r["dtype"], "-", "-", "-", "-", "-", "-", f"{r['status']}: {r['note']}"]
        else:
            acc = "-" if r.get("accuracy") is None else f"{100 * r['accuracy']:.2f}%"
            ratio = "-" if r.get("ratio") is None else f"{r['ratio']:.2f}"
            pct = "" if r.get("pct_peak") is None else f" ({r['pct_peak']:.1f}%)"
            bg = "?" if r.get("other_cores") is None else f"{r['other_cores']:.2f}"
            cells = [r["config"], r["impl"], r["dtype"], r["timed"], f"{r['seconds']:.3f}", ratio, acc,
                     f"{r['gemm_gflops']:.2f}{pct}", bg, r.get("note", "")]
        lines.append("| " + " | ".join(str(c).replace("|", "/") for c in cells) + " |")
    return "\n".join(lines)


#: the performance issue's same-run targets: (config, peer, bound, "min" speed-up or "max" ratio to the floor)
TARGETS = [("A", "nielsen-loop", 12.0, "min"), ("A", "torch", 6.0, "min"), ("A", "gemm-floor", 2.0, "max"),
           ("C", "torch", 1.0, "min"), ("C", "gemm-floor", 1.25, "max")]


def key_figures(rows: list[dict]) -> list[str]:
    """One line per (config, peer, chainrule dtype): the same-run ratio, with the target verdict where one is set."""
    out = []
    by = {(r["config"], r["impl"], r["dtype"]): r for r in rows if r["status"] == "ok"}
    targets = {(cfg, peer): (bound, kind) for cfg, peer, bound, kind in TARGETS}
    configs = sorted({cfg for cfg, _, _ in by}, key=list(CONFIGS).index)
    for cfg in configs:
        for peer in ("nielsen-loop", "numpy-loop", "torch", "sklearn", "gemm-floor"):
            for dt in ("float64", "float32"):
                c = by.get((cfg, "chainrule", dt))
                # the loop runs in float64 only; compare both chainrule dtypes with it
                p = by.get((cfg, peer, "float64" if peer == "nielsen-loop" else dt))
                if not c or not p:
                    continue
                bound, kind = targets.get((cfg, peer), (None, None))
                if peer == "gemm-floor":
                    ratio = c["seconds"] / p["seconds"]
                    line = f"{cfg} {dt}: chainrule takes {ratio:.2f}x the GEMM floor ({c['seconds']:.3f} s vs {p['seconds']:.3f} s)"
                else:
                    ratio = p["seconds"] / c["seconds"]
                    line = f"{cfg} {dt}: chainrule is {ratio:.2f}x faster per epoch than {peer} ({c['seconds']:.3f} s vs {p['seconds']:.3f} s)"
                if bound is not None:
                    met = ratio >= bound if kind == "min" else ratio <= bound
                    sign = ">=" if kind == "min" else "<="
                    line += f"  [target {sign} {bound:g}x: {'met' if met else 'NOT met'}]"
                out.append(line)
        for dt in ("float64", "float32"):
            hand, floor = by.get((cfg, "numpy-loop", dt)), by.get((cfg, "gemm-floor", dt))
            if hand and floor:
                out.append(f"{cfg} {dt}: the hand-written numpy-loop takes {hand['seconds'] / floor['seconds']:.2f}x "
                           f"the GEMM floor ({hand['seconds']:.3f} s)")
    return out


def profile_epoch(cfg_name: str, dtype: str, mnist: Data, args, top: int = 10) -> str:
    """cProfile of one chainrule epoch; returns the top functions by tottime."""
    cfg = CONFIGS[cfg_name]
    n = min(args.train or (10_000 if args.quick else FULL_TRAIN), mnist.X_train.shape[0])
    dt = np.dtype(dtype)
    X = np.ascontiguousarray(mnist.X_train[:n], dtype=dt)
    Y = targets(cfg, mnist.y_train[:n], dt)
    model, loss, opt, _ = chainrule_setup(cfg, dt, n, initial_params(cfg, args.seed))
    model.fit(X, Y, loss=loss, optimizer=opt, epochs=1, batch_size=cfg.batch)     # warm-up
    prof = cProfile.Profile()
    prof.enable()
    model.fit(X, Y, loss=loss, optimizer=opt, epochs=1, batch_size=cfg.batch)
    prof.disable()
    s = io.StringIO()
    pstats.Stats(prof, stream=s).sort_stats("tottime").print_stats(top)
    return f"cProfile, one epoch of config {cfg_name} {dtype} on {n} examples (top {top} by tottime):\n" + \
        s.getvalue()


def breakdown_epoch(cfg_name: str, dtype: str, mnist: Data, args) -> str:
    """Microseconds per batch in each stage of the canonical training loop (model.py's docstring).

    The loop is the public-API equivalent of one ``fit`` epoch: shuffled gather, forward, loss
    (+ penalty), loss gradient, backward, optimizer step, training accuracy. BLAS time is inside
    forward/backward. Its total is printed next to a real ``fit`` epoch for comparison.
    """
    cfg = CONFIGS[cfg_name]
    n = min(args.train or (10_000 if args.quick else FULL_TRAIN), mnist.X_train.shape[0])
    dt = np.dtype(dtype)
    X = np.ascontiguousarray(mnist.X_train[:n], dtype=dt)
    Y = targets(cfg, mnist.y_train[:n], dt)
    params = initial_params(cfg, args.seed)
    model, loss, opt, _ = chainrule_setup(cfg, dt, n, params)
    timer = EpochTimer()
    model.fit(X, Y, loss=loss, optimizer=opt, epochs=2, batch_size=cfg.batch, callbacks=[timer])
    fit_s = timer.times[-1]
    names = ["gather X[rows], Y[rows]", "model.forward", "loss.forward (+penalty)", "loss.backward",
             "model.backward", "params_and_grads + step", "loss.accuracy"]
    acc = [0.0] * len(names)
    regularized = any(getattr(layer, "has_penalty", False) for layer in model.layers)
    rng = np.random.default_rng(args.seed)
    pc = time.perf_counter
    start = pc()
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        order = rng.permutation(n)
        for b in range(0, n, cfg.batch):
            t0 = pc()
            rows = order[b:b + cfg.batch]
            X_b, Y_b = X[rows], Y[rows]
            t1 = pc()
            Y_hat = model.forward(X_b, training=True)
            t2 = pc()
            value = loss.forward(Y_hat, Y_b) + (model.penalty() if regularized else 0.0)
            math.isfinite(value)
            t3 = pc()
            dY = loss.backward()
            t4 = pc()
            model.backward(dY)
            t5 = pc()
            opt.step(model.params_and_grads())
            t6 = pc()
            loss.accuracy(Y_hat, Y_b)
            t7 = pc()
            for i, (a, c) in enumerate(((t0, t1), (t1, t2), (t2, t3), (t3, t4), (t4, t5), (t5, t6), (t6, t7))):
                acc[i] += c - a
    total = pc() - start
    batches = len(batch_list(n, cfg.batch))
    floor = gemm_floor_epoch(cfg, batch_list(n, cfg.batch), dtype)
    floor()
    t = pc()
    floor()
    floor_s = pc() - t
    lines = [f"stage breakdown, config {cfg_name} {dtype}, {n} examples, {batches} batches of {cfg.batch} "
             f"(us per batch):"]
    for name, sec in zip(names, acc):
        lines.append(f"  {name:26s} {sec / batches * 1e6:8.1f} us  {100 * sec / total:5.1f} %")
    lines.append(f"  {'total (instrumented loop)':26s} {total / batches * 1e6:8.1f} us")
    lines.append(f"  {'fit() epoch, same data':26s} {fit_s / batches * 1e6:8.1f} us")
    lines.append(f"  {'GEMM floor (matmuls only)':26s} {floor_s / batches * 1e6:8.1f} us")
    return "\n".join(lines)


def machine_info() -> dict:
    info = {"python": platform.python_version(), "numpy": np.__version__, "platform": platform.platform(),
            "processor": platform.processor() or platform.machine(), "cpus": os.cpu_count()}
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    info["cpu"] = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        cfg = np.show_config(mode="dicts")
        blas = cfg.get("Build Dependencies", {}).get("blas", {})
        info["blas"] = f"{blas.get('name')} {blas.get('version')}"
    except Exception:
        pass
    for mod in ("torch", "sklearn"):
        try:
            info[mod] = __import__(mod).__version__
        except Exception:
            info[mod] = None
    info["chainrule"] = getattr(cr, "__version__", "?")
    info["OPENBLAS_NUM_THREADS"] = os.environ.get("OPENBLAS_NUM_THREADS")
    return info


def main(argv: Optional[list] = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true",
                   help="10k training examples, 5k for the Nielsen loop, 250 iterations for D (times scaled)")
    p.add_argument("--configs", default=",".join(CONFIGS), help=f"comma list from {','.join(CONFIGS)}")
    p.add_argument("--json", default=str(HERE / "results" / "latest.json"), help="where to write the results")
    p.add_argument("--epochs", type=int, default=3, help="timed epochs per run (median is reported; >= 3)")
    p.add_argument("--train", type=int, default=0, help="training examples per timed epoch (default 50k; quick 10k)")
    p.add_argument("--nielsen-train", type=int, default=0, help="examples for the per-example loop")
    p.add_argument("--iterations", type=int, default=0, help="D: timed iterations (default 2500; quick 250)")
    p.add_argument("--no-nielsen", action="store_true", help="skip the per-example loop")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--wait-idle", type=float, default=0.0, metavar="SECONDS",
                   help="before each row, wait up to SECONDS for other processes to go quiet")
    p.add_argument("--profile", default="A:float32",
                   help="CONFIG:DTYPE to cProfile for one epoch after the table ('' to skip)")
    p.add_argument("--breakdown", default="A:float32",
                   help="CONFIG:DTYPE whose per-batch stage times to print after the table ('' to skip)")
    args = p.parse_args(argv)
    names = [c.strip() for c in args.configs.split(",") if c.strip()]
    unknown = [c for c in names if c not in CONFIGS]
    if unknown:
        p.error(f"unknown config(s) {unknown}; choose from {list(CONFIGS)}")
    if args.epochs < 1:
        p.error("--epochs must be >= 1")

    start = time.perf_counter()
    info = machine_info()
    print(f"chainrule bench  {datetime.datetime.now().isoformat(timespec='seconds')}  "
          f"{'QUICK' if args.quick else 'FULL'} run")
    print(f"  {info.get('cpu', info['processor'])}, {info['cpus']} cpus; python {info['python']}, numpy "
          f"{info['numpy']} ({info.get('blas')}), torch {info['torch']}, sklearn {info['sklearn']}; "
          f"OPENBLAS_NUM_THREADS={info['OPENBLAS_NUM_THREADS']}")
    try:
        with open("/proc/loadavg") as f:
            print(f"  load average at start: {' '.join(f.read().split()[:3])}")
    except OSError:
        pass
    if args.wait_idle:
        wait_idle(args.wait_idle)
    meter = CpuMeter()
    peaks = {"float32": gemm_peak(np.float32), "float64": gemm_peak(np.float64)}
    peak_bg = meter.other_cores()
    print(f"  GEMM peak (1024^3 matmul, 1 thread): float32 {peaks['float32']:.1f} GFLOP/s, "
          f"float64 {peaks['float64']:.1f} GFLOP/s" + (f" (other processes used {peak_bg:.2f} cores meanwhile; "
          "measured again at the end, the higher one is used)" if peak_bg is not None else ""))
    mnist = load_mnist(MNIST_PATH) if any(CONFIGS[n].data == "mnist" for n in names) else None
    cat = load_cat(CAT_DIR) if any(CONFIGS[n].data == "cat" for n in names) else None
    if mnist:
        print(f"  MNIST data: {mnist.source}")
    if cat:
        print(f"  cat data:   {cat.source}")
    n_fast = args.train or (10_000 if args.quick else FULL_TRAIN)
    n_loop = args.nielsen_train or (5_000 if args.quick else n_fast)
    n_it = args.iterations or (250 if args.quick else CONFIGS["D"].iterations)
    if (n_fast, n_loop, n_it) != (FULL_TRAIN, FULL_TRAIN, CONFIGS["D"].iterations):
        print(f"  {'QUICK' if args.quick else 'SUBSET'}: timed on the first {n_fast} training examples "
              f"(per-example loop: first {min(n_loop, n_fast)}; D: {n_it} iterations); seconds are scaled "
              f"to a 50k epoch (D: to 2500 iterations); accuracies are after training on that subset")
    rows: list[dict] = []
    for name in names:
        cfg = CONFIGS[name]
        print(f"[{name}] {cfg.title}", flush=True)
        try:
            rows.extend(run_config(cfg, args, mnist, cat, peaks))
        except Exception as exc:     # a whole configuration failing still leaves the others
            print(f"  config {name} FAILED: {type(exc).__name__}: {exc}", flush=True)
            rows.append({"config": name, "impl": "-", "dtype": "-", "status": "failed",
                         "note": f"{type(exc).__name__}: {exc}"[:200]})
    # the 1024^3 peak is noisy on a shared VM: measure it again and keep the higher one
    peaks_start = dict(peaks)
    for name_dt in peaks:
        peaks[name_dt] = max(peaks[name_dt], gemm_peak(np.dtype(name_dt)))
    for r in rows:
        if r.get("gemm_gflops") and peaks.get(r["dtype"]):
            r["pct_peak"] = 100 * r["gemm_gflops"] / peaks[r["dtype"]]
    if peaks != peaks_start:
        print(f"  GEMM peak remeasured: float32 {peaks['float32']:.1f}, float64 {peaks['float64']:.1f} GFLOP/s")
    table = fmt_table(rows)
    print()
    print(table)
    print()
    print("sec: median seconds per 50k-example epoch (D: seconds for 2500 full-batch iterations); "
          "peer/chainrule: that time / chainrule's time in the same dtype (> 1: chainrule faster; "
          "for gemm-floor: floor / chainrule); GEMM GFLOP/s: the epoch's matmul FLOPs / sec; bg cores: "
          "CPU used by OTHER processes during the row (> ~0.3: contended timing, rerun on a quiet machine).")
    busy = [r for r in rows if (r.get("other_cores") or 0) > 0.3]
    if busy:
        print(f"  WARNING: {len(busy)} row(s) ran while other processes used > 0.3 cores: "
              + ", ".join(f"{r['config']}/{r['impl']}/{r['dtype']}" for r in busy))
    keys = key_figures(rows)
    for line in keys:
        print("  " + line)
    profile_text = ""
    if args.profile and mnist is not None:
        try:
            cname, _, dt = args.profile.partition(":")
            profile_text = profile_epoch(cname, dt or "float32", mnist, args)
            print()
            print(profile_text)
        except Exception as exc:
            print(f"profile failed: {type(exc).__name__}: {exc}")
    breakdown_text = ""
    if args.breakdown and mnist is not None:
        try:
            cname, _, dt = args.breakdown.partition(":")
            breakdown_text = breakdown_epoch(cname, dt or "float32", mnist, args)
            print(breakdown_text)
        except Exception as exc:
            print(f"breakdown failed: {type(exc).__name__}: {exc}")
    total = time.perf_counter() - start
    print(f"total bench time {total:.0f} s")
    out = Path(args.json)
    out.parent.mkdir(parents=True, exist_ok=True)
    result = {"when": datetime.datetime.now().isoformat(timespec="seconds"), "quick": args.quick,
              "args": vars(args), "machine": info, "gemm_peak_gflops": peaks, "gemm_peak_at_start": peaks_start, "gemm_peak_other_cores": peak_bg,
              "data": {"mnist": mnist.source if mnist else None, "cat": cat.source if cat else None},
              "configs": {n: CONFIGS[n].__dict__ for n in names}, "rows": rows, "key_figures": keys,
              "table_markdown": table, "profile": profile_text, "breakdown": breakdown_text, "total_seconds": total}
    out.write_text(json.dumps(result, indent=2, default=str))
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
