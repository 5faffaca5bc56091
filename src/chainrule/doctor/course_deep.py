"""Specs for the course's L-layer network (C1W4, seed 001): linear_forward ... L_layer_model.

Caches are built by the learner's own forward functions when the doctor found them correct (so a
learner's dict caches reach their own backward functions), else by chainrule's in the course's
tuple format. Depths of 2, 3 and 4 layers are probed: a layer index slip in a loop only shows
beyond two.
"""

from __future__ import annotations

import contextlib
import io
from typing import Any, Callable

import numpy as np

from ..activations import Sigmoid
from ..classic import _bridge
from ..classic import deep as course
from . import probes as P
from .course_common import engine_dA
from .spec import Context, Mutant, Probe, Spec, StructureError, Stub, cache_like_the_learners, dict_outputs

FIXES = {
    "Z": "Z = np.dot(W, A) + b   # (n_l, m)",
    "A": "A = g(Z) with g = relu for the hidden layers and sigmoid for the last: "
         "linear_activation_forward(A_prev, parameters['W' + str(l)], parameters['b' + str(l)], 'relu')",
    "AL": "AL, cache = linear_activation_forward(A, parameters['W' + str(L)], parameters['b' + str(L)], 'sigmoid')",
    "n_caches": "caches.append(cache) once per layer: L caches",
    "dZ": "dZ = dA * g'(Z)   # relu: dZ = np.array(dA, copy=True); dZ[Z <= 0] = 0; sigmoid: dA * s * (1 - s), s = sigmoid(Z)",
    "dW": "dW = np.dot(dZ, A_prev.T) / m   # (n_l, n_prev)",
    "db": "db = np.sum(dZ, axis=1, keepdims=True) / m   # (n_l, 1)",
    "dA_prev": "dA_prev = np.dot(W.T, dZ)   # (n_prev, m)",
    "dAL": "dAL = -(np.divide(Y, AL) - np.divide(1 - Y, 1 - AL))",
    "p": "p = (AL > 0.5).astype(float)",
}


def _first(result: Any, what: str) -> Any:
    if isinstance(result, tuple) and len(result) >= 1:
        return result[0]
    raise StructureError(f"returns {type(result).__name__}; {what}")


def _layer(seed: int, n: int, n_prev: int, m: int, scale: float = 0.5) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    params = P.parameters([n_prev, n], seed, scale)
    return P.rng(seed + 50).randn(n_prev, m), params["W1"], params["b1"]


LAYER_CASES = [("the course's test case size: A (3, 2), W (1, 3)", 1, 3, 2, True),
               (f"A (5, {P.HARD_M}), W (4, 5)", 4, 5, P.HARD_M, False)]
LARGE_Z = ("large z (|Z| up to about 3000, a saturated unit)", 4, 5, 30, False)


# -- the course's helpers: relu, relu_backward, sigmoid_backward (seed 001) ---------------------------
def _helper_cache(ctx: Context, name: str, Z: np.ndarray) -> Any:
    """What the learner's own forward helper (``sigmoid``/``relu`` returning (A, cache)) caches for Z.

    Their backward helper reads that cache (Z, A or a dict); without such a forward helper, Z as
    in the course.
    """
    forward = ctx.learner(name)
    if forward is not None:
        result, error = ctx.call(forward, (Z.copy(),))
        if error is None and isinstance(result, tuple) and len(result) == 2:
            return result[1]
    return Z


def _unit_probes(backward: bool, name: str) -> Callable[[Context], list[Probe]]:
    def probes(ctx: Context) -> list[Probe]:
        found = []
        for label, Z in (("the course's test case size", P.rng(140).randn(3, 4)),
                         ("large |z|", np.array([[-800.0, -40.0, 0.5, 40.0, 800.0]]))):
            dA = P.rng(141).randn(*Z.shape)
            unit = _bridge.activation(name, "the doctor")
            A = unit.forward(Z.T).T
            if backward:
                dZ = unit.backward(dA.T).T
                found.append(Probe(label, (dA, _helper_cache(ctx, name, Z)), {"dZ": dZ},
                                   intermediates={"dZ": dZ, "s": A, "A": A}, standard=label.startswith("the")))
            else:
                found.append(Probe(label, (Z,), {"A": A}, intermediates={"A": A}, standard=label.startswith("the")))
        return found
    return probes


