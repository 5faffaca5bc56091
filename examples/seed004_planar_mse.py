"""Seed 004: a 2-layer net (4 sigmoid hidden units, sigmoid output) with MSE on the planar flower.

Runs the seed's experiment with the *corrected* backprop (3000 iterations, lr 0.2), printing
"Loss is: ..." every 100 iterations as the seed does, then the course's tanh/cross-entropy
version for comparison. A few seconds.

The seed's bugs, and the correct lines beside them::

    dA2 = 2*np.abs(A2 - Y)                  # wrong: |.| loses the sign; and 1/m is missing
    dA2 = 1/m * 2*(A2 - Y)                  # right: d/dA2 of 1/m Σ (A2 - Y)²

    dLdW2 = 1/m * dW2 @ dZ2.T @ dA2         # wrong: dZ2 and dA2 combine elementwise, not by @
    delta2 = dA2 * sigmoid_prime(Z2)        # right: (1, m), elementwise
    dLdW2 = delta2 @ A1.T                   # (1, 4)

    delta1 = (W2.T @ delta2) * sigmoid_prime(Z1)   # (4, m): matrix product first, then elementwise
    dLdW1 = delta1 @ X.T                           # (4, 2)
"""

import argparse

import numpy as np

from chainrule.classic import planar

from _common import save_cost_plot


def main(argv=None):
    parser = argparse.ArgumentParser(description="Seed 004 on chainrule")
    parser.add_argument("--plot", default="seed004_costs.png", help="cost-curve PNG ('' for none)")
    parser.add_argument("--boundary", default="seed004_boundary.png", help="decision-boundary PNG ('' for none)")
    args = parser.parse_args(argv)

    rng = np.random.RandomState(1)                       # the seed's np.random.seed(1), kept local
    X, Y = planar.load_planar_dataset(rng=rng)
    parameters = planar.initialize_parameters(2, 4, 1, rng=rng)
    parameters, costs = planar.nn_model(X, Y, 4, num_iterations=3000, learning_rate=0.2,
                                        hidden_activation="sigmoid", cost="mse", parameters=parameters,
                                        print_every=100, return_costs=True)
    for cost in costs:
        print("Loss is: " + str(cost))
    accuracy = np.mean(planar.predict(parameters, X, "sigmoid") == Y)
    print(f"seed 004 (sigmoid hidden, MSE, 3000 iterations, lr 0.2): accuracy {accuracy:.1%}")
    save_cost_plot(costs, 0.2, args.plot)

    print("the course's version (tanh hidden, cross-entropy, 10000 iterations, lr 1.2):")
    X, Y = planar.load_planar_dataset()
    course = planar.nn_model(X, Y, 4, num_iterations=10000, print_cost=True)
    print(f"Accuracy: {np.mean(planar.predict(course, X) == Y):.0%}")
    if args.boundary:
        try:
            planar.plot_decision_boundary(lambda x: planar.predict(course, x.T), X, Y, path=args.boundary,
                                          title="planar flower, 4 tanh hidden units")
            print(f"wrote {args.boundary}")
        except ImportError:
            print("matplotlib is not installed: no decision-boundary plot")


if __name__ == "__main__":
    main()
