"""The generic numeric doctor: diagnose(params, cost, grads, data=...)."""

import inspect

import numpy as np
import pytest

import chainrule as cr
from chainrule.classic import planar
from chainrule.doctor import diagnose

RNG = np.random.RandomState(0)
X = RNG.randn(3, 7)
Y = (RNG.rand(1, 7) > 0.5).astype(float)
PARAMS = {"W1": RNG.randn(4, 3) * 0.5, "b1": RNG.randn(4, 1) * 0.1, "W2": RNG.randn(1, 4) * 0.5,
          "b2": RNG.randn(1, 1) * 0.1}
DATA = {"X": X, "Y": Y}


def cost(params, data):
    A2, _ = planar.forward_propagation(data["X"], params)
    return planar.compute_cost(A2, data["Y"])


def right_grads(params, data):
    """The course's backward pass, written out as a learner would."""
    X, Y = data["X"], data["Y"]
    m = X.shape[1]
    A1 = np.tanh(params["W1"] @ X + params["b1"])
    A2 = 1 / (1 + np.exp(-(params["W2"] @ A1 + params["b2"])))
    dZ2 = A2 - Y
    dW2 = dZ2 @ A1.T / m
    db2 = np.sum(dZ2, axis=1, keepdims=True) / m
    dZ1 = (params["W2"].T @ dZ2) * (1 - A1 ** 2)
    dW1 = dZ1 @ X.T / m
    db1 = np.sum(dZ1, axis=1, keepdims=True) / m
    return {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}


def broken(**changes):
    def grads(params, data):
        g = right_grads(params, data)
        m = data["X"].shape[1]
        for key, how in changes.items():
            g[key] = how(g[key], m)
        return g
    return grads


def line_of(text, func):
    lines, start = inspect.getsourcelines(func)
    return start + next(i for i, line in enumerate(lines) if text in line)


def test_a_correct_backward_pass_has_no_finding():
    report = diagnose(PARAMS, cost, right_grads, data=DATA)
    assert report.ok, str(report)


@pytest.mark.parametrize("changes, param, kind", [
    ({"dW2": lambda g, m: g * m}, "dW2", "scale_m"),
    ({"db1": lambda g, m: g / m}, "db1", "scale_inv_m"),
    ({"dW2": lambda g, m: -g}, "dW2", "sign"),
    ({"dW1": lambda g, m: 2 * g}, "dW1", "scale"),
    ({"dW1": lambda g, m: g.T}, "dW1", "transposed"),
    ({"db1": lambda g, m: g.ravel()}, "db1", "shape"),
    ({"dW1": lambda g, m: g + 0.1 * np.sin(np.arange(g.size)).reshape(g.shape)}, "dW1", "values"),
])
def test_each_mistake_gets_its_fingerprint(changes, param, kind):
    report = diagnose(PARAMS, cost, broken(**changes), data=DATA)
    assert [(f.param, f.kind) for f in report.findings] == [(param, kind)]


def test_the_first_wrong_parameter_from_the_output_localizes_the_layer():
    report = diagnose(PARAMS, cost, broken(dW1=lambda g, m: g * 3, db1=lambda g, m: g * 3), data=DATA)
    assert [f.param for f in report.findings] == ["dW1", "db1"]
    assert any("layer 1" in note and "dW2" in note for note in report.notes)


def wrong_line_grads(params, data):
    g = right_grads(params, data)
    dW2 = g["dW2"] * data["X"].shape[1]
    g["dW2"] = dW2
    return g


def test_the_line_that_built_the_wrong_gradient_is_reported():
    report = diagnose(PARAMS, cost, wrong_line_grads, data=DATA)
    assert report.findings[0].line == line_of("dW2 = g[", wrong_line_grads)


def mutating_grads(params, data):
    params["W1"] *= 1.0001
    return right_grads(params, data)


def test_grads_that_change_the_parameters_are_reported():
    report = diagnose(PARAMS, cost, mutating_grads, data=DATA)
    assert report.findings[0].kind == "mutates_input"
    assert report.findings[0].line == line_of('params["W1"] *=', mutating_grads)


