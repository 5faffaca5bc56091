# doctor-case: robust raises at import (NameError after the first function)
# The learner's script uses lr_utils.load_dataset without importing it.
import numpy as np


def sigmoid(z):
    s = 1 / (1 + np.exp(-z))
    return s


train_set_x_orig, train_set_y, test_set_x_orig, test_set_y, classes = load_dataset()


def propagate(w, b, X, Y):
    m = X.shape[1]
    A = sigmoid(np.dot(w.T, X) + b)
    cost = -1 / m * np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A))
    dw = 1 / m * np.dot(X, (A - Y).T)
    db = 1 / m * np.sum(A - Y)
    return {"dw": dw, "db": db}, cost
