# doctor-case: buggy
# The backward pass is for 1/m * sum((A2 - Y)**2), but the cost computes half of it.

# Package imports
import numpy as np
import matplotlib.pyplot as plt
from planar_utils import plot_decision_boundary, sigmoid, load_planar_dataset, load_extra_datasets

np.random.seed(1) # set a seed so that the results are consistent


def sigmoid_prime(z):
    """Derivative of the sigmoid function."""
    return sigmoid(z)*(1-sigmoid(z))


def layer_sizes(X, Y):
    return X.shape[0], 4, Y.shape[0]


def initialize_parameters(n_x, n_h, n_y):
    W1 = np.random.randn(n_h,n_x)*0.01 #n[L] by n[L-1]
    b1 = np.zeros((n_h,1))             #n[L] by 1
    W2 = np.random.randn(n_y,n_h)*0.01 #n[L] by n[L-1]
    b2 = np.zeros((n_y,1))             #n[L] by 1
    return {"W1": W1, "b1": b1, "W2": W2, "b2": b2}


def forward_propagation(X, parameters):
    W1, b1, W2, b2 = parameters["W1"], parameters["b1"], parameters["W2"], parameters["b2"]
    Z1 = W1 @ X + b1
    A1 = sigmoid(Z1)
    Z2 = W2 @ A1 + b2
    A2 = sigmoid(Z2)
    cache = {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2}
    return A2, cache


def compute_cost(A2, Y):
    m = Y.shape[1]
    cost = 1/(2*m) * np.sum((A2 - Y)**2)  # BUG: scale
    return cost


def backward_propagation(parameters, cache, X, Y):
    m = Y.shape[1]
    W2 = parameters["W2"]
    Z1, A1, Z2, A2 = cache["Z1"], cache["A1"], cache["Z2"], cache["A2"]
    dA2 = 2 * (A2 - Y)                        #1,400
    dZ2 = dA2 * sigmoid_prime(Z2)             #1,400  elementwise, not @
    dW2 = 1/m * dZ2 @ A1.T                    #1,4
    db2 = 1/m * np.sum(dZ2, axis=1, keepdims=True)
    dA1 = W2.T @ dZ2                          #4,400
    dZ1 = dA1 * sigmoid_prime(Z1)             #4,400
    dW1 = 1/m * dZ1 @ X.T                     #4,2
    db1 = 1/m * np.sum(dZ1, axis=1, keepdims=True)
    return {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}


def update_parameters(parameters, grads, learning_rate = 1.2):
    """
    Updates parameters using the gradient descent update rule given above

    Arguments:
    parameters -- python dictionary containing your parameters
    grads -- python dictionary containing your gradients

    Returns:
    parameters -- python dictionary containing your updated parameters
    """
    # Retrieve each parameter from the dictionary "parameters"
    ### START CODE HERE ### (≈ 4 lines of code)
    W1 = parameters["W1"]
    b1 = parameters["b1"]
    W2 = parameters["W2"]
    b2 = parameters["b2"]
    ### END CODE HERE ###

    # Retrieve each gradient from the dictionary "grads"
    ### START CODE HERE ### (≈ 4 lines of code)
    dW1 = grads["dW1"]
    db1 = grads["db1"]
    dW2 = grads["dW2"]
    db2 = grads["db2"]
    ## END CODE HERE ###

    # Update rule for each parameter
    ### START CODE HERE ### (≈ 4 lines of code)
    W1 = W1 - learning_rate * dW1
    b1 = b1 - learning_rate * db1
    W2 = W2 - learning_rate * dW2
    b2 = b2 - learning_rate * db2
    ### END CODE HERE ###

    parameters = {"W1": W1,
                  "b1": b1,
                  "W2": W2,
                  "b2": b2}

    return parameters


def nn_model(X, Y, n_h, num_iterations=3000, print_cost=False, learning_rate=0.2):
    n_x, _, n_y = layer_sizes(X, Y)
    parameters = initialize_parameters(n_x, n_h, n_y)
    for i in range(num_iterations):
        A2, cache = forward_propagation(X, parameters)
        L = compute_cost(A2, Y)
        if print_cost and i % 100 == 0:
            print('Loss is: ' + str(L))
        grads = backward_propagation(parameters, cache, X, Y)
        parameters = update_parameters(parameters, grads, learning_rate)
    return parameters


X, Y = load_planar_dataset()
shape_X = X.shape
shape_Y = Y.shape
m = shape_X[1]  # training set size
print ('The shape of X is: ' + str(shape_X))
print ('The shape of Y is: ' + str(shape_Y))
print ('I have m = %d training examples!' % (m))


n_x, n_h, n_y = layer_sizes(X, Y)
parameters = nn_model(X, Y, n_h, num_iterations=300, print_cost=True, learning_rate=0.2)
A2, _ = forward_propagation(X, parameters)
print('accuracy: ' + str(np.mean((A2 > 0.5) == Y)))
