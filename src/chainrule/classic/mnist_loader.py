"""Nielsen's ``mnist_loader.py``: MNIST as the book's ``network.py`` and ``network2.py`` read it.

``load_data()`` gives the three splits as arrays, examples as rows; ``load_data_wrapper()`` gives
the lists of column pairs the book's ``Network.SGD`` takes. Both read the file through
``chainrule.datasets.load_mnist`` (Nielsen's ``mnist.pkl.gz``, or the IDX files; no downloads).
"""

from __future__ import annotations

import os
from typing import Any, Union

import numpy as np

from .. import datasets
from ..data import one_hot

__all__ = ["load_data", "load_data_wrapper", "vectorized_result"]

Split = tuple[np.ndarray, np.ndarray]
Example = tuple[Any, Any]


def load_data(path: Union[str, os.PathLike, None] = None, *, dtype: Any = np.float32) -> tuple[Split, Split, Split]:
    """``(training_data, validation_data, test_data)``, each ``(X (N, 784), labels (N,))``.

    The 50,000 / 10,000 / 10,000 split of Nielsen's file; ``X`` float32 by default, as stored there.
    See ``chainrule.datasets.load_mnist`` for ``path``.
    """
    X_train, y_train, X_val, y_val, X_test, y_test = datasets.load_mnist(path, dtype=dtype)
    return (X_train, y_train), (X_val, y_val), (X_test, y_test)


def vectorized_result(j: int, n_classes: int = 10) -> np.ndarray:
    """The one-hot column (n_classes, 1) with a 1.0 in row ``j``."""
    return one_hot([j], n_classes).reshape(-1, 1)


def load_data_wrapper(path: Union[str, os.PathLike, None] = None, *, dtype: Any = np.float32
                      ) -> tuple[list[Example], list[Example], list[Example]]:
    """MNIST in the format of Nielsen's ``mnist_loader.load_data_wrapper()``.

    Returns ``(training_data, validation_data, test_data)``: training_data is a list of 50,000
    pairs ``(x (784, 1), y (10, 1) one-hot)``; the other two are lists of 10,000 pairs
    ``(x (784, 1), int label)``. Each ``x`` is a view of row i of ``chainrule.datasets.load_mnist``'s
    ``X`` (float32 by default, as stored in Nielsen's file). See that function for ``path``.
    """
    (X_train, y_train), (X_val, y_val), (X_test, y_test) = load_data(path, dtype=dtype)
    Y_train = one_hot(y_train, 10)
    training_data = [(X_train[i].reshape(-1, 1), Y_train[i].reshape(-1, 1)) for i in range(X_train.shape[0])]
    validation_data = [(X_val[i].reshape(-1, 1), int(y_val[i])) for i in range(X_val.shape[0])]
    test_data = [(X_test[i].reshape(-1, 1), int(y_test[i])) for i in range(X_test.shape[0])]
    return training_data, validation_data, test_data
