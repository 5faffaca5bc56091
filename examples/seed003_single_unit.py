"""Seed 003: one gradient-descent step for a single sigmoid unit, on chainrule.

Prints what the seed prints: the output, the error and the change in weights. Instant.
(The seed's quiz has a typo, ``np.array([1, 2. 3, 4])``, a syntax error: the comma is missing.)
"""

import numpy as np

from chainrule.classic.single_unit import gradient_descent_step


def main():
    learnrate = 0.5
    x = np.array([1, 2, 3, 4])
    y = np.array(0.5)
    w = np.array([0.5, -0.5, 0.3, 0.1])
    step = gradient_descent_step(x, y, w, learnrate)
    print("Neural Network output:")
    print(step.nn_output)
    print("Amount of Error:")
    print(step.error)
    print("Change in Weights:")
    print(step.del_w)


if __name__ == "__main__":
    main()
