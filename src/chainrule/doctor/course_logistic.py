"""Specs for the course's logistic regression (C1W2, seed 000): sigmoid ... model.

The right outputs come from ``chainrule.classic.logistic`` (the engine's Dense, Sigmoid and
BinaryCrossEntropy); nothing here recomputes them.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..classic import deep as course_deep
from ..classic import logistic as course
from . import probes as P
from .spec import Context, Mutant, Probe, Spec, StructureError

FIXES = {
    "s": "s = 1 / (1 + np.exp(-z))",
    "Z": "Z = np.dot(w.T, X) + b   # (1, m): wᵀX + b, not X",
    "A": "A = sigmoid(np.dot(w.T, X) + b)   # (1, m)",
    "cost": "cost = -np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)) / m   # elementwise *, then the mean",
    "dw": "dw = np.dot(X, (A - Y).T) / m   # (n_x, 1), the shape of w",
    "db": "db = np.sum(A - Y) / m",
    "w": "w = w - learning_rate * dw   (and b = b - learning_rate * db), num_iterations times",
    "b": "b = b - learning_rate * db",
    "costs": "record the cost when i % 100 == 0",
    "Y_prediction": "Y_prediction = (sigmoid(np.dot(w.T, X) + b) > 0.5).astype(float)   # labels 0/1, shape (1, m)",
}


def _first(result: Any) -> Any:
    """Seed 001's helpers return (A, cache): judge the A."""
    return result[0] if isinstance(result, tuple) and len(result) == 2 else result


# -- sigmoid -----------------------------------------------------------------------------------------
def _sigmoid_probes(ctx: Context) -> list[Probe]:
    cases = [("the course's test case", np.array([0.0, 2.0]), True),
             ("a scalar", np.float64(9.2), True),
             ("large |z|, as a saturated unit produces", np.array([-800.0, -40.0, 0.0, 40.0, 800.0]), False)]
    return [Probe(label, (z,), {"s": course.sigmoid(z)}, standard=standard) for label, z, standard in cases]


SIGMOID = Spec("sigmoid", _sigmoid_probes, lambda result, probe: {"s": _first(result)},
               {"s": FIXES["s"] + "   # or, overflow-free: np.where(z >= 0, 1 / (1 + np.exp(-z)), "
                                  "np.exp(z) / (1 + np.exp(z)))"})


# -- initialize_with_zeros ------------------------------------------------------------------------
def _zeros_outputs(result: Any, probe: Probe) -> dict[str, Any]:
    if not isinstance(result, tuple) or len(result) != 2:
        raise StructureError("returns " + type(result).__name__ + "; the course returns the pair (w, b)")
    return {"w": result[0], "b": result[1]}


def _zeros_probes(ctx: Context) -> list[Probe]:
    return [Probe(f"dim = {dim}", (dim,), dict(zip("wb", course.initialize_with_zeros(dim)))) for dim in (2, 7)]


INITIALIZE_WITH_ZEROS = Spec("initialize_with_zeros", _zeros_probes, _zeros_outputs,
                             {"w": "w = np.zeros((dim, 1))", "b": "b = 0.0"})


# -- propagate ----------------------------------------------------------------------------------------
def _propagate_outputs(result: Any, probe: Probe) -> dict[str, Any]:
    if not (isinstance(result, tuple) and len(result) == 2 and isinstance(result[0], dict)):
        raise StructureError(f"returns {type(result).__name__}; propagate returns (grads, cost) with "
                             "grads = {'dw': dw, 'db': db}")
    grads, cost = result
    missing = [k for k in ("dw", "db") if k not in grads]
    if missing:
        raise StructureError(f"grads has no {', '.join(missing)} (keys: {sorted(grads)})")
    return {"dw": grads["dw"], "db": grads["db"], "cost": cost}


def propagate_probe(label: str, w: Any, b: Any, X: Any, Y: Any, standard: bool) -> Probe:
    grads, cost = course.propagate(w, b, X, Y)
    Z, _ = course_deep.linear_forward(np.asarray(X, float), np.asarray(w, float).T, np.full((1, 1), float(b)))
    A = course.sigmoid(Z)
    intermediates = {"Z": Z, "A": A, "cost": cost, "dZ": A - np.asarray(Y, float), "dz": A - np.asarray(Y, float),
                     "dw": grads["dw"], "db": grads["db"], "m": np.shape(X)[1]}
    m = np.shape(X)[1]
    doubled = (w, b, P.doubled(np.asarray(X)), P.doubled(np.asarray(Y)))
    return Probe(label, (w, b, X, Y), {"dw": grads["dw"], "db": grads["db"], "cost": cost}, m=m,
                 standard=standard, intermediates=intermediates, doubled=doubled)


def _propagate_probes(ctx: Context) -> list[Probe]:
    random = P.rng(0)
    X = random.randn(5, P.HARD_M)
    return [
        propagate_probe("the course's test case, integer arrays", np.array([[1], [2]]), 2,
                        np.array([[1, 2], [3, 4]]), np.array([[1, 0]]), True),
        propagate_probe("the course's 2021 test case", np.array([[1.0], [2.0]]), 2.0,
                        np.array([[1.0, 2.0, -1.0], [3.0, 4.0, -3.2]]), np.array([[1, 0, 1]]), True),
        propagate_probe(f"n_x = 5, m = {P.HARD_M}", random.randn(5, 1) * 0.5, 0.3, X, P.labels(random, 1, P.HARD_M),
                        False),
    ]


