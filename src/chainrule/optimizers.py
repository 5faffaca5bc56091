"""Optimizers: ``step(params_and_grads)`` updates each parameter array in place.

They know nothing about layers, only ``(param, grad)`` array pairs. State (velocities, moments)
is a list aligned by position with those pairs, allocated lazily on the first ``step`` from the
gradients' shapes and dtypes, and checked on every later step.

Coefficients are Python floats: ``float32_array * np.float64(x)`` is float64 in NumPy 2, while
``* x`` with a Python float stays float32.

``lr`` is a plain attribute: a learning-rate schedule (``chainrule.schedules``, applied by the
``LearningRateScheduler`` callback) may change it between steps, and ``state_dict`` saves the value
in use. Every optimizer also takes ``clip_norm`` or ``clip_value`` to clip the gradients first.
"""

from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np

from . import _checks

ParamsAndGrads = Sequence[tuple[np.ndarray, np.ndarray]]


class Optimizer:
    """Base class: hyperparameter checks, gradient clipping, lazy state, shape checks, ``state_dict``.

    Gradient clipping, applied to the gradients before the subclass's update (at most one of the two):

    clip_value = c:   g ← clip(g, -c, c)                                  elementwise
    clip_norm = c:    ‖g‖ = √(Σ over every array of Σ g²);  g ← g · c/‖g‖  when ‖g‖ > c

    ``clip_norm`` is the global norm over all gradients together (PyTorch's ``clip_grad_norm_``,
    Keras's ``global_clipnorm``), so it rescales the whole step without changing its direction.
    """

    #: names of the per-parameter state lists a subclass keeps (e.g. ``("m", "v")``)
    state_names: tuple[str, ...] = ()

    def __init__(self, lr: float, clip_norm: float | None = None, clip_value: float | None = None) -> None:
        where = type(self).__name__
        self.lr = _checks.positive_number(lr, "lr", where)
        if clip_norm is not None and clip_value is not None:
            raise ValueError(f"{where}: pass clip_norm or clip_value, not both (got {clip_norm!r} and {clip_value!r}).")
        self.clip_norm = None if clip_norm is None else _checks.positive_number(clip_norm, "clip_norm", where)
        self.clip_value = None if clip_value is None else _checks.positive_number(clip_value, "clip_value", where)
        self.t = 0
        self._shapes: list[tuple] | None = None
        for name in self.state_names:
            setattr(self, name, [])

    def step(self, params_and_grads: ParamsAndGrads) -> None:
        """Apply one update to every parameter, in place."""
        pairs = self._checked_pairs(params_and_grads)
        self.t += 1
        if self.clip_value is None and self.clip_norm is None:
            for i, (param, grad) in enumerate(pairs):
                self.update(i, param, grad)
            return
        grads = self.clip([grad for _, grad in pairs])
        for i, ((param, _), grad) in enumerate(zip(pairs, grads)):
            self.update(i, param, grad)

    def clip(self, grads: list[np.ndarray]) -> list[np.ndarray]:
        """The gradients after ``clip_value`` or ``clip_norm`` (the same arrays when nothing is clipped)."""
        # NOTE: clipping returns new arrays and never writes into the caller's gradients, so a layer's
        # dW stays ∂L/∂W after the step (for gradient checks and diagnostics). The cost is one temporary
        # per array while clipping is active, small next to the temporaries of Adam's own update.
        if self.clip_value is not None:
            return [np.clip(g, -self.clip_value, self.clip_value) for g in grads]
        if self.clip_norm is not None:
            norm = math.sqrt(sum(float(np.vdot(g, g)) for g in grads))
            if norm > self.clip_norm:
                return [g * (self.clip_norm / norm) for g in grads]   # Python float: float32 stays float32
        return grads

    def update(self, i: int, param: np.ndarray, grad: np.ndarray) -> None:
        raise NotImplementedError

    def _scratch(self, i: int, param: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Two work arrays shaped like ``param``, allocated once per parameter.

        NOTE: a temporary as large as W costs page faults on every step once it is over the
        allocator's mmap threshold (128 KiB); reused arrays do not.
        """
        scratch = self.__dict__.setdefault("_work", {})
        pair = scratch.get(i)
        if pair is None or pair[0].shape != param.shape or pair[0].dtype != param.dtype:
            pair = scratch[i] = (np.empty_like(param), np.empty_like(param))
        return pair

    def _checked_pairs(self, params_and_grads: ParamsAndGrads) -> ParamsAndGrads:
        """The (param, grad) pairs, checked against the optimizer state.

        NOTE: the training plan passes the same tuple every batch when the layers keep their
        gradient arrays. A tuple of tuples cannot change, so once checked it needs no second look:
        that saves a few µs per step at batch 10.
        """
        if params_and_grads is self.__dict__.get("_checked"):
            return params_and_grads
        pairs = list(params_and_grads)
        self._check_state(pairs)
        self._checked = params_and_grads if isinstance(params_and_grads, tuple) else None
        return pairs

    def _same_params(self, pairs: list) -> bool:
        last = self.__dict__.get("_last_params")
        current = [p for p, _ in pairs]
        same = last is not None and len(last) == len(current) and all(
            a is b and a.shape == s[0] for a, b, s in zip(last, current, self._shapes))
        self._last_params = current
        return same

    def _check_state(self, pairs: list) -> None:
        # NOTE: the same parameter arrays as last step (the usual case) cannot have changed shape or
        # dtype in place without a reshape, so comparing identities is enough and costs far less.
        if self._shapes is not None and self._same_params(pairs):
            return
        shapes = [(p.shape, p.dtype.str) for p, _ in pairs]
        if self._shapes is None:
            for param, grad in pairs:
                if param.shape != grad.shape:
                    raise ValueError(
                        f"{type(self).__name__}: a parameter of shape {param.shape} came with a gradient "
                        f"of shape {grad.shape}; each (param, grad) pair must match."
                    )
            self._shapes = shapes
            for name in self.state_names:
                setattr(self, name, [np.zeros_like(p) for p, _ in pairs])
        elif shapes != self._shapes:
            raise ValueError(
                f"{type(self).__name__}: optimizer state was created for parameters "
                f"{[(s, np.dtype(d).name) for s, d in self._shapes]}; got {[(s, np.dtype(d).name) for s, d in shapes]}. "
                "Create a new optimizer for a changed model."
            )

    def _clipping(self) -> dict[str, float]:
        """The clipping options that are set, for ``config`` (unset ones are left out)."""
        return {name: value for name, value in (("clip_norm", self.clip_norm), ("clip_value", self.clip_value))
                if value is not None}

    def config(self) -> dict[str, Any]:
        return {"lr": self.lr, **self._clipping()}

    def state_dict(self) -> dict[str, Any]:
        """Hyperparameters (with the lr in use), step count and copies of the state arrays (for exact resume)."""
        state = {"type": type(self).__name__, "config": self.config(), "t": self.t}
        for name in self.state_names:
            state[name] = [a.copy() for a in getattr(self, name)]
        return state

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore what ``state_dict`` returned; the next ``step`` continues exactly.

        Restores ``t``, the state arrays and the lr in use (a schedule may have changed it). The other
        hyperparameters must match this optimizer's: build it with ``type(...)(**state["config"])``.
        """
        where = type(self).__name__
        if state.get("type") != where:
            raise ValueError(f"{where}: cannot load state saved by {state.get('type')!r}.")
        saved = dict(state.get("config", {}))
        lr = _checks.in_range(saved.pop("lr", self.lr), "lr", where, 0.0, math.inf)     # a schedule may end at 0
        mine = {k: v for k, v in self.config().items() if k != "lr"}
        if saved and saved != mine:
            raise ValueError(
                f"{where}: the state was saved with hyperparameters {saved}, but this optimizer has {mine}. "
                f"Create the optimizer with {where}(**state['config']) to resume exactly."
            )
        self.lr = lr
        self.t = int(state["t"])
        arrays = [[np.array(a) for a in state.get(name, [])] for name in self.state_names]
        for name, value in zip(self.state_names, arrays):
            setattr(self, name, value)
        self._shapes = [(a.shape, a.dtype.str) for a in arrays[0]] if arrays and arrays[0] else None
        self._checked = None             # check the next step's pairs against the loaded state

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.config().items())
        return f"{type(self).__name__}({args})"


