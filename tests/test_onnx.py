"""chainrule.onnx (issue 15): the exported graph, run in onnxruntime, gives chainrule's predictions."""

import sys

import numpy as np
import pytest

onnx = pytest.importorskip("onnx", reason="ONNX export needs the optional extra: pip install 'chainrule[onnx]'")
ort = pytest.importorskip("onnxruntime", reason="the exported graphs are run in onnxruntime: pip install 'chainrule[onnx]'")

import chainrule as cr                                    # noqa: E402
from chainrule.onnx import OPERATORS, export, to_onnx     # noqa: E402
from test_cli import ok, run                              # noqa: E402

ACTIVATIONS = {"relu": cr.ReLU, "sigmoid": cr.Sigmoid, "tanh": cr.Tanh, "leaky_relu": lambda: cr.LeakyReLU(0.2),
               "identity": cr.Identity}


def session(path):
    return ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])


def run_graph(path, X, dtype=np.float32):
    sess = session(path)
    return dict(zip([o.name for o in sess.get_outputs()], sess.run(None, {"X": np.asarray(X, dtype=dtype)})))


def trained(layers, loss, Y, X, dtype=np.float64, epochs=3):
    model = cr.Sequential(layers, dtype=dtype, seed=0)
    model.fit(X, Y, loss, cr.Adam(lr=0.05), epochs=epochs, batch_size=16)
    return model


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 4))
    return X, rng.integers(0, 3, size=60)


@pytest.mark.parametrize("model_dtype", [np.float64, np.float32])
@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_every_activation_with_batchnorm_and_dropout_matches_chainrule_to_1e_5(activation, model_dtype, data, tmp_path):
    X, y = data
    layers = [cr.Dense(4, 8), cr.BatchNorm(8), ACTIVATIONS[activation](), cr.Dropout(0.3), cr.Dense(8, 3)]
    model = trained(layers, cr.SoftmaxCrossEntropy(), y, X, model_dtype)
    assert np.abs(model.layers[1].running_mean).max() > 0          # BatchNorm has statistics to export
    out = run_graph(export(model, tmp_path / "m.onnx"), X)
    np.testing.assert_allclose(out["Y"], model.predict(X), atol=1e-5, rtol=1e-5)
    np.testing.assert_allclose(out["probabilities"], model.predict_proba(X), atol=1e-5, rtol=1e-5)
    assert out["Y"].dtype == np.float32


def test_float64_export_matches_to_1e_12_including_leaky_relu(data, tmp_path):
    X, y = data
    model = trained([cr.Dense(4, 8), cr.LeakyReLU(0.1), cr.Dense(8, 8), cr.BatchNorm(8), cr.Tanh(), cr.Dense(8, 3)],
                    cr.SoftmaxCrossEntropy(), y, X)
    out = run_graph(export(model, tmp_path / "m.onnx", dtype=np.float64), X, np.float64)
    np.testing.assert_allclose(out["Y"], model.predict(X), atol=1e-12, rtol=1e-12)
    assert out["Y"].dtype == np.float64


def test_a_saved_standardize_step_is_part_of_the_graph(data, tmp_path):
    X, y = data
    X_raw = 50.0 + 20.0 * X                                      # far from unit scale: the step matters
    model = cr.Sequential([cr.Dense(4, 6), cr.Tanh(), cr.Dense(6, 3)], seed=0)
    model.preprocessing = cr.Standardize()
    model.fit(X_raw, y, cr.SoftmaxCrossEntropy(), cr.Adam(lr=0.05), epochs=3, batch_size=16)
    out = run_graph(export(model, tmp_path / "m.onnx", dtype=np.float64), X_raw, np.float64)
    np.testing.assert_allclose(out["Y"], model.predict(X_raw), atol=1e-12, rtol=1e-12)
    model.preprocessing = cr.Standardize()                       # never fitted: nothing to export
    with pytest.raises(ValueError, match="has no ONNX export"):
        export(model, tmp_path / "n.onnx")


def test_binary_logits_get_a_sigmoid_probability_output(data, tmp_path):
    X, y = data
    model = trained([cr.Dense(4, 5), cr.ReLU(), cr.Dense(5, 1)], cr.BinaryCrossEntropy(from_logits=True),
                    (y == 1).astype(float), X)
    out = run_graph(export(model, tmp_path / "m.onnx"), X)
    np.testing.assert_allclose(out["probabilities"], model.predict_proba(X), atol=1e-5)
    assert [n.op_type for n in onnx.load(tmp_path / "m.onnx").graph.node][-1] == "Sigmoid"


def test_a_softmax_layer_exports_and_a_regressor_has_only_its_outputs(data, tmp_path):
    X, y = data
    classifier = trained([cr.Dense(4, 3), cr.Softmax()], cr.MeanSquaredError(), cr.one_hot(y, 3), X)
    out = run_graph(export(classifier, tmp_path / "c.onnx"), X)
    assert set(out) == {"Y"}                                        # the outputs are probabilities already
    np.testing.assert_allclose(out["Y"], classifier.predict(X), atol=1e-5)
    regressor = trained([cr.Dense(4, 6), cr.Tanh(), cr.Dense(6, 2)], cr.Huber(), X[:, :2] * 3, X)
    out = run_graph(export(regressor, tmp_path / "r.onnx"), X)
    assert set(out) == {"Y"}
    np.testing.assert_allclose(out["Y"], regressor.predict(X), atol=1e-5, rtol=1e-5)


