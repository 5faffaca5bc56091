"""The bad-input matrix (issue 14): every public entry point against the inputs a new user gets wrong.

Each case either works correctly (checked against the clean input) or raises ``ValueError`` /
``TypeError`` whose message holds the fragments listed: the argument, the shapes or values, and the
fix. ``docs/bad_inputs.md`` is generated from this matrix and checked here, so it cannot drift; after
changing a case, rewrite it with ``CHAINRULE_WRITE_DOCS=1 pytest tests/test_bad_inputs.py``.

Entry points: ``Sequential.fit``/``predict``/``evaluate``, the losses' ``forward``, the optimizers
(construction and ``step``), ``chainrule.classic`` (the course's logistic regression and Nielsen's
``Network``), the scikit-learn estimators, the doctor (``check_file``, ``diagnose``) and the CLI
(``train``, ``predict``).
About 2 s (the CLI cases run the real command).
"""

import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable, NamedTuple

import numpy as np
import pytest

import chainrule as cr
from chainrule.classic import logistic, nielsen
from chainrule.doctor import check_file, diagnose
from test_cli import cli_env

DOCS = Path(__file__).resolve().parents[1] / "docs" / "bad_inputs.md"

RNG = np.random.default_rng(0)
X = RNG.normal(size=(12, 3))
y = np.arange(12) % 3                                  # class indices for the 3-output model
Y_bin = (X[:, :1] > 0).astype(float)                   # 0/1 column for the BCE model


def with_value(array, value, at=(1, 2)):
    array = np.array(array, dtype=float)
    array[at] = value
    return array


def model3():
    return cr.Sequential([cr.Dense(3, 4), cr.Tanh(), cr.Dense(4, 3)], seed=0)


def model1():
    return cr.Sequential([cr.Dense(3, 1), cr.Sigmoid()], seed=0)


def fit3(X_, y_=y, epochs=2, batch_size=4):
    return model3().fit(X_, y_, cr.SoftmaxCrossEntropy(), cr.SGD(lr=0.1), epochs=epochs, batch_size=batch_size)


def fit_bce(Y_):
    return model1().fit(X, Y_, cr.BinaryCrossEntropy(), cr.SGD(lr=0.1), epochs=1)


def predict3(X_):
    return model3().predict(X_)


def evaluate3(X_, y_=y):
    return model3().evaluate(X_, y_, loss=cr.SoftmaxCrossEntropy())


def weights_after_fit(X_, **kwargs):
    model = model3()
    model.fit(X_, y, cr.SoftmaxCrossEntropy(), cr.SGD(lr=0.1), epochs=2, **kwargs)
    return [p.copy() for p, _ in model.params_and_grads()]


def same_as(reference: Callable[[], Any]) -> Callable[[Any], None]:
    """'works': the result equals what the clean input gives."""
    def check(result):
        want = reference()
        for got, expected in zip(result if isinstance(result, list) else [result],
                                 want if isinstance(want, list) else [want]):
            np.testing.assert_array_equal(got, expected)
    return check


def read_only(array):
    array = np.array(array)
    array.flags.writeable = False
    return array


class Case(NamedTuple):
    entry: str
    bad: str
    call: Callable[[], Any]
    expect: Any          # a tuple of message fragments (an error), or a check of the result (works)


def cli(*args, files=None):
    """Run ``python -m chainrule ARGS`` in a temporary folder with files written first; return (code, stderr)."""
    def run():
        import tempfile
        with tempfile.TemporaryDirectory() as folder:
            for name, content in (files or {}).items():
                path = Path(folder) / name
                if isinstance(content, np.ndarray):
                    np.save(path, content, allow_pickle=True)
                else:
                    path.write_text(content)
            done = subprocess.run([sys.executable, "-m", "chainrule", *args], cwd=folder, env=cli_env(),
                                  capture_output=True, text=True, timeout=120)
            if done.returncode == 0:
                return done.stdout
            raise ValueError(f"exit {done.returncode}: {done.stderr.strip()}")
    return run


