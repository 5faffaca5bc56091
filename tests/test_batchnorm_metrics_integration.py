"""BatchNorm and metrics wired into the model: save/load with running statistics, metrics in fit/evaluate, EarlyStopping restoring buffers."""
import functools

import numpy as np
import pytest

import chainrule
from chainrule import (Adam, BatchNorm, BinaryCrossEntropy, Dense, EarlyStopping, MeanSquaredError, ReLU,
                       Sequential, SoftmaxCrossEntropy, Tanh, metrics, load)
from chainrule.datasets import make_moons, make_blobs

def test_save_load_round_trips_batchnorm_buffers(tmp_path):
    X, y = make_moons(200, seed=0)
    for dtype in (np.float64, np.float32):
        model = Sequential([Dense(2, 8), BatchNorm(8), ReLU(), Dense(8, 1)], dtype=dtype, seed=0)
        model.fit(X, y, BinaryCrossEntropy(from_logits=True), Adam(lr=0.01), epochs=3)
        model.save(tmp_path / "m.npz")
        twin = load(tmp_path / "m.npz")
        for a, b in zip(model.layers[1].buffers(), twin.layers[1].buffers()):
            assert a[0] == b[0] and np.array_equal(a[1], b[1]) and b[1].dtype == dtype
        assert np.array_equal(model.predict(X), twin.predict(X))
        assert "layers.2.running_var" in np.load(tmp_path / "m.npz").files
        # resume bit for bit
        model.fit(X, y, BinaryCrossEntropy(from_logits=True), model.optimizer, epochs=2)
        twin.fit(X, y, BinaryCrossEntropy(from_logits=True), twin.optimizer, epochs=2)
        assert np.array_equal(model.predict(X), twin.predict(X))

def test_fit_logs_metrics_per_epoch_and_for_validation():
    X, y = make_blobs(300, n_classes=3, seed=0)
    Xv, yv = make_blobs(90, n_classes=3, seed=1)
    model = Sequential([Dense(2, 8), BatchNorm(8), ReLU(), Dense(8, 3)], seed=0)
    h = model.fit(X, y, SoftmaxCrossEntropy(), Adam(lr=0.01), epochs=4, validation_data=(Xv, yv),
                  metrics={"macro_f1": functools.partial(metrics.f1, average="macro"), "acc": metrics.accuracy})
    assert len(h["macro_f1"]) == 4 and len(h["val_macro_f1"]) == 4
    np.testing.assert_allclose(h["acc"], h["accuracy"], rtol=1e-12)
    np.testing.assert_allclose(h["val_acc"], h["val_accuracy"], rtol=1e-12)
    ev = model.evaluate(Xv, yv, metrics={"f1m": functools.partial(metrics.f1, average="micro")})
    assert ev["f1m"] == pytest.approx(ev["accuracy"])
    assert h["val_macro_f1"][-1] == pytest.approx(metrics.f1(yv, model.predict_labels(Xv), average="macro"))

def test_binary_and_regression_metrics():
    X, y = make_moons(100, seed=0)
    model = Sequential([Dense(2, 8), Tanh(), Dense(8, 1)], seed=0)
    h = model.fit(X, y, BinaryCrossEntropy(from_logits=True), Adam(lr=0.01), epochs=2, metrics=[metrics.f1, metrics.precision])
    assert "f1" in h and "precision" in h
    Yr = X @ np.array([[1.0, 2.0], [0.5, -1.0]])
    reg = Sequential([Dense(2, 2)], seed=0)
    h = reg.fit(X, Yr, MeanSquaredError(), Adam(lr=0.05), epochs=20, metrics=[metrics.r2_score, metrics.mean_absolute_error])
    assert h["r2_score"][-1] > h["r2_score"][0]
    with pytest.raises(ValueError, match="not names"):
        reg.fit(X, Yr, MeanSquaredError(), Adam(), metrics=["f1"])
    with pytest.raises(ValueError, match="no __name__"):
        reg.fit(X, Yr, MeanSquaredError(), Adam(), metrics=[functools.partial(metrics.f1, average="macro")])
    with pytest.raises(ValueError, match="'loss'"):
        reg.fit(X, Yr, MeanSquaredError(), Adam(), metrics={"loss": metrics.r2_score})
    multi = Sequential([Dense(2, 2)], seed=0)
    with pytest.raises(ValueError, match="multi-label"):
        multi.fit(X, np.c_[y, 1 - y], BinaryCrossEntropy(from_logits=True), Adam(), metrics=[metrics.f1])

def test_early_stopping_restores_running_stats():
    X, y = make_moons(200, noise=0.3, seed=0)
    Xv, yv = make_moons(100, noise=0.3, seed=1)
    model = Sequential([Dense(2, 8), BatchNorm(8), ReLU(), Dense(8, 1)], seed=0)
    snaps = []
    class Snap(chainrule.Callback):
        def on_epoch_end(self, epoch, logs):
            snaps.append(model.layers[1].running_mean.copy())
    es = EarlyStopping(patience=2)
    model.fit(X, y, BinaryCrossEntropy(from_logits=True), Adam(lr=0.5), epochs=30, validation_data=(Xv, yv), callbacks=[Snap(), es])
    assert es.best_epoch is not None and es.best_epoch < len(snaps) - 1
    assert np.array_equal(model.layers[1].running_mean, snaps[es.best_epoch])
