"""MAE and Huber losses, weighted losses, sample_weight and class_weight in fit.

The L1 and L2 regularizer tests (gradient checks, penalties by hand, argument checks) live in test_layers.py.
"""

import numpy as np
import pytest

import chainrule as cr

from _layer_cases import tanh_net


@pytest.mark.parametrize("loss", [cr.MeanAbsoluteError(), cr.Huber(0.3), cr.Huber(5.0)], ids=repr)
def test_mae_and_huber_gradients_match_central_differences(loss):
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(7, 3)), rng.normal(size=(7, 2))
    assert cr.check_gradients(tanh_net(), X, Y, loss).passed


def test_huber_values_by_hand():
    loss = cr.Huber(delta=1.0)
    # residuals 0.5 (quadratic: 0.125) and 3 (linear: 1·(3 - 0.5) = 2.5); mean over 2 entries
    assert loss.forward(np.array([[0.5], [3.0]]), np.zeros((2, 1))) == pytest.approx(1.3125)
    np.testing.assert_allclose(loss.backward(), [[0.25], [0.5]])


def test_mae_value_by_hand():
    assert cr.MeanAbsoluteError().forward(np.array([[1.0, -2.0]]), np.array([[0.0, 0.0]])) == 1.5


@pytest.mark.parametrize("loss", [cr.MeanSquaredError(), cr.BinaryCrossEntropy(from_logits=True),
                                  cr.SoftmaxCrossEntropy(), cr.MeanAbsoluteError(), cr.Huber()], ids=repr)
def test_weighted_loss_gradient_matches_central_differences(loss):
    rng = np.random.default_rng(2)
    Y_hat = rng.normal(size=(5, 3))
    Y = cr.one_hot(rng.integers(0, 3, 5), 3)
    w = rng.random(5) * 2
    loss.weighted(Y_hat, Y, w)
    analytic = loss.backward_weighted(w)
    numeric = cr.numerical_gradient(lambda: loss.weighted(Y_hat, Y, w), Y_hat)
    assert cr.relative_error(analytic, numeric) < 1e-7


def test_unit_sample_weights_train_exactly_like_no_weights():
    X, y = cr.datasets.make_moons(120, seed=3)
    a = cr.Sequential([cr.Dense(2, 6), cr.Tanh(), cr.Dense(6, 2)], seed=4)
    b = cr.Sequential([cr.Dense(2, 6), cr.Tanh(), cr.Dense(6, 2)], seed=4)
    a.fit(X, y, cr.SoftmaxCrossEntropy(), cr.SGD(0.1), epochs=3, batch_size=16)
    b.fit(X, y, cr.SoftmaxCrossEntropy(), cr.SGD(0.1), epochs=3, batch_size=16, sample_weight=np.ones(len(y)))
    for (p, _), (q, _) in zip(a.params_and_grads(), b.params_and_grads()):
        np.testing.assert_allclose(p, q, rtol=1e-13, atol=1e-15)


def test_zero_weight_examples_do_not_influence_training():
    X, y = cr.datasets.make_moons(100, seed=5)
    noise = np.random.default_rng(6).normal(size=(40, 2)) * 5
    X_all = np.r_[X, noise]
    y_all = np.r_[y, np.zeros(40, dtype=np.int64)]
    w = np.r_[np.ones(100), np.zeros(40)]
    a = cr.Sequential([cr.Dense(2, 6), cr.Tanh(), cr.Dense(6, 2)], seed=7)
    b = cr.Sequential([cr.Dense(2, 6), cr.Tanh(), cr.Dense(6, 2)], seed=7)
    a.fit(X, y, cr.SoftmaxCrossEntropy(), cr.SGD(0.1), epochs=2, batch_size=140, shuffle=False)
    b.fit(X_all, y_all, cr.SoftmaxCrossEntropy(), cr.SGD(0.1 * 140 / 100), epochs=2, batch_size=140,
          shuffle=False, sample_weight=w)
    for (p, _), (q, _) in zip(a.params_and_grads(), b.params_and_grads()):
        np.testing.assert_allclose(p, q, rtol=1e-12, atol=1e-14)


def test_balanced_class_weight_helps_the_minority_class():
    rng = np.random.default_rng(8)
    X = np.r_[rng.normal(0, 1, size=(300, 2)), rng.normal(1.2, 1, size=(20, 2))]
    y = np.r_[np.zeros(300, dtype=np.int64), np.ones(20, dtype=np.int64)]
    recalls = []
    for class_weight in (None, "balanced"):
        model = cr.Sequential([cr.Dense(2, 8), cr.Tanh(), cr.Dense(8, 2)], seed=9)
        model.fit(X, y, cr.SoftmaxCrossEntropy(), cr.Adam(0.01), epochs=30, batch_size=32, class_weight=class_weight)
        recalls.append(np.mean(model.predict_labels(X)[y == 1] == 1))
    assert recalls[1] > recalls[0] + 0.2


def test_bad_weights_raise():
    X, y = cr.datasets.make_moons(20, seed=0)
    model = cr.Sequential([cr.Dense(2, 2)], seed=0)
    with pytest.raises(ValueError, match="one weight per example"):
        model.fit(X, y, cr.SoftmaxCrossEntropy(), cr.SGD(0.1), sample_weight=np.ones(3))
    with pytest.raises(ValueError, match=">= 0"):
        model.fit(X, y, cr.SoftmaxCrossEntropy(), cr.SGD(0.1), sample_weight=-np.ones(20))
    with pytest.raises(ValueError, match="balanced"):
        model.fit(X, y, cr.SoftmaxCrossEntropy(), cr.SGD(0.1), class_weight="even")
    with pytest.raises(ValueError, match="delta"):
        cr.Huber(delta=0.0)