class SGD(Optimizer):
    """Stochastic gradient descent, with optional (Nesterov) momentum, as in PyTorch.

    momentum = 0:   W ← W - lr·g
    momentum = μ:   v ← μ·v + g;   W ← W - lr·v
    nesterov:       v ← μ·v + g;   W ← W - lr·(g + μ·v)
    """

    state_names = ("velocity",)

    def __init__(self, lr: float = 0.01, momentum: float = 0.0, nesterov: bool = False, *,
                 clip_norm: float | None = None, clip_value: float | None = None) -> None:
        self.momentum = _checks.in_range(momentum, "momentum", "SGD", 0.0, 1.0)
        self.nesterov = bool(nesterov)
        if self.nesterov and self.momentum == 0.0:
            raise ValueError("SGD: nesterov=True needs momentum > 0, e.g. momentum=0.9.")
        if self.momentum == 0.0:
            self.state_names = ()       # plain SGD keeps no state
        super().__init__(lr, clip_norm, clip_value)

    def update(self, i: int, param: np.ndarray, grad: np.ndarray) -> None:
        step, _ = self._scratch(i, param)
        if self.momentum == 0.0:
            param -= np.multiply(grad, self.lr, out=step)                      # lr·g
            return
        v = self.velocity[i]
        v *= self.momentum
        v += grad
        if self.nesterov:
            step = np.add(grad, np.multiply(v, self.momentum, out=step), out=step)   # g + μ·v
            param -= np.multiply(step, self.lr, out=step)
        else:
            param -= np.multiply(v, self.lr, out=step)                         # lr·v

    def config(self) -> dict[str, Any]:
        return {"lr": self.lr, "momentum": self.momentum, "nesterov": self.nesterov, **self._clipping()}


