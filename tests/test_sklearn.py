"""chainrule.sklearn (issue 15): scikit-learn estimators over the engine."""

import inspect
import pickle
import warnings

import numpy as np
import pytest

sklearn = pytest.importorskip("sklearn", reason="chainrule.sklearn needs the optional extra: pip install 'chainrule[sklearn]'")

from sklearn import neural_network                                  # noqa: E402
from sklearn.base import clone                                      # noqa: E402
from sklearn.datasets import make_blobs                             # noqa: E402
from sklearn.exceptions import ConvergenceWarning, NotFittedError   # noqa: E402
from sklearn.model_selection import GridSearchCV                    # noqa: E402
from sklearn.pipeline import make_pipeline                          # noqa: E402
from sklearn.preprocessing import StandardScaler                    # noqa: E402
from sklearn.utils.estimator_checks import check_estimator          # noqa: E402

import chainrule as cr                                              # noqa: E402
from chainrule import sklearn as crsk                               # noqa: E402
from chainrule.sklearn import MLPClassifier, MLPRegressor, expected_failed_checks   # noqa: E402

SMALL = dict(hidden_layer_sizes=(8,), max_iter=20, learning_rate_init=0.05, random_state=0)


@pytest.fixture(scope="module")
def blobs():
    X, y = make_blobs(n_samples=150, centers=3, n_features=2, cluster_std=0.7, random_state=0)
    return X, y


def quiet(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return fn(*args, **kwargs)


# -- scikit-learn's own conformance checks --------------------------------------------------------------
@pytest.mark.parametrize("estimator", [MLPClassifier(**SMALL), MLPRegressor(**SMALL)], ids=lambda e: type(e).__name__)
def test_check_estimator_passes_but_for_the_declared_expected_failures(estimator):
    expected = expected_failed_checks(estimator)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        results = check_estimator(estimator, expected_failed_checks=expected, on_fail=None, on_skip=None)
    failed = [f"{r['check_name']}: {r['exception']!r}"[:400] for r in results if r["status"] == "failed"]
    assert not failed
    # every declared failure is real: the check runs and fails (a fixed one must leave the list)
    assert {r["check_name"] for r in results if r["status"] == "xfail"} == set(expected)
    assert len([r for r in results if r["status"] == "passed"]) >= 55


@pytest.mark.parametrize("cls", [MLPClassifier, MLPRegressor])
def test_the_docstrings_list_every_expected_failure(cls):
    expected = expected_failed_checks(cls())
    assert expected, "the list is empty: drop this paragraph from the docstrings too"
    for name in expected:
        assert name in cls.__doc__


# -- the same parameters as scikit-learn's --------------------------------------------------------------
@pytest.mark.parametrize("ours, theirs", [(MLPClassifier, neural_network.MLPClassifier),
                                          (MLPRegressor, neural_network.MLPRegressor)])
def test_parameter_names_follow_scikit_learn_and_the_mapping_documents_the_rest(ours, theirs):
    mine = set(inspect.signature(ours).parameters)
    sk = set(inspect.signature(theirs).parameters)
    assert mine - sk == {"dropout", "dtype"}
    assert sk - mine == {"power_t", "max_fun"}
    for name in mine ^ sk:
        assert name in crsk.__doc__
    for name in mine & sk:        # same defaults where the concept is the same
        assert inspect.signature(ours).parameters[name].default == inspect.signature(theirs).parameters[name].default


@pytest.mark.parametrize("cls", [neural_network.MLPClassifier, MLPClassifier])
def test_swapping_scikit_learns_classifier_for_chainrules_is_one_line(cls, blobs):
    X, y = blobs
    model = quiet(cls(hidden_layer_sizes=(16,), max_iter=200, random_state=0).fit, X, y)
    assert model.score(X, y) > 0.9
    assert model.predict_proba(X).shape == (150, 3)
    assert [w.shape for w in model.coefs_] == [(2, 16), (16, 3)]
    assert model.out_activation_ == "softmax" and model.n_layers_ == 3 and model.n_outputs_ == 3
    assert len(model.loss_curve_) == model.n_iter_ and model.t_ == 150 * model.n_iter_


# -- the estimator is the engine, configured -------------------------------------------------------------
def test_the_classifier_trains_exactly_as_the_engine_with_the_mapped_arguments(blobs):
    X, y = blobs
    est = quiet(MLPClassifier(hidden_layer_sizes=(8,), solver="sgd", learning_rate_init=0.1, momentum=0.9,
                              alpha=0.01, batch_size=32, max_iter=5, shuffle=True, random_state=3).fit, X, y)
    model = cr.mlp([2, 8, 3], activation="relu", l2=0.01 / 32, seed=3)
    model.fit(X, y, cr.SoftmaxCrossEntropy(), cr.SGD(lr=0.1, momentum=0.9, nesterov=True), epochs=5,
              batch_size=32)
    for (ours, _), (theirs, _) in zip(est.model_.params_and_grads(), model.params_and_grads()):
        np.testing.assert_array_equal(ours, theirs)
    assert est.loss_curve_ == model.history["loss"]
    np.testing.assert_array_equal(est.predict_proba(X), model.predict_proba(X))
    assert est.coefs_[0] is est.model_.layers[0].W           # live arrays, scikit-learn's layout


def test_regressor_adam_matches_the_engine_and_keeps_one_output_flat():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3))
    y = X @ np.array([1.0, -2.0, 0.5]) + 0.1 * rng.normal(size=60)
    est = quiet(MLPRegressor(hidden_layer_sizes=(6, 5), activation="tanh", learning_rate_init=0.01, beta_1=0.8,
                             alpha=0.0, batch_size=16, max_iter=4, random_state=1).fit, X, y)
    model = cr.mlp([3, 6, 5, 1], activation="tanh", seed=1)
    model.fit(X, y, cr.MeanSquaredError(), cr.Adam(lr=0.01, beta1=0.8), epochs=4, batch_size=16)
    np.testing.assert_array_equal(est.predict(X), model.predict(X).ravel())
    assert est.predict(X).shape == (60,)


