"""Specs for the course's planar network (C1W3) and seed 004's sigmoid/MSE variant.

Both variants are legitimate: the doctor learns which one a file implements from its own
``forward_propagation`` (tanh or sigmoid hidden units) and ``compute_cost`` (cross-entropy or
MSE), and judges ``backward_propagation`` and ``nn_model`` against that variant.
"""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np

from ..activations import Sigmoid, Tanh
from ..classic import deep as course_deep
from ..classic import planar as course
from . import probes as P
from .compare import fingerprint
from .course_common import engine_dA
from .locate import source_text
from .spec import Context, Mutant, Probe, Spec, StructureError, Stub, cache_like_the_learners, dict_outputs

FIXES = {
    "n_x": "n_x = X.shape[0]; n_h = 4; n_y = Y.shape[0]",
    "Z1": "Z1 = np.dot(W1, X) + b1",
    "A1": "A1 = np.tanh(Z1)   # sigmoid(Z1) in seed 004's variant",
    "Z2": "Z2 = np.dot(W2, A1) + b2",
    "A2": "A2 = sigmoid(Z2)",
    "dA2": "dA2 = -(Y / A2 - (1 - Y) / (1 - A2))   # MSE: dA2 = 2 * (A2 - Y), no abs",
    "dZ2": "dZ2 = A2 - Y   # MSE with a sigmoid output: dZ2 = 2 * (A2 - Y) * A2 * (1 - A2)",
    "dW2": "dW2 = np.dot(dZ2, A1.T) / m   # (n_y, n_h)",
    "db2": "db2 = np.sum(dZ2, axis=1, keepdims=True) / m   # (n_y, 1)",
    "dA1": "dA1 = np.dot(W2.T, dZ2)   # (n_h, m): a matrix product, W2 transposed on the left",
    "dZ1": "dZ1 = np.dot(W2.T, dZ2) * (1 - np.power(A1, 2))   # elementwise * g'(Z1); sigmoid: A1 * (1 - A1)",
    "dW1": "dW1 = np.dot(dZ1, X.T) / m   # (n_h, n_x)",
    "db1": "db1 = np.sum(dZ1, axis=1, keepdims=True) / m   # (n_h, 1)",
    "predictions": "predictions = (A2 > 0.5)   # labels, shape (1, m)",
}


def hidden(ctx: Context) -> str:
    return ctx.variant.get("hidden", "tanh")


def cost(ctx: Context) -> str:
    return ctx.variant.get("cost", "cross_entropy")


def _data(seed: int, dims: list[int], m: int, scale: float = 0.5) -> tuple[np.ndarray, np.ndarray, dict]:
    random = P.rng(seed)
    return random.randn(dims[0], m), P.labels(random, dims[-1], m), P.parameters(dims, seed + 100, scale)


CASES = [("the course's test case size: n_x = 2, n_h = 4, n_y = 1, m = 3", [2, 4, 1], 3, 0.5, True),
         (f"n_y = 3 output units, m = {P.HARD_M}", [3, 5, 3], P.HARD_M, 0.5, False),
         ("large z (|z| up to about 3000)", [2, 4, 1], 40, 1000.0, False)]


# -- layer_sizes ------------------------------------------------------------------------------------
def _layer_sizes_outputs(result: Any, probe: Probe) -> dict[str, Any]:
    if not isinstance(result, (tuple, list)) or len(result) != 3:
        raise StructureError(f"returns {result!r}; layer_sizes returns (n_x, n_h, n_y)")
    return {"n_x": result[0], "n_h": result[1], "n_y": result[2]}


LAYER_SIZES = Spec("layer_sizes", lambda ctx: [Probe(
    "the course's test case: X (5, 3), Y (2, 3)", (np.ones((5, 3)), np.ones((2, 3))),
    {"n_x": 5, "n_h": 4, "n_y": 2})], _layer_sizes_outputs, FIXES)