def test_a_sum_instead_of_a_mean_and_an_outer_product_are_batch_findings():
    def summed(params, data):
        return cost(params, data) * data["X"].shape[1]

    def summed_grads(params, data):
        return {k: v * data["X"].shape[1] for k, v in right_grads(params, data).items()}

    report = diagnose(PARAMS, summed, summed_grads, data=DATA)
    assert report.findings[0].kind == "scale_m"

    def outer(params, data):
        A2, _ = planar.forward_propagation(data["X"], params)
        Y = data["Y"]
        return float(-np.sum(Y.T @ np.log(A2) + (1 - Y).T @ np.log(1 - A2)) / Y.shape[1] ** 2)

    def outer_grads(params, data):      # the exact gradient of that cost, by central differences
        return {"d" + k: _numeric(lambda p: outer(p, data), params, k) for k in params}

    report = diagnose(PARAMS, outer, outer_grads, data=DATA)
    assert [f.kind for f in report.findings] == ["batch_dependence"]


def _numeric(f, params, key, eps=1e-6):
    params = {k: v.copy() for k, v in params.items()}
    grad = np.zeros_like(params[key])
    for i in np.ndindex(grad.shape):
        saved = params[key][i]
        params[key][i] = saved + eps
        plus = f(params)
        params[key][i] = saved - eps
        minus = f(params)
        params[key][i] = saved
        grad[i] = (plus - minus) / (2 * eps)
    return grad


def test_an_unstable_cost_is_reported_for_saturated_units():
    def naive_cost(params, data):
        A1 = np.tanh(params["W1"] @ data["X"] + params["b1"])
        A2 = 1 / (1 + np.exp(-(params["W2"] @ A1 + params["b2"])))
        Y = data["Y"]
        return float(-np.sum(Y * np.log(A2) + (1 - Y) * np.log(1 - A2)) / Y.shape[1])

    with np.errstate(all="ignore"):
        report = diagnose({k: v * 8 for k, v in PARAMS.items()}, naive_cost, right_grads, data=DATA)
    assert [f.kind for f in report.findings] == ["nonfinite"]


def test_an_exception_names_the_line():
    def raising(params, data):
        return {"dW1": data["X"] @ params["W1"]}

    report = diagnose(PARAMS, cost, raising, data=DATA)
    assert report.findings[0].kind == "exception"
    assert report.findings[0].line == line_of('data["X"] @', raising)
    assert "(3, 7) and (4, 3)" in report.findings[0].message


def test_missing_keys_and_wrong_types_are_signature_findings():
    report = diagnose(PARAMS, cost, lambda p, d: {k: v for k, v in right_grads(p, d).items() if k != "db2"}, data=DATA)
    assert [(f.kind, f.param) for f in report.findings] == [("signature", "db2")]
    report = diagnose(PARAMS, cost, lambda p, d: [1, 2], data=DATA)
    assert report.findings[0].kind == "signature"


def test_bad_arguments_raise_clearly():
    with pytest.raises(TypeError, match="dict of arrays"):
        diagnose([1, 2], cost, right_grads)
    with pytest.raises(TypeError, match="data must be a dict"):
        diagnose(PARAMS, cost, right_grads, data=(X, Y))


def test_chainrule_engine_layers_have_no_finding():
    model = cr.Sequential([cr.Dense(3, 5, l2=0.01), cr.Tanh(), cr.Dense(5, 4), cr.ReLU(), cr.Dense(4, 2),
                           cr.Sigmoid()], seed=1)
    X_rows, Y_rows = RNG.randn(9, 3), (RNG.rand(9, 2) > 0.5).astype(float)
    loss = cr.BinaryCrossEntropy()
    names = {}
    for i, layer in enumerate(model.layers):
        for name, (param, _) in zip(("W", "b"), layer.params_and_grads()):
            names[f"{name}{i}"] = (layer, name)

    def load(params):
        for key, (layer, name) in names.items():
            getattr(layer, name)[...] = params[key]

    def engine_cost(params):
        load(params)
        return loss.forward(model.forward(X_rows), Y_rows) + sum(layer.penalty() for layer in model.layers)

    def engine_grads(params):
        engine_cost(params)
        model.backward(loss.backward())
        return {"d" + key: getattr(layer, "d" + name).copy() for key, (layer, name) in names.items()}

    start = {key: getattr(layer, name).copy() for key, (layer, name) in names.items()}
    assert diagnose(start, engine_cost, engine_grads).ok


def test_chainrule_classic_backward_propagation_has_no_finding():
    def classic_grads(params, data):
        A2, cache = planar.forward_propagation(data["X"], params)
        return planar.backward_propagation(params, cache, data["X"], data["Y"])

    assert diagnose(PARAMS, cost, classic_grads, data=DATA).ok
