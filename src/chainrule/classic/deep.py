"""The course's L-layer network (seed 001, C1W4): [LINEAR->RELU]*(L-1) -> LINEAR->SIGMOID.

Same names, dict parameters ``{"W1": (n1, n_x), "b1": (n1, 1), ...}``, caches and return shapes
as the course, X (n_x, m) and Y (n_y, m) (the course has n_y = 1). Every forward and backward
step is the engine's: the functions transpose to rows, call ``Dense``/``ReLU``/``Sigmoid``/
``BinaryCrossEntropy``, and transpose back. The one difference to know: the course puts 1/m inside ``linear_backward``; the
engine puts it in the loss. So ``linear_backward`` divides the engine's ``dW`` and ``db`` by m,
and ``L_model_backward`` multiplies the engine loss gradient by m to get the course's ``dAL``.

The cost sums over every entry of AL (n_y, m), as the course's formula does:
``BinaryCrossEntropy(sum_over_outputs=True)``, the same number as the mean for n_y = 1.

Gradient keys follow seed 001: ``grads["dA" + str(l)]`` is ∂L/∂A of layer l's *input*
(``grads["dA1"]`` is ∂L/∂X), next to ``grads["dW" + str(l)]`` and ``grads["db" + str(l)]``.
"""

from __future__ import annotations

from typing import Any, Union

import numpy as np

from .. import _checks
from ..losses import BinaryCrossEntropy
from ..optimizers import SGD
from . import _bridge
from ._training import gradient_descent

Parameters = dict[str, np.ndarray]


def initialize_parameters(n_x: int, n_h: int, n_y: int, seed: int = 1) -> Parameters:
    """2-layer init as in the course: ``RandomState(1)``, W1 = randn(n_h, n_x)·0.01, then W2 = randn(n_y, n_h)·0.01."""
    rng = np.random.RandomState(seed)
    W1 = rng.randn(n_h, n_x) * 0.01
    W2 = rng.randn(n_y, n_h) * 0.01
    return {"W1": W1, "b1": np.zeros((n_h, 1)), "W2": W2, "b2": np.zeros((n_y, 1))}


def initialize_parameters_deep(layer_dims: list[int], seed: int = 3,
                               scale: Union[float, str] = 0.01) -> Parameters:
    """L-layer init: ``RandomState(seed)``, W{l} = randn(n_l, n_{l-1}) · scale, b{l} = 0.

    ``scale=0.01, seed=3`` is the step-by-step assignment (seed 001). ``scale="sqrt"``,
    ``seed=1`` is the cat application's ``randn(n_l, n_{l-1}) / sqrt(n_{l-1})``.
    """
    if len(layer_dims) < 2:
        raise ValueError(f"initialize_parameters_deep: layer_dims needs at least 2 sizes, got {layer_dims!r}.")
    rng = np.random.RandomState(seed)
    parameters: Parameters = {}
    for l in range(1, len(layer_dims)):
        draw = rng.randn(layer_dims[l], layer_dims[l - 1])
        if scale == "sqrt":
            parameters[f"W{l}"] = draw / np.sqrt(layer_dims[l - 1])
        else:
            parameters[f"W{l}"] = draw * _checks.positive_number(scale, "scale", "initialize_parameters_deep")
        parameters[f"b{l}"] = np.zeros((layer_dims[l], 1))
    return parameters


def linear_forward(A: Any, W: Any, b: Any) -> tuple[np.ndarray, tuple]:
    """Z = W·A + b, computed by the engine's ``Dense`` as Zᵀ = Aᵀ @ Wᵀ + b. Returns (Z, (A, W, b))."""
    layer = _bridge.dense(W, b, "linear_forward")
    A = _bridge.columns(A, "A", "linear_forward", rows=layer.n_in)
    Z = layer.forward(A.T).T
    return Z, (A, W, b)


def linear_activation_forward(A_prev: Any, W: Any, b: Any, activation: str) -> tuple[np.ndarray, tuple]:
    """A = g(W·A_prev + b) with g = "relu" or "sigmoid"; cache = (linear_cache, Z)."""
    act = _bridge.activation(activation, "linear_activation_forward")
    Z, linear_cache = linear_forward(A_prev, W, b)
    A = act.forward(Z.T).T
    return A, (linear_cache, Z)


