"""Where chainrule's epoch goes: a cProfile of one ``fit`` epoch, and the time of each stage of a step.

Both train the bench's own chainrule session (peers/chainrule_fit.py) on the timed subset.
"""

from __future__ import annotations

import cProfile
import io
import math
import pstats
import time
from typing import Any, Callable

import numpy as np
from chainrule import targets

from configs import CONFIGS, initial_params, timed_sizes
from measurement import Ctx, Data, batch_list
from peers.chainrule_fit import ChainruleSession
from peers.gemm_floor import FloorSession


def subset_context(cfg_name: str, mnist: Data, args) -> Ctx:
    """The sessions' context for one run on the timed subset, from the bench's initial weights."""
    n = min(timed_sizes(args)[0], mnist.X_train.shape[0])
    return Ctx(mnist, 1, args.seed, args.quick, n, n, 0, initial_params(CONFIGS[cfg_name], args.seed))


def profile_epoch(cfg_name: str, dtype: str, mnist: Data, args, top: int = 10) -> str:
    """cProfile of one chainrule epoch; returns the top functions by tottime."""
    session = ChainruleSession(CONFIGS[cfg_name], subset_context(cfg_name, mnist, args), dtype)
    session.step(1)                 # warm-up
    prof = cProfile.Profile()
    prof.enable()
    session.step(1)
    prof.disable()
    s = io.StringIO()
    pstats.Stats(prof, stream=s).sort_stats("tottime").print_stats(top)
    return f"cProfile, one epoch of config {cfg_name} {dtype} on {session.n_timed} examples (top {top} by tottime):\n" + \
        s.getvalue()


class StageClock:
    """Seconds spent in chosen methods of some objects, summed by stage; the methods themselves run unchanged."""

    def __init__(self, stages: list[str]) -> None:
        self.seconds = dict.fromkeys(stages, 0.0)
        self.returned: dict[str, Any] = {}

    def call(self, stage: str, fn: Callable, *args, **kwargs) -> Any:
        t = time.perf_counter()
        result = fn(*args, **kwargs)
        self.seconds[stage] += time.perf_counter() - t
        self.returned[stage] = result
        return result

    def wrap(self, obj: Any, method: str, stage: str) -> None:
        # NOTE: an instance attribute shadows the class's method for this one object only, so
        # train_step's own calls are timed and the engine's code is not copied here.
        inner = getattr(obj, method)
        setattr(obj, method, lambda *args, **kwargs: self.call(stage, inner, *args, **kwargs))


STAGES = ["gather X[rows], Y[rows]", "model.forward", "loss.forward (+penalty)", "loss.backward",
          "model.backward", "params_and_grads + step", "targets.accuracy"]


def breakdown_epoch(cfg_name: str, dtype: str, mnist: Data, args) -> str:
    """Microseconds per batch in each stage of ``Sequential.train_step``, the canonical training step.

    The loop is the public-API equivalent of one ``fit`` epoch: shuffled gather, then
    ``train_step`` (forward, loss + penalty, loss gradient, backward, optimizer step), then the
    training accuracy. BLAS time is inside forward/backward. Its total is printed next to a real
    ``fit`` epoch (which has its own fast path) and the GEMM floor of the same batches.
    """
    ctx = subset_context(cfg_name, mnist, args)
    session = ChainruleSession(CONFIGS[cfg_name], ctx, dtype)
    cfg, n, X, Y = session.cfg, session.n_timed, session.X, session.Y
    model, loss, opt = session.model, session.loss, session.opt
    fit_s = session.step(2)[-1]
    gather, forward, loss_value, loss_grad, backward, step, accuracy = STAGES
    clock = StageClock(STAGES)
    for obj, method, stage in ((model, "forward", forward), (loss, "forward", loss_value),
                               (model, "penalty", loss_value), (loss, "backward", loss_grad),
                               (model, "backward", backward), (model, "params_and_grads", step),
                               (opt, "step", step)):
        clock.wrap(obj, method, stage)

    def rows_of(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return X[rows], Y[rows]

    rng = np.random.default_rng(args.seed)
    start = time.perf_counter()
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        order = rng.permutation(n)
        for b in range(0, n, cfg.batch):
            X_b, Y_b = clock.call(gather, rows_of, order[b:b + cfg.batch])
            math.isfinite(model.train_step(X_b, Y_b, loss, opt))
            clock.call(accuracy, targets.accuracy, loss, clock.returned[forward], Y_b)
    total = time.perf_counter() - start
    batches = len(batch_list(n, cfg.batch))
    floor_s = FloorSession(cfg, ctx, dtype).step(1)[0]
    lines = [f"stage breakdown, config {cfg_name} {dtype}, {n} examples, {batches} batches of {cfg.batch} "
             f"(us per batch):"]
    for name, sec in clock.seconds.items():
        lines.append(f"  {name:26s} {sec / batches * 1e6:8.1f} us  {100 * sec / total:5.1f} %")
    lines.append(f"  {'total (instrumented loop)':26s} {total / batches * 1e6:8.1f} us")
    lines.append(f"  {'fit() epoch, same data':26s} {fit_s / batches * 1e6:8.1f} us")
    lines.append(f"  {'GEMM floor (matmuls only)':26s} {floor_s / batches * 1e6:8.1f} us")
    return "\n".join(lines)