# -- labels ------------------------------------------------------------------------------------------------
def test_string_labels_binary_and_multiclass(blobs):
    X, y = blobs
    names = np.array(["setosa", "versicolor", "virginica"], dtype=object)[y]
    clf = quiet(MLPClassifier(**SMALL).fit, X, names)
    assert list(clf.classes_) == ["setosa", "versicolor", "virginica"]
    assert set(clf.predict(X)) <= set(clf.classes_)
    np.testing.assert_allclose(clf.predict_proba(X).sum(axis=1), 1.0)
    binary = np.where(y == 0, "yes", "no")
    clf = quiet(MLPClassifier(**SMALL).fit, X, binary)
    assert clf.out_activation_ == "logistic" and clf.model_.n_outputs == 1      # one logistic output
    P = clf.predict_proba(X)
    assert P.shape == (150, 2)
    np.testing.assert_allclose(P.sum(axis=1), 1.0)
    np.testing.assert_array_equal(clf.predict(X), clf.classes_[P.argmax(axis=1)])
    assert clf.score(X, binary) > 0.9
    np.testing.assert_allclose(clf.predict_log_proba(X), np.log(P))


def test_multilabel_indicator_targets_get_one_logistic_output_each(blobs):
    X, y = blobs
    Y = np.column_stack([y == 0, y != 1, X[:, 0] > 0]).astype(int)
    clf = quiet(MLPClassifier(hidden_layer_sizes=(16,), max_iter=100, learning_rate_init=0.02, random_state=0).fit, X, Y)
    assert isinstance(clf.model_.loss, cr.BinaryCrossEntropy) and clf.model_.n_outputs == 3
    assert clf.predict(X).shape == (150, 3) and set(np.unique(clf.predict(X))) <= {0, 1}
    P = clf.predict_proba(X)
    assert P.shape == (150, 3) and ((P > 0) & (P < 1)).all()
    assert clf.score(X, Y) > 0.8                              # subset accuracy


def test_multi_output_regression_predicts_every_column():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(80, 2))
    Y = np.column_stack([X[:, 0] + X[:, 1], X[:, 0] - X[:, 1]])
    reg = quiet(MLPRegressor(hidden_layer_sizes=(16,), max_iter=200, learning_rate_init=0.02, random_state=0).fit, X, Y)
    assert reg.predict(X).shape == (80, 2)
    assert reg.score(X, Y) > 0.9


# -- validation and errors -----------------------------------------------------------------------------------
@pytest.mark.parametrize("method", ["predict", "predict_proba", "score"])
def test_not_fitted_error_before_fit(method, blobs):
    X, y = blobs
    args = (X, y) if method == "score" else (X,)
    with pytest.raises(NotFittedError):
        getattr(MLPClassifier(), method)(*args)
    with pytest.raises(NotFittedError):
        MLPRegressor().predict(X)


