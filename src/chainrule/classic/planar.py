"""The course's planar-data network (C1W3) and seed 004's sigmoid/MSE variant.

Column layout: X (2, m), Y (n_y, m), W1 (n_h, n_x), b1 (n_h, 1), W2 (n_y, n_h), b2 (n_y, 1);
the course has n_y = 1, and more output units work the same way.

    Z1 = W1·X + b1,  A1 = g(Z1)          g = tanh (course) or sigmoid (seed 004)
    Z2 = W2·A1 + b2, A2 = σ(Z2)
    cost = -1/m Σ [y·log(a2) + (1-y)·log(1-a2)]      or seed 004's  1/m Σ (a2 - y)²
    (Σ over every entry of the (n_y, m) matrices: over the examples and the output units)

Backprop in the course's form (the engine computes it in rows and keeps the 1/m in the loss's
gradient, so its dZ are these divided by m; ``intermediates=True`` returns m × the engine's):

    dZ2 = A2 - Y   (cross-entropy)   or   dZ2 = 2(A2 - Y) * σ'(Z2)   (MSE)
    dW2 = dZ2·A1ᵀ / m,  db2 = Σ dZ2 / m
    dA1 = W2ᵀ·dZ2,  dZ1 = dA1 * g'(Z1)   elementwise *, after the matrix product: seed 004's trap
    dW1 = dZ1·Xᵀ / m,   db1 = Σ dZ1 / m
"""

from __future__ import annotations

from typing import Any, Union

import numpy as np

from .. import _checks
from ..datasets import flower_from
from ..losses import BinaryCrossEntropy, Loss, MeanSquaredError
from ..model import Sequential
from . import _bridge
from ._training import gradient_descent

Parameters = dict[str, np.ndarray]
COSTS = ("cross_entropy", "mse")


def load_planar_dataset(rng: Union[np.random.RandomState, None] = None) -> tuple[np.ndarray, np.ndarray]:
    """The flower: X (2, 400), Y (1, 400) uint8, drawn from ``RandomState(1)`` exactly as the course.

    Pass ``rng`` to keep drawing from one ``RandomState`` afterwards (seed 004 draws its weights
    from the same stream right after the data).
    """
    rng = rng if rng is not None else np.random.RandomState(1)
    X, y = flower_from(rng.randn, n_per_class=200)
    return X.T.copy(), y.reshape(1, -1).astype(np.uint8)


def layer_sizes(X: Any, Y: Any, n_h: int = 4) -> tuple[int, int, int]:
    """(n_x, n_h, n_y): input size, hidden size (4 in the course), output size."""
    X, Y = _bridge.pair(X, Y, "layer_sizes")
    return X.shape[0], n_h, Y.shape[0]


def initialize_parameters(n_x: int, n_h: int, n_y: int,
                          rng: Union[np.random.RandomState, None] = None) -> Parameters:
    """W1 = randn(n_h, n_x)·0.01, then W2 = randn(n_y, n_h)·0.01, b = 0; ``RandomState(2)`` by default."""
    rng = rng if rng is not None else np.random.RandomState(2)
    W1 = rng.randn(n_h, n_x) * 0.01
    W2 = rng.randn(n_y, n_h) * 0.01
    return {"W1": W1, "b1": np.zeros((n_h, 1)), "W2": W2, "b2": np.zeros((n_y, 1))}


def _loss(cost: str, where: str) -> Loss:
    if cost == "cross_entropy":
        return BinaryCrossEntropy(sum_over_outputs=True)     # the course's Σ over output units; same for n_y = 1
    if cost == "mse":
        return MeanSquaredError(half=False)
    raise ValueError(f"{where}: cost must be one of {COSTS}, got {cost!r}.")


def _model(parameters: Parameters, hidden_activation: str, where: str) -> Sequential:
    return _bridge.network(parameters, [hidden_activation, "sigmoid"], where)


def forward_propagation(X: Any, parameters: Parameters,
                        hidden_activation: str = "tanh") -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """A2 (n_y, m) and the cache {"Z1", "A1", "Z2", "A2"}, computed by the engine's layers."""
    model = _model(parameters, hidden_activation, "forward_propagation")
    X = _bridge.columns(X, "X", "forward_propagation", rows=model.n_features)
    cache: dict[str, np.ndarray] = {}
    A = X.T
    for l, (dense, activation) in enumerate(zip(model.layers[::2], model.layers[1::2]), start=1):
        Z = dense.forward(A)
        A = activation.forward(Z)
        cache[f"Z{l}"], cache[f"A{l}"] = Z.T, A.T
    return cache["A2"], cache


def compute_cost(A2: Any, Y: Any, parameters: Union[Parameters, None] = None, cost: str = "cross_entropy") -> float:
    """Cross-entropy -1/m Σ [y·log(a2) + (1-y)·log(1-a2)], or ``cost="mse"``: 1/m Σ (a2 - y)².

    A2 and Y are (n_y, m); Σ runs over all their entries.
    """
    A2 = _bridge.columns(A2, "A2", "compute_cost")
    Y = _bridge.like(Y, A2, "compute_cost", output="A2")
    return float(_loss(cost, "compute_cost").forward(A2.T, Y.T))


