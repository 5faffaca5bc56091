# doctor-case: correct
# Seed 002's rewrite of network.py: number_layers, the output error in derivate() (kept as the
# book's cost_derivative too), SGD shuffling the caller's list in place as network.py does.

import numpy as np
import random


class Network(object):
    def __init__(self, sizes):
        self.number_layers = len(sizes)
        self.sizes = sizes
        self.biases = [np.random.randn(y, 1) for y in sizes[1:]]
        self.weights = [np.random.randn(y, x) for x, y in zip(sizes[:-1], sizes[1:])]

    def feedforward(self, a):
        for b, w in zip(self.biases, self.weights):
            a = sigmoid(np.dot(w, a) + b)
        return a

    def evaluate(self, test_data):
        test_results = [(np.argmax(self.feedforward(x)), y) for (x, y) in test_data]
        return sum(int(x == y) for (x, y) in test_results)

    def derivate(self, output, y):
        return (output - y)

    def cost_derivative(self, output_activations, y):
        # the book's name for derivate()
        return self.derivate(output_activations, y)

    def backprop(self, x, y):
        nabla_b = [np.zeros(b.shape) for b in self.biases]
        nabla_w = [np.zeros(w.shape) for w in self.weights]
        activation = x
        activations = [x]
        zs = []
        for b, w in zip(self.biases, self.weights):
            z = np.dot(w, activation) + b
            zs.append(z)
            activation = sigmoid(z)
            activations.append(activation)
        delta = self.derivate(activations[-1], y) * sigmoid_prime(zs[-1])
        nabla_b[-1] = delta
        nabla_w[-1] = np.dot(delta, activations[-2].transpose())
        for i in range(2, self.number_layers):
            z = zs[-i]
            ps = sigmoid_prime(z)
            delta = np.dot(self.weights[-i + 1].transpose(), delta) * ps
            nabla_b[-i] = delta
            nabla_w[-i] = np.dot(delta, activations[-i - 1].transpose())
        return nabla_b, nabla_w

    def update_mini_batch(self, mini_batch, eta):
        nabla_w = [np.zeros(w.shape) for w in self.weights]
        nabla_b = [np.zeros(b.shape) for b in self.biases]
        for x, y in mini_batch:
            delta_nabla_b, delta_nabla_w = self.backprop(x, y)
            nabla_b = [nb + dnb for nb, dnb in zip(nabla_b, delta_nabla_b)]
            nabla_w = [nw + dnw for nw, dnw in zip(nabla_w, delta_nabla_w)]
        self.weights = [w - (eta / len(mini_batch) * nw) for w, nw in zip(self.weights, nabla_w)]
        self.biases = [b - (eta / len(mini_batch) * nb) for b, nb in zip(self.biases, nabla_b)]

    def SGD(self, training_data, epochs, mini_batch_size, eta, test_data=None):
        if test_data: n_test = len(test_data)
        n = len(training_data)
        for j in range(epochs):
            random.shuffle(training_data)
            mini_batches = [
                training_data[k:k + mini_batch_size] for k in range(0, n, mini_batch_size)
            ]
            for mini_batch in mini_batches:
                self.update_mini_batch(mini_batch, eta)
            if test_data:
                print('Epoch{0} : {1}/{2} '.format(j, self.evaluate(test_data), n_test))
            else:
                print('Epoch{0} complete'.format(j))


#### Miscellaneous functions
def sigmoid(z):
    """The sigmoid function."""
    return 1.0/(1.0+np.exp(-z))

def sigmoid_prime(z):
    """Derivative of the sigmoid function."""
    return sigmoid(z)*(1-sigmoid(z))


# A small stand-in for MNIST with the same format as mnist_loader.load_data_wrapper():
# training pairs (x (n, 1), one-hot y (k, 1)), test pairs (x (n, 1), int label).
def vectorized_result(j, k=2):
    e = np.zeros((k, 1))
    e[j] = 1.0
    return e

rng = np.random.RandomState(0)
points = rng.randn(120, 2)
labels = (points[:, 0] * points[:, 1] > 0).astype(int)
training_data = [(p.reshape(2, 1), vectorized_result(l)) for p, l in zip(points[:100], labels[:100])]
test_data = [(p.reshape(2, 1), int(l)) for p, l in zip(points[100:], labels[100:])]


net = Network([2, 5, 2])
net.SGD(training_data, 5, 10, 3.0, test_data=test_data)
