"""Metrics wired into the model: per-epoch and validation metrics in fit, metrics in evaluate.

The BatchNorm tests that were here (running statistics through save/load and EarlyStopping) live in
test_normalization.py.
"""

import functools

import numpy as np
import pytest

from chainrule import (Adam, BatchNorm, BinaryCrossEntropy, Dense, MeanSquaredError, ReLU, Sequential,
                       SoftmaxCrossEntropy, Tanh, metrics)
from chainrule.datasets import make_blobs, make_moons


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
