"""Optimizers: ``step(params_and_grads)`` updates each parameter array in place.

They know nothing about layers, only ``(param, grad)`` array pairs. State (velocities, moments)
is a list aligned by position with those pairs, allocated lazily on the first ``step`` from the
gradients' shapes and dtypes, and checked on every later step.

Coefficients are Python floats: ``float32_array * np.float64(x)`` is float64 in NumPy 2, while
``* x`` with a Python float stays float32.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from . import _checks

ParamsAndGrads = Sequence[tuple[np.ndarray, np.ndarray]]


class Optimizer:
    """Base class: hyperparameter checks, lazy state, shape checks, ``state_dict``."""

    #: names of the per-parameter state lists a subclass keeps (e.g. ``("m", "v")``)
    state_names: tuple[str, ...] = ()

    def __init__(self, lr: float) -> None:
        self.lr = _checks.positive_number(lr, "lr", type(self).__name__)
        self.t = 0
        self._shapes: list[tuple] | None = None
        for name in self.state_names:
            setattr(self, name, [])

    def step(self, params_and_grads: ParamsAndGrads) -> None:
        """Apply one update to every parameter, in place."""
        pairs = list(params_and_grads)
        self._check_state(pairs)
        self.t += 1
        for i, (param, grad) in enumerate(pairs):
            self.update(i, param, grad)

    def update(self, i: int, param: np.ndarray, grad: np.ndarray) -> None:
        raise NotImplementedError

    def _check_state(self, pairs: list) -> None:
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
                f"{type(self).__name__}: optimizer state was created for parameter shapes "
                f"{[s for s, _ in self._shapes]}; got {[s for s, _ in shapes]}. "
                "Create a new optimizer for a changed model."
            )

    def config(self) -> dict[str, Any]:
        return {"lr": self.lr}

    def state_dict(self) -> dict[str, Any]:
        """Hyperparameters, step count and copies of the state arrays (for exact resume)."""
        state = {"type": type(self).__name__, "config": self.config(), "t": self.t}
        for name in self.state_names:
            state[name] = [a.copy() for a in getattr(self, name)]
        return state

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore what ``state_dict`` returned; the next ``step`` continues exactly."""
        if state.get("type") != type(self).__name__:
            raise ValueError(f"{type(self).__name__}: cannot load state saved by {state.get('type')!r}.")
        self.t = int(state["t"])
        arrays = [[np.array(a) for a in state.get(name, [])] for name in self.state_names]
        for name, value in zip(self.state_names, arrays):
            setattr(self, name, value)
        self._shapes = [(a.shape, a.dtype.str) for a in arrays[0]] if arrays and arrays[0] else None

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

    def __init__(self, lr: float = 0.01, momentum: float = 0.0, nesterov: bool = False) -> None:
        self.momentum = _checks.in_range(momentum, "momentum", "SGD", 0.0, 1.0)
        self.nesterov = bool(nesterov)
        if self.nesterov and self.momentum == 0.0:
            raise ValueError("SGD: nesterov=True needs momentum > 0, e.g. momentum=0.9.")
        if self.momentum == 0.0:
            self.state_names = ()       # plain SGD keeps no state
        super().__init__(lr)

    def update(self, i: int, param: np.ndarray, grad: np.ndarray) -> None:
        if self.momentum == 0.0:
            param -= self.lr * grad
            return
        v = self.velocity[i]
        v *= self.momentum
        v += grad
        if self.nesterov:
            param -= self.lr * (grad + self.momentum * v)
        else:
            param -= self.lr * v

    def config(self) -> dict[str, Any]:
        return {"lr": self.lr, "momentum": self.momentum, "nesterov": self.nesterov}


class Adam(Optimizer):
    """Adam, Kingma & Ba (2015), Algorithm 1 literally (eps outside the square root).

    m ← β1·m + (1 - β1)·g
    v ← β2·v + (1 - β2)·g²
    m̂ = m / (1 - β1ᵗ);   v̂ = v / (1 - β2ᵗ)
    W ← W - lr · m̂ / (√v̂ + eps)
    """

    state_names = ("m", "v")

    def __init__(self, lr: float = 0.001, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8) -> None:
        self.beta1 = _checks.in_range(beta1, "beta1", "Adam", 0.0, 1.0)
        self.beta2 = _checks.in_range(beta2, "beta2", "Adam", 0.0, 1.0)
        self.eps = _checks.positive_number(eps, "eps", "Adam")
        super().__init__(lr)

    def update(self, i: int, param: np.ndarray, grad: np.ndarray) -> None:
        m, v = self.m[i], self.v[i]
        m *= self.beta1
        m += (1.0 - self.beta1) * grad
        v *= self.beta2
        v += (1.0 - self.beta2) * (grad * grad)
        m_hat = m / (1.0 - self.beta1 ** self.t)     # Python-float divisor: float32 stays float32
        v_hat = v / (1.0 - self.beta2 ** self.t)
        param -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)

    def config(self) -> dict[str, Any]:
        return {"lr": self.lr, "beta1": self.beta1, "beta2": self.beta2, "eps": self.eps}


OPTIMIZERS: dict[str, type] = {"sgd": SGD, "adam": Adam}