def backward_propagation(parameters: Parameters, cache: Union[dict, tuple], X: Any, Y: Any,
                         hidden_activation: str = "tanh", cost: str = "cross_entropy",
                         intermediates: bool = False) -> dict[str, np.ndarray]:
    """Gradients {"dW1", "db1", "dW2", "db2"} in the course's shapes, by the engine's backward pass.

    ``cache`` is ``forward_propagation``'s dict {"Z1", "A1", "Z2", "A2"} or the tuple
    (Z1, A1, Z2, A2) of some notebook versions. Y is (n_y, m). With ``intermediates=True`` the
    dict also holds "dZ2", "dA1", "dZ1" in the course's scaling (no 1/m: dZ2 = A2 - Y for
    cross-entropy), to compare with a hand-written backprop line by line.
    """
    where = "backward_propagation"
    model = _model(parameters, hidden_activation, where)
    X = _bridge.columns(X, "X", where, rows=model.n_features)
    Y = _bridge.columns(Y, "Y", where, rows=model.n_outputs)
    A2 = _restore(model, X, cache, where)
    loss = _loss(cost, where)
    loss.forward(A2.T, Y.T)
    steps = _bridge.backward_steps(model, loss.backward())
    grads = _bridge.gradients_of(model)
    if intermediates:
        _, dZ1, dA1, dZ2 = steps
        m = X.shape[1]          # the engine's dZ carry the loss's 1/m; the course's do not
        grads.update(dZ2=dZ2.T * m, dA1=dA1.T * m, dZ1=dZ1.T * m)
    return grads


def _restore(model: Sequential, X: np.ndarray, cache: Union[dict, tuple], where: str) -> np.ndarray:
    """Put the course's cache back into the engine layers, instead of recomputing the forward pass; return A2."""
    _, A1, _, A2 = _bridge.cache_fields(cache, ("Z1", "A1", "Z2", "A2"), where)
    dense1, act1, dense2, act2 = model.layers
    A1 = _bridge.columns(A1, "A1", where, rows=dense1.n_out)
    A2 = _bridge.columns(A2, "A2", where, rows=dense2.n_out)
    dense1.A_prev, act1.A = X.T, A1.T
    dense2.A_prev, act2.A = A1.T, A2.T
    return A2


def update_parameters(parameters: Parameters, grads: dict[str, np.ndarray], learning_rate: float = 1.2) -> Parameters:
    """θ - learning_rate · dθ for each parameter; returns a new dict (the input is not modified)."""
    from .deep import update_parameters as update_in_place
    return update_in_place({k: np.array(v, dtype=np.float64) for k, v in parameters.items()}, grads, learning_rate)


def nn_model(X: Any, Y: Any, n_h: int, num_iterations: int = 10000, print_cost: bool = False,
             learning_rate: float = 1.2, hidden_activation: str = "tanh", cost: str = "cross_entropy",
             parameters: Union[Parameters, None] = None, print_every: int = 1000,
             return_costs: bool = False) -> Union[Parameters, tuple[Parameters, list[float]]]:
    """Train the 2-layer net by full-batch gradient descent on the engine; return the parameters.

    Defaults are the course's (tanh, cross-entropy, lr 1.2, 10000 iterations, init seed 2).
    Seed 004's variant: ``hidden_activation="sigmoid", cost="mse", learning_rate=0.2,
    num_iterations=3000``. ``parameters`` overrides the initialization.
    """
    where = "nn_model"
    n_x, n_h, n_y = layer_sizes(X, Y, _checks.positive_int(n_h, "n_h", where))
    if parameters is None:
        parameters = initialize_parameters(n_x, n_h, n_y)
    model = _model(parameters, hidden_activation, where)
    X = _bridge.columns(X, "X", where, rows=model.n_features)
    Y = _bridge.columns(Y, "Y", where, rows=model.n_outputs)
    num_iterations = _checks.positive_int(num_iterations, "num_iterations", where)
    every = _checks.positive_int(print_every, "print_every", where)
    costs = gradient_descent(model, X.T, Y.T, _loss(cost, where), learning_rate, num_iterations, print_cost,
                             every=every)
    parameters = _bridge.parameters_of(model)
    return (parameters, costs) if return_costs else parameters


def predict(parameters: Parameters, X: Any, hidden_activation: str = "tanh") -> np.ndarray:
    """predictions (n_y, m): True where A2 > 0.5."""
    A2, _ = forward_propagation(X, parameters, hidden_activation)
    return A2 > 0.5


def plot_decision_boundary(model: Any, X: Any, y: Any, path: Any = None, title: str = "decision boundary"):
    """The course's ``plot_decision_boundary(lambda x: predict(parameters, x.T), X, Y)``.

    ``model`` takes grid points as rows (k, 2), as the course's lambda does; X is (2, m), y (1, m).
    """
    from ..plotting import plot_decision_boundary as plot
    X = _bridge.columns(X, "X", "plot_decision_boundary", rows=2)
    return plot(lambda points: np.asarray(model(points)).ravel(), X.T, np.asarray(y).ravel(),
                path=path, title=title)
