"""scikit-learn estimators over the engine: ``MLPClassifier`` and ``MLPRegressor`` (extra ``sklearn``).

They build a ``chainrule.mlp`` and train it with ``Sequential.fit``; scikit-learn supplies the
input validation (``validate_data``: ``check_array``/``check_X_y``, feature counts and names), the
label encoding (``LabelBinarizer``) and the estimator protocol (``get_params``/``set_params``,
``clone``, ``Pipeline``, ``GridSearchCV``). The parameters keep the names of
``sklearn.neural_network.MLPClassifier``/``MLPRegressor`` where the concept is the same, so
swapping one for the other is a one-line change::

    sklearn.neural_network.MLPClassifier    chainrule.sklearn.MLPClassifier (the engine underneath)
    hidden_layer_sizes=(100,)               the same: Dense layers of these sizes
    activation="relu"                       the same names ("identity", "logistic", "tanh", "relu"), plus "leaky_relu"
    solver="adam"                           "adam" (Adam), "sgd" (SGD), also "adamw", "rmsprop", "adagrad"; no "lbfgs"
    alpha=1e-4                              the same penalty α/(2·m_b)·ΣW² per batch of m_b: Dense(l2=α/batch_size)
    batch_size="auto"                       the same: min(200, n_samples)
    learning_rate="constant"                only "constant" ("invscaling", "adaptive" raise)
    learning_rate_init=1e-3                 the optimizer's lr
    max_iter=200                            epochs
    shuffle, random_state, verbose          the same (random_state seeds the Sequential)
    tol=1e-4, n_iter_no_change=10           EarlyStopping(monitor="loss", min_delta=tol, patience=n_iter_no_change)
    early_stopping, validation_fraction     the same split; EarlyStopping(monitor="val_loss", restore_best_weights=True)
    momentum, nesterovs_momentum            SGD(momentum=, nesterov=)
    beta_1, beta_2, epsilon                 Adam(beta1=, beta2=, eps=)
    warm_start                              the same: fit continues the model and the optimizer state
    power_t, max_fun                        absent (no inverse-scaling schedule, no L-BFGS)
    (new) dropout=0.0                       Dropout(rate) after every hidden activation
    (new) dtype="float64"                   the Sequential's dtype ("float32" is about 2x faster)
    coefs_, intercepts_                     the same layout, W (n_in, n_out) and b (n_out,): live arrays
    loss_curve_, loss_, best_loss_, n_iter_, t_, n_layers_, n_outputs_, out_activation_   the same
    (new) model_                            the trained chainrule.Sequential (save it, export it to ONNX)
    (new) validation_loss_curve_            with early_stopping (scikit-learn has validation_scores_)

Differences worth knowing: early stopping monitors the validation *loss*, where scikit-learn
monitors the validation score (accuracy or R²); training stops after ``n_iter_no_change`` epochs
without an improvement larger than ``tol`` (scikit-learn waits one more); ``sample_weight``
weights each example's loss as ``Sequential.fit`` does, 1/m·Σ wᵢℓᵢ per mini-batch.

The classifier encodes any labels (numbers, strings, objects) with ``LabelBinarizer``: binary y
trains one logistic output with ``BinaryCrossEntropy(from_logits=True)``, multiclass y one output per
class with ``SoftmaxCrossEntropy`` (fused, from logits), a multilabel indicator matrix one logistic
output per label. The regressor trains identity outputs with ``MeanSquaredError(half=True)`` (the
``loss="squared_error"`` of scikit-learn: ½·mean squared error), ``"absolute_error"``
(``MeanAbsoluteError``) or ``"huber"`` (``Huber``); a 2-D y is multi-output.

Both pass ``sklearn.utils.estimator_checks.check_estimator``. The checks they fail by design are
returned by ``expected_failed_checks(estimator)``, scikit-learn's own mechanism::

    check_estimator(MLPClassifier(), expected_failed_checks=expected_failed_checks(MLPClassifier()))
    @parametrize_with_checks([MLPClassifier()], expected_failed_checks=expected_failed_checks)
"""

from __future__ import annotations

import warnings
from typing import Any, Union

import numpy as np

try:
    from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import LabelBinarizer
    from sklearn.utils import check_random_state
    from sklearn.utils.multiclass import check_classification_targets
    from sklearn.utils.validation import check_is_fitted, column_or_1d, validate_data
except ImportError as exc:                    # validate_data and __sklearn_tags__ arrived in scikit-learn 1.6
    raise ImportError("chainrule.sklearn needs scikit-learn >= 1.6: pip install 'chainrule[sklearn]' "
                      f"({exc}).") from exc

