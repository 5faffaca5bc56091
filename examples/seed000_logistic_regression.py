"""Seed 000: logistic regression as a one-neuron network (the course's C1W2), on chainrule.

Prints the seed's expected output for ``propagate``, then trains the course's cat classifier
(2000 iterations, lr 0.005) and prints its costs and accuracies, exactly as the course does.
Runs in a few seconds. Needs h5py for the cat data (pip install 'chainrule[data]').

The mistake in the seed: ``A = sigmoid(X)``. The activation is σ of the *linear combination*::

    A = sigmoid(X)                         # wrong: ignores w and b; A is (n_x, m), not (1, m)
    A = sigmoid(np.dot(w.T, X) + b)        # right: Z = wᵀX + b, then A = σ(Z), shape (1, m)

and the cost needs elementwise products, not ``np.dot(Y, np.log(A))`` summed over the wrong axis::

    cost = -np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)) / m
    dw = np.dot(X, (A - Y).T) / m;  db = np.sum(A - Y) / m
"""

import argparse

import numpy as np

from chainrule.classic import load_cat_data, logistic

from _common import COURSERA, save_cost_plot


def main(argv=None):
    parser = argparse.ArgumentParser(description="Seed 000 on chainrule")
    parser.add_argument("--plot", default="seed000_costs.png", help="cost-curve PNG ('' for none)")
    args = parser.parse_args(argv)

    w, b, X, Y = np.array([[1], [2]]), 2, np.array([[1, 2], [3, 4]]), np.array([[1, 0]])
    grads, cost = logistic.propagate(w, b, X, Y)
    print("dw = " + str(grads["dw"]))
    print("db = " + str(grads["db"]))
    print("cost = " + str(cost))
    print("the seed's mistake, sigmoid(X), gives an activation of shape", logistic.sigmoid(X).shape,
          "instead of", logistic.sigmoid(w.T @ X + b).shape)

    train_x, train_y, test_x, test_y, _ = load_cat_data(COURSERA)
    d = logistic.model(train_x, train_y, test_x, test_y, num_iterations=2000, learning_rate=0.005,
                       print_cost=True)
    save_cost_plot(d["costs"], d["learning_rate"], args.plot)


if __name__ == "__main__":
    main()