class RMSprop(Optimizer):
    """RMSprop, Hinton (Coursera lecture 6e, 2012), in PyTorch's form (eps outside the square root).

    v ← ρ·v + (1 - ρ)·g²
    W ← W - lr · g / (√v + eps)

    Each weight's step is divided by a running root-mean-square of its recent gradients.
    """

    state_names = ("v",)

    def __init__(self, lr: float = 0.001, rho: float = 0.9, eps: float = 1e-8, *,
                 clip_norm: float | None = None, clip_value: float | None = None) -> None:
        self.rho = _checks.in_range(rho, "rho", "RMSprop", 0.0, 1.0)
        self.eps = _checks.positive_number(eps, "eps", "RMSprop")
        super().__init__(lr, clip_norm, clip_value)

    def update(self, i: int, param: np.ndarray, grad: np.ndarray) -> None:
        v = self.v[i]
        step, denominator = self._scratch(i, param)
        v *= self.rho
        v += np.multiply(np.multiply(grad, grad, out=step), 1.0 - self.rho, out=step)   # (1 - ρ)·g²
        denominator = np.add(np.sqrt(v, out=denominator), self.eps, out=denominator)    # √v + eps
        param -= np.divide(np.multiply(grad, self.lr, out=step), denominator, out=step)  # lr·g / (√v + eps)

    def config(self) -> dict[str, Any]:
        return {"lr": self.lr, "rho": self.rho, "eps": self.eps, **self._clipping()}


class Adagrad(Optimizer):
    """Adagrad, Duchi, Hazan & Singer (2011), as in PyTorch (eps outside the square root).

    G ← G + g²
    W ← W - lr · g / (√G + eps)

    G only grows, so every weight's step size only shrinks: rarely-updated weights keep larger steps.
    """

    state_names = ("G",)

    def __init__(self, lr: float = 0.01, eps: float = 1e-10, *,
                 clip_norm: float | None = None, clip_value: float | None = None) -> None:
        self.eps = _checks.positive_number(eps, "eps", "Adagrad")
        super().__init__(lr, clip_norm, clip_value)

    def update(self, i: int, param: np.ndarray, grad: np.ndarray) -> None:
        G = self.G[i]
        step, denominator = self._scratch(i, param)
        G += np.multiply(grad, grad, out=step)                                           # g²
        denominator = np.add(np.sqrt(G, out=denominator), self.eps, out=denominator)    # √G + eps
        param -= np.divide(np.multiply(grad, self.lr, out=step), denominator, out=step)  # lr·g / (√G + eps)

    def config(self) -> dict[str, Any]:
        return {"lr": self.lr, "eps": self.eps, **self._clipping()}