# -- forward_propagation ------------------------------------------------------------------------------
def _forward_outputs(result: Any, probe: Probe) -> dict[str, Any]:
    if not isinstance(result, tuple) or len(result) != 2:
        raise StructureError(f"returns {type(result).__name__}; forward_propagation returns (A2, cache)")
    A2, cache = result
    out = {"A2": A2}
    if isinstance(cache, dict):
        out.update({k: cache[k] for k in ("Z1", "A1", "Z2") if k in cache})
    elif isinstance(cache, (tuple, list)) and len(cache) == 4:
        out.update(dict(zip(("Z1", "A1", "Z2"), cache[:3])))
    return out


def _detect_hidden(ctx: Context) -> str:
    """tanh (the course) or sigmoid (seed 004) hidden units: what the learner's forward computes, else its text."""
    func = ctx.namespace.get("forward_propagation")
    if "hidden" in ctx.variant or not callable(func):
        return hidden(ctx)
    X, _, params = _data(7, [2, 4, 1], 5)
    result, error = ctx.call(func, (X, params))
    found = None
    if error is None and isinstance(result, tuple) and result:
        for g in ("tanh", "sigmoid"):
            if fingerprint(result[0], course.forward_propagation(X, params, g)[0]) is None:
                found = g
                break
    if found is None:
        text = source_text(ctx, func)
        found = "sigmoid" if "tanh" not in text and "sigmoid(Z1" in text.replace(" ", "") else "tanh"
    ctx.variant["hidden"] = found
    return found


def _forward_probes(ctx: Context) -> list[Probe]:
    g = _detect_hidden(ctx)
    found = []
    for i, (label, dims, m, scale, standard) in enumerate(CASES):
        X, _, params = _data(10 + i, dims, m, scale)
        A2, cache = course.forward_propagation(X, params, g)
        found.append(Probe(label, (X, params), {"A2": A2, "Z1": cache["Z1"], "A1": cache["A1"], "Z2": cache["Z2"]},
                           m=m, standard=standard, intermediates=dict(cache)))
    return found


FORWARD_PROPAGATION = Spec("forward_propagation", _forward_probes, _forward_outputs, FIXES,
                           optional=frozenset({"Z1", "A1", "Z2"}))


# -- backward_propagation ----------------------------------------------------------------------------
def _derivative_slips(g: str, X: np.ndarray, params: dict, cache: dict, dA1: np.ndarray) -> list[Mutant]:
    """dZ1 computed with the wrong derivative, pushed through the engine's linear backward."""
    Z1, A1 = cache["Z1"], cache["A1"]
    wrong = {}
    if g == "tanh":
        wrong["1 - tanh(A1)**2: the derivative taken at A1 instead of Z1 (A1 is already tanh(Z1), so "
              "tanh'(Z1) = 1 - A1**2)"] = _through(Tanh(), A1, dA1)
        wrong["A1 * (1 - A1): the sigmoid's derivative in a tanh layer (tanh'(Z1) = 1 - tanh(Z1)**2 = "
              "1 - A1**2; σ(1 - σ) belongs to sigmoid units)"] = dA1 * A1 * (1 - A1)
        wrong["sigmoid'(Z1): the sigmoid's derivative in a tanh layer (tanh'(Z1) = 1 - A1**2)"] = \
            _through(Sigmoid(), Z1, dA1)
    else:
        wrong["sigmoid(A1) * (1 - sigmoid(A1)): the derivative taken at A1 instead of Z1 (A1 is already "
              "σ(Z1), so σ'(Z1) = A1 * (1 - A1))"] = _through(Sigmoid(), A1, dA1)
        wrong["1 - A1**2: the tanh's derivative in a sigmoid layer (σ'(Z1) = A1 * (1 - A1))"] = dA1 * (1 - A1 ** 2)
    slips = []
    for message, dZ1 in wrong.items():
        _, dW1, db1 = course_deep.linear_backward(dZ1, (X, params["W1"], params["b1"]))
        slips.append(Mutant("activation_derivative", {"dW1": dW1, "db1": db1, "dZ1": dZ1},
                            f"is computed with {message}", FIXES["dZ1"]))
    return slips


def _through(activation: Any, at: np.ndarray, upstream: np.ndarray) -> np.ndarray:
    """upstream * g'(at) by the engine's activation layer (rows in, columns out)."""
    activation.forward(at.T)
    return activation.backward(upstream.T).T