PROPAGATE = Spec("propagate", _propagate_probes, _propagate_outputs, FIXES)


# -- optimize ----------------------------------------------------------------------------------------
def _optimize_outputs(result: Any, probe: Probe) -> dict[str, Any]:
    if not (isinstance(result, tuple) and len(result) == 3 and isinstance(result[0], dict)):
        raise StructureError(f"returns {type(result).__name__}; optimize returns (params, grads, costs)")
    params, _, costs = result
    if "w" not in params or "b" not in params:
        raise StructureError(f"params has keys {sorted(params)}; expected 'w' and 'b'")
    return {"w": params["w"], "b": params["b"], "costs": np.asarray([np.squeeze(c) for c in costs], dtype=float)}


def _optimized(w, b, X, Y, iterations, lr) -> dict[str, Any]:
    params, _, costs = course.optimize(w, b, X, Y, iterations, lr)
    return {"w": params["w"], "b": params["b"], "costs": np.asarray(costs, dtype=float)}


def _optimize_probes(ctx: Context) -> list[Probe]:
    w, b = np.array([[1.0], [2.0]]), 2.0
    X, Y = np.array([[1.0, 2.0, -1.0], [3.0, 4.0, -3.2]]), np.array([[1, 0, 1]])
    found = []
    for iterations, lr, standard in ((100, 0.009, True), (201, 0.05, False)):
        mutants = [Mutant("signature", _optimized(w, b, X, Y, 2000, lr),
                          f"ignores num_iterations: the result is that of 2000 iterations, not {iterations}",
                          "loop for i in range(num_iterations)", constant=2000)]
        for other in (0.009, 0.005, 0.01, 0.5, 0.1):
            if other != lr:
                mutants.append(Mutant("signature", _optimized(w, b, X, Y, iterations, other),
                                      f"ignores learning_rate: the result is that of learning_rate = {other}, "
                                      f"not the {lr} passed in", "w = w - learning_rate * dw", constant=other))
        found.append(Probe(f"num_iterations = {iterations}, learning_rate = {lr}", (w, b, X, Y, iterations, lr),
                           _optimized(w, b, X, Y, iterations, lr), m=3, standard=standard, mutants=mutants))
    return found


OPTIMIZE = Spec("optimize", _optimize_probes, _optimize_outputs, FIXES)


# -- predict(w, b, X) ---------------------------------------------------------------------------------
def _predict_probe(label: str, w: np.ndarray, b: float, X: np.ndarray, standard: bool) -> Probe:
    expected = course.predict(w, b, X)
    Z, _ = course_deep.linear_forward(X, w.T, np.full((1, 1), b))
    probabilities = course.sigmoid(Z)
    slip = Mutant("values", {"Y_prediction": probabilities},
                  "holds the probabilities σ(wᵀX + b), not labels: predict must threshold them at 0.5")
    return Probe(label, (w, b, X), {"Y_prediction": expected}, m=X.shape[1], standard=standard,
                 lenient=frozenset({"Y_prediction"}), mutants=[slip],
                 intermediates={"A": probabilities, "Z": Z})


def _predict_probes(ctx: Context) -> list[Probe]:
    random = P.rng(1)
    return [_predict_probe("the course's test case", np.array([[0.1124579], [0.23106775]]), -0.3,
                           np.array([[1.0, -1.1, -3.2], [1.2, 2.0, 0.1]]), True),
            _predict_probe(f"m = {P.HARD_M}", random.randn(4, 1), 0.1, random.randn(4, P.HARD_M), False)]


PREDICT = Spec("predict", _predict_probes, lambda result, probe: {"Y_prediction": result}, FIXES)


# -- model ---------------------------------------------------------------------------------------------
MODEL_KEYS = ("costs", "Y_prediction_test", "Y_prediction_train", "w", "b")


def _model_outputs(result: Any, probe: Probe) -> dict[str, Any]:
    if not isinstance(result, dict):
        raise StructureError(f"returns {type(result).__name__}; model returns the dict d")
    missing = [k for k in MODEL_KEYS if k not in result]
    if missing:
        raise StructureError(f"d has no {', '.join(missing)}")
    out = {k: result[k] for k in MODEL_KEYS}
    out["costs"] = np.asarray([np.squeeze(c) for c in result["costs"]], dtype=float)
    return out


def _model_probes(ctx: Context) -> list[Probe]:
    random = P.rng(2)
    X_train, X_test = random.randn(4, 30), random.randn(4, 12)
    Y_train, Y_test = P.labels(random, 1, 30), P.labels(random, 1, 12)
    args = (X_train, Y_train, X_test, Y_test)
    kwargs = {"num_iterations": 201, "learning_rate": 0.05, "print_cost": False}
    import contextlib
    import io
    with contextlib.redirect_stdout(io.StringIO()):
        d = course.model(*args, **kwargs)
    expected = {k: d[k] for k in MODEL_KEYS}
    expected["costs"] = np.asarray(d["costs"], dtype=float)
    return [Probe("num_iterations = 201, learning_rate = 0.05", args, expected, m=30, kwargs=kwargs,
                  lenient=frozenset({"Y_prediction_test", "Y_prediction_train"}),
                  intermediates={"costs": expected["costs"]})]


MODEL = Spec("model", _model_probes, _model_outputs, FIXES)

SPECS = [SIGMOID, INITIALIZE_WITH_ZEROS, PROPAGATE, OPTIMIZE, PREDICT, MODEL]