RELU = Spec("relu", _unit_probes(False, "relu"), lambda r, p: {"A": r[0] if isinstance(r, tuple) else r},
            {"A": "A = np.maximum(0, Z)"})
RELU_BACKWARD = Spec("relu_backward", _unit_probes(True, "relu"), lambda r, p: {"dZ": r},
                     {"dZ": "dZ = np.array(dA, copy=True); dZ[Z <= 0] = 0"})
SIGMOID_BACKWARD = Spec("sigmoid_backward", _unit_probes(True, "sigmoid"), lambda r, p: {"dZ": r},
                        {"dZ": "s = 1 / (1 + np.exp(-Z)); dZ = dA * s * (1 - s)"})


# -- linear_forward ---------------------------------------------------------------------------------
def _linear_forward_probes(ctx: Context) -> list[Probe]:
    found = []
    for i, (label, n, n_prev, m, standard) in enumerate(LAYER_CASES):
        A, W, b = _layer(60 + i, n, n_prev, m)
        Z, _ = course.linear_forward(A, W, b)
        found.append(Probe(label, (A, W, b), {"Z": Z}, m=m, standard=standard, intermediates={"Z": Z}))
    return found


LINEAR_FORWARD = Spec("linear_forward", _linear_forward_probes,
                      lambda r, p: {"Z": _first(r, "linear_forward returns (Z, cache)")}, FIXES)


# -- linear_activation_forward ----------------------------------------------------------------------
def _activation_forward_probes(ctx: Context) -> list[Probe]:
    found = []
    for i, (label, n, n_prev, m, standard) in enumerate(LAYER_CASES):
        A_prev, W, b = _layer(70 + i, n, n_prev, m)
        for activation in ("sigmoid", "relu"):
            A, (_, Z) = course.linear_activation_forward(A_prev, W, b, activation)
            found.append(Probe(f"{label}, {activation}", (A_prev, W, b, activation), {"A": A}, m=m,
                               standard=standard, intermediates={"Z": Z, "A": A}))
    return found


LINEAR_ACTIVATION_FORWARD = Spec("linear_activation_forward", _activation_forward_probes,
                                 lambda r, p: {"A": _first(r, "linear_activation_forward returns (A, cache)")},
                                 FIXES)


# -- L_model_forward ---------------------------------------------------------------------------------
NET_CASES = [("the course's test case size: layers [5, 4, 3, 1], m = 4", [5, 4, 3, 1], 4, True),
             ("2 layers [4, 3, 1]", [4, 3, 1], 6, True),
             (f"4 layers [6, 5, 4, 3, 1], m = {P.HARD_M}", [6, 5, 4, 3, 1], P.HARD_M, False)]


def _net(seed: int, dims: list[int], m: int) -> tuple[np.ndarray, np.ndarray, dict]:
    random = P.rng(seed)
    return random.randn(dims[0], m), P.labels(random, dims[-1], m), P.parameters(dims, seed + 100)


def _forward_outputs(result: Any, probe: Probe) -> dict[str, Any]:
    if not isinstance(result, tuple) or len(result) != 2:
        raise StructureError(f"returns {type(result).__name__}; L_model_forward returns (AL, caches)")
    AL, caches = result
    if isinstance(caches, (list, tuple)):
        return {"AL": AL, "n_caches": len(caches)}
    return {"AL": AL}               # the learner's own cache structure (one dict for all layers, ...)


def _L_forward_probes(ctx: Context) -> list[Probe]:
    found = []
    for i, (label, dims, m, standard) in enumerate(NET_CASES):
        X, _, params = _net(80 + i, dims, m)
        AL, caches = course.L_model_forward(X, params)
        hidden_A = caches[-1][0][0]             # the input of the last layer: A of layer L-1
        found.append(Probe(label, (X, params), {"AL": AL, "n_caches": len(dims) - 1}, m=m, standard=standard,
                           intermediates={"AL": AL, "A": hidden_A}))
    return found