class Adam(Optimizer):
    """Adam, Kingma & Ba (2015), Algorithm 1 literally (eps outside the square root).

    m ← β1·m + (1 - β1)·g
    v ← β2·v + (1 - β2)·g²
    m̂ = m / (1 - β1ᵗ);   v̂ = v / (1 - β2ᵗ)
    W ← W - lr · m̂ / (√v̂ + eps)
    """

    state_names = ("m", "v")

    def __init__(self, lr: float = 0.001, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8, *,
                 clip_norm: float | None = None, clip_value: float | None = None) -> None:
        where = type(self).__name__
        self.beta1 = _checks.in_range(beta1, "beta1", where, 0.0, 1.0)
        self.beta2 = _checks.in_range(beta2, "beta2", where, 0.0, 1.0)
        self.eps = _checks.positive_number(eps, "eps", where)
        super().__init__(lr, clip_norm, clip_value)

    def update(self, i: int, param: np.ndarray, grad: np.ndarray) -> None:
        m, v = self.m[i], self.v[i]
        step, denominator = self._scratch(i, param)  # NOTE: two reused arrays instead of eight temporaries
        m *= self.beta1
        m += np.multiply(grad, 1.0 - self.beta1, out=step)
        v *= self.beta2
        v += np.multiply(np.multiply(grad, grad, out=step), 1.0 - self.beta2, out=step)
        m_hat = np.divide(m, 1.0 - self.beta1 ** self.t, out=step)      # Python float: float32 stays float32
        v_hat = np.divide(v, 1.0 - self.beta2 ** self.t, out=denominator)
        denominator = np.add(np.sqrt(v_hat, out=denominator), self.eps, out=denominator)    # √v̂ + eps
        param -= np.divide(np.multiply(m_hat, self.lr, out=step), denominator, out=step)  # lr·m̂ / (√v̂ + eps)

    def config(self) -> dict[str, Any]:
        return {"lr": self.lr, "beta1": self.beta1, "beta2": self.beta2, "eps": self.eps, **self._clipping()}


class AdamW(Adam):
    """AdamW, Loshchilov & Hutter (2019): Adam with weight decay decoupled from the gradient.

    W ← (1 - lr·λ)·W                 λ = weight_decay, applied first, as in PyTorch
    then Adam's step, with g the gradient of the loss alone:
    m ← β1·m + (1 - β1)·g
    v ← β2·v + (1 - β2)·g²
    m̂ = m / (1 - β1ᵗ);   v̂ = v / (1 - β2ᵗ)
    W ← W - lr · m̂ / (√v̂ + eps)

    Adding λ·W to g instead (L2 regularization) would be divided by √v̂ too, so weights with large
    gradients would be decayed less. The paper scales λ by the schedule multiplier only; PyTorch and
    this class scale it by lr, so the decay per step is lr·λ (1e-5 with the defaults). It applies to
    every array passed to ``step``, biases included.
    """

    def __init__(self, lr: float = 0.001, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8,
                 weight_decay: float = 0.01, *, clip_norm: float | None = None, clip_value: float | None = None) -> None:
        self.weight_decay = _checks.in_range(weight_decay, "weight_decay", "AdamW", 0.0, math.inf)
        super().__init__(lr, beta1, beta2, eps, clip_norm=clip_norm, clip_value=clip_value)

    def update(self, i: int, param: np.ndarray, grad: np.ndarray) -> None:
        param *= 1.0 - self.lr * self.weight_decay
        super().update(i, param, grad)

    def config(self) -> dict[str, Any]:
        return {"lr": self.lr, "beta1": self.beta1, "beta2": self.beta2, "eps": self.eps,
                "weight_decay": self.weight_decay, **self._clipping()}