def L_model_forward(X: Any, parameters: Parameters) -> tuple[np.ndarray, list]:
    """[LINEAR->RELU]*(L-1) -> LINEAR->SIGMOID. Returns AL (n_y, m) and the L caches."""
    L = _bridge.depth(parameters, "L_model_forward")
    caches = []
    A = X
    for l in range(1, L):
        A, cache = linear_activation_forward(A, parameters[f"W{l}"], parameters[f"b{l}"], "relu")
        caches.append(cache)
    AL, cache = linear_activation_forward(A, parameters[f"W{L}"], parameters[f"b{L}"], "sigmoid")
    caches.append(cache)
    return AL, caches


def compute_cost(AL: Any, Y: Any) -> np.float64:
    """Cross-entropy cost -1/m Σ [y·log(a) + (1-y)·log(1-a)], by the engine's ``BinaryCrossEntropy``.

    AL and Y are (n_y, m); Σ runs over all their entries.
    """
    AL = _bridge.columns(AL, "AL", "compute_cost")
    Y = _bridge.like(Y, AL, "compute_cost", output="AL")
    return np.float64(_cost().forward(AL.T, Y.T))


def _cost() -> BinaryCrossEntropy:
    """The course's cost: Σ over the output units, mean over the m examples."""
    return BinaryCrossEntropy(sum_over_outputs=True)