L_MODEL_FORWARD = Spec("L_model_forward", _L_forward_probes, _forward_outputs, FIXES, optional=frozenset({"n_caches"}))


# -- linear_backward --------------------------------------------------------------------------------
def _linear_cache(ctx: Context, A: np.ndarray, W: np.ndarray, b: np.ndarray) -> Any:
    return cache_like_the_learners(ctx, "linear_forward", (A, W, b), (A, W, b))


def _backward_outputs(result: Any, probe: Probe) -> dict[str, Any]:
    if not isinstance(result, tuple) or len(result) != 3:
        raise StructureError(f"returns {type(result).__name__}; expected (dA_prev, dW, db)")
    return {"dA_prev": result[0], "dW": result[1], "db": result[2]}


def _linear_backward_probes(ctx: Context) -> list[Probe]:
    found = []
    cases = [("the course's test case size: dZ (3, 4), A_prev (5, 4)", 3, 5, 4, True)] + LAYER_CASES[1:]
    for i, (label, n, n_prev, m, standard) in enumerate(cases):
        A_prev, W, b = _layer(90 + i, n, n_prev, m)
        dZ = P.rng(95 + i).randn(n, m)
        dA_prev, dW, db = course.linear_backward(dZ, (A_prev, W, b))
        expected = {"dW": dW, "db": db, "dA_prev": dA_prev}
        found.append(Probe(label, (dZ, _linear_cache(ctx, A_prev, W, b)), expected, m=m, standard=standard,
                           intermediates=dict(expected, m=m)))
    return found


LINEAR_BACKWARD = Spec("linear_backward", _linear_backward_probes, _backward_outputs, FIXES)


# -- linear_activation_backward -----------------------------------------------------------------------
def _activation_cache(ctx: Context, A_prev: np.ndarray, W: np.ndarray, b: np.ndarray, activation: str,
                      reference: Any) -> Any:
    return cache_like_the_learners(ctx, "linear_activation_forward", (A_prev, W, b, activation), reference)


def _activation_backward_probes(ctx: Context) -> list[Probe]:
    found = []
    for i, (label, n, n_prev, m, standard) in enumerate(LAYER_CASES + [LARGE_Z]):
        A_prev, W, b = _layer(100 + i, n, n_prev, m, 1000.0 if label == LARGE_Z[0] else 0.5)
        dA = P.rng(105 + i).randn(n, m)
        for activation in ("sigmoid", "relu"):
            A, cache = course.linear_activation_forward(A_prev, W, b, activation)
            dA_prev, dW, db = course.linear_activation_backward(dA, cache, activation)
            expected = {"dW": dW, "db": db, "dA_prev": dA_prev}
            mutants = []
            if activation == "sigmoid":
                layer = Sigmoid()
                layer.forward(A.T)
                dZ_wrong = layer.backward(dA.T).T
                out = dict(zip(("dA_prev", "dW", "db"), course.linear_backward(dZ_wrong, cache[0])))
                mutants.append(Mutant("activation_derivative", dict(out, dZ=dZ_wrong),
                                      "is computed with sigmoid'(A) instead of sigmoid'(Z): the derivative taken "
                                      "at the layer's output", FIXES["dZ"]))
            unit = _bridge.activation(activation, "the doctor")
            unit.forward(cache[1].T)
            dZ = unit.backward(dA.T).T
            args = (dA, _activation_cache(ctx, A_prev, W, b, activation, cache), activation)
            found.append(Probe(f"{label}, {activation}", args, expected, m=m, standard=standard,
                               intermediates=dict(expected, dZ=dZ), mutants=mutants))
    return found


LINEAR_ACTIVATION_BACKWARD = Spec("linear_activation_backward", _activation_backward_probes, _backward_outputs,
                                  FIXES)


# -- L_model_backward --------------------------------------------------------------------------------
def _learner_forward(ctx: Context, X: np.ndarray, params: dict, reference: tuple) -> tuple:
    AL, caches = reference
    return AL, cache_like_the_learners(ctx, "L_model_forward", (X, params), caches)


