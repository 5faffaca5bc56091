"""The compiled epoch (the ``fast`` extra, ``pip install chainrule[fast]``): a whole epoch in numba.

At batch 10 a NumPy step is about 30 library calls of a few microseconds each, and the calls, not
the arithmetic, take most of the time. With numba installed, ``fit`` hands a supported model's
epoch to one compiled function: the shuffled batch gather, forward, loss and its gradient,
backward and the update, for every batch, the matrix products still through BLAS (``np.dot``).

Supported, by exact type (a subclass runs the NumPy plan):

    layers      Dense (l2 allowed, not l1), each followed by at most one of
                Identity, Sigmoid, Tanh, ReLU, LeakyReLU
    loss        MeanSquaredError (half or not), BinaryCrossEntropy(from_logits=True)
                (sum_over_outputs or not), SoftmaxCrossEntropy
    optimizer   SGD (momentum, Nesterov), Adam; no gradient clipping
    data        float32 or float64, no sample_weight or class_weight

It is a second copy of a small part of the math, kept equal to the NumPy plan: the same row
order (the permutation ``fit`` draws), the same batches, the same operations in the same order
(plain SGD's lr folded into the output gradient as ``chainrule.plan`` folds it), the same logs.
tests/test_compiled.py holds every supported combination to the NumPy plan's weights within
1e-12 in float64. Callbacks see the same per-epoch logs; when one needs batch ends
(``on_batch_end``), the compiled code returns to Python after every batch and the callback sees
the model as it is after that batch. Otherwise it returns every few hundred million flops, so
Ctrl-C stops training within a fraction of a second.

numba is imported only when a compiled epoch first runs (``import chainrule`` never imports it),
and compiles once per dtype, cached on disk: a second process starts at once.
"""

from __future__ import annotations

import contextlib
import math
import signal
import threading
import weakref
from typing import Any, Callable, Iterator, Union

import numpy as np

from . import _checks, registry, targets
from .layers import Dense
from .losses import BinaryCrossEntropy
from .optimizers import SGD, Adam

INSTALL = "pip install chainrule[fast]"
BACKENDS = ("auto", "numpy", "compiled")
#: the built-in classes the kernel runs -> _numba_epoch's integer codes (the classes found by registry name)
ACTIVATIONS = {registry.lookup("activation", name): code
               for code, name in enumerate(("identity", "sigmoid", "tanh", "relu", "leaky_relu"))}
LOSSES = {registry.lookup("loss", name): code for code, name in enumerate(("mse", "bce", "ce"))}
#: floating-point operations per return to Python (when no callback needs batch ends)
CHUNK_FLOPS = 2e8
#: each model's typed lists of its arrays, kept while the model lives
_LISTS: "weakref.WeakKeyDictionary[Any, tuple]" = weakref.WeakKeyDictionary()


def kernels() -> Any:
    """The numba module ``_numba_epoch``, imported (and numba with it) on first use."""
    from . import _numba_epoch
    return _numba_epoch


def numba_missing() -> Union[str, None]:
    """Why numba cannot be used (not installed, or failing to import), or ``None`` when it can."""
    for name in ("numba", "scipy.linalg.cython_blas"):     # numba's np.dot calls BLAS through scipy
        try:
            __import__(name)
        except Exception as exc:          # a broken install is as good as none
            return f"{name.split('.')[0]} is not importable ({type(exc).__name__}: {exc})"
    return None


def structure(layers: list, loss: Any, optimizer: Any, weighted: bool) -> tuple[list, list[str]]:
    """([(Dense, its activation or None), ...], [what is unsupported, one phrase each]) for a model."""
    blocks: list = []
    problems: list[str] = []
    for i, layer in enumerate(layers, start=1):
        kind = type(layer)
        if kind is Dense:
            if layer.l1:
                problems.append(f"layer {i} ({layer.describe()}) has l1 > 0")
            blocks.append((layer, None))
        elif kind in ACTIVATIONS and i > 1 and type(layers[i - 2]) is Dense:
            blocks[-1] = (blocks[-1][0], layer)
        elif kind in ACTIVATIONS:
            problems.append(f"layer {i} ({kind.__name__}) does not follow a Dense layer directly")
        else:
            problems.append(f"layer {i} is {kind.__name__}")
    kind = type(loss)
    if kind not in LOSSES:
        problems.append(f"the loss is {kind.__name__}")
    elif kind is BinaryCrossEntropy and not loss.from_logits:
        problems.append("BinaryCrossEntropy needs from_logits=True")
    if type(optimizer) not in (SGD, Adam):
        problems.append(f"the optimizer is {type(optimizer).__name__}")
    elif optimizer.clip_norm is not None or optimizer.clip_value is not None:
        problems.append("the optimizer clips gradients")
    if weighted:
        problems.append("sample_weight or class_weight is given")
    return blocks, problems