from . import _checks, registry, targets
from .builders import mlp
from .callbacks import EarlyStopping
from .losses import BinaryCrossEntropy, Loss, SoftmaxCrossEntropy
from .model import Sequential
from .optimizers import SGD, Adagrad, Adam, AdamW, Optimizer, RMSprop

#: scikit-learn's activation names, and chainrule's own, as ``chainrule.registry`` names
ACTIVATIONS = {"identity": "identity", "logistic": "sigmoid", "tanh": "tanh", "relu": "relu",
               "sigmoid": "sigmoid", "leaky_relu": "leaky_relu"}
SOLVERS = ("adam", "sgd", "adamw", "rmsprop", "adagrad")
#: scikit-learn's regression losses as ``chainrule.registry`` names
REGRESSION_LOSSES = {"squared_error": "mse", "absolute_error": "mae", "huber": "huber"}

#: check name -> why it fails by design; ``expected_failed_checks`` hands these to scikit-learn
SAMPLE_WEIGHT_REASON = (
    "mini-batch training: a row of weight 2 and two copies of the row land in different batches (and a row "
    "of weight 0 still takes a place in one), so the steps differ; the weighted loss itself is exact")
EXPECTED_FAILED_CHECKS: dict[str, dict[str, str]] = {
    "MLPClassifier": {
        "check_sample_weight_equivalence_on_dense_data": SAMPLE_WEIGHT_REASON,
    },
    "MLPRegressor": {
        "check_sample_weight_equivalence_on_dense_data": SAMPLE_WEIGHT_REASON,
    },
}


def expected_failed_checks(estimator: Any) -> dict[str, str]:
    """The checks of ``check_estimator`` this estimator fails by design, with the reason for each."""
    return dict(EXPECTED_FAILED_CHECKS.get(type(estimator).__name__, {}))