def test_the_graph_is_standard_with_named_input_and_a_dynamic_batch(data, tmp_path):
    X, y = data
    model = trained([cr.Dense(4, 8), cr.BatchNorm(8), cr.ReLU(), cr.Dropout(0.5), cr.Dense(8, 3)],
                    cr.SoftmaxCrossEntropy(), y, X)
    proto = to_onnx(model)
    onnx.checker.check_model(proto, full_check=True)
    assert [n.op_type for n in proto.graph.node] == ["Gemm", "BatchNormalization", "Relu", "Gemm", "Identity",
                                                    "Softmax"]       # Dropout removed
    assert proto.opset_import[0].version == 13 and proto.ir_version == 7
    sess = session(export(model, tmp_path / "m.onnx"))
    (inp,) = sess.get_inputs()
    assert (inp.name, inp.shape) == ("X", ["batch", 4])
    assert [(o.name, o.shape) for o in sess.get_outputs()] == [("Y", ["batch", 3]), ("probabilities", ["batch", 3])]
    for m in (1, 7, 60):
        (Y, _) = sess.run(None, {"X": X[:m].astype(np.float32)})
        np.testing.assert_allclose(Y, model.predict(X[:m]), atol=1e-5, rtol=1e-5)


def test_every_exportable_layer_is_covered_here():
    tested = {cr.Dense, cr.BatchNorm, cr.Dropout, cr.Softmax, *(type(make()) for make in ACTIVATIONS.values())}
    assert {cls.__name__ for cls in tested} == set(OPERATORS)


class ScaledDense(cr.Dense):
    """A subclass: its forward may differ from Dense's, so it has no export."""


class Square(cr.Layer):
    def forward(self, A_prev, training=False):
        return A_prev ** 2


@pytest.mark.parametrize("layer, message", [
    (Square(), r"layer 2 \(Square\) has no ONNX export. The exportable layers are Dense, .*; replace or remove layer 2"),
    (ScaledDense(4, 4), r"layer 2 \(ScaledDense\) \(a subclass: its forward may differ from the built-in's\)"),
])
def test_unsupported_layers_raise_naming_the_layer(layer, message, tmp_path):
    model = cr.Sequential([cr.Dense(3, 4), layer, cr.Dense(4, 2)], seed=0)
    with pytest.raises(ValueError, match=message):
        export(model, tmp_path / "m.onnx")
    assert not (tmp_path / "m.onnx").exists()


def test_without_onnx_the_error_names_the_extra(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "onnx", None)                  # import onnx now raises ImportError
    with pytest.raises(ImportError, match=r"pip install 'chainrule\[onnx\]'"):
        export(cr.Sequential([cr.Dense(2, 1)]), tmp_path / "m.onnx")


def test_the_sklearn_estimators_model_exports(data, tmp_path):
    pytest.importorskip("sklearn", reason="the estimator needs the sklearn extra")
    from chainrule.sklearn import MLPClassifier
    X, y = data
    clf = MLPClassifier(hidden_layer_sizes=(6,), max_iter=30, n_iter_no_change=50, random_state=0)
    with pytest.warns(Warning):
        clf.fit(X, y)
    out = run_graph(export(clf.model_, tmp_path / "clf.onnx"), X)
    np.testing.assert_allclose(out["probabilities"], clf.predict_proba(X), atol=1e-5)


# -- the command ----------------------------------------------------------------------------------------------
def test_chainrule_export_writes_a_graph_that_predicts_as_the_saved_model(tmp_path):
    ok("train", "--data", "moons", "--layers", "2,8,2", "--epochs", 2, "--out", "m.npz", cwd=tmp_path)
    result = ok("export", "m.npz", "--onnx", "m.onnx", cwd=tmp_path)
    assert result.stdout.strip() == ("wrote m.onnx: input X (batch, 2), outputs Y, probabilities (batch, 2), float32")
    model = cr.load(tmp_path / "m.npz")
    X = cr.datasets.make_moons(n_samples=40, noise=0.2, seed=5)[0]
    np.testing.assert_allclose(run_graph(tmp_path / "m.onnx", X)["probabilities"], model.predict_proba(X), atol=1e-5)


def test_chainrule_export_errors_are_one_line(tmp_path):
    missing = run("export", "none.npz", "--onnx", "m.onnx", cwd=tmp_path)
    assert missing.returncode == 1
    assert missing.stderr.strip() == "chainrule export: error: model file none.npz does not exist."
    usage = run("export", "none.npz", cwd=tmp_path)
    assert usage.returncode == 2 and "the following arguments are required: --onnx" in usage.stderr
