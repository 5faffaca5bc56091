"""JAX on the CPU, two ways: ``jax.jit`` of one step called per batch, and ``jax.jit`` of a whole epoch
as a ``lax.scan`` over the batches (XLA compiles the loop; one Python call per epoch).

Threads: in its one-thread process run.py sets ``PJRT_NPROC=1`` (and XLA's single-thread flags) before
anything imports jax, because the usual XLA flags alone leave Eigen's pool on every core; its
default-thread process sets neither (bench/threads.py), so JAX uses every core. Compilation is done ahead of time
(``jit(...).lower(...).compile()``), timed and reported in the note, and excluded from the epochs.
The network, loss, L2 and update are the config's, written as JAX functions (Adam by hand, as in
Algorithm 1). Batches are the config's, the last one short; the scan runs the full batches and
the short one is one more jitted step.
"""

from __future__ import annotations

import time

import numpy as np

from configs import Config
from measurement import Ctx, Session, accuracy_from_outputs, targets


def _build(cfg: Config, n_train: int, dtype: str):
    """(jax, jnp, step(params, state, X_b, Y_b) -> (params, state), forward(params, X), initial state)."""
    import jax
    import jax.numpy as jnp
    jax.config.update("jax_enable_x64", True)        # float64 rows; float32 arrays stay float32
    dt = jnp.float32 if dtype == "float32" else jnp.float64
    act = {"sigmoid": jax.nn.sigmoid, "relu": jax.nn.relu}[cfg.hidden]
    wd = cfg.lmbda / n_train if cfg.cost in ("nielsen_ce", "softmax_ce") else 0.0

    def forward(params, X):
        for W, b in params[:-1]:
            X = act(X @ W + b)
        W, b = params[-1]
        return X @ W + b                     # logits of the output layer

    def loss_fn(params, X, Y):
        Z = forward(params, X)
        m = X.shape[0]
        if cfg.cost == "quadratic":          # Nielsen's 0.5·Σ(σ(z) - y)² / m
            value = 0.5 * jnp.sum((jax.nn.sigmoid(Z) - Y) ** 2) / m
        elif cfg.cost == "nielsen_ce":       # network2's cross-entropy: sum over outputs, mean over the batch
            value = jnp.sum(jnp.maximum(Z, 0) - Z * Y + jnp.log1p(jnp.exp(-jnp.abs(Z)))) / m
        elif cfg.cost == "softmax_ce":
            value = -jnp.sum(Y * jax.nn.log_softmax(Z)) / m
        else:
            value = jnp.mean(jnp.maximum(Z, 0) - Z * Y + jnp.log1p(jnp.exp(-jnp.abs(Z))))
        if wd:
            value = value + 0.5 * wd * sum(jnp.sum(W * W) for W, _ in params)
        return value

    grad = jax.grad(loss_fn)
    lr = cfg.lr

    if cfg.optimizer == "sgd":
        def step(params, state, X, Y):
            g = grad(params, X, Y)
            return jax.tree_util.tree_map(lambda p, d: p - lr * d, params, g), state
        state0 = 0
    else:
        b1, b2, eps = 0.9, 0.999, 1e-8

        def step(params, state, X, Y):
            g = grad(params, X, Y)
            m, v, t = state
            t = t + 1
            m = jax.tree_util.tree_map(lambda m_, d: b1 * m_ + (1 - b1) * d, m, g)
            v = jax.tree_util.tree_map(lambda v_, d: b2 * v_ + (1 - b2) * d * d, v, g)
            c1, c2 = 1 - b1 ** t, 1 - b2 ** t
            params = jax.tree_util.tree_map(lambda p, m_, v_: p - lr * (m_ / c1) / (jnp.sqrt(v_ / c2) + eps),
                                            params, m, v)
            return params, (m, v, t)
        state0 = None
    return jax, jnp, dt, step, forward, state0


