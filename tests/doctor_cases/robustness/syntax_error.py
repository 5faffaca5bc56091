# doctor-case: robust syntax error (seed 000's template with the blanks not filled in)
import numpy as np


def sigmoid(z):
    s = 1 / (1 + np.exp(-z))
    return s


def propagate(w, b, X, Y):
    m = X.shape[1]

    # FORWARD PROPAGATION (FROM X TO COST)
    ### START CODE HERE ### (≈ 2 lines of code)
    A =                                      # compute activation
    cost =                                   # compute cost
    ### END CODE HERE ###

    # BACKWARD PROPAGATION (TO FIND GRAD)
    ### START CODE HERE ### (≈ 2 lines of code)
    dw =
    db =
    ### END CODE HERE ###

    grads = {"dw": dw,
             "db": db}

    return grads, cost
