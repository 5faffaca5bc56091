"""The per-example peer: Michael Nielsen's ``network.py`` / ``network2.py`` algorithm, in Python 3.

Written from the algorithm of "Neural Networks and Deep Learning", chapters 1-3, not copied:

* examples are column vectors: ``x`` (784, 1), ``y`` (10, 1) one-hot, weights ``w`` (n_out, n_in),
  biases ``b`` (n_out, 1);
* ``backprop(x, y)`` runs forward and backward for ONE example and returns ``(nabla_b, nabla_w)``;
* ``update_mini_batch`` sums those over the examples of the mini-batch, one Python call each, then
  applies ``w -= eta/m * sum nabla_w`` (network.py), or with L2 weight decay
  ``w = (1 - eta*lmbda/n) * w - eta/m * sum nabla_w`` (network2.py, n = training-set size);
* the cost is ``"quadratic"`` (output delta ``(a - y) * sigma'(z)``) or ``"cross_entropy"``
  (output delta ``a - y``); every layer is a sigmoid;
* ``random.shuffle(training_data)`` is replaced by a seeded ``numpy`` permutation, so runs repeat.

This module is benchmark code: it keeps Nielsen's structure (lists of arrays, list comprehensions,
``sigmoid_prime`` recomputing the sigmoid) on purpose, because that per-example loop is what
``chainrule``'s vectorized mini-batches are measured against.
"""

from __future__ import annotations

import time
from typing import Callable, Optional, Sequence

import numpy as np


def sigmoid(z):
    """The sigmoid function."""
    return 1.0 / (1.0 + np.exp(-z))


def sigmoid_prime(z):
    """Derivative of the sigmoid function (recomputes it, as network.py does)."""
    return sigmoid(z) * (1 - sigmoid(z))


class QuadraticCost:
    @staticmethod
    def fn(a, y):
        return 0.5 * np.linalg.norm(a - y) ** 2

    @staticmethod
    def delta(z, a, y):
        return (a - y) * sigmoid_prime(z)


class CrossEntropyCost:
    @staticmethod
    def fn(a, y):
        return np.sum(np.nan_to_num(-y * np.log(a) - (1 - y) * np.log(1 - a)))

    @staticmethod
    def delta(z, a, y):
        return a - y


COSTS = {"quadratic": QuadraticCost, "cross_entropy": CrossEntropyCost}