def linear_backward(dZ: Any, cache: Union[tuple, dict]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """dW = dZ·A_prevᵀ / m, db = Σ dZ / m, dA_prev = Wᵀ·dZ, via the engine's ``Dense.backward``.

    ``cache`` is the course's (A_prev, W, b) or a dict {"A_prev" (or "A"), "W", "b"}.
    NOTE: the engine keeps 1/m in the loss, so its ``dW``/``db`` are divided by m here.
    """
    A_prev, W, b = _bridge.cache_fields(cache, ("A_prev", "W", "b"), "linear_backward", aliases={"A_prev": "A"})
    layer = _bridge.dense(W, b, "linear_backward")
    A_prev = _bridge.columns(A_prev, "A_prev", "linear_backward", rows=layer.n_in)
    dZ = _bridge.columns(dZ, "dZ", "linear_backward", rows=layer.n_out)
    m = A_prev.shape[1]
    layer.A_prev = A_prev.T             # restore the forward cache instead of recomputing Z
    dA_prev = layer.backward(dZ.T).T
    return dA_prev, layer.dW.T / m, layer.db.reshape(-1, 1) / m


def linear_activation_backward(dA: Any, cache: Union[tuple, dict],
                               activation: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """dZ = dA * g'(Z) by the engine's activation layer, then ``linear_backward``.

    ``cache`` is the course's ((A_prev, W, b), Z) or a dict {"linear_cache": (A_prev, W, b) or
    {"A_prev", "W", "b"}, "activation_cache": Z or {"Z": Z}}.
    """
    linear_cache, Z = _split_cache(cache, "linear_activation_backward")
    return linear_backward(_activation_backward(dA, Z, activation, "linear_activation_backward"), linear_cache)


def _split_cache(cache: Union[tuple, dict], where: str) -> tuple[Any, Any]:
    """(linear_cache, Z) from either form of a layer's cache."""
    linear_cache, Z = _bridge.cache_fields(cache, ("linear_cache", "activation_cache"), where)
    if isinstance(Z, dict):
        (Z,) = _bridge.cache_fields(Z, ("Z",), where)
    return linear_cache, Z


def _activation_backward(dA: Any, Z: Any, activation: str, where: str) -> np.ndarray:
    """dZ = dA * g'(Z), by the engine's activation layer (in the course's scaling when dA is)."""
    act = _bridge.activation(activation, where)
    act.forward(_bridge.columns(Z, "Z", where).T)
    return act.backward(_bridge.columns(dA, "dA", where).T).T


def L_model_backward(AL: Any, Y: Any, caches: list, intermediates: bool = False) -> dict[str, np.ndarray]:
    """Backprop through the whole net, starting from the course's dAL = -(Y/AL - (1-Y)/(1-AL)).

    dAL is the engine's ``BinaryCrossEntropy`` gradient times m (the course adds 1/m later).
    AL and Y are (n_y, m). With ``intermediates=True`` grads also holds "dZ" + str(l) for every
    layer, in the course's scaling (no 1/m), to compare with a hand-written backprop line by line.
    """
    where = "L_model_backward"
    AL = _bridge.columns(AL, "AL", where)
    Y = _bridge.like(Y, AL, where, output="AL")
    loss = _cost()
    loss.forward(AL.T, Y.T)
    dA = loss.backward().T * AL.shape[1]
    grads: dict[str, np.ndarray] = {}
    L = len(caches)
    for l in reversed(range(1, L + 1)):
        linear_cache, Z = _split_cache(caches[l - 1], where)
        dZ = _activation_backward(dA, Z, "sigmoid" if l == L else "relu", where)
        dA, grads[f"dW{l}"], grads[f"db{l}"] = linear_backward(dZ, linear_cache)
        grads[f"dA{l}"] = dA
        if intermediates:
            grads[f"dZ{l}"] = dZ
    return grads


def update_parameters(parameters: Parameters, grads: dict[str, np.ndarray], learning_rate: float) -> Parameters:
    """W{l} -= learning_rate · dW{l} and b{l} -= learning_rate · db{l}, in place, by the engine's ``SGD``."""
    L = _bridge.depth(parameters, "update_parameters")
    pairs = []
    for l in range(1, L + 1):
        for name in (f"W{l}", f"b{l}"):
            if f"d{name}" not in grads:
                raise ValueError(f"update_parameters: grads has no d{name}; pass the output of L_model_backward.")
            pairs.append((parameters[name], np.asarray(grads[f"d{name}"])))
    SGD(lr=learning_rate).step(pairs)
    return parameters


def _train(X: Any, Y: Any, parameters: Parameters, learning_rate: float, num_iterations: int,
           print_cost: bool, where: str) -> tuple[Parameters, list[float]]:
    L = _bridge.depth(parameters, where)
    model = _bridge.network(parameters, ["relu"] * (L - 1) + ["sigmoid"], where)
    X, Y = _bridge.pair(X, Y, where)
    X = _bridge.columns(X, "X", where, rows=model.n_features)
    Y = _bridge.columns(Y, "Y", where, rows=model.n_outputs)
    num_iterations = _checks.positive_int(num_iterations, "num_iterations", where)
    costs = gradient_descent(model, X.T, Y.T, _cost(), learning_rate, num_iterations, print_cost)
    return _bridge.parameters_of(model), costs


def two_layer_model(X: Any, Y: Any, layers_dims: tuple[int, int, int], learning_rate: float = 0.0075,
                    num_iterations: int = 3000, print_cost: bool = False,
                    return_costs: bool = False) -> Union[Parameters, tuple[Parameters, list[float]]]:
    """LINEAR->RELU->LINEAR->SIGMOID trained by full-batch gradient descent (the cat application).

    Initialized by ``initialize_parameters(n_x, n_h, n_y)`` (seed 1). Returns the parameters,
    and the costs recorded every 100 iterations when ``return_costs``.
    """
    n_x, n_h, n_y = layers_dims
    parameters, costs = _train(X, Y, initialize_parameters(n_x, n_h, n_y), learning_rate, num_iterations,
                               print_cost, "two_layer_model")
    return (parameters, costs) if return_costs else parameters


def L_layer_model(X: Any, Y: Any, layers_dims: list[int], learning_rate: float = 0.0075,
                  num_iterations: int = 3000, print_cost: bool = False, initialization: str = "application",
                  return_costs: bool = False) -> Union[Parameters, tuple[Parameters, list[float]]]:
    """[LINEAR->RELU]*(L-1)->LINEAR->SIGMOID trained by full-batch gradient descent.

    ``initialization="application"`` (default): the cat application's seed 1 and
    randn / sqrt(n_prev). ``"seed001"``: seed 001's ``initialize_parameters_deep`` (seed 3, ·0.01),
    which leaves a deep net stuck near cost 0.693: a lesson in initialization.
    """
    if initialization == "application":
        parameters = initialize_parameters_deep(layers_dims, seed=1, scale="sqrt")
    elif initialization == "seed001":
        parameters = initialize_parameters_deep(layers_dims, seed=3, scale=0.01)
    else:
        raise ValueError(f"L_layer_model: initialization must be 'application' or 'seed001', got {initialization!r}.")
    parameters, costs = _train(X, Y, parameters, learning_rate, num_iterations, print_cost, "L_layer_model")
    return (parameters, costs) if return_costs else parameters


def predict(X: Any, y: Any, parameters: Parameters, print_accuracy: bool = True) -> np.ndarray:
    """p = 1 where AL > 0.5 else 0, shape (n_y, m); prints "Accuracy: ..." as the course does (over all entries)."""
    AL, _ = L_model_forward(X, parameters)
    p = (AL > 0.5).astype(np.float64)
    if print_accuracy:
        y = np.asarray(y).reshape(p.shape)
        print("Accuracy: " + str(np.sum((p == y) / p.size)))
    return p
