# doctor-case: correct
# L_model_backward skips dAL: the output layer's dZ = AL - Y goes straight into linear_backward
# (sigmoid + cross-entropy simplified by hand), hidden layers through linear_activation_backward;
# relu_backward by np.where; He initialization; L_layer_model returns (parameters, costs); predict
# thresholds in a loop and prints the accuracy.

import numpy as np


def sigmoid(Z):
    return 1 / (1 + np.exp(-Z)), Z


def relu(Z):
    return np.maximum(Z, 0), Z


def relu_backward(dA, cache):
    return np.where(cache > 0, dA, 0.0)


def sigmoid_backward(dA, cache):
    s, _ = sigmoid(cache)
    return dA * s * (1 - s)


def initialize_parameters_deep(layer_dims):
    np.random.seed(3)
    L = len(layer_dims)
    parameters = {}
    for l in range(1, L):
        parameters["W%d" % l] = np.random.randn(layer_dims[l], layer_dims[l - 1]) * np.sqrt(2.0 / layer_dims[l - 1])
        parameters["b%d" % l] = np.zeros((layer_dims[l], 1))
    return parameters


def linear_forward(A, W, b):
    Z = W.dot(A) + b
    return Z, (A, W, b)


def linear_activation_forward(A_prev, W, b, activation):
    Z, linear_cache = linear_forward(A_prev, W, b)
    A, activation_cache = relu(Z) if activation == "relu" else sigmoid(Z)
    return A, (linear_cache, activation_cache)


def L_model_forward(X, parameters):
    L = len(parameters) // 2
    caches = []
    A = X
    for l in range(1, L + 1):
        activation = "sigmoid" if l == L else "relu"
        A, cache = linear_activation_forward(A, parameters["W%d" % l], parameters["b%d" % l], activation)
        caches.append(cache)
    return A, caches


def compute_cost(AL, Y):
    m = AL.shape[1]
    cost = -(1.0 / m) * np.sum(np.multiply(Y, np.log(AL)) + np.multiply(1 - Y, np.log(1 - AL)))
    return np.squeeze(cost)


def linear_backward(dZ, cache):
    A_prev, W, b = cache
    m = A_prev.shape[1]
    return W.T.dot(dZ), dZ.dot(A_prev.T) / m, dZ.sum(axis=1, keepdims=True) / m


def linear_activation_backward(dA, cache, activation):
    linear_cache, Z = cache
    dZ = relu_backward(dA, Z) if activation == "relu" else sigmoid_backward(dA, Z)
    return linear_backward(dZ, linear_cache)


def L_model_backward(AL, Y, caches):
    grads = {}
    L = len(caches)
    Y = Y.reshape(AL.shape)
    linear_cache, _ = caches[L - 1]
    dZL = AL - Y
    grads["dA%d" % (L - 1)], grads["dW%d" % L], grads["db%d" % L] = linear_backward(dZL, linear_cache)
    for l in reversed(range(1, L)):
        grads["dA%d" % (l - 1)], grads["dW%d" % l], grads["db%d" % l] = \
            linear_activation_backward(grads["dA%d" % l], caches[l - 1], "relu")
    return grads


def update_parameters(parameters, grads, learning_rate):
    for l in range(1, len(parameters) // 2 + 1):
        parameters["W%d" % l] = parameters["W%d" % l] - learning_rate * grads["dW%d" % l]
        parameters["b%d" % l] = parameters["b%d" % l] - learning_rate * grads["db%d" % l]
    return parameters


def L_layer_model(X, Y, layers_dims, learning_rate=0.0075, num_iterations=3000, print_cost=False):
    np.random.seed(1)
    costs = []
    parameters = initialize_parameters_deep(layers_dims)
    for i in range(num_iterations):
        AL, caches = L_model_forward(X, parameters)
        cost = compute_cost(AL, Y)
        grads = L_model_backward(AL, Y, caches)
        parameters = update_parameters(parameters, grads, learning_rate)
        if i % 100 == 0 or i == num_iterations - 1:
            costs.append(cost)
            if print_cost:
                print("Cost after iteration {}: {}".format(i, cost))
    return parameters, costs


def predict(X, y, parameters):
    m = X.shape[1]
    p = np.zeros((1, m))
    probas, caches = L_model_forward(X, parameters)
    for i in range(0, probas.shape[1]):
        if probas[0, i] > 0.5:
            p[0, i] = 1
        else:
            p[0, i] = 0
    print("Accuracy: " + str(np.sum((p == y) / m)))
    return p
