"""The reference doctor: learner functions run beside chainrule.classic's, findings with kind and line."""

import textwrap

import numpy as np
import pytest

import chainrule.classic as classic
from chainrule.doctor import check, check_file
from chainrule.doctor.checkup import check_namespace

LOGISTIC = '''
import numpy as np

def sigmoid(z):
    return 1 / (1 + np.exp(-z))

def propagate(w, b, X, Y):
    m = X.shape[1]
    A = sigmoid(np.dot(w.T, X) + b)
    cost = -np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)) / m
    dw = np.dot(X, (A - Y).T) / m
    db = np.sum(A - Y) / m
    return {"dw": dw, "db": db}, np.squeeze(cost)

def optimize(w, b, X, Y, num_iterations, learning_rate, print_cost=False):
    costs = []
    for i in range(num_iterations):
        grads, cost = propagate(w, b, X, Y)
        w = w - learning_rate * grads["dw"]
        b = b - learning_rate * grads["db"]
        if i % 100 == 0:
            costs.append(cost)
    return {"w": w, "b": b}, grads, costs

def predict(w, b, X):
    A = sigmoid(np.dot(w.T, X) + b)
    return (A > 0.5).astype(float)
'''


def learner(tmp_path, text, replace=None):
    text = textwrap.dedent(text)
    for old, new in (replace or {}).items():
        assert old in text, old
        text = text.replace(old, new, 1)
    path = tmp_path / "learner.py"
    path.write_text(text)
    return check_file(path), text.splitlines()


def line_of(lines, fragment):
    return next(i for i, line in enumerate(lines, start=1) if fragment in line)


@pytest.mark.parametrize("module", [classic.logistic, classic.planar, classic.deep])
def test_chainrule_classic_itself_gets_no_finding(module):
    report = check_namespace(vars(module))
    assert report.checked and report.ok, str(report)


def test_a_correct_file_is_ok(tmp_path):
    report, _ = learner(tmp_path, LOGISTIC)
    assert report.ok, str(report)
    assert report.checked == ["sigmoid", "propagate", "optimize", "predict"]


@pytest.mark.parametrize("old, new, function, kind, fragment", [
    ("A = sigmoid(np.dot(w.T, X) + b)", "A = sigmoid(np.dot(w.T, X))", "propagate", "values", "A = sigmoid"),
    ("dw = np.dot(X, (A - Y).T) / m", "dw = np.dot(X, (A - Y).T)", "propagate", "scale_m", "dw ="),
    ("dw = np.dot(X, (A - Y).T) / m", "dw = np.dot((A - Y), X.T) / m", "propagate", "transposed", "dw ="),
    ("db = np.sum(A - Y) / m", "db = np.sum(Y - A) / m", "propagate", "sign", "db ="),
    ("w = w - learning_rate * grads[\"dw\"]\n        b = b - learning_rate * grads[\"db\"]",
     "w = w - 0.009 * grads[\"dw\"]\n        b = b - 0.009 * grads[\"db\"]", "optimize", "signature", "0.009"),
    ("for i in range(num_iterations):", "for i in range(2000):", "optimize", "signature", "range(2000)"),
    ("return (A > 0.5).astype(float)", "return A", "predict", "values", "return A"),
    ("return 1 / (1 + np.exp(-z))", "return np.exp(z) / (1 + np.exp(z))", "sigmoid", "nonfinite", "np.exp(z) /"),
    ("    m = X.shape[1]\n    A =", "    m = X.shape[1]\n    X -= 0\n    X[0] = 0\n    A =", "propagate",
     "mutates_input", "X[0] = 0"),
    ("cost = -np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)) / m",
     "cost = -np.sum(np.dot(Y.T, np.log(A)) + np.dot((1 - Y).T, np.log(1 - A))) / m", "propagate",
     "batch_dependence", "cost = -np.sum(np.dot"),
])
def test_each_slip_is_found_with_its_kind_and_line(tmp_path, old, new, function, kind, fragment):
    report, lines = learner(tmp_path, LOGISTIC, {old: new})
    found = [(f.function, f.kind, f.line) for f in report.findings]
    assert found == [(function, kind, line_of(lines, fragment))], str(report)


def test_a_wrong_helper_is_reported_once_not_in_every_caller(tmp_path):
    report, lines = learner(tmp_path, LOGISTIC, {"return 1 / (1 + np.exp(-z))": "return 1 / (1 + np.exp(z))"})
    assert [f.function for f in report.findings] == ["sigmoid"]


def test_a_function_that_cannot_take_the_course_arguments(tmp_path):
    report, lines = learner(tmp_path, LOGISTIC, {"def propagate(w, b, X, Y):": "def propagate(w, b, X):"})
    assert [(f.function, f.kind, f.line) for f in report.findings][0] == (
        "propagate", "signature", line_of(lines, "def propagate"))


DEEP_INIT = '''
import numpy as np

def initialize_parameters(n_x, n_h, n_y):
    W1 = np.random.randn(n_h, n_x) * 0.01
    b1 = np.zeros((n_h, 1))
    W2 = np.random.randn(n_y, n_h) * 0.01
    b2 = np.zeros((n_y, 1))
    return {"W1": W1, "b1": b1, "W2": W2, "b2": b2}
'''


@pytest.mark.parametrize("old, new, kind, fragment", [
    ("b2 = np.zeros((n_y, 1))", "b2 = np.zeros((n_y, n_y))", "shape", "b2 ="),
    ("W1 = np.random.randn(n_h, n_x) * 0.01", "W1 = np.zeros((n_h, n_x))", "symmetry", "W1 ="),
    ("W1 = np.random.randn(n_h, n_x) * 0.01", "W1 = np.random.randn(n_h, n_x)", "scale", "W1 ="),
    ("W2 = np.random.randn(n_y, n_h) * 0.01", "W2 = np.random.randn(n_h, n_y) * 0.01", "transposed", "W2 ="),
])
def test_initialization_slips(tmp_path, old, new, kind, fragment):
    report, lines = learner(tmp_path, DEEP_INIT, {old: new})
    assert [(f.kind, f.line) for f in report.findings] == [(kind, line_of(lines, fragment))], str(report)


def test_check_globals_in_a_running_notebook(capsys):
    namespace = {"__name__": "__main__", "np": np}
    exec(compile(textwrap.dedent(LOGISTIC).replace("db = np.sum(A - Y) / m", "db = np.sum(A - Y)"),
                 "<ipython-input-1>", "exec"), namespace)
    report = check(namespace)
    assert [(f.function, f.kind) for f in report.findings] == [("propagate", "scale_m")]
    assert "propagate: 1 problem" in capsys.readouterr().out
    with pytest.raises(TypeError, match="globals"):
        check([1])
