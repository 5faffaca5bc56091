# doctor-case: correct
# Chapter 2's exercise done: a fully matrix-based mini-batch. update_mini_batch stacks the examples
# into X (n_in, m) and Y (n_out, m) with np.hstack and calls backprop once; backprop works on columns
# and sums over them (delta.sum(axis=1, keepdims=True)), so one example is the m = 1 case.

import random

import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def sigmoid_prime(z):
    return sigmoid(z) * (1.0 - sigmoid(z))


class Network(object):

    def __init__(self, sizes):
        self.num_layers = len(sizes)
        self.sizes = sizes
        self.biases = [np.random.randn(y, 1) for y in sizes[1:]]
        self.weights = [np.random.randn(y, x) for x, y in zip(sizes[:-1], sizes[1:])]

    def feedforward(self, a):
        for b, w in zip(self.biases, self.weights):
            a = sigmoid(w @ a + b)
        return a

    def SGD(self, training_data, epochs, mini_batch_size, eta, test_data=None):
        training_data = list(training_data)
        n = len(training_data)
        for j in range(epochs):
            random.shuffle(training_data)
            for k in range(0, n, mini_batch_size):
                self.update_mini_batch(training_data[k:k + mini_batch_size], eta)
            if test_data:
                print("Epoch {0}: {1} / {2}".format(j, self.evaluate(test_data), len(test_data)))

    def update_mini_batch(self, mini_batch, eta):
        X = np.hstack([x for x, y in mini_batch])
        Y = np.hstack([y for x, y in mini_batch])
        nabla_b, nabla_w = self.backprop(X, Y)
        m = X.shape[1]
        self.weights = [w - (eta / m) * nw for w, nw in zip(self.weights, nabla_w)]
        self.biases = [b - (eta / m) * nb for b, nb in zip(self.biases, nabla_b)]

    def backprop(self, X, Y):
        """Gradients summed over the columns of X (one column per example)."""
        nabla_b = [None] * len(self.biases)
        nabla_w = [None] * len(self.weights)
        activations = [X]
        zs = []
        for b, w in zip(self.biases, self.weights):
            zs.append(w @ activations[-1] + b)
            activations.append(sigmoid(zs[-1]))
        delta = self.cost_derivative(activations[-1], Y) * sigmoid_prime(zs[-1])
        nabla_b[-1] = delta.sum(axis=1, keepdims=True)
        nabla_w[-1] = delta @ activations[-2].T
        for l in range(2, self.num_layers):
            delta = (self.weights[-l + 1].T @ delta) * sigmoid_prime(zs[-l])
            nabla_b[-l] = delta.sum(axis=1, keepdims=True)
            nabla_w[-l] = delta @ activations[-l - 1].T
        return nabla_b, nabla_w

    def evaluate(self, test_data):
        X = np.hstack([x for x, y in test_data])
        labels = np.array([y for x, y in test_data])
        return int(np.sum(np.argmax(self.feedforward(X), axis=0) == labels))

    def cost_derivative(self, output_activations, y):
        return output_activations - y