def classic_logistic(X_cols, Y_row):
    return lambda: logistic.propagate(np.zeros((3, 1)), 0.0, X_cols, Y_row)


def network_sgd(data, epochs=1, size=4):
    return lambda: nielsen.Network([3, 4, 2], seed=0).SGD(data, epochs, size, 0.5, verbose=False)


PAIRS = [(x.reshape(3, 1), np.eye(2)[:, [i % 2]]) for i, x in enumerate(X)]
SAVED_MODEL = "model.npz"


def cases():
    b = Case
    nan_x, inf_x = with_value(X, np.nan), with_value(X, np.inf)
    return [
        # -- Sequential.fit ---------------------------------------------------------------------------------------
        b("Sequential.fit", "1-D X", lambda: fit3(X[:, 0]), ("X", "2-D", "(12,)", "reshape")),
        b("Sequential.fit", "X as (n_features, m)", lambda: fit3(X.T), ("X", "(3, 12)", "pass X.T")),
        b("Sequential.fit", "X and Y with different m", lambda: fit3(X, y[:10]), ("X has 12", "Y has 10", "rows")),
        b("Sequential.fit", "NaN in X", lambda: fit3(nan_x), ("X", "NaN", "(1, 2)", "impute")),
        b("Sequential.fit", "inf in X", lambda: fit3(inf_x), ("X", "inf", "(1, 2)", "impute")),
        b("Sequential.fit", "NaN in Y", lambda: fit_bce(with_value(Y_bin, np.nan, (2, 0))), ("Y", "NaN", "(2, 0)", "impute")),
        b("Sequential.fit", "inf in Y", lambda: fit_bce(with_value(Y_bin, np.inf, (2, 0))), ("Y", "inf", "(2, 0)", "impute")),
        b("Sequential.fit", "empty X (0 rows)", lambda: fit3(X[:0], y[:0]), ("X", "no examples", "(0, 3)", "at least one row")),
        b("Sequential.fit", "object X of numbers", lambda: weights_after_fit(X.astype(object)),
          same_as(lambda: weights_after_fit(X))),
        b("Sequential.fit", "object X holding text", lambda: fit3(np.array([[1, "a", 2]] * 12, dtype=object)),
          ("X", "dtype object", "'a'", "np.asarray")),
        b("Sequential.fit", "string X of numbers", lambda: fit3(X.astype(str)), ("X", "<U", "must hold numbers", "dtype=float")),
        b("Sequential.fit", "integer X", lambda: weights_after_fit(np.round(X).astype(int)),
          same_as(lambda: weights_after_fit(np.round(X)))),
        b("Sequential.fit", "bool X", lambda: weights_after_fit(X > 0), same_as(lambda: weights_after_fit((X > 0) * 1.0))),
        b("Sequential.fit", "BCE targets outside [0, 1]", lambda: fit_bce(2 * Y_bin), ("BinaryCrossEntropy", "[0, 1]", "2.0", "SoftmaxCrossEntropy")),
        b("Sequential.fit", "class index out of range", lambda: fit3(X, np.where(y == 2, 3, y)), ("class indices", "[0, 3)", "3", "output layer size")),
        b("Sequential.fit", "negative class index", lambda: fit3(X, y - 1), ("class indices", "[0, 3)", "-1", "output layer size")),
        b("Sequential.fit", "class indices as floats", lambda: fit3(X, y.astype(float)), ("Y", "float64", "(12,)", "astype(int)")),
        b("Sequential.fit", "one-hot Y of the wrong width", lambda: fit3(X, np.eye(4)[y]), ("Y", "(m, 3)", "(12, 4)")),
        b("Sequential.fit", "3-D X", lambda: fit3(X.reshape(12, 3, 1)), ("X", "2-D", "(12, 3, 1)")),
        b("Sequential.fit", "ragged X (lists of unequal length)", lambda: fit3([[1.0, 2.0, 3.0], [1.0]] * 6),
          ("X", "could not be converted", "inhomogeneous")),
        b("Sequential.fit", "0 epochs", lambda: fit3(X, epochs=0), ("epochs", "integer >= 1", "got 0")),
        b("Sequential.fit", "batch_size 0", lambda: fit3(X, batch_size=0), ("batch_size", "integer >= 1", "got 0")),
        b("Sequential.fit", "batch_size as a float", lambda: fit3(X, batch_size=4.0), ("batch_size", "integer >= 1", "4.0")),
        b("Sequential.fit", "huge batch_size (10**12)", lambda: weights_after_fit(X, batch_size=10**12),
          same_as(lambda: weights_after_fit(X, batch_size=12))),
        b("Sequential.fit", "non-contiguous X (X[:, ::-1] and Fortran order)",
          lambda: weights_after_fit(np.asfortranarray(X[:, ::-1])), same_as(lambda: weights_after_fit(X[:, ::-1].copy()))),
        b("Sequential.fit", "read-only X and Y", lambda: [*weights_after_fit(read_only(X)), read_only(X)],
          lambda result: (same_as(lambda: weights_after_fit(X))(result[:-1]), np.testing.assert_array_equal(result[-1], X))),
        # -- Sequential.predict ---------------------------------------------------------------------------------
        b("Sequential.predict", "1-D X", lambda: predict3(X[0]), ("X", "2-D", "(3,)", "reshape(1, -1)")),
        b("Sequential.predict", "X as (n_features, m)", lambda: predict3(X[:4].T), ("X", "(3, 4)", "pass X.T")),
        b("Sequential.predict", "NaN in X", lambda: predict3(nan_x), ("X", "NaN", "(1, 2)", "impute")),
        b("Sequential.predict", "empty X", lambda: predict3(X[:0]), ("X", "no examples", "at least one row")),
        b("Sequential.predict", "string X of numbers", lambda: predict3(X.astype(str)), ("X", "<U", "dtype=float")),
        b("Sequential.predict", "object X of numbers", lambda: predict3(X.astype(object)), same_as(lambda: predict3(X))),
        b("Sequential.predict", "integer X", lambda: predict3(np.round(X).astype(np.int32)),
          same_as(lambda: predict3(np.round(X)))),
        b("Sequential.predict", "read-only, non-contiguous X", lambda: predict3(read_only(np.asfortranarray(X))),
          same_as(lambda: predict3(X))),
        b("Sequential.predict", "huge batch_size", lambda: model3().predict(X, batch_size=10**12), same_as(lambda: predict3(X))),
        b("Sequential.predict", "batch_size 0", lambda: model3().predict(X, batch_size=0), ("batch_size", "integer >= 1", "got 0")),
        # -- Sequential.evaluate ---------------------------------------------------------------------------------
        b("Sequential.evaluate", "X and Y with different m", lambda: evaluate3(X, y[:5]), ("X has 12", "Y has 5", "rows")),
        b("Sequential.evaluate", "inf in X", lambda: evaluate3(inf_x), ("X", "inf", "impute")),
        b("Sequential.evaluate", "Y as (n_outputs, m)", lambda: evaluate3(X, np.eye(3)[y].T),
          ("Y", "(3, 12)", "pass Y.T")),
        b("Sequential.evaluate", "no loss before training", lambda: model3().evaluate(X, y), ("no loss to use", "loss=")),
        # -- losses -------------------------------------------------------------------------------------------------
        b("BinaryCrossEntropy.forward", "targets outside [0, 1]",
          lambda: cr.BinaryCrossEntropy().forward(np.full((2, 1), 0.5), np.array([[1.0], [2.0]])),
          ("BinaryCrossEntropy", "[0, 1]", "2.0", "SoftmaxCrossEntropy")),
        b("BinaryCrossEntropy.forward", "NaN target", lambda: cr.BinaryCrossEntropy().forward(np.full((1, 1), 0.5), np.full((1, 1), np.nan)),
          ("BinaryCrossEntropy", "[0, 1]", "NaN")),
        b("SoftmaxCrossEntropy.forward", "class index out of range",
          lambda: cr.SoftmaxCrossEntropy().forward(np.zeros((2, 3)), np.array([0, 3])), ("class indices", "[0, 3)", "3")),
        b("SoftmaxCrossEntropy.forward", "one-hot of the wrong width",
          lambda: cr.SoftmaxCrossEntropy().forward(np.zeros((2, 3)), np.eye(2)), ("(2, 3)", "(2, 2)", "one_hot", "n_classes=3")),
        b("MeanSquaredError.forward", "shapes differ", lambda: cr.MeanSquaredError().forward(np.zeros((4, 1)), np.zeros(4)),
          ("Y_hat", "(4, 1)", "(4,)", "must match")),
        # -- optimizers -------------------------------------------------------------------------------------------
        b("SGD", "negative lr", lambda: cr.SGD(lr=-0.1), ("lr", "> 0", "-0.1")),
        b("Adam", "NaN lr", lambda: cr.Adam(lr=float("nan")), ("lr", "finite", "nan")),
        b("Adam", "lr as a string", lambda: cr.Adam(lr="0.01"), ("lr", "number", "'0.01'")),
        b("SGD", "momentum 1.5", lambda: cr.SGD(lr=0.1, momentum=1.5), ("momentum", "[0", "1.5")),
        b("Adam.step", "parameters that changed shape", step_twice, ("optimizer state", "((3,)", "((4,)", "new optimizer")),
        # -- chainrule.classic ---------------------------------------------------------------------------------------
        b("classic.logistic.propagate", "X as rows (m, n_x)", classic_logistic(X, y[None, :] % 2), ("X", "(12, 3)", "pass X.T")),
        b("classic.logistic.propagate", "labels outside [0, 1]", classic_logistic(X.T, 2 * (y[None, :] % 2)),
          ("BinaryCrossEntropy", "[0, 1]", "2")),
        b("classic.logistic.propagate", "NaN in X", classic_logistic(nan_x.T, y[None, :] % 2), ("X", "NaN", "impute")),
        b("classic.logistic.propagate", "string X", classic_logistic(X.T.astype(str), y[None, :] % 2), ("X", "<U", "dtype=float")),
        b("classic.nielsen.Network.SGD", "empty training data", network_sgd([]), ("training_data", "empty")),
        b("classic.nielsen.Network.SGD", "x as a row (1, n)", network_sgd([(x.T, t) for x, t in PAIRS]), ("(1, 3)", "(3, 1)")),
        b("classic.nielsen.Network.SGD", "0 epochs", network_sgd(PAIRS, epochs=0), ("epochs", "integer >= 1", "got 0")),
        b("classic.nielsen.Network.SGD", "mini_batch_size 0", network_sgd(PAIRS, size=0), ("mini_batch_size", "integer >= 1", "got 0")),
        b("classic.nielsen.CrossEntropyCost.delta", "z=None", lambda: nielsen.CrossEntropyCost.delta(None, np.full((2, 1), 0.25), np.eye(2)[:, :1]),
          same_as(lambda: np.full((2, 1), 0.25) - np.eye(2)[:, :1])),
        # -- the doctor --------------------------------------------------------------------------------------------------
        b("doctor.check_file", "a missing file", lambda: check_file("no_such_file.py"), ("no_such_file.py", "no such file", ".ipynb")),
        b("doctor.check_file", "a file that is not .py or .ipynb", lambda: check_file(DOCS),
          ("bad_inputs.md", ".py files and .ipynb")),
        b("doctor.diagnose", "params that are not a dict", lambda: diagnose([1.0], lambda p, d: 0.0, lambda p, d: {}),
          ("params", "dict")),
        # -- the CLI ------------------------------------------------------------------------------------------------------
        b("chainrule train", "--epochs 0", cli("train", "--data", "moons", "--epochs", "0"), ("--epochs", "0", ">= 1")),
        b("chainrule train", "--batch-size 10**12", cli("train", "--data", "moons", "--epochs", "1", "--batch-size", str(10**12)),
          lambda out: None if "saved model.npz" in out else pytest.fail(out)),
        b("chainrule predict", "a CSV with text", cli_predict({"in.csv": "1,2\nfoo,3\n"}),
          ("in.csv", "line 2, column 1", "'foo' is not a number")),
        b("chainrule predict", "a CSV with the wrong number of columns", cli_predict({"in.csv": "1,2,3\n4,5,6\n"}),
          ("in.csv", "3 columns", "2 features", "label column")),
        # -- the scikit-learn estimators: scikit-learn's own validation, as issue 15 asks -------------------------
        b("sklearn.MLPClassifier.fit", "string X", lambda: estimator().fit(np.array([["a", "b", "c"]] * 12), y),
          ("could not convert string to float",)),
        b("sklearn.MLPClassifier.fit", "1-D X", lambda: estimator().fit(X[:, 0], y), ("Expected 2D array", "Reshape")),
        b("sklearn.MLPClassifier.fit", "NaN in X", lambda: estimator().fit(nan_x, y), ("Input X contains NaN",)),
        b("sklearn.MLPClassifier.fit", "mismatched m", lambda: estimator().fit(X, y[:10]),
          ("inconsistent numbers of samples", "[12, 10]")),
        b("sklearn.MLPClassifier.fit", "empty X", lambda: estimator().fit(X[:0], y[:0]), ("0 sample(s)", "(0, 3)")),
        b("sklearn.MLPClassifier.fit", "max_iter=0", lambda: estimator(max_iter=0).fit(X, y), ("max_iter", ">= 1", "0")),
        b("sklearn.MLPClassifier.fit", "hidden_layer_sizes=(0,)", lambda: estimator(hidden_layer_sizes=(0,)).fit(X, y),
          ("hidden_layer_sizes", ">= 1", "0")),
        b("sklearn.MLPClassifier.predict", "before fit", lambda: estimator().predict(X), ("not fitted yet", "Call 'fit'")),
        b("sklearn.MLPClassifier.predict", "a different number of features", lambda: estimator().fit(X, y).predict(X[:, :2]),
          ("X has 2 features", "expecting 3 features")),
        b("sklearn.MLPRegressor.fit", "NaN in y", lambda: estimator(regressor=True).fit(X, with_value(y, np.nan, 1)),
          ("Input y contains NaN",)),
        b("sklearn.MLPClassifier.fit", "read-only X", lambda: estimator().fit(read_only(X), y).predict(X),
          same_as(lambda: estimator().fit(X, y).predict(X))),
        b("chainrule predict", "an .npy holding objects", cli_predict({"in.npy": np.array([[1, None]], dtype=object)}),
          ("in.npy", "Python objects", "never unpickles")),
        b("chainrule predict", "a 1-D .npy", cli_predict({"in.npy": np.array([0.5, 0.5])}), ("X", "2-D", "(2,)", "reshape")),
        b("chainrule predict", "NaN in the CSV", cli_predict({"in.csv": "1,nan\n0,1\n"}), ("X", "NaN", "impute")),
    ]