def _backward_probes(ctx: Context) -> list[Probe]:
    g, c = _detect_hidden(ctx), cost(ctx)
    found = []
    for i, (label, dims, m, scale, standard) in enumerate(CASES[:2]):
        X, Y, params = _data(20 + i, dims, m, scale)
        A2, cache = course.forward_propagation(X, params, g)
        grads = course.backward_propagation(params, cache, X, Y, g, c, intermediates=True)
        expected = {k: grads[k] for k in ("dW2", "db2", "dW1", "db1")}
        intermediates = dict(grads, m=m)
        intermediates.update(cache)
        intermediates["dA2"] = engine_dA(A2, Y, c)
        args = (params, cache_like_the_learners(ctx, "forward_propagation", (X, params), cache), X, Y)
        found.append(Probe(label, args, expected, m=m, standard=standard, intermediates=intermediates,
                           mutants=_derivative_slips(g, X, params, cache, grads["dA1"])))
    return found


BACKWARD_PROPAGATION = Spec("backward_propagation", _backward_probes, dict_outputs("grads"),
                            FIXES)


# -- nn_model ----------------------------------------------------------------------------------------
def _learning_rate_used(ctx: Context, X: np.ndarray, Y: np.ndarray, params: dict, iterations: int) -> float:
    """The learning rate the learner's nn_model hands to update_parameters (the course's 1.2 by default)."""
    update = ctx.substitutes.get("update_parameters") or ctx.namespace.get("update_parameters")
    seen: list[float] = []

    def spy(*args: Any, **kwargs: Any) -> Any:
        try:
            bound = inspect.signature(update).bind(*args, **kwargs)
            bound.apply_defaults()
            values = list(bound.arguments.values())
            seen.append(float(values[2]))
        except (TypeError, ValueError, IndexError):
            pass
        return update(*args, **kwargs)

    if callable(update):
        with ctx.stubbed({"initialize_parameters": Stub(params), "update_parameters": spy}):
            ctx.call(ctx.namespace["nn_model"], (X, Y, 4), {"num_iterations": 2})
    return seen[0] if seen else 1.2


def _nn_model_probes(ctx: Context) -> list[Probe]:
    g, c = _detect_hidden(ctx), cost(ctx)
    X, Y, params = _data(30, [2, 4, 1], 60, 0.05)
    iterations = 120
    lr = _learning_rate_used(ctx, X, Y, params, iterations)
    expected = course.nn_model(X, Y, 4, num_iterations=iterations, hidden_activation=g, cost=c,
                               parameters=params, learning_rate=lr)
    stub = Stub(params)
    return [Probe(f"n_h = 4, num_iterations = {iterations}", (X, Y, 4), expected, m=60,
                  kwargs={"num_iterations": iterations}, stubs={"initialize_parameters": stub})]


NN_MODEL = Spec("nn_model", _nn_model_probes, dict_outputs("the parameters dict"),
                {"W1": "loop num_iterations times: forward_propagation, compute_cost, backward_propagation, "
                       "update_parameters(parameters, grads) -- each with the current parameters"},
                training=True)


# -- predict(parameters, X) ---------------------------------------------------------------------------
def _predict_probes(ctx: Context) -> list[Probe]:
    g = _detect_hidden(ctx)
    found = []
    for i, (label, dims, m, scale, standard) in enumerate(CASES[:1] + [(f"m = {P.HARD_M}", [2, 4, 1], P.HARD_M, 1.0, False)]):
        X, _, params = _data(40 + i, dims, m, scale)
        A2, cache = course.forward_propagation(X, params, g)
        expected = course.predict(params, X, g).astype(np.float64)
        slip = Mutant("values", {"predictions": A2}, "holds the probabilities A2, not labels: threshold them at 0.5")
        found.append(Probe(label, (params, X), {"predictions": expected}, m=m, standard=standard,
                           lenient=frozenset({"predictions"}), mutants=[slip], intermediates=dict(cache)))
    return found


PREDICT = Spec("predict", _predict_probes, lambda result, probe: {"predictions": result}, FIXES)

SPECS = [LAYER_SIZES, FORWARD_PROPAGATION, BACKWARD_PROPAGATION, NN_MODEL, PREDICT]
