"""Shared bits of the example scripts: where the course's data lives and optional plotting."""

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
COURSERA = Path(os.environ.get("CHAINRULE_COURSERA", REPO / "data" / "coursera"))


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
