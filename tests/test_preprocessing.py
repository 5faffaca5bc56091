"""chainrule.preprocessing.Standardize: fitted on the training X, applied by fit/evaluate/predict, saved."""

import numpy as np
import pytest

import chainrule as cr
from chainrule import io as cio
from chainrule.preprocessing import Standardize, column_statistics


def raw_moons(m=200, seed=0):
    X, y = cr.datasets.make_moons(n_samples=m, noise=0.2, seed=seed)
    return X * np.array([100.0, 0.01]) + np.array([500.0, -3.0]), y


def test_standardize_gives_mean_0_and_std_1_per_column_and_a_constant_column_becomes_zeros():
    rng = np.random.default_rng(0)
    X = np.c_[rng.normal(5.0, 3.0, 50), np.full(50, 7.0), rng.normal(-2.0, 0.1, 50)]
    step = Standardize().fit(X)
    Z = step.transform(X)
    np.testing.assert_allclose(Z.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(Z.std(axis=0), [1.0, 0.0, 1.0], atol=1e-12)
    np.testing.assert_array_equal(step.scale[1], 1.0)               # no 0/0: the constant column is zeros
    np.testing.assert_allclose(step.inverse_transform(Z), X, rtol=1e-12)
    assert np.array_equal(step.mean, column_statistics(X)[0])


def test_datasets_standardize_and_the_step_agree():
    X, _ = raw_moons()
    X_std, mean, std = cr.datasets.standardize(X)
    step = Standardize().fit(X)
    assert np.array_equal(mean, step.mean) and np.array_equal(std, step.scale)
    assert np.array_equal(X_std, step.transform(X))


def test_transform_keeps_float32_and_checks_the_feature_count():
    step = Standardize(mean=[1.0, 2.0], scale=[2.0, 4.0])
    out = step.transform(np.ones((3, 2), dtype=np.float32))
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, [[0.0, -0.25]] * 3)
    with pytest.raises(ValueError, match="fitted on 2 features"):
        step.transform(np.ones((3, 5)))


@pytest.mark.parametrize("kwargs, fragment", [({"mean": [0.0]}, "both mean and scale"),
                                              ({"mean": [0.0, 1.0], "scale": [1.0]}, "one entry per feature"),
                                              ({"mean": [0.0], "scale": [0.0]}, "scale finite and > 0")])
def test_bad_statistics_are_refused_at_construction(kwargs, fragment):
    with pytest.raises(ValueError, match=fragment):
        Standardize(**kwargs)


def test_an_unfitted_step_says_how_to_fit_it():
    with pytest.raises(ValueError, match="not fitted yet"):
        Standardize().transform(np.ones((2, 2)))


def test_fit_fits_the_step_on_the_training_x_only_and_evaluate_predict_apply_it():
    X, y = raw_moons()
    X_val, y_val = raw_moons(60, seed=1)
    model = cr.Sequential([cr.Dense(2, 16), cr.ReLU(), cr.Dense(16, 2)], seed=0)
    model.preprocessing = Standardize()
    model.fit(X, y, cr.SoftmaxCrossEntropy(), cr.Adam(lr=0.01), epochs=40, batch_size=32, validation_data=(X_val, y_val))
    assert np.array_equal(model.preprocessing.mean, X.mean(axis=0))          # training rows, not validation
    Z = model.preprocessing.transform(X)
    np.testing.assert_array_equal(model.predict(X), model.forward(Z))         # predict = layers after the step
    assert model.evaluate(X, y)["accuracy"] > 0.9
    # without the step the same net on the raw columns does not learn in these epochs
    plain = cr.Sequential([cr.Dense(2, 16), cr.ReLU(), cr.Dense(16, 2)], seed=0)
    plain.fit(X, y, cr.SoftmaxCrossEntropy(), cr.Adam(lr=0.01), epochs=40, batch_size=32)
    assert plain.evaluate(X, y)["accuracy"] < model.evaluate(X, y)["accuracy"]


def test_a_second_fit_keeps_the_fitted_statistics():
    X, y = raw_moons()
    model = cr.Sequential([cr.Dense(2, 2)], seed=0)
    model.preprocessing = Standardize()
    model.fit(X, y, cr.SoftmaxCrossEntropy(), cr.SGD(lr=0.1), epochs=1)
    mean = model.preprocessing.mean.copy()
    model.fit(X[:50] + 1000.0, y[:50], cr.SoftmaxCrossEntropy(), cr.SGD(lr=0.1), epochs=1)
    assert np.array_equal(model.preprocessing.mean, mean)


def test_the_step_is_saved_in_the_model_file_and_raw_rows_give_the_same_outputs_after_load(tmp_path):
    X, y = raw_moons()
    model = cr.Sequential([cr.Dense(2, 8), cr.Tanh(), cr.Dense(8, 2)], dtype=np.float32, seed=0)
    model.preprocessing = Standardize()
    model.fit(X, y, cr.SoftmaxCrossEntropy(), cr.Adam(lr=0.01), epochs=3)
    model.save(tmp_path / "m.npz")
    with np.load(tmp_path / "m.npz") as archive:                  # plain arrays in the file
        assert np.array_equal(archive["preprocessing.mean"], model.preprocessing.mean)
        assert np.array_equal(archive["preprocessing.scale"], model.preprocessing.scale)
    loaded = cr.load(tmp_path / "m.npz")
    assert isinstance(loaded.preprocessing, Standardize)
    assert np.array_equal(loaded.predict(X), model.predict(X))
    assert loaded.evaluate(X, y) == model.evaluate(X, y)


def test_a_model_without_a_step_writes_no_preprocessing_entry(tmp_path):
    model = cr.Sequential([cr.Dense(2, 2)], seed=0)
    arrays, document = cio.to_document(model)
    assert "preprocessing" not in document and not [k for k in arrays if k.startswith("preprocessing")]
    model.save(tmp_path / "m.npz")
    assert cr.load(tmp_path / "m.npz").preprocessing is None


def test_a_step_with_the_wrong_feature_count_in_a_file_is_refused(tmp_path):
    model = cr.Sequential([cr.Dense(2, 2)], seed=0)
    model.preprocessing = Standardize(mean=[0.0, 0.0, 0.0], scale=[1.0, 1.0, 1.0])
    model.save(tmp_path / "m.npz")
    with pytest.raises(ValueError, match="Standardize step has 3 features, the model 2"):
        cr.load(tmp_path / "m.npz")