class _BaseMLP(BaseEstimator):
    """What the classifier and the regressor share: parameters, the model, the training loop."""

    def __init__(self, hidden_layer_sizes: Any = (100,), activation: str = "relu", *, solver: str = "adam",
                 alpha: float = 0.0001, batch_size: Union[int, str] = "auto", learning_rate: str = "constant",
                 learning_rate_init: float = 0.001, max_iter: int = 200, shuffle: bool = True,
                 random_state: Any = None, tol: float = 1e-4, verbose: bool = False, warm_start: bool = False,
                 momentum: float = 0.9, nesterovs_momentum: bool = True, early_stopping: bool = False,
                 validation_fraction: float = 0.1, beta_1: float = 0.9, beta_2: float = 0.999,
                 epsilon: float = 1e-8, n_iter_no_change: int = 10, dropout: float = 0.0,
                 dtype: Any = "float64") -> None:
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.dropout = dropout
        self.dtype = dtype

    # -- what a subclass says ---------------------------------------------------------------------------
    def _encode(self, y: np.ndarray, first: bool, where: str, classes: Any = None) -> np.ndarray:
        """Targets as the loss wants them, (m, n_outputs); sets the label attributes when ``first``."""
        raise NotImplementedError

    def _loss(self) -> Loss:
        raise NotImplementedError

    # -- parameters -------------------------------------------------------------------------------------
    def _where(self, method: str) -> str:
        return f"{type(self).__name__}.{method}"

    def _sizes(self, where: str) -> list[int]:
        sizes = self.hidden_layer_sizes
        sizes = [sizes] if np.ndim(sizes) == 0 else list(sizes)
        return [_checks.positive_int(n, "every entry of hidden_layer_sizes", where) for n in sizes]

    def _batch(self, n_samples: int, where: str) -> int:
        if self.batch_size == "auto":
            return min(200, n_samples)
        return min(_checks.positive_int(self.batch_size, "batch_size", where), n_samples)

    def _make_optimizer(self, where: str) -> Optimizer:
        if self.solver not in SOLVERS:
            hint = " (L-BFGS needs the whole loss in one scipy call; chainrule trains by mini-batches)" \
                if self.solver == "lbfgs" else ""
            raise ValueError(f"{where}: solver={self.solver!r} is not available{hint}; use one of {', '.join(SOLVERS)}.")
        if self.learning_rate != "constant":
            raise ValueError(f"{where}: learning_rate={self.learning_rate!r} is not available; only 'constant'. For a "
                             "schedule, train model_ with Sequential.fit and chainrule.callbacks.LearningRateScheduler.")
        lr = _checks.positive_number(self.learning_rate_init, "learning_rate_init", where)
        if self.solver == "sgd":
            return SGD(lr, momentum=self.momentum, nesterov=bool(self.nesterovs_momentum and self.momentum > 0))
        if self.solver in ("adam", "adamw"):
            return (Adam if self.solver == "adam" else AdamW)(lr, beta1=self.beta_1, beta2=self.beta_2, eps=self.epsilon)
        return RMSprop(lr, eps=self.epsilon) if self.solver == "rmsprop" else Adagrad(lr)

    def _build(self, n_features: int, n_outputs: int, batch_size: int, where: str) -> Sequential:
        if self.activation not in ACTIVATIONS:
            raise ValueError(f"{where}: activation={self.activation!r} is not one of {', '.join(ACTIVATIONS)}.")
        alpha = _checks.in_range(self.alpha, "alpha", where, 0.0, float("inf"))
        dropout = _checks.in_range(self.dropout, "dropout", where, 0.0, 1.0)
        random_state = self.random_state
        seed = random_state if isinstance(random_state, (int, np.integer)) and not isinstance(random_state, bool) \
            else int(check_random_state(random_state).randint(np.iinfo(np.int32).max))
        return mlp([n_features, *self._sizes(where), n_outputs], activation=ACTIVATIONS[self.activation],
                   l2=alpha / batch_size, dropout=dropout,
                   dtype=_checks.as_float_dtype(self.dtype, where), seed=int(seed))

    # -- training ---------------------------------------------------------------------------------------
    def _fit(self, X: Any, y: Any, sample_weight: Any, incremental: bool, classes: Any = None) -> "_BaseMLP":
        where = self._where("partial_fit" if incremental else "fit")
        first = not hasattr(self, "model_") or not (incremental or self.warm_start)
        X, y = validate_data(self, X, y, reset=first, multi_output=True, dtype=(np.float64, np.float32),
                             y_numeric=isinstance(self, RegressorMixin))
        Y = self._encode(y, first, where, classes)
        if sample_weight is not None:
            sample_weight = _checks.as_array(sample_weight, "sample_weight", where)
            if sample_weight.size and not sample_weight.any():
                raise ValueError(f"{where}: every sample_weight is zero; at least one example needs a positive weight.")
        batch_size = self._batch(X.shape[0], where)
        epochs = 1 if incremental else _checks.positive_int(self.max_iter, "max_iter", where)
        if first:
            self.model_ = self._build(X.shape[1], Y.shape[1], batch_size, where)
            self._optimizer = self._make_optimizer(where)
        model = self.model_
        stop, validation = None, None
        if not incremental:
            patience = _checks.positive_int(self.n_iter_no_change, "n_iter_no_change", where)
            tol = _checks.in_range(self.tol, "tol", where, 0.0, float("inf"))
            if self.early_stopping:
                X, Y, sample_weight, validation = self._split(X, y, Y, sample_weight, where)
            stop = EarlyStopping(monitor="val_loss" if validation else "loss", patience=patience, min_delta=tol,
                                 restore_best_weights=validation is not None)
        start = len(model.history.epoch)
        model.fit(X, Y, self._loss() if first else model.loss, self._optimizer, epochs=epochs,
                  batch_size=batch_size, shuffle=bool(self.shuffle), validation_data=validation,
                  callbacks=[stop] if stop else [], verbose=bool(self.verbose), sample_weight=sample_weight)
        history = model.history.history
        self.loss_curve_ = list(history["loss"])
        self.loss_ = self.loss_curve_[-1]
        self.best_loss_ = None if validation else min(self.loss_curve_)
        if validation:
            self.validation_loss_curve_ = list(history["val_loss"])
        self.n_iter_ = len(model.history.epoch)                 # every epoch of model_, as warm_start counts them
        self.t_ = (0 if first else self.t_) + X.shape[0] * (self.n_iter_ - start)
        self.coefs_ = [layer.W for layer in model.layers if hasattr(layer, "W")]
        self.intercepts_ = [layer.b for layer in model.layers if hasattr(layer, "b")]
        self.n_layers_ = len(self.coefs_) + 1
        self.n_outputs_ = Y.shape[1]
        if stop is not None and stop.stopped_epoch is None:
            warnings.warn(f"{where}: max_iter={epochs} epochs reached and the loss still improved by more than "
                          f"tol={self.tol} within the last n_iter_no_change={self.n_iter_no_change} epochs. "
                          "Increase max_iter or tol.", ConvergenceWarning)
        return self

    def _split(self, X: np.ndarray, y: np.ndarray, Y: np.ndarray, sample_weight: Any, where: str) -> tuple:
        """Hold out ``validation_fraction`` of the rows (stratified for single-label classes) for early stopping."""
        fraction = _checks.in_range(self.validation_fraction, "validation_fraction", where, 0.0, 1.0,
                                    low_closed=False)
        stratify = y if isinstance(self, ClassifierMixin) and not self._multilabel else None
        arrays = [X, Y] if sample_weight is None else [X, Y, np.asarray(sample_weight)]
        seed = self.model_.seed
        parts = train_test_split(*arrays, test_size=fraction, random_state=seed, stratify=stratify)
        X_train, X_val, Y_train, Y_val = parts[:4]
        return X_train, Y_train, (parts[4] if sample_weight is not None else None), (X_val, Y_val)

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> "_BaseMLP":
        """Train a new model on X (n_samples, n_features) and y for up to ``max_iter`` epochs; return self.

        With ``warm_start=True`` a second ``fit`` continues the model and its optimizer.
        """
        return self._fit(X, y, sample_weight, incremental=False)

    # -- inference --------------------------------------------------------------------------------------
    def _outputs(self, X: Any) -> np.ndarray:
        """The model's raw outputs (logits for a classifier), (n_samples, n_outputs)."""
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=(np.float64, np.float32))
        return self.model_.predict(X)


