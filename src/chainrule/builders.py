"""``mlp``: build the usual multilayer perceptron from a list of sizes.

    mlp([784, 128, 10], activation="relu")
    == Sequential([Dense(784, 128, init="he_normal"), ReLU(), Dense(128, 10, init="he_normal")])
"""

from __future__ import annotations

from typing import Any, Sequence, Union

import numpy as np

from . import _checks, registry
from .activations import LeakyReLU, ReLU
from .layers import Dense, Dropout, Layer
from .model import Sequential


def activation_layer(name: Union[str, type], where: str = "mlp") -> Layer:
    """An activation layer from its name (``"relu"``, ``"tanh"``, ... in ``chainrule.registry``) or class."""
    if isinstance(name, type) and issubclass(name, Layer):
        return name()
    return registry.create("activation", name, where)


def mlp(sizes: Sequence[int], activation: Union[str, type] = "relu", output: Union[str, type, None] = None,
        init: Any = None, l2: float = 0.0, dropout: float = 0.0, dtype: Any = np.float64,
        seed: Union[int, None] = None) -> Sequential:
    """[Dense -> activation (-> Dropout)] * (L-1) -> Dense (-> output).

    Parameters
    ----------
    sizes : [n_features, hidden..., n_outputs], at least two sizes.
    activation : hidden activation name or class.
    output : output activation, or ``None`` for raw outputs (logits for the from-logits losses,
        identity for regression).
    init : initializer for every Dense; by default He for ReLU nets, Glorot otherwise.
    l2, dropout : L2 strength on every Dense, dropout rate after every hidden activation.
    """
    sizes = list(sizes)
    if len(sizes) < 2:
        raise ValueError(f"mlp: sizes needs at least an input and an output size, got {sizes!r}.")
    sizes = [_checks.positive_int(n, "every size", "mlp") for n in sizes]
    hidden = activation_layer(activation)       # validate even when there is no hidden layer to use it
    if init is None:                            # He initialization suits ReLU-like units; Glorot sigmoid and tanh
        init = "he_normal" if isinstance(hidden, (ReLU, LeakyReLU)) else "glorot_uniform"
    dropout = _checks.in_range(dropout, "dropout", "mlp", 0.0, 1.0)
    layers: list[Layer] = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(Dense(n_in, n_out, init=init, l2=l2))
        if i < len(sizes) - 2:
            layers.append(activation_layer(activation))
            if dropout:
                layers.append(Dropout(dropout))
    if output is not None:
        layers.append(activation_layer(output))
    return Sequential(layers, dtype=dtype, seed=seed)