class _JaxSession(Session):
    """Shared set-up: parameters from the bench's initial weights, data on the device, the shuffles."""

    def __init__(self, cfg: Config, ctx: Ctx, dtype: str) -> None:
        if cfg.data != "mnist":
            raise ValueError("the JAX peers run the MNIST configs")
        self.cfg, self.data = cfg, ctx.data
        self.n_timed = m = ctx.n_train
        jax, jnp, dt, self._step, self._forward, state0 = _build(cfg, m, dtype)
        self.jax, self.jnp, self.dt = jax, jnp, dt
        self.params = [(jnp.asarray(W, dtype=dt), jnp.asarray(b, dtype=dt)) for W, b in ctx.params]
        if state0 is None:          # Adam: m, v like the params, t = 0
            zeros = jax.tree_util.tree_map(jnp.zeros_like, self.params)
            state0 = (zeros, zeros, jnp.asarray(0, dtype=dt))
        self.state = state0
        self.X = jnp.asarray(ctx.data.X_train[:m], dtype=dt)
        self.Y = jnp.asarray(targets(cfg, ctx.data.y_train[:m], np.float64), dtype=dt)
        self.rng = np.random.default_rng(ctx.seed)
        self.batch = cfg.batch
        self.n_full = m // cfg.batch
        self.rest = m - self.n_full * cfg.batch
        self.compile_s = 0.0
        self.threads_note = "PJRT_NPROC=1" if ctx.threads == "1" else "default threads"

    def _aot(self, fn, *args):
        """``jit(fn)`` compiled ahead of time for these arguments; the seconds it took are added to compile_s."""
        t = time.perf_counter()
        compiled = self.jax.jit(fn).lower(*args).compile()
        self.compile_s += time.perf_counter() - t
        return compiled

    def accuracy(self) -> float:
        out = np.asarray(self._forward(self.params, self.jnp.asarray(self.data.X_test, dtype=self.dt)))
        return accuracy_from_outputs(out, self.data.y_test)


class JaxStepSession(_JaxSession):
    impl = "jax-step"

    def __init__(self, cfg: Config, ctx: Ctx, dtype: str) -> None:
        super().__init__(cfg, ctx, dtype)
        step, jnp = self._step, self.jnp

        def batch_step(params, state, X, Y, idx):          # the gather inside the jitted step
            return step(params, state, X[idx], Y[idx])
        idx = jnp.arange(self.batch)
        self.full = self._aot(batch_step, self.params, self.state, self.X, self.Y, idx)
        self.short = self._aot(batch_step, self.params, self.state, self.X, self.Y, jnp.arange(self.rest)) \
            if self.rest else None
        self.note = f"jit per step, {self.threads_note}; compile {self.compile_s:.2f} s (excluded)"

    def step(self, units: int) -> list[float]:
        jnp, bs = self.jnp, self.batch

        def one_epoch() -> None:
            perm = jnp.asarray(self.rng.permutation(self.n_timed))
            params, state = self.params, self.state
            for k in range(self.n_full):
                params, state = self.full(params, state, self.X, self.Y, perm[k * bs:(k + 1) * bs])
            if self.short is not None:
                params, state = self.short(params, state, self.X, self.Y, perm[self.n_full * bs:])
            self.jax.block_until_ready(params)
            self.params, self.state = params, state
        return self.timed(one_epoch, units)


class JaxScanSession(_JaxSession):
    impl = "jax-scan"

    def __init__(self, cfg: Config, ctx: Ctx, dtype: str) -> None:
        super().__init__(cfg, ctx, dtype)
        jax, jnp, step, bs, n_full = self.jax, self.jnp, self._step, self.batch, self.n_full

        def epoch(params, state, X, Y, perm):
            Xs = X[perm[:n_full * bs]].reshape(n_full, bs, X.shape[1])
            Ys = Y[perm[:n_full * bs]].reshape(n_full, bs, Y.shape[1])

            def body(carry, batch):
                return step(*carry, *batch), None
            (params, state), _ = jax.lax.scan(body, (params, state), (Xs, Ys))
            if self.rest:
                params, state = step(params, state, X[perm[n_full * bs:]], Y[perm[n_full * bs:]])
            return params, state
        self.epoch = self._aot(epoch, self.params, self.state, self.X, self.Y, jnp.arange(self.n_timed))
        self.note = f"jit + lax.scan per epoch, {self.threads_note}; compile {self.compile_s:.2f} s (excluded)"

    def step(self, units: int) -> list[float]:
        def one_epoch() -> None:
            perm = self.jnp.asarray(self.rng.permutation(self.n_timed))
            params, state = self.epoch(self.params, self.state, self.X, self.Y, perm)
            self.jax.block_until_ready(params)
            self.params, self.state = params, state
        return self.timed(one_epoch, units)
