"""End-to-end claims of the training toolkit, measured on small data (accuracy, not wall time)."""

import numpy as np
import pytest

import chainrule as cr
from chainrule.classic import random_mini_batches

from _paths import COURSERA


def circles():
    data = np.load(COURSERA / "init_circles.npz")          # the course's C2W1 initialization data
    return data["train_X"].T, data["train_Y"].ravel(), data["test_X"].T, data["test_Y"].ravel()


def three_layer(init, seed=0):
    return cr.Sequential([cr.Dense(2, 10, init=init), cr.ReLU(), cr.Dense(10, 5, init=init), cr.ReLU(),
                          cr.Dense(5, 1, init=init)], seed=seed)


def test_he_initialization_beats_zeros_on_the_course_circles():
    X, y, X_test, y_test = circles()
    scores = {}
    for name, init in (("zeros", cr.initializers.zeros), ("he", cr.initializers.he_normal)):
        model = three_layer(init)
        model.fit(X, y, cr.BinaryCrossEntropy(from_logits=True), cr.SGD(0.05), epochs=1500, batch_size=len(y),
                  shuffle=False)
        scores[name] = model.evaluate(X_test, y_test)["accuracy"]
    # zeros: every unit computes the same thing, the net never breaks symmetry (the course gets 50%)
    assert scores["zeros"] <= 0.6
    assert scores["he"] >= 0.9


def field():
    """The course's C2W1 regularization data (the French football field), converted from data.mat."""
    data = np.load(COURSERA / "regularization_field.npz")
    return data["train_X"], data["train_Y"], data["test_X"], data["test_Y"]


def train_test_gap(l2=0.0, dropout=0.0):
    X, y, X_test, y_test = field()
    layers = [cr.Dense(2, 100, l2=l2), cr.ReLU()] + ([cr.Dropout(dropout)] if dropout else [])
    layers += [cr.Dense(100, 100, l2=l2), cr.ReLU()] + ([cr.Dropout(dropout)] if dropout else [])
    model = cr.Sequential(layers + [cr.Dense(100, 1, l2=l2)], seed=3)
    model.fit(X, y, cr.BinaryCrossEntropy(from_logits=True), cr.Adam(0.01), epochs=1000, batch_size=len(y),
              shuffle=False)
    return model.evaluate(X, y)["accuracy"] - model.evaluate(X_test, y_test)["accuracy"]


def test_dropout_and_l2_shrink_the_train_test_gap():
    plain = train_test_gap()                 # measured: train 0.976, test 0.925
    assert plain > 0.04
    assert train_test_gap(l2=0.003) < plain - 0.03        # measured gap -0.011
    assert train_test_gap(dropout=0.3) < plain - 0.02     # measured gap 0.022


def test_random_mini_batches_course_shapes_and_cover_every_column_once():
    rng = np.random.RandomState(1)
    X, Y = rng.randn(12288, 148), (rng.randn(1, 148) < 0.5)
    batches = random_mini_batches(X, Y, 64)
    # The course's expected shapes: (12288, 64), (12288, 64), (12288, 20)
    assert [b[0].shape for b in batches] == [(12288, 64), (12288, 64), (12288, 20)]
    assert [b[1].shape for b in batches] == [(1, 64), (1, 64), (1, 20)]
    order = np.random.RandomState(0).permutation(148)
    np.testing.assert_array_equal(np.concatenate([b[0] for b in batches], axis=1), X[:, order])


def test_float32_training_keeps_float32_everywhere():
    X, y = cr.datasets.make_moons(64, seed=2)
    model = cr.Sequential([cr.Dense(2, 8), cr.BatchNorm(8), cr.ReLU(), cr.Dropout(0.1), cr.Dense(8, 2)],
                          dtype=np.float32, seed=3)
    for optimizer in (cr.SGD(0.1, momentum=0.9, nesterov=True), cr.Adam(), cr.AdamW(), cr.RMSprop(),
                      cr.Adagrad()):
        model.fit(X, y, cr.SoftmaxCrossEntropy(), optimizer, epochs=2, batch_size=16)
        for param, grad in model.params_and_grads():
            assert param.dtype == np.float32 and grad.dtype == np.float32
        for name in optimizer.state_names:
            assert all(a.dtype == np.float32 for a in getattr(optimizer, name))
        optimizer = None
    assert model.predict(X).dtype == np.float32


def test_an_unknown_schedule_name_raises():
    # the Dropout and SGD cases that were here live in test_layers.py and test_optimizers.py
    with pytest.raises(ValueError, match="unknown schedule 'sawtooth'"):
        cr.registry.create("schedule", "sawtooth", lr=0.1)