def estimator(regressor=False, **params):
    """A small scikit-learn estimator over the engine (skipped with the sklearn cases when scikit-learn is absent)."""
    sklearn = pytest.importorskip("chainrule.sklearn", reason="scikit-learn is not installed")
    kind = sklearn.MLPRegressor if regressor else sklearn.MLPClassifier
    return kind(**{"hidden_layer_sizes": (4,), "max_iter": 2, "random_state": 0, **params})


def step_twice():
    optimizer = cr.Adam()
    optimizer.step([(np.zeros(3), np.ones(3))])
    optimizer.step([(np.zeros(4), np.ones(4))])


def cli_predict(files):
    """``chainrule predict`` a small saved 2-input model on the given input file."""
    name = next(iter(files))

    def run():
        import tempfile
        with tempfile.TemporaryDirectory() as folder:
            for file, content in files.items():
                if isinstance(content, np.ndarray):
                    np.save(Path(folder) / file, content, allow_pickle=True)
                else:
                    (Path(folder) / file).write_text(content)
            model = Path(folder) / SAVED_MODEL
            model3_moons = cr.Sequential([cr.Dense(2, 3), cr.Tanh(), cr.Dense(3, 2)], seed=0)
            model3_moons.loss = cr.SoftmaxCrossEntropy()
            model3_moons.save(model)
            done = subprocess.run([sys.executable, "-m", "chainrule", "predict", SAVED_MODEL, name], cwd=folder,
                                  env=cli_env(), capture_output=True, text=True, timeout=120)
            if done.returncode == 0:
                return done.stdout
            raise ValueError(f"exit {done.returncode}: {done.stderr.strip()}")
    return run


