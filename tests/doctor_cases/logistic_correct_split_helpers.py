# doctor-case: correct
# propagate assembled from the learner's own helpers forward_propagation(w, b, X, Y) -> (A, cost),
# backward_propagation(A, X, Y) -> (dw, db) and update_parameters(w, b, dw, db, learning_rate):
# names that the planar/deep notebooks use for other signatures. dz = (A - Y) / m scaled once,
# cost via np.mean, predict by np.where.

import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def initialize_with_zeros(dim):
    w = np.zeros(shape=(dim, 1))
    b = 0.0
    return w, b


def forward_propagation(w, b, X, Y):
    """A = sigmoid(w.T X + b) and the cross-entropy cost."""
    A = sigmoid(np.dot(w.T, X) + b)
    cost = -np.mean(Y * np.log(A) + (1 - Y) * np.log(1 - A))
    return A, cost


def backward_propagation(A, X, Y):
    """Gradients of the cost with respect to w and b."""
    m = X.shape[1]
    dz = (A - Y) / m
    dw = np.dot(X, dz.T)
    db = np.sum(dz)
    return dw, db


def propagate(w, b, X, Y):
    A, cost = forward_propagation(w, b, X, Y)
    dw, db = backward_propagation(A, X, Y)
    grads = {"dw": dw, "db": db}
    return grads, cost


def update_parameters(w, b, dw, db, learning_rate):
    w = w - learning_rate * dw
    b = b - learning_rate * db
    return w, b


def optimize(w, b, X, Y, num_iterations, learning_rate, print_cost=False):
    costs = []
    for i in range(num_iterations):
        grads, cost = propagate(w, b, X, Y)
        dw, db = grads["dw"], grads["db"]
        w, b = update_parameters(w, b, dw, db, learning_rate)
        if i % 100 == 0:
            costs.append(cost)
            if print_cost:
                print(f"Cost after iteration {i}: {cost:.6f}")
    params = {"w": w, "b": b}
    grads = {"dw": dw, "db": db}
    return params, grads, costs


def predict(w, b, X):
    A = sigmoid(np.dot(w.T, X) + b)
    return np.where(A > 0.5, 1.0, 0.0)


def model(X_train, Y_train, X_test, Y_test, num_iterations=2000, learning_rate=0.5, print_cost=False):
    w, b = initialize_with_zeros(X_train.shape[0])
    params, grads, costs = optimize(w, b, X_train, Y_train, num_iterations, learning_rate, print_cost)
    w, b = params["w"], params["b"]
    Y_prediction_test = predict(w, b, X_test)
    Y_prediction_train = predict(w, b, X_train)
    print("train accuracy: {} %".format(100 - np.mean(np.abs(Y_prediction_train - Y_train)) * 100))
    print("test accuracy: {} %".format(100 - np.mean(np.abs(Y_prediction_test - Y_test)) * 100))
    return {"costs": costs, "Y_prediction_test": Y_prediction_test, "Y_prediction_train": Y_prediction_train,
            "w": w, "b": b, "learning_rate": learning_rate, "num_iterations": num_iterations}


w, b, X, Y = np.array([[1.0], [2.0]]), 2.0, np.array([[1.0, 2.0, -1.0], [3.0, 4.0, -3.2]]), np.array([[1, 0, 1]])
grads, cost = propagate(w, b, X, Y)
print("dw = " + str(grads["dw"]))
print("db = " + str(grads["db"]))
print("cost = " + str(cost))
