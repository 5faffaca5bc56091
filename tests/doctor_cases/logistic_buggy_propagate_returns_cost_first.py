# doctor-case: buggy
# propagate returns (cost, grads) instead of the course's (grads, cost); the learner's own optimize
# unpacks it the same way, so the file runs, but propagate's return structure is not the course's.

import numpy as np
import matplotlib.pyplot as plt


def sigmoid(z):
    return 1. / (1. + np.exp(-z))


def initialize_with_zeros(dim):
    return np.zeros(shape=(dim, 1)), float(0)


def propagate(w, b, X, Y):
    # forward
    m = X.shape[1]
    Z = w.T @ X + b
    A = sigmoid(Z)
    cost = -np.mean(Y * np.log(A) + (1 - Y) * np.log(1 - A))
    # backward
    dZ = A - Y
    dw = X @ dZ.T / m
    db = np.mean(dZ)
    return cost, {"dw": dw, "db": db}  # BUG: signature


def optimize(w, b, X, Y, num_iterations, learning_rate, print_cost=False):
    w = w.copy()
    costs = []
    for i in range(num_iterations):
        cost, grads = propagate(w, b, X, Y)
        w -= learning_rate * grads["dw"]
        b -= learning_rate * grads["db"]
        if i % 100 == 0:
            costs.append(cost)
            if print_cost:
                print(f"Cost after iteration {i}: {cost:f}")
    return {"w": w, "b": b}, grads, costs


def predict(w, b, X):
    """Labels 0/1 for the columns of X."""
    A = sigmoid(np.dot(w.T, X) + b)
    Y_prediction = (A > 0.5).astype(float)
    return Y_prediction


def model(X_train, Y_train, X_test, Y_test, num_iterations = 2000, learning_rate = 0.5, print_cost = False):
    """
    Builds the logistic regression model by calling the function you've implemented previously

    Arguments:
    X_train -- training set represented by a numpy array of shape (num_px * num_px * 3, m_train)
    Y_train -- training labels represented by a numpy array (vector) of shape (1, m_train)
    X_test -- test set represented by a numpy array of shape (num_px * num_px * 3, m_test)
    Y_test -- test labels represented by a numpy array (vector) of shape (1, m_test)
    num_iterations -- hyperparameter representing the number of iterations to optimize the parameters
    learning_rate -- hyperparameter representing the learning rate used in the update rule of optimize()
    print_cost -- Set to true to print the cost every 100 iterations

    Returns:
    d -- dictionary containing information about the model.
    """

    ### START CODE HERE ###

    # initialize parameters with zeros (≈ 1 line of code)
    w, b = initialize_with_zeros(X_train.shape[0])

    # Gradient descent (≈ 1 line of code)
    parameters, grads, costs = optimize(w, b, X_train, Y_train, num_iterations, learning_rate, print_cost)

    # Retrieve parameters w and b from dictionary "parameters"
    w = parameters["w"]
    b = parameters["b"]

    # Predict test/train set examples (≈ 2 lines of code)
    Y_prediction_test = predict(w, b, X_test)
    Y_prediction_train = predict(w, b, X_train)

    ### END CODE HERE ###

    # Print train/test Errors
    print("train accuracy: {} %".format(100 - np.mean(np.abs(Y_prediction_train - Y_train)) * 100))
    print("test accuracy: {} %".format(100 - np.mean(np.abs(Y_prediction_test - Y_test)) * 100))


    d = {"costs": costs,
         "Y_prediction_test": Y_prediction_test,
         "Y_prediction_train" : Y_prediction_train,
         "w" : w,
         "b" : b,
         "learning_rate" : learning_rate,
         "num_iterations": num_iterations}

    return d


# The cat pictures (train_catvnoncat.h5) are not in this folder: a small made-up data set with the
# same layout stands in for them (X: (n_x, m), one column per example; Y: (1, m) of 0/1).
np.random.seed(0)
train_set_x = np.random.randn(4, 60)
train_set_y = (train_set_x[0:1, :] + 0.5 * train_set_x[1:2, :] > 0).astype(int)
test_set_x = np.random.randn(4, 20)
test_set_y = (test_set_x[0:1, :] + 0.5 * test_set_x[1:2, :] > 0).astype(int)
print("train_set_x shape: " + str(train_set_x.shape))
print("train_set_y shape: " + str(train_set_y.shape))


w, b, X, Y = np.array([[1.],[2.]]), 2., np.array([[1.,2.,-1.],[3.,4.,-3.2]]), np.array([[1,0,1]])
cost, grads = propagate(w, b, X, Y)
print ("dw = " + str(grads["dw"]))
print ("db = " + str(grads["db"]))
print ("cost = " + str(cost))


params, grads, costs = optimize(w, b, X, Y, num_iterations= 100, learning_rate = 0.009, print_cost = False)

print ("w = " + str(params["w"]))
print ("b = " + str(params["b"]))
print ("dw = " + str(grads["dw"]))
print ("db = " + str(grads["db"]))


w = np.array([[0.1124579],[0.23106775]])
b = -0.3
X = np.array([[1.,-1.1,-3.2],[1.2,2.,0.1]])
print ("predictions = " + str(predict(w, b, X)))


d = model(train_set_x, train_set_y, test_set_x, test_set_y, num_iterations = 300, learning_rate = 0.05, print_cost = True)