class MLPClassifier(ClassifierMixin, _BaseMLP):
    """A multilayer-perceptron classifier trained by chainrule's engine, a drop-in for scikit-learn's.

    ``fit(X, y)`` with y of any labels (binary, multiclass) or a multilabel indicator matrix;
    ``predict``, ``predict_proba`` (softmax, or sigmoid per label), ``predict_log_proba``, ``score``
    (accuracy), ``partial_fit(X, y, classes=...)`` (one epoch per call). Parameters, attributes and
    how they map to the engine: see the module docstring; the output layer is a logistic unit for
    binary y (``out_activation_ = "logistic"``), softmax over the classes for multiclass y
    (``"softmax"``), a logistic unit per label for multilabel y.

    Attributes
    ----------
    classes_ : labels seen in fit, sorted (the label indices for multilabel y)
    n_features_in_, feature_names_in_ : as every scikit-learn estimator
    model_ : the trained ``chainrule.Sequential``; ``loss_curve_`` its ``history["loss"]``

    Expected failures in ``check_estimator`` (``expected_failed_checks``):
    check_sample_weight_equivalence_on_dense_data, because mini-batch training puts a row of weight 2
    and two copies of it in different batches (and a row of weight 0 still takes a place in a batch),
    so the steps differ, though the weighted loss is exact.
    """

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags

    def _encode(self, y: np.ndarray, first: bool, where: str, classes: Any = None) -> np.ndarray:
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        check_classification_targets(y)
        if first:
            binarizer = LabelBinarizer()
            binarizer.fit(y if classes is None else np.asarray(classes))
            self._multilabel = binarizer.y_type_.startswith("multilabel")
            if len(binarizer.classes_) < 2 and not self._multilabel:
                raise ValueError(f"{where}: y holds only one class ({binarizer.classes_[0]!r}); a classifier "
                                 "needs samples of at least 2 classes.")
            self._label_binarizer = binarizer
            self.classes_ = binarizer.classes_
            self.out_activation_ = "softmax" if binarizer.y_type_ == "multiclass" else "logistic"
        elif not self._multilabel:
            unseen = np.setdiff1d(np.unique(y), self.classes_)
            if unseen.size:
                raise ValueError(f"{where}: y has labels {unseen.tolist()} not in classes_ "
                                 f"{self.classes_.tolist()}; pass every label as classes= in the first call.")
        return self._label_binarizer.transform(y).astype(np.float64)

    def _loss(self) -> Loss:
        if self.out_activation_ == "softmax":
            return SoftmaxCrossEntropy()
        return BinaryCrossEntropy(from_logits=True)

    def partial_fit(self, X: Any, y: Any, sample_weight: Any = None, classes: Any = None) -> "MLPClassifier":
        """One epoch over (X, y), continuing the model; the first call needs ``classes`` (every label)."""
        if not hasattr(self, "model_") and classes is None:
            raise ValueError(f"{self._where('partial_fit')}: pass classes= (every label y can hold) in the "
                             "first call, as scikit-learn's partial_fit asks.")
        return self._fit(X, y, sample_weight, incremental=True, classes=classes)

    def _probabilities(self, X: Any) -> np.ndarray:
        """Softmax or σ of the logits: one column per output, in the binarizer's encoding."""
        outputs = self._outputs(X)               # first: it raises NotFittedError before fit
        return targets.probabilities(self.model_.loss, outputs)

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities (n_samples, n_classes): softmax, [1 - σ(z), σ(z)] for binary y, σ(z) per label."""
        P = self._probabilities(X)
        if self.out_activation_ == "logistic" and not self._multilabel:
            return np.hstack([1.0 - P, P])
        return P

    def predict_log_proba(self, X: Any) -> np.ndarray:
        """log of ``predict_proba``."""
        return np.log(self.predict_proba(X))

    def predict(self, X: Any) -> np.ndarray:
        """Labels (n_samples,) from ``classes_``, or the indicator matrix (n_samples, n_labels) for multilabel y."""
        P = self._probabilities(X)
        return self._label_binarizer.inverse_transform(P)


class MLPRegressor(RegressorMixin, _BaseMLP):
    """A multilayer-perceptron regressor trained by chainrule's engine, a drop-in for scikit-learn's.

    Identity outputs, one per target column (a 2-D y is multi-output); ``loss`` is
    ``"squared_error"`` (½·mean squared error, as scikit-learn), ``"absolute_error"`` or
    ``"huber"``. ``predict`` returns (n_samples,) for a 1-D y, ``score`` is R². The other
    parameters, attributes and their mapping: see the module docstring.

    Expected failures in ``check_estimator`` (``expected_failed_checks``):
    check_sample_weight_equivalence_on_dense_data, because mini-batch training puts a row of weight 2
    and two copies of it in different batches (and a row of weight 0 still takes a place in a batch),
    so the steps differ, though the weighted loss is exact.
    """

    def __init__(self, loss: str = "squared_error", hidden_layer_sizes: Any = (100,), activation: str = "relu", *,
                 solver: str = "adam", alpha: float = 0.0001, batch_size: Union[int, str] = "auto",
                 learning_rate: str = "constant", learning_rate_init: float = 0.001, max_iter: int = 200,
                 shuffle: bool = True, random_state: Any = None, tol: float = 1e-4, verbose: bool = False,
                 warm_start: bool = False, momentum: float = 0.9, nesterovs_momentum: bool = True,
                 early_stopping: bool = False, validation_fraction: float = 0.1, beta_1: float = 0.9,
                 beta_2: float = 0.999, epsilon: float = 1e-8, n_iter_no_change: int = 10, dropout: float = 0.0,
                 dtype: Any = "float64") -> None:
        super().__init__(hidden_layer_sizes, activation, solver=solver, alpha=alpha, batch_size=batch_size,
                         learning_rate=learning_rate, learning_rate_init=learning_rate_init, max_iter=max_iter,
                         shuffle=shuffle, random_state=random_state, tol=tol, verbose=verbose,
                         warm_start=warm_start, momentum=momentum, nesterovs_momentum=nesterovs_momentum,
                         early_stopping=early_stopping, validation_fraction=validation_fraction, beta_1=beta_1,
                         beta_2=beta_2, epsilon=epsilon, n_iter_no_change=n_iter_no_change, dropout=dropout,
                         dtype=dtype)
        self.loss = loss

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    def _encode(self, y: np.ndarray, first: bool, where: str, classes: Any = None) -> np.ndarray:
        if first:
            self._single_output = y.ndim == 1
            self.out_activation_ = "identity"
        return y.reshape(-1, 1) if y.ndim == 1 else y

    def _loss(self) -> Loss:
        if self.loss not in REGRESSION_LOSSES:
            raise ValueError(f"{self._where('fit')}: loss={self.loss!r} is not one of {', '.join(REGRESSION_LOSSES)}.")
        return registry.create("loss", REGRESSION_LOSSES[self.loss], self._where("fit"))

    def partial_fit(self, X: Any, y: Any, sample_weight: Any = None) -> "MLPRegressor":
        """One epoch over (X, y), continuing the model (a new one on the first call)."""
        return self._fit(X, y, sample_weight, incremental=True)

    def predict(self, X: Any) -> np.ndarray:
        """Predicted values: (n_samples,) for a 1-D y, else (n_samples, n_outputs)."""
        outputs = self._outputs(X)
        return outputs.ravel() if self._single_output else outputs