def _L_backward_probes(ctx: Context) -> list[Probe]:
    found = []
    cases = [("the course's test case size: 2 layers, m = 2", [4, 3, 1], 2, True)] + NET_CASES[:1] + NET_CASES[2:]
    for i, (label, dims, m, standard) in enumerate(cases):
        X, Y, params = _net(110 + i, dims, m)
        AL, caches = course.L_model_forward(X, params)
        grads = course.L_model_backward(AL, Y, caches, intermediates=True)
        L = len(dims) - 1
        expected = {}
        for l in range(L, 0, -1):
            expected[f"dW{l}"], expected[f"db{l}"] = grads[f"dW{l}"], grads[f"db{l}"]
        intermediates = dict(grads, m=m)
        intermediates["dAL"] = engine_dA(AL, Y, "cross_entropy")
        learner_AL, learner_caches = _learner_forward(ctx, X, params, (AL, caches))
        found.append(Probe(label, (learner_AL, Y, learner_caches), expected, m=m, standard=standard,
                           intermediates=intermediates))
    return found


L_MODEL_BACKWARD = Spec("L_model_backward", _L_backward_probes, dict_outputs("grads"),
                        dict(FIXES, **{"dW": FIXES["dW"]}))


# -- two_layer_model, L_layer_model -------------------------------------------------------------------------
def _trained(X: np.ndarray, Y: np.ndarray, params: dict, lr: float, iterations: int) -> dict:
    L = P.depth(params)
    with contextlib.redirect_stdout(io.StringIO()):
        trained, _ = course._train(X, Y, params, lr, iterations, False, "the doctor")
    return {k: trained[k] for k in (f"{p}{l}" for l in range(1, L + 1) for p in "Wb")}


def _model_probe(dims: list[int], init_name: str, args_dims: Any) -> list[Probe]:
    X, Y, params = _net(120, dims, 40)
    params = {k: v * 0.5 for k, v in params.items()}
    lr, iterations = 0.05, 101
    expected = _trained(X, Y, params, lr, iterations)
    return [Probe(f"layers {dims}, learning_rate = {lr}, num_iterations = {iterations}", (X, Y, args_dims),
                  expected, m=40, kwargs={"learning_rate": lr, "num_iterations": iterations},
                  stubs={init_name: Stub(params)})]


TWO_LAYER_MODEL = Spec("two_layer_model", lambda ctx: _model_probe([5, 4, 1], "initialize_parameters", (5, 4, 1)),
                       dict_outputs("the parameters dict"), {"W1": "each iteration: forward, cost, backward, update with learning_rate"},
                       training=True)
L_LAYER_MODEL = Spec("L_layer_model", lambda ctx: _model_probe([5, 4, 3, 1], "initialize_parameters_deep",
                                                               [5, 4, 3, 1]),
                     dict_outputs("the parameters dict"), {"W1": "each iteration: L_model_forward, compute_cost, L_model_backward, "
                                            "update_parameters(parameters, grads, learning_rate)"}, training=True)


# -- predict(X, y, parameters) --------------------------------------------------------------------------
def _predict_probes(ctx: Context) -> list[Probe]:
    func = ctx.namespace.get("predict")
    found = []
    for i, (label, dims, m, standard) in enumerate(NET_CASES[:2]):
        X, Y, params = _net(130 + i, dims, m)
        with contextlib.redirect_stdout(io.StringIO()):
            p = course.predict(X, Y, params)
        AL, _ = course.L_model_forward(X, params)
        slip = Mutant("values", {"p": AL}, "holds the probabilities AL, not labels: threshold them at 0.5")
        args = P.by_name(func, {"X": X, "y": Y, "parameters": params}, (X, Y, params))
        found.append(Probe(label, args, {"p": p}, m=m, standard=standard, lenient=frozenset({"p"}),
                           mutants=[slip], intermediates={"AL": AL}))
    return found


PREDICT = Spec("predict", _predict_probes, lambda r, p: {"p": r}, FIXES)

SPECS = [RELU, RELU_BACKWARD, SIGMOID_BACKWARD, LINEAR_FORWARD, LINEAR_ACTIVATION_FORWARD, L_MODEL_FORWARD, LINEAR_BACKWARD, LINEAR_ACTIVATION_BACKWARD,
         L_MODEL_BACKWARD, TWO_LAYER_MODEL, L_LAYER_MODEL, PREDICT]
