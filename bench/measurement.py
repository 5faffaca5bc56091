"""How the bench measures: the data, the session every implementation is wrapped in, and the timing helpers.

Imports only ``configs`` from the bench. The importer puts the working tree's ``src/`` on
``sys.path`` first (run.py does), so ``chainrule`` here is the one being measured.
"""

from __future__ import annotations

import gzip
import math
import os
import pickle
import platform
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional

import numpy as np

import chainrule as cr
from configs import FULL_TRAIN, N_CLASSES, Config

DATA_DIR = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
MNIST_PATH = DATA_DIR / "mnist.pkl.gz"
CAT_DIR = DATA_DIR / "coursera"

# -- data -------------------------------------------------------------------------------------


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


def load_mnist(path: Path = MNIST_PATH) -> Data:
    """Nielsen's mnist.pkl.gz (50k train, 10k test; the validation set is unused), else synthetic data."""
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


def load_cat(directory: Path = CAT_DIR) -> Data:
    """The course's catvnoncat.h5 (209 train, 50 test), else synthetic data of its shape."""
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


def training_arrays(cfg: Config, data: Data, m: int, dtype) -> tuple[np.ndarray, np.ndarray]:
    """The first ``m`` training rows as a contiguous X and the config's targets, in ``dtype``."""
    return np.ascontiguousarray(data.X_train[:m], dtype=dtype), targets(cfg, data.y_train[:m], dtype)


# -- sessions: one implementation in one dtype, set up once, then stepped epoch by epoch ----------


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
    threads: str = "1"          # "1" or "default": the process's thread setting (bench/threads.py)


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


def accuracy_from_outputs(out: np.ndarray, y: np.ndarray) -> float:
    if out.shape[1] == 1:            # one sigmoid output: a probability
        return float(np.mean((out[:, 0] > 0.5) == y))
    return float(np.mean(out.argmax(axis=1) == y))


# -- what a time means: batches, FLOPs, the normalized epoch ----------------------------------------


def batch_list(m: int, bs: int) -> list[int]:
    return [bs] * (m // bs) + ([m % bs] if m % bs else [])


def gemm_flops(cfg: Config, batch_sizes: list[int]) -> float:
    """FLOPs of forward X@W, weight gradient A.T@dZ (all layers), input gradient dZ@W.T (not layer 1)."""
    pairs = list(zip(cfg.sizes[:-1], cfg.sizes[1:]))
    per_row = 2 * sum(a * b for a, b in pairs) * 2 + 2 * sum(a * b for a, b in pairs[1:])
    return float(per_row * sum(batch_sizes))


def normalized(cfg: Config, times: list[float], n_timed: int) -> tuple[float, float, str]:
    """(seconds, scale, label): median seconds per 50k epoch; D: mean seconds per iteration x 2500."""
    if cfg.data == "cat":
        n = len(times)
        scale = cfg.iterations / n
        return statistics.fmean(times) * cfg.iterations, scale, \
            f"{n} it" + (f" (x{scale:g})" if scale != 1 else "")
    scale = FULL_TRAIN / n_timed
    label = f"{n_timed / 1000:g}k x {len(times)} ep" + (f" (x{scale:g})" if scale != 1 else "")
    return statistics.median(times) * scale, scale, label


# -- the machine: its peak, its other load, what it is ------------------------------------------


def gemm_peak(dtype, n: int = 1024, reps: int = 7) -> float:
    """GFLOP/s of the best of ``reps`` n x n products, on the threads BLAS has in this process."""
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
    if info["torch"]:
        info["torch_threads"] = __import__("torch").get_num_threads()
    return info