# NOTE: "auto" compiles every supported model: measured (one thread, float32, µs a batch, compiled / NumPy
# plan) [784,30,10] sigmoid batch 10 19 / 44; [784,256,128,10] batch 128 sigmoid 1518 / 1608, tanh
# 1600 / 1690, batch 512 tanh 6080-7048 / 5904-6250 (a wash), ReLU 5390 / 5584; the 98 % recipe
# [784,512,256,10] ReLU, Adam, batch 128 3524 / 4232. Before the kernel's exp and tanh were vectorized
# (and its divisions), big batches were faster on the NumPy plan, and "auto" kept them there.
def choose(model: Any, loss: Any, optimizer: Any, backend: str, weighted: bool) -> Union["CompiledEpoch", None]:
    """The compiled epoch for ``fit(..., backend=...)``, or ``None`` for the NumPy plan.

    ``"compiled"`` compiles any supported model and raises otherwise. ``"auto"`` compiles a supported
    model when numba can be used, and never raises.
    """
    if backend not in BACKENDS:
        raise ValueError(f"Sequential.fit: backend must be one of {BACKENDS}, got {backend!r}.")
    if backend == "numpy":
        return None
    blocks, problems = structure(model.layers, loss, optimizer, weighted)
    if problems:
        if backend == "compiled":
            raise ValueError(
                "Sequential.fit(backend='compiled'): the compiled path does not support this model: "
                + "; ".join(problems) + ". It runs Dense layers each followed by at most one of Identity, "
                "Sigmoid, Tanh, ReLU, LeakyReLU, with MeanSquaredError, BinaryCrossEntropy(from_logits=True) "
                "or SoftmaxCrossEntropy, and SGD or Adam. Use backend='auto' to fall back to NumPy.")
        return None
    why = numba_missing()
    if why is not None:
        if backend == "compiled":
            raise ImportError(f"Sequential.fit(backend='compiled') needs numba: {why}. Install it with: {INSTALL}")
        return None
    return CompiledEpoch(model, loss, optimizer, blocks)


@contextlib.contextmanager
def _held_interrupts() -> Iterator[Callable[[], None]]:
    """Hold Ctrl-C while compiled code runs; the yielded function raises KeyboardInterrupt if one came.

    NOTE: with numba 0.68 a SIGINT that lands while the dispatcher unboxes the arguments is either
    lost (training goes on) or turned into "TypeError: can't unbox a typed List as a <NULL>" (seen in
    about half of 10 tries). A handler that only records the signal lets the call finish; the driver
    then raises KeyboardInterrupt between chunks, as the NumPy plan would between batches. Only the
    main thread can set handlers, and a handler the program set itself is left alone.
    """
    if threading.current_thread() is not threading.main_thread() or \
            signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        yield lambda: None
        return
    received: list[int] = []

    def raise_if_interrupted() -> None:
        if received:
            received.clear()
            raise KeyboardInterrupt

    previous = signal.signal(signal.SIGINT, lambda signum, frame: received.append(signum))
    try:
        yield raise_if_interrupted
    finally:
        signal.signal(signal.SIGINT, previous)
    raise_if_interrupted()          # one that came after the last check


