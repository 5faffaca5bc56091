# doctor-case: correct
# Extra entries everywhere: the cache also holds W1 and W2, grads also returns dZ1/dZ2, the cost is
# made of np.dot products (a (1, 1) array, squeezed), nn_model takes a learning_rate argument and hands
# it to update_parameters by keyword, predict returns (A2 > 0.5) * 1, asserts on every shape.

import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def layer_sizes(X, Y, hidden_units=4):
    return X.shape[0], hidden_units, Y.shape[0]


def initialize_parameters(n_x, n_h, n_y):
    np.random.seed(2)
    W1 = np.random.randn(n_h, n_x) * 0.01
    b1 = np.zeros(shape=(n_h, 1))
    W2 = np.random.randn(n_y, n_h) * 0.01
    b2 = np.zeros(shape=(n_y, 1))
    assert W1.shape == (n_h, n_x)
    assert b1.shape == (n_h, 1)
    assert W2.shape == (n_y, n_h)
    assert b2.shape == (n_y, 1)
    return {"W1": W1, "b1": b1, "W2": W2, "b2": b2}


def forward_propagation(X, parameters):
    W1 = parameters["W1"]
    b1 = parameters["b1"]
    W2 = parameters["W2"]
    b2 = parameters["b2"]
    Z1 = np.matmul(W1, X) + b1
    A1 = np.tanh(Z1)
    Z2 = np.matmul(W2, A1) + b2
    A2 = sigmoid(Z2)
    assert A2.shape == (W2.shape[0], X.shape[1])
    cache = {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2, "W1": W1, "W2": W2}
    return A2, cache


def compute_cost(A2, Y, parameters):
    m = Y.shape[1]
    cost = -(np.dot(Y, np.log(A2).T) + np.dot(1 - Y, np.log(1 - A2).T)) / m
    cost = np.squeeze(cost)
    assert cost.shape == ()
    return cost


def backward_propagation(parameters, cache, X, Y):
    m = X.shape[1]
    W2 = cache["W2"]
    A1 = cache["A1"]
    A2 = cache["A2"]
    dZ2 = A2 - Y
    dW2 = np.matmul(dZ2, A1.T) / m
    db2 = np.sum(dZ2, axis=1, keepdims=True) / m
    dZ1 = np.multiply(np.matmul(W2.T, dZ2), 1 - np.power(A1, 2))
    dW1 = np.matmul(dZ1, X.T) / m
    db1 = np.sum(dZ1, axis=1, keepdims=True) / m
    assert dW1.shape == parameters["W1"].shape and dW2.shape == parameters["W2"].shape
    return {"dZ2": dZ2, "dW2": dW2, "db2": db2, "dZ1": dZ1, "dW1": dW1, "db1": db1}


def update_parameters(parameters, grads, learning_rate=1.2):
    new = {}
    for name in ("W1", "b1", "W2", "b2"):
        new[name] = parameters[name] - learning_rate * grads["d" + name]
    return new


def nn_model(X, Y, n_h, num_iterations=10000, print_cost=False, learning_rate=1.2):
    np.random.seed(3)
    n_x, _, n_y = layer_sizes(X, Y)
    parameters = initialize_parameters(n_x, n_h, n_y)
    costs = []
    for i in range(num_iterations):
        A2, cache = forward_propagation(X, parameters)
        costs.append(compute_cost(A2, Y, parameters))
        grads = backward_propagation(parameters, cache, X, Y)
        parameters = update_parameters(parameters, grads, learning_rate=learning_rate)
        if print_cost and i % 1000 == 0:
            print("Cost after iteration {}: {:.6f}".format(i, costs[-1]))
    return parameters


def predict(parameters, X):
    A2, _ = forward_propagation(X, parameters)
    return (A2 > 0.5) * 1


if __name__ == "__main__":
    X = np.random.randn(2, 400)
    Y = (np.sum(X, axis=0, keepdims=True) > 0).astype(float)
    parameters = nn_model(X, Y, 4, num_iterations=10000, print_cost=True)
    print("Accuracy: %d %%" % float(np.mean(predict(parameters, X) == Y) * 100))
