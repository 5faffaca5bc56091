"""The seed programs' APIs, with their names and layouts, running on the chainrule engine.

- ``logistic``: the course's logistic regression (``propagate``, ``optimize``, ``model``), X (n_x, m)
- ``deep``: the course's L-layer network (``L_model_forward``, ``L_model_backward``, ...)
- ``planar``: the course's 2-layer planar network, and seed 004's sigmoid/MSE variant
- ``nielsen``: Nielsen's ``Network(sizes)`` with ``SGD``, ``backprop``, ``evaluate``
- ``single_unit``: one gradient-descent step for a single sigmoid unit

Each is a thin adapter: it transposes the course's column layout ``(n, m)`` to the engine's rows
``(m, n)`` at the boundary and lets the engine's layers, losses and optimizers do the math. The
course's seeding is reproduced with a local ``np.random.RandomState``; the global state is never
touched.
"""

from . import deep, logistic, nielsen, planar, single_unit
from .cat import load_cat_data
from .minibatches import random_mini_batches

__all__ = ["deep", "logistic", "nielsen", "planar", "single_unit", "load_cat_data", "random_mini_batches"]