def test_predict_with_another_number_of_features_names_both_counts(blobs):
    X, y = blobs
    clf = quiet(MLPClassifier(**SMALL).fit, X, y)
    with pytest.raises(ValueError, match="X has 3 features, but MLPClassifier is expecting 2 features as input"):
        clf.predict(np.zeros((4, 3)))


def test_bad_input_is_rejected_by_scikit_learns_validation(blobs):
    X, y = blobs
    bad = X.copy()
    bad[3, 1] = np.nan
    with pytest.raises(ValueError, match="Input X contains NaN"):
        MLPClassifier(**SMALL).fit(bad, y)
    with pytest.raises(ValueError, match="Unknown label type"):
        MLPClassifier(**SMALL).fit(X, X[:, 0])                     # continuous y for a classifier
    with pytest.raises(ValueError, match="Found input variables with inconsistent numbers of samples"):
        MLPRegressor(**SMALL).fit(X, y[:-1])
    with pytest.raises(ValueError, match="Expected 2D array, got 1D array"):
        MLPRegressor(**SMALL).fit(X[:, 0], y)
    with pytest.raises(ValueError, match="only one class"):
        MLPClassifier(**SMALL).fit(X, np.zeros(len(y)))


@pytest.mark.parametrize("params, message", [
    (dict(solver="lbfgs"), r"solver='lbfgs' is not available \(L-BFGS"),
    (dict(learning_rate="adaptive"), r"learning_rate='adaptive' is not available; only 'constant'"),
    (dict(activation="softplus"), r"activation='softplus' is not one of identity, logistic"),
    (dict(hidden_layer_sizes=(4, 0)), r"every entry of hidden_layer_sizes must be an integer >= 1"),
    (dict(dtype="float16"), r"dtype must be float32 or float64"),
    (dict(alpha=-1.0), r"alpha must be in \[0.0, inf\)"),
    (dict(dropout=1.0), r"dropout must be in \[0.0, 1.0\)"),
    (dict(batch_size=0), r"batch_size must be an integer >= 1"),
])
def test_bad_parameters_raise_at_fit_naming_the_estimator(params, message, blobs):
    X, y = blobs
    with pytest.raises(ValueError, match=rf"MLPClassifier.fit: {message}"):
        MLPClassifier(**{**SMALL, **params}).fit(X, y)


def test_regressor_rejects_an_unknown_loss(blobs):
    X, y = blobs
    with pytest.raises(ValueError, match=r"loss='poisson' is not one of squared_error, absolute_error, huber"):
        MLPRegressor(loss="poisson", **SMALL).fit(X, y.astype(float))


def test_feature_names_are_kept_and_checked(blobs):
    pd = pytest.importorskip("pandas", reason="feature_names_in_ comes from DataFrame columns")
    X, y = blobs
    frame = pd.DataFrame(X, columns=["length", "width"])
    clf = quiet(MLPClassifier(**SMALL).fit, frame, y)
    assert list(clf.feature_names_in_) == ["length", "width"] and clf.n_features_in_ == 2
    with pytest.warns(UserWarning, match="X does not have valid feature names, but MLPClassifier was fitted with"):
        np.testing.assert_array_equal(clf.predict(frame), clf.predict(X))
    with pytest.raises(ValueError, match="The feature names should match those that were passed during fit"):
        clf.predict(frame.rename(columns={"width": "height"}))


# -- training controls ------------------------------------------------------------------------------------------
def test_partial_fit_epochs_equal_fit_epochs_and_need_the_classes_first(blobs):
    X, y = blobs
    with pytest.raises(ValueError, match="pass classes="):
        MLPClassifier(**SMALL).partial_fit(X, y)
    fitted = quiet(MLPClassifier(**{**SMALL, "max_iter": 3, "n_iter_no_change": 99}).fit, X, y)
    stepped = MLPClassifier(**SMALL)
    stepped.partial_fit(X[y < 2], y[y < 2], classes=[0, 1, 2])       # a label may be missing from a call
    assert stepped.n_iter_ == 1
    stepped = MLPClassifier(**SMALL)
    for _ in range(3):
        stepped.partial_fit(X, y, classes=[0, 1, 2])
    assert stepped.n_iter_ == 3 and stepped.t_ == 3 * 150
    np.testing.assert_array_equal(stepped.predict_proba(X), fitted.predict_proba(X))
    with pytest.raises(ValueError, match=r"y has labels \[7\] not in classes_ \[0, 1, 2\]"):
        stepped.partial_fit(X[:2], [0, 7])