class CompiledEpoch:
    """A supported model's epoch, run by ``_numba_epoch.run_batches``; built once per ``fit``."""

    def __init__(self, model: Any, loss: Any, optimizer: Any, blocks: list) -> None:
        self.model, self.loss, self.optimizer = model, loss, optimizer
        self.dense = [layer for layer, _ in blocks]
        self.acts = np.array([0 if act is None else ACTIVATIONS[type(act)] for _, act in blocks], dtype=np.int64)
        self.alphas = np.array([getattr(act, "alpha", 0.0) for _, act in blocks], dtype=np.float64)
        self.l2s = np.array([layer.l2 for layer in self.dense], dtype=np.float64)
        self.loss_code = LOSSES[type(loss)]
        self.loss_scale = float(getattr(loss, "scale", 1.0))
        self.count_examples = bool(getattr(loss, "sum_over_outputs", False))
        n_params = sum(layer.W.size + layer.b.size for layer in self.dense)
        self.flops_per_row = 6 * n_params

    def _update_code(self) -> int:
        opt = self.optimizer
        if type(opt) is Adam:
            return 3
        if opt.momentum == 0.0:
            return 0               # plain SGD: the lr fold, as chainrule.plan runs it
        return 2 if opt.nesterov else 1

    def _typed_lists(self, code: int) -> tuple:
        """numba typed lists of W, b, dW, db and the optimizer state, rebuilt when an array changes."""
        opt = self.optimizer
        Ws = [layer.W for layer in self.dense]
        bs = [layer.b for layer in self.dense]
        dWs = [layer.dW for layer in self.dense]
        dbs = [layer.db for layer in self.dense]
        if code == 0:
            state = (dWs, dbs, dWs, dbs)             # placeholders: the folded update keeps no state
        else:
            # the optimizer's own lazy state, allocated (and shape-checked) as its first step would;
            # its lists follow params_and_grads: W1, b1, W2, b2, ...
            opt._checked_pairs(tuple(pair for layer in self.dense for pair in layer.params_and_grads()))
            first = opt.m if code == 3 else opt.velocity
            second = opt.v if code == 3 else first
            state = (first[0::2], first[1::2], second[0::2], second[1::2])
        arrays = (Ws, bs, dWs, dbs, *state)
        # NOTE: a typed List costs about 0.4 ms to build, so _LISTS keeps each model's last ones between fit
        # calls (a bench or a loop of one-epoch fits would pay it every epoch); they hold the same arrays.
        key = tuple(id(a) for group in arrays for a in group)
        cached = _LISTS.get(self.model)
        if cached is None or cached[0] != key:
            from numba.typed import List
            cached = _LISTS[self.model] = (key, tuple(List(group) for group in arrays))
        return cached[1]

    def epoch(self, X: np.ndarray, Y: np.ndarray, labels: Union[np.ndarray, None], batch_size: int,
              order: Union[np.ndarray, None], epoch: int, batch_hooks: Any = (),
              outputs: Union[list, None] = None) -> dict[str, float]:
        """One pass over the rows in ``order``, as ``Plan.epoch`` makes it; returns the epoch's logs."""
        run_batches = kernels().run_batches
        opt = self.optimizer
        code = self._update_code()
        lists = self._typed_lists(code)
        m = X.shape[0]
        X = np.ascontiguousarray(X)
        rows = np.arange(m, dtype=np.int64) if order is None else np.ascontiguousarray(order, dtype=np.int64)
        n_batches = -(-m // batch_size)
        per_call = 1 if batch_hooks else max(1, int(CHUNK_FLOPS // (self.flops_per_row * batch_size)))
        Y_hat = np.empty((m, Y.shape[1]), dtype=X.dtype)
        values = np.empty(n_batches, dtype=np.float64)
        lr_at_start = getattr(opt, "lr", None)
        hyper = np.array([opt.lr, getattr(opt, "momentum", 0.0), getattr(opt, "beta1", 0.0),
                          getattr(opt, "beta2", 0.0), getattr(opt, "eps", 0.0)], dtype=np.float64)
        folded_lr = None
        total_loss, seen = 0.0, 0
        try:
            with _held_interrupts() as raise_if_interrupted:
                for first in range(0, n_batches, per_call):
                    last = min(first + per_call, n_batches)
                    hyper[0] = opt.lr          # a callback may change lr between batches
                    done = run_batches(X, Y, rows, batch_size, first, last, *lists, self.acts, self.alphas, self.l2s,
                                       self.loss_code, self.loss_scale, self.count_examples, code, hyper,
                                       opt.t, Y_hat, values[first:last])
                    opt.t += done - (0 if math.isfinite(values[first + done - 1]) else 1)   # no step on a NaN loss
                    folded_lr = opt.lr if code == 0 else None
                    for batch in range(first, first + done):
                        value = float(values[batch])
                        if not math.isfinite(value):
                            raise _checks.diverged(value, epoch, batch, lr_at_start,
                                                   [a for layer in self.dense for a in (layer.W, layer.b)])
                        size = min(batch_size, m - batch * batch_size)
                        total_loss += value * size
                        seen += size
                        for hook in batch_hooks:
                            hook.on_batch_end(batch, {"loss": value})
                    raise_if_interrupted()         # Ctrl-C, held while numba ran, raised here
        finally:
            if folded_lr is not None:                 # Plan.unfold: the layers hold ∂L/∂W again
                for layer in self.dense:
                    layer.dW /= folded_lr
                    layer.db /= folded_lr
        if outputs is not None:
            outputs.append((Y[rows], Y_hat))
        # NOTE: with one batch (full-batch GD) report that batch's loss exactly, as Plan.epoch does.
        logs = {"loss": value if n_batches == 1 else total_loss / seen}
        if labels is not None:
            truth = labels if order is None else labels[order]
            logs["accuracy"] = float(np.mean(targets.predicted_labels(self.loss, Y_hat) == truth))
        return logs
