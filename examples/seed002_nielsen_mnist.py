"""Seed 002: Nielsen's chapter-1 experiment, his ``network.py`` API running on the chainrule engine.

    net = Network([784, 30, 10])
    net.SGD(training_data, 30, 10, 3.0, test_data=test_data)

A sigmoid network with the quadratic cost learns MNIST by mini-batch SGD (10 images per batch,
eta = 3.0) and prints, after each epoch, how many of the 10,000 test images it classifies right:
about 9,100 after the first epoch and about 9,500 (95%) after 30, as in the book. Weights start as
network.py's ``randn(y, x)`` (``--init large``); ``--init default`` uses network2's
``randn(y, x)/sqrt(x)``, which starts near 94% and ends near 95.5%.

Unlike Nielsen's code, which loops over the examples of a mini-batch one column at a time, each
mini-batch here is one matrix product through the engine (rows are examples). 30 epochs take about
35-45 s on one core (plus ~4 s to read the data); Nielsen's per-example loop is many times slower.

Data: Nielsen's ``mnist.pkl.gz`` (or the four IDX files), never downloaded. ``--data PATH`` wins;
otherwise ``$CHAINRULE_DATA``, then ``../shared/data/mnist.pkl.gz`` beside the repository, then
``~/.cache/chainrule/``.

    python examples/seed002_nielsen_mnist.py [--epochs 30] [--data PATH] [--seed N] [--init large|default]
"""

import argparse

from chainrule.classic import nielsen

from _common import mnist_path

def main(argv=None):
    parser = argparse.ArgumentParser(description="Nielsen's chapter-1 MNIST network on chainrule")
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--data", default=None, help="mnist.pkl.gz or a directory of IDX files")
    parser.add_argument("--seed", type=int, default=None, help="seed for weights and shuffles (default: random)")
    parser.add_argument("--init", choices=["large", "default"], default="large",
                        help="network.py's randn (large) or network2's randn/sqrt(n_in) (default)")
    args = parser.parse_args(argv)

    try:
        training_data, validation_data, test_data = nielsen.load_mnist(mnist_path(args.data))
    except FileNotFoundError as exc:
        parser.exit(1, f"{exc}\n")
    net = nielsen.Network([784, 30, 10], seed=args.seed, init=args.init)
    net.SGD(training_data, args.epochs, 10, 3.0, test_data=test_data)


if __name__ == "__main__":
    main()