CASES = cases()


def outcome(case: Case) -> tuple[str, str]:
    """('works', '') or (exception type name, its message)."""
    try:
        result = case.call()
    except (ValueError, TypeError) as exc:
        return type(exc).__name__, str(exc)
    if isinstance(case.expect, tuple):
        pytest.fail(f"{case.entry} with {case.bad}: expected an error naming {case.expect}, it worked")
    case.expect(result)
    return "works", ""


@pytest.mark.parametrize("case", CASES, ids=[f"{c.entry}: {c.bad}" for c in CASES])
def test_bad_input_works_or_raises_a_clear_error(case):
    kind, message = outcome(case)
    if isinstance(case.expect, tuple):
        assert kind in ("ValueError", "TypeError", "NotFittedError")    # scikit-learn's is a ValueError
        for fragment in case.expect:
            assert fragment in message, f"{fragment!r} not in: {message}"


def render_table() -> str:
    lines = ["# Bad inputs: what each entry point does", "",
             "Generated from `tests/test_bad_inputs.py` (which checks that this file is current). Each row is one",
             "case of the matrix: the input works correctly (checked against the clean input), or the call raises",
             "`ValueError`/`TypeError` with a message that names the argument, the shapes or values, and the fix.",
             "The fragments the test requires in the message are listed.", "",
             f"{len(CASES)} cases: {sum(isinstance(c.expect, tuple) for c in CASES)} raise a clear error, "
             f"{sum(not isinstance(c.expect, tuple) for c in CASES)} work correctly.", "",
             "| entry point | bad input | outcome | the message contains |", "| --- | --- | --- | --- |"]
    for case in CASES:
        if isinstance(case.expect, tuple):
            fragments = ", ".join(f"`{f}`".replace("|", "\\|") for f in case.expect)
            lines.append(f"| `{case.entry}` | {case.bad} | error | {fragments} |")
        else:
            lines.append(f"| `{case.entry}` | {case.bad} | works | (same result as the clean input) |")
    return "\n".join(lines) + "\n"


def test_the_docs_table_is_generated_from_this_matrix():
    table = render_table()
    if os.environ.get("CHAINRULE_WRITE_DOCS") == "1":
        DOCS.parent.mkdir(exist_ok=True)
        DOCS.write_text(table, encoding="utf-8")
    assert DOCS.read_text(encoding="utf-8") == table, "docs/bad_inputs.md is stale: CHAINRULE_WRITE_DOCS=1 pytest " \
                                                       "tests/test_bad_inputs.py"