class Network:
    """``Network(sizes)`` as in network.py; ``cost="cross_entropy"`` and ``lmbda`` give network2.py.

    Parameters
    ----------
    sizes : e.g. [784, 30, 10]
    weights, biases : optional initial parameters, ``weights[l]`` (n_out, n_in), ``biases[l]``
        (n_out, 1). Default: network.py's ``randn`` for both, drawn from ``seed``.
    cost : "quadratic" (network.py) or "cross_entropy" (network2.py)
    seed : seeds the initial weights (when not given) and the per-epoch shuffles.
    """

    def __init__(self, sizes: Sequence[int], weights=None, biases=None, cost: str = "quadratic",
                 seed: Optional[int] = 0, dtype=np.float64):
        self.num_layers = len(sizes)
        self.sizes = list(sizes)
        self.rng = np.random.default_rng(seed)
        self.cost = COSTS[cost]
        self.dtype = np.dtype(dtype)
        if weights is None:
            weights = [self.rng.standard_normal((y, x)) for x, y in zip(sizes[:-1], sizes[1:])]
        if biases is None:
            biases = [self.rng.standard_normal((y, 1)) for y in sizes[1:]]
        self.weights = [np.array(w, dtype=self.dtype) for w in weights]
        self.biases = [np.array(b, dtype=self.dtype).reshape(-1, 1) for b in biases]

    def feedforward(self, a):
        for b, w in zip(self.biases, self.weights):
            a = sigmoid(np.dot(w, a) + b)
        return a

    def SGD(self, training_data: list, epochs: int, mini_batch_size: int, eta: float, lmbda: float = 0.0,
            test_data: Optional[list] = None,
            epoch_end: Optional[Callable[[int, float], None]] = None) -> None:
        """Mini-batch SGD; ``epoch_end(epoch, seconds)`` is called after each epoch's training."""
        n = len(training_data)
        for j in range(epochs):
            start = time.perf_counter()
            order = self.rng.permutation(n)       # stands in for random.shuffle(training_data)
            training_data = [training_data[i] for i in order]
            mini_batches = [training_data[k:k + mini_batch_size] for k in range(0, n, mini_batch_size)]
            for mini_batch in mini_batches:
                self.update_mini_batch(mini_batch, eta, lmbda, n)
            seconds = time.perf_counter() - start
            if epoch_end is not None:
                epoch_end(j, seconds)
            if test_data:
                print(f"Epoch {j}: {self.evaluate(test_data)} / {len(test_data)}")

    def update_mini_batch(self, mini_batch: list, eta: float, lmbda: float = 0.0, n: int = 1) -> None:
        nabla_b = [np.zeros(b.shape, dtype=self.dtype) for b in self.biases]
        nabla_w = [np.zeros(w.shape, dtype=self.dtype) for w in self.weights]
        for x, y in mini_batch:
            delta_nabla_b, delta_nabla_w = self.backprop(x, y)
            nabla_b = [nb + dnb for nb, dnb in zip(nabla_b, delta_nabla_b)]
            nabla_w = [nw + dnw for nw, dnw in zip(nabla_w, delta_nabla_w)]
        m = len(mini_batch)
        if lmbda:
            decay = 1 - eta * (lmbda / n)
            self.weights = [decay * w - (eta / m) * nw for w, nw in zip(self.weights, nabla_w)]
        else:
            self.weights = [w - (eta / m) * nw for w, nw in zip(self.weights, nabla_w)]
        self.biases = [b - (eta / m) * nb for b, nb in zip(self.biases, nabla_b)]

    def backprop(self, x, y):
        nabla_b = [np.zeros(b.shape, dtype=self.dtype) for b in self.biases]
        nabla_w = [np.zeros(w.shape, dtype=self.dtype) for w in self.weights]
        # forward pass, keeping every z and activation
        activation = x
        activations = [x]
        zs = []
        for b, w in zip(self.biases, self.weights):
            z = np.dot(w, activation) + b
            zs.append(z)
            activation = sigmoid(z)
            activations.append(activation)
        # backward pass
        delta = self.cost.delta(zs[-1], activations[-1], y)
        nabla_b[-1] = delta
        nabla_w[-1] = np.dot(delta, activations[-2].transpose())
        for layer in range(2, self.num_layers):
            z = zs[-layer]
            sp = sigmoid_prime(z)
            delta = np.dot(self.weights[-layer + 1].transpose(), delta) * sp
            nabla_b[-layer] = delta
            nabla_w[-layer] = np.dot(delta, activations[-layer - 1].transpose())
        return nabla_b, nabla_w

    def evaluate(self, test_data: list) -> int:
        """Number of test examples ``(x, label)`` whose argmax output equals the label."""
        return sum(int(np.argmax(self.feedforward(x)) == y) for (x, y) in test_data)


# -- data in Nielsen's load_data_wrapper format ---------------------------------------------------
def vectorized_result(j: int, dtype=np.float64):
    e = np.zeros((10, 1), dtype=dtype)
    e[j] = 1.0
    return e


def wrap_training(X: np.ndarray, labels: np.ndarray, dtype=np.float64) -> list:
    """[(x (784, 1), y (10, 1)), ...]; x keeps X's dtype (float32 in mnist.pkl.gz), as Nielsen's does."""
    return [(np.reshape(x, (X.shape[1], 1)), vectorized_result(int(j), dtype)) for x, j in zip(X, labels)]


def wrap_test(X: np.ndarray, labels: np.ndarray) -> list:
    """[(x (784, 1), label int), ...]."""
    return [(np.reshape(x, (X.shape[1], 1)), int(j)) for x, j in zip(X, labels)]


if __name__ == "__main__":       # a tiny self-contained smoke run on random data
    rng = np.random.default_rng(0)
    X = rng.random((1000, 784), dtype=np.float32)
    y = rng.integers(0, 10, 1000)
    net = Network([784, 30, 10], seed=0)
    net.SGD(wrap_training(X, y), 1, 10, 3.0, epoch_end=lambda j, s: print(f"epoch {j}: {s:.3f} s"))
    print("train accuracy", net.evaluate(wrap_test(X, y)) / 1000)