def test_training_stops_on_a_loss_plateau_or_warns_at_max_iter(blobs):
    X, y = blobs
    with pytest.warns(ConvergenceWarning, match="max_iter=2 epochs reached"):
        MLPClassifier(**{**SMALL, "max_iter": 2}).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        clf = MLPClassifier(**{**SMALL, "max_iter": 500, "tol": 1e-2, "n_iter_no_change": 3}).fit(X, y)
    assert clf.n_iter_ < 500 and clf.best_loss_ == min(clf.loss_curve_)


def test_early_stopping_holds_out_validation_rows_and_restores_the_best_epoch(blobs):
    X, y = blobs
    clf = MLPClassifier(**{**SMALL, "max_iter": 300, "early_stopping": True, "validation_fraction": 0.2,
                           "n_iter_no_change": 3})
    quiet(clf.fit, X, y)
    assert clf.n_iter_ < 300 and clf.best_loss_ is None
    assert clf.t_ == 120 * clf.n_iter_                                # 30 rows held out
    assert len(clf.validation_loss_curve_) == clf.n_iter_
    best = int(np.argmin(clf.validation_loss_curve_))
    assert best < clf.n_iter_ - 1                                     # later epochs were worse, and undone


def test_warm_start_continues_the_model_and_its_history(blobs):
    X, y = blobs
    clf = MLPClassifier(**{**SMALL, "max_iter": 4, "warm_start": True, "n_iter_no_change": 99})
    quiet(clf.fit, X, y)
    model, first = clf.model_, list(clf.loss_curve_)
    quiet(clf.fit, X, y)
    assert clf.model_ is model and clf.n_iter_ == 8 and clf.loss_curve_[:4] == first
    cold = quiet(clone(clf).set_params(warm_start=False).fit, X, y)
    assert cold.n_iter_ == 4


def test_dropout_and_float32_reach_the_model(blobs):
    X, y = blobs
    clf = quiet(MLPClassifier(**{**SMALL, "dropout": 0.2, "dtype": "float32"}).fit, X, y)
    assert any(isinstance(layer, cr.Dropout) for layer in clf.model_.layers)
    assert clf.model_.dtype == np.float32 and clf.predict_proba(X).dtype == np.float32
    assert clf.model_.layers[0].l2 == pytest.approx(1e-4 / 150)       # alpha / batch_size ("auto": min(200, n))


# -- the scikit-learn toolbox ----------------------------------------------------------------------------------------
def test_clone_and_pickle_keep_parameters_and_predictions(blobs):
    X, y = blobs
    est = MLPClassifier(**SMALL)
    assert clone(est).get_params() == est.get_params()
    quiet(est.fit, X, y)
    again = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(again.predict_proba(X), est.predict_proba(X))
    assert not hasattr(clone(est), "model_")


def test_pipeline_in_gridsearch_gives_the_same_results_with_two_jobs(blobs):
    X, y = blobs
    pipe = make_pipeline(StandardScaler(), MLPClassifier(**SMALL))
    grid = {"mlpclassifier__alpha": [1e-4, 1e-1], "mlpclassifier__hidden_layer_sizes": [(4,), (8,)]}
    serial = quiet(GridSearchCV(pipe, grid, cv=3).fit, X, y)
    parallel = quiet(GridSearchCV(pipe, grid, cv=3, n_jobs=2).fit, X, y)
    np.testing.assert_array_equal(serial.cv_results_["mean_test_score"], parallel.cv_results_["mean_test_score"])
    assert serial.best_params_ == parallel.best_params_
    assert parallel.best_score_ > 0.8


def test_verbose_prints_one_line_per_epoch(blobs, capsys):
    X, y = blobs
    quiet(MLPClassifier(**{**SMALL, "max_iter": 3, "verbose": True}).fit, X, y)
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[:2] for line in lines] == [["epoch", "1/3"], ["epoch", "2/3"], ["epoch", "3/3"]]
    quiet(MLPClassifier(**{**SMALL, "max_iter": 3}).fit, X, y)
    assert capsys.readouterr().out == ""
