"""Seed 000 (the course's C1W2): logistic regression as a one-neuron net, column layout."""

import numpy as np
import pytest

from chainrule import BinaryCrossEntropy, Dense, Sequential, Sigmoid
from chainrule.classic import load_cat_data, logistic

from _paths import COURSERA

h5py = pytest.importorskip("h5py", reason="the cat data needs h5py (pip install 'chainrule[data]')")


def seed000_inputs():
    return np.array([[1], [2]]), 2, np.array([[1, 2], [3, 4]]), np.array([[1, 0]])


def test_propagate_reproduces_seed000_expected_output():
    grads, cost = logistic.propagate(*seed000_inputs())
    # Expected output printed in seed 000: dw [[0.99993216] [1.99980262]], db 0.499935230625,
    # cost 6.000064773192205
    np.testing.assert_allclose(grads["dw"], [[0.99993216], [1.99980262]], atol=5e-9)
    assert abs(grads["db"] - 0.499935230625) < 5e-13
    assert abs(cost - 6.000064773192205) < 1e-12
    assert grads["dw"].shape == (2, 1) and np.shape(cost) == ()


def test_seed000_bug_sigmoid_of_X_gives_a_different_answer():
    w, b, X, Y = seed000_inputs()
    A_wrong = logistic.sigmoid(X)            # the seed's mistake: σ(X) instead of σ(wᵀX + b)
    assert A_wrong.shape == (2, 2)           # it is not even (1, m)
    A_right = logistic.sigmoid(w.T @ X + b)
    grads, cost = logistic.propagate(w, b, X, Y)
    expected = -np.mean(Y * np.log(A_right) + (1 - Y) * np.log(1 - A_right))
    assert abs(cost - expected) < 1e-12


def test_propagate_equals_engine_on_rows():
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(5, 7)), (rng.random((1, 7)) > 0.5).astype(float)
    w, b = rng.normal(size=(5, 1)), 0.3
    grads, cost = logistic.propagate(w, b, X, Y)
    model = Sequential([Dense(5, 1), Sigmoid()], seed=0)
    model.layers[0].W[...] = w
    model.layers[0].b[...] = b
    loss = BinaryCrossEntropy()
    assert loss.forward(model.forward(X.T), Y.T) == cost
    model.backward(loss.backward())
    np.testing.assert_array_equal(grads["dw"], model.layers[0].dW)


def test_sigmoid_scalar_and_array():
    assert logistic.sigmoid(0) == 0.5
    np.testing.assert_allclose(logistic.sigmoid(np.array([0, 2])), [0.5, 0.88079708], atol=1e-8)


def test_optimize_matches_hand_loop_and_leaves_caller_w_alone():
    w, b, X, Y = seed000_inputs()
    w = w.astype(float)
    params, grads, costs = logistic.optimize(w, b, X, Y, num_iterations=100, learning_rate=0.009)
    # The course's expected output for this call (seed 000's inputs): w = [[0.1124579] [0.23106775]],
    # b = 1.55930492484, dw = [[0.90158428] [1.76250842]], db = 0.430462071679
    np.testing.assert_allclose(params["w"], [[0.1124579], [0.23106775]], atol=5e-8)
    assert abs(params["b"] - 1.55930492484) < 5e-11
    np.testing.assert_allclose(grads["dw"], [[0.90158428], [1.76250842]], atol=5e-9)
    assert abs(grads["db"] - 0.430462071679) < 5e-12
    assert len(costs) == 1
    np.testing.assert_array_equal(w, [[1.0], [2.0]])


def test_predict_is_strictly_greater_than_half():
    w, b = np.array([[0.1124579], [0.23106775]]), -0.3
    X = np.array([[1., -1.1, -3.2], [1.2, 2., 0.1]])
    # The course's expected output: [[1. 1. 0.]]
    np.testing.assert_array_equal(logistic.predict(w, b, X), [[1., 1., 0.]])
    assert logistic.predict(np.zeros((2, 1)), 0.0, X).sum() == 0     # σ(0) = 0.5 is not > 0.5


def test_model_on_cat_data_reproduces_the_course(capsys):
    train_x, train_y, test_x, test_y, classes = load_cat_data(COURSERA)
    assert train_x.shape == (12288, 209) and test_x.shape == (12288, 50)
    d = logistic.model(train_x, train_y, test_x, test_y, num_iterations=2000, learning_rate=0.005, print_cost=True)
    out = capsys.readouterr().out
    # The course's printed costs (every 100 iterations) and accuracies.
    published = [0.693147, 0.584508, 0.466949, 0.376007, 0.331463, 0.303273, 0.279880, 0.260042, 0.242941,
                 0.228004, 0.214820, 0.203078, 0.192544, 0.183033, 0.174399, 0.166521, 0.159305, 0.152667,
                 0.146542, 0.140872]
    np.testing.assert_allclose(d["costs"], published, atol=5e-7)
    assert "Cost after iteration 1900: 0.140872" in out
    assert "train accuracy: 99.04306220095694 %" in out
    assert "test accuracy: 70.0 %" in out


def test_bad_shapes_say_what_to_do():
    w, b, X, Y = seed000_inputs()
    with pytest.raises(ValueError, match=r"w must be \(2, 1\)"):
        logistic.propagate(np.ones((3, 1)), b, X, Y)
    with pytest.raises(ValueError, match="examples"):
        logistic.propagate(w, b, X, np.array([[1, 0, 1]]))
    with pytest.raises(ValueError, match="reshape"):
        logistic.propagate(w, b, X, np.array([1, 0]))
