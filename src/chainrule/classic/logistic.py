"""The course's logistic regression as a one-neuron network (seed 000, C1W2).

Column layout as in the course: X (n_x, m), Y (1, m), w (n_x, 1), b a scalar.

    A = σ(wᵀX + b)                          (1, m)     -- not σ(X): seed 000's classic mistake
    cost = -1/m Σ [y·log(a) + (1-y)·log(1-a)]
    dw = 1/m · X (A - Y)ᵀ                   (n_x, 1)
    db = 1/m · Σ (A - Y)

The engine computes it as rows: ``Dense(n_x, 1)`` (whose ``W`` has the shape of ``w``), ``Sigmoid``
and ``BinaryCrossEntropy``; ``Z = Xᵀ @ w + b`` is the transpose of the course's ``wᵀX + b``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import _checks
from ..activations import Sigmoid, sigmoid as _sigmoid
from ..layers import Dense
from ..losses import BinaryCrossEntropy
from ..model import Sequential
from . import _bridge
from ._training import gradient_descent


def sigmoid(z: Any) -> Any:
    """σ(z) = 1 / (1 + exp(-z)) for a scalar or an array of any shape (the engine's, overflow-safe)."""
    z = np.asarray(z, dtype=np.float64)
    s = _sigmoid(z.reshape(-1)).reshape(z.shape)
    return s[()] if s.ndim == 0 else s


def initialize_with_zeros(dim: int) -> tuple[np.ndarray, float]:
    """w = zeros (dim, 1), b = 0.0."""
    dim = _checks.positive_int(dim, "dim", "initialize_with_zeros")
    return np.zeros((dim, 1)), 0.0


def _unit(w: Any, b: Any, n_x: int, where: str) -> Sequential:
    """Sequential([Dense(n_x, 1), Sigmoid()]) holding w as W and b as the bias."""
    w = _checks.as_array(w, "w", where, dtype=np.float64)
    if w.size != n_x:
        raise ValueError(f"{where}: w has shape {w.shape} but X has {n_x} rows (features); w must be ({n_x}, 1).")
    b = _checks.real_number(np.asarray(b).item() if np.size(b) == 1 else b, "b", where)
    model = Sequential([Dense(n_x, 1, init="zeros"), Sigmoid()], seed=0)
    model.layers[0].W[...] = w.reshape(n_x, 1)
    model.layers[0].b[...] = b
    return model


def _data(X: Any, Y: Any, where: str) -> tuple[np.ndarray, np.ndarray]:
    X, Y = _bridge.pair(X, Y, where)
    if Y.shape[0] != 1:
        raise ValueError(f"{where}: Y must be (1, m) labels, got shape {Y.shape}.")
    return X, Y


def propagate(w: Any, b: Any, X: Any, Y: Any) -> tuple[dict[str, Any], np.float64]:
    """One forward and backward pass. Returns ``({"dw": (n_x, 1), "db": float}, cost)``."""
    X, Y = _data(X, Y, "propagate")
    model = _unit(w, b, X.shape[0], "propagate")
    loss = BinaryCrossEntropy()
    cost = loss.forward(model.forward(X.T), Y.T)
    model.backward(loss.backward())
    dense = model.layers[0]
    return {"dw": dense.dW.copy(), "db": np.float64(dense.db[0])}, np.float64(cost)


def optimize(w: Any, b: Any, X: Any, Y: Any, num_iterations: int, learning_rate: float,
             print_cost: bool = False) -> tuple[dict[str, Any], dict[str, Any], list[float]]:
    """Gradient descent: w -= learning_rate·dw, b -= learning_rate·db, ``num_iterations`` times.

    Returns ``(params {"w", "b"}, grads of the last iteration, costs every 100 iterations)``.
    The caller's ``w`` is not modified.
    """
    X, Y = _data(X, Y, "optimize")
    num_iterations = _checks.positive_int(num_iterations, "num_iterations", "optimize")
    model = _unit(w, b, X.shape[0], "optimize")
    costs = gradient_descent(model, X.T, Y.T, BinaryCrossEntropy(), learning_rate, num_iterations, print_cost)
    dense = model.layers[0]
    params = {"w": dense.W.copy(), "b": np.float64(dense.b[0])}
    grads = {"dw": dense.dW.copy(), "db": np.float64(dense.db[0])}
    return params, grads, costs


def predict(w: Any, b: Any, X: Any) -> np.ndarray:
    """Y_prediction (1, m): 1.0 where σ(wᵀX + b) > 0.5, else 0.0."""
    X = _bridge.columns(X, "X", "predict")
    A = _unit(w, b, X.shape[0], "predict").forward(X.T).T
    return (A > 0.5).astype(np.float64)


def model(X_train: Any, Y_train: Any, X_test: Any, Y_test: Any, num_iterations: int = 2000,
          learning_rate: float = 0.5, print_cost: bool = False) -> dict[str, Any]:
    """Train from zeros, predict both sets, print the accuracies as the course does; return the record."""
    X_train, Y_train = _data(X_train, Y_train, "model")
    X_test, Y_test = _data(X_test, Y_test, "model (test)")
    w, b = initialize_with_zeros(X_train.shape[0])
    params, grads, costs = optimize(w, b, X_train, Y_train, num_iterations, learning_rate, print_cost)
    Y_prediction_test = predict(params["w"], params["b"], X_test)
    Y_prediction_train = predict(params["w"], params["b"], X_train)
    print("train accuracy: {} %".format(100 - np.mean(np.abs(Y_prediction_train - Y_train)) * 100))
    print("test accuracy: {} %".format(100 - np.mean(np.abs(Y_prediction_test - Y_test)) * 100))
    return {"costs": costs, "Y_prediction_test": Y_prediction_test, "Y_prediction_train": Y_prediction_train,
            "w": params["w"], "b": params["b"], "learning_rate": learning_rate, "num_iterations": num_iterations}
