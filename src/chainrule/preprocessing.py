"""Preprocessing steps that belong to a model: fitted on the training X, saved in the model file.

``Standardize`` is the one step: per-column z-scores,

    X' = (X - mean) / scale,    mean = 1/m · Σ_i X[i],    scale = sqrt(1/m · Σ_i (X[i] - mean)²)

with ``scale = 1`` for a column that never changes (it becomes zeros, not NaN). Set it on a model
(``model.preprocessing = Standardize()``): ``fit`` fits it on the training X the first time, and
``fit``, ``evaluate`` and ``predict`` apply it to every X they receive, so raw rows give the same
outputs after ``chainrule.load`` as during training. ``forward`` (the layers alone) does not.
"""

from __future__ import annotations

from typing import Any, Union

import numpy as np

from . import _checks


def column_statistics(X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(mean, scale) per column of X (m, n), in float64; a zero spread gives scale 1."""
    X = np.asarray(X, dtype=np.float64)
    std = X.std(axis=0)
    return X.mean(axis=0), np.where(std > 0, std, 1.0)


class Standardize:
    """z-scores with the training set's ``mean`` and ``scale`` (arrays of shape (n_features,)).

    Parameters
    ----------
    mean, scale : array (n_features,), optional
        Known statistics; leave both out and call ``fit(X_train)`` (or let ``Sequential.fit`` do it).
    """

    def __init__(self, mean: Any = None, scale: Any = None) -> None:
        if (mean is None) != (scale is None):
            raise ValueError("Standardize: pass both mean and scale, or neither (then call fit(X_train)).")
        self.mean: Union[np.ndarray, None] = None
        self.scale: Union[np.ndarray, None] = None
        if mean is not None:
            self._set(mean, scale)

    def _set(self, mean: Any, scale: Any) -> None:
        mean = np.array(mean, dtype=np.float64).ravel()
        scale = np.array(scale, dtype=np.float64).ravel()
        if mean.shape != scale.shape:
            raise ValueError(f"Standardize: mean has shape {mean.shape} but scale has {scale.shape}; "
                             "they need one entry per feature.")
        if not (np.isfinite(mean).all() and np.isfinite(scale).all() and (scale > 0).all()):
            raise ValueError("Standardize: mean must be finite and scale finite and > 0 in every column.")
        self.mean, self.scale = mean, scale

    @property
    def fitted(self) -> bool:
        return self.mean is not None

    @property
    def n_features(self) -> Union[int, None]:
        return None if self.mean is None else self.mean.shape[0]

    def fit(self, X: Any) -> "Standardize":
        """Learn ``mean`` and ``scale`` from the training rows X (m, n_features); returns ``self``."""
        X = _checks.matrix(X, "X", "Standardize.fit", dtype=np.float64)
        self._set(*column_statistics(X))
        return self

    def transform(self, X: np.ndarray) -> np.ndarray:
        """(X - mean) / scale, in X's dtype (a new array; X is not changed)."""
        if self.mean is None:
            raise ValueError("Standardize: not fitted yet; call fit(X_train) first, or train the model with fit.")
        X = np.asarray(X)
        if X.ndim != 2 or X.shape[1] != self.mean.shape[0]:
            raise ValueError(f"Standardize: fitted on {self.mean.shape[0]} features, got X of shape {X.shape}.")
        dtype = X.dtype if X.dtype.kind == "f" else np.float64
        return (X - self.mean.astype(dtype)) / self.scale.astype(dtype)

    def inverse_transform(self, X: np.ndarray) -> np.ndarray:
        """X' · scale + mean: back to the original units."""
        X = np.asarray(X)
        dtype = X.dtype if X.dtype.kind == "f" else np.float64
        return X * self.scale.astype(dtype) + self.mean.astype(dtype)

    def config(self) -> dict[str, Any]:
        return {}                   # the statistics are arrays: io stores them beside the weights

    def arrays(self) -> list[tuple[str, np.ndarray]]:
        """The fitted statistics by name, as the model file stores them."""
        return [] if self.mean is None else [("mean", self.mean), ("scale", self.scale)]

    def __repr__(self) -> str:
        return f"Standardize(n_features={self.n_features})" if self.fitted else "Standardize(unfitted)"
