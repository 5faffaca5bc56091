"""Seed 001: the L-layer network [LINEAR->RELU]*(L-1)->LINEAR->SIGMOID (the course's C1W4).

1. The seed's own test: random X (3072, 200) in [0, 255) and random labels, layers
   [3072, 20, 7, 5, 1], lr 0.0075, with seed 001's initialization (randn·0.01, seed 3). It stays at
   cost 0.693: with weights that small and unscaled pixels the net barely moves. A lesson, not a bug
   in the code. (Random labels cannot be learned anyway.)
2. The course's cat application: the same functions on the cat data with the application's
   initialization (seed 1, randn / sqrt(n_prev)), 2500 iterations: costs 0.771749 ... 0.092878,
   train accuracy 0.9856, test accuracy 0.8. Takes about 30-40 s on one core.

    python examples/seed001_deep_network.py [--iterations 2500] [--skip-seed-test]
"""

import argparse

import numpy as np

from chainrule.classic import deep, load_cat_data

from _common import COURSERA, save_cost_plot


def main(argv=None):
    parser = argparse.ArgumentParser(description="Seed 001 on chainrule")
    parser.add_argument("--iterations", type=int, default=2500)
    parser.add_argument("--skip-seed-test", action="store_true")
    parser.add_argument("--plot", default="seed001_costs.png", help="cost-curve PNG ('' for none)")
    args = parser.parse_args(argv)

    if not args.skip_seed_test:
        print("seed 001's own test: random pixels, random labels, randn*0.01 init, 300 iterations")
        rng = np.random.RandomState(0)
        X = rng.rand(32 * 32 * 3, 200) * 255
        Y = (rng.rand(1, 200) > 0.5).astype(float)
        deep.L_layer_model(X, Y, [32 * 32 * 3, 20, 7, 5, 1], learning_rate=0.0075, num_iterations=300,
                           print_cost=True, initialization="seed001")

    print("the course's cat application: [12288, 20, 7, 5, 1], lr 0.0075")
    train_x, train_y, test_x, test_y, _ = load_cat_data(COURSERA)
    parameters, costs = deep.L_layer_model(train_x, train_y, [12288, 20, 7, 5, 1], learning_rate=0.0075,
                                           num_iterations=args.iterations, print_cost=True, return_costs=True)
    deep.predict(train_x, train_y, parameters)
    deep.predict(test_x, test_y, parameters)
    save_cost_plot(costs, 0.0075, args.plot)


if __name__ == "__main__":
    main()
