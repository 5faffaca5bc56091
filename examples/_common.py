"""Shared bits of the example scripts: where the course's data and MNIST live, and optional plotting."""

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
COURSERA = Path(os.environ.get("CHAINRULE_COURSERA", REPO / "data" / "coursera"))
SHARED_MNIST = REPO.parent / "shared" / "data" / "mnist.pkl.gz"


def mnist_path(explicit):
    """--data, else $CHAINRULE_DATA (searched by the loader), else the shared copy, else the loader's search."""
    if explicit:
        return explicit
    if not os.environ.get("CHAINRULE_DATA") and SHARED_MNIST.is_file():
        return SHARED_MNIST
    return None


def save_cost_plot(costs, learning_rate, path, every=100):
    """Write the course's cost curve to ``path`` when matplotlib is installed; say what happened."""
    if not path:
        return
    try:
        from chainrule.plotting import plot_costs
    except ImportError:
        return
    try:
        plot_costs(costs, learning_rate, every=every, path=path)
        print(f"wrote {path}")
    except ImportError:
        print("matplotlib is not installed: no cost plot (pip install 'chainrule[plot]')")
