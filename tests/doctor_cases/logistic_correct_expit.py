# doctor-case: correct
# scipy.special.expit as the sigmoid (overflow-free), b kept as a (1, 1) array from the start
# (np.zeros((1, 1))), the gradients from one matrix product over [X; 1], optimize's loop with an
# in-place update on copies, np.round in predict.

import numpy as np
from scipy.special import expit


def sigmoid(z):
    return expit(z)


def initialize_with_zeros(dim):
    return np.zeros((dim, 1)), np.zeros((1, 1))


def propagate(w, b, X, Y):
    m = X.shape[1]
    A = sigmoid(w.T @ X + b)
    cost = -np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)) / m
    X1 = np.vstack([X, np.ones((1, m))])          # append a row of ones: the bias is the last weight
    g = X1 @ (A - Y).T / m
    grads = {"dw": g[:-1], "db": g[-1:]}
    return grads, cost


def optimize(w, b, X, Y, num_iterations, learning_rate, print_cost=False):
    w = np.array(w, dtype=float)
    b = np.array(b, dtype=float).reshape(1, 1)
    costs = []
    for i in range(num_iterations):
        grads, cost = propagate(w, b, X, Y)
        w -= learning_rate * grads["dw"]
        b -= learning_rate * grads["db"]
        if i % 100 == 0:
            costs.append(cost)
    return {"w": w, "b": b}, grads, costs


def predict(w, b, X):
    return np.round(sigmoid(w.T @ X + b))


def model(X_train, Y_train, X_test, Y_test, num_iterations=2000, learning_rate=0.5, print_cost=False):
    w, b = initialize_with_zeros(X_train.shape[0])
    params, grads, costs = optimize(w, b, X_train, Y_train, num_iterations, learning_rate, print_cost)
    return {"costs": costs,
            "Y_prediction_test": predict(params["w"], params["b"], X_test),
            "Y_prediction_train": predict(params["w"], params["b"], X_train),
            "w": params["w"], "b": params["b"],
            "learning_rate": learning_rate, "num_iterations": num_iterations}
