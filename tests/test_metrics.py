"""Metrics: hand-computed goldens, the 0/0 convention, input errors, and scikit-learn as an oracle."""

import functools

import numpy as np
import pytest

from chainrule import (Adam, BatchNorm, BinaryCrossEntropy, Dense, MeanSquaredError, ReLU, Sequential,
                       SoftmaxCrossEntropy, Tanh, metrics)
from chainrule.datasets import make_blobs, make_moons
from chainrule.metrics import (accuracy, confusion_matrix, f1, mean_absolute_error, precision, r2_score,
                               recall)

# Binary example: TP = 2 (rows 1, 4), FP = 1 (row 2), FN = 2 (rows 3, 6), TN = 1 (row 5).
BINARY_TRUE = [1, 0, 1, 1, 0, 1]
BINARY_PRED = [1, 1, 0, 1, 0, 0]

# Three classes; C = [[2, 1, 0],
#                     [0, 1, 1],
#                     [1, 0, 0]]   (rows true, columns predicted)
MULTI_TRUE = [0, 0, 0, 1, 1, 2]
MULTI_PRED = [0, 0, 1, 1, 2, 0]


# -- classification goldens ------------------------------------------------------------------------------
def test_accuracy_is_the_fraction_of_matching_labels():
    assert accuracy(BINARY_TRUE, BINARY_PRED) == 3 / 6
    assert accuracy(MULTI_TRUE, MULTI_PRED) == 3 / 6
    assert accuracy([2, 2], [2, 2]) == 1.0


def test_confusion_matrix_rows_are_true_classes_and_columns_predicted():
    C = confusion_matrix(MULTI_TRUE, MULTI_PRED)
    np.testing.assert_array_equal(C, [[2, 1, 0], [0, 1, 1], [1, 0, 0]])
    assert C.dtype == np.int64 and C.sum() == 6
    np.testing.assert_array_equal(confusion_matrix(BINARY_TRUE, BINARY_PRED), [[1, 1], [2, 2]])


def test_confusion_matrix_with_n_classes_keeps_absent_classes():
    C = confusion_matrix([0, 1], [1, 1], n_classes=4)
    assert C.shape == (4, 4)
    np.testing.assert_array_equal(C[:2, :2], [[0, 1], [0, 1]])
    assert C[2:].sum() == 0 and C[:, 2:].sum() == 0


def test_binary_precision_recall_f1_by_hand():
    assert precision(BINARY_TRUE, BINARY_PRED) == pytest.approx(2 / 3)          # TP / (TP + FP)
    assert recall(BINARY_TRUE, BINARY_PRED) == pytest.approx(2 / 4)             # TP / (TP + FN)
    assert f1(BINARY_TRUE, BINARY_PRED) == pytest.approx(2 * 2 / (3 + 4))        # 2TP / (predicted + support)
    p, r = 2 / 3, 1 / 2
    assert f1(BINARY_TRUE, BINARY_PRED) == pytest.approx(2 * p * r / (p + r))


def test_multiclass_averages_by_hand():
    # per class: precision (2/3, 1/2, 0/1), recall (2/3, 1/2, 0/1), F1 (4/6, 2/4, 0), support (3, 2, 1)
    assert precision(MULTI_TRUE, MULTI_PRED, average="macro") == pytest.approx((2 / 3 + 1 / 2 + 0) / 3)
    assert recall(MULTI_TRUE, MULTI_PRED, average="macro") == pytest.approx((2 / 3 + 1 / 2 + 0) / 3)
    assert f1(MULTI_TRUE, MULTI_PRED, average="macro") == pytest.approx((4 / 6 + 2 / 4 + 0) / 3)
    assert precision(MULTI_TRUE, MULTI_PRED, average="weighted") == pytest.approx((3 * 2 / 3 + 2 * 1 / 2) / 6)
    assert recall(MULTI_TRUE, MULTI_PRED, average="weighted") == pytest.approx((3 * 2 / 3 + 2 * 1 / 2) / 6)
    assert f1(MULTI_TRUE, MULTI_PRED, average="weighted") == pytest.approx((3 * 4 / 6 + 2 * 2 / 4) / 6)


@pytest.mark.parametrize("metric", [precision, recall, f1])
def test_micro_average_equals_accuracy_for_single_label_data(metric):
    assert metric(MULTI_TRUE, MULTI_PRED, average="micro") == pytest.approx(accuracy(MULTI_TRUE, MULTI_PRED))


def test_zero_division_gives_zero_without_a_warning(recwarn):
    assert precision([1, 0, 1], [0, 0, 0]) == 0.0       # nothing predicted positive
    assert recall([0, 0, 0], [1, 0, 0]) == 0.0          # no positive example
    assert f1([0, 0], [0, 0]) == 0.0                    # neither: TP = FP = FN = 0
    # class 2 is never predicted: its precision 0/0 counts as 0 in the macro average
    assert precision([0, 1, 2], [0, 1, 1], average="macro") == pytest.approx((1 + 1 / 2 + 0) / 3)
    assert len(recwarn) == 0


def test_macro_average_covers_only_classes_present_in_y_true_or_y_pred():
    # labels 0 and 3: classes 1 and 2 appear in neither array and must not pull the average to 0
    assert recall([0, 3, 3], [0, 3, 0], average="macro") == pytest.approx((1 + 1 / 2) / 2)


def test_labels_may_be_booleans_or_whole_valued_floats():
    assert precision(np.array(BINARY_TRUE, bool), np.array(BINARY_PRED, float)) == pytest.approx(2 / 3)
    assert accuracy(np.array([1.0, 2.0]), np.array([1, 2])) == 1.0


def test_results_are_python_floats():
    for value in (accuracy(BINARY_TRUE, BINARY_PRED), f1(BINARY_TRUE, BINARY_PRED),
                  r2_score([1.0, 2.0], [1.0, 2.5]), mean_absolute_error([1.0], [2.0])):
        assert type(value) is float


# -- regression goldens ------------------------------------------------------------------------------------
def test_r2_score_by_hand():
    y, y_hat = [1.0, 2.0, 3.0, 4.0], [1.0, 2.0, 2.0, 5.0]
    # ȳ = 2.5, SS_tot = 2.25 + 0.25 + 0.25 + 2.25 = 5, SS_res = 0 + 0 + 1 + 1 = 2
    assert r2_score(y, y_hat) == pytest.approx(1 - 2 / 5)
    assert r2_score(y, y) == 1.0
    assert r2_score(y, [2.5] * 4) == pytest.approx(0.0)                 # predicting the mean
    assert r2_score(y, [4.0, 3.0, 2.0, 1.0]) == pytest.approx(1 - 20 / 5)  # worse than the mean: negative


def test_r2_score_averages_outputs_uniformly():
    Y = np.array([[1.0, 10.0], [2.0, 20.0], [3.0, 30.0], [4.0, 40.0]])
    Y_hat = np.array([[1.0, 10.0], [2.0, 20.0], [2.0, 30.0], [5.0, 40.0]])
    assert r2_score(Y, Y_hat) == pytest.approx(((1 - 2 / 5) + 1.0) / 2)


def test_r2_score_of_a_constant_target_is_1_if_exact_else_0():
    assert r2_score([3.0, 3.0], [3.0, 3.0]) == 1.0
    assert r2_score([3.0, 3.0], [3.0, 4.0]) == 0.0


def test_mean_absolute_error_by_hand():
    assert mean_absolute_error([1.0, 2.0, 3.0], [2.0, 2.0, 1.0]) == pytest.approx((1 + 0 + 2) / 3)
    assert mean_absolute_error([[0.0, 1.0], [2.0, 3.0]], [[1.0, 1.0], [2.0, 0.0]]) == pytest.approx((1 + 3) / 4)


# -- input errors ----------------------------------------------------------------------------------------
def test_label_arrays_of_different_length_are_rejected():
    with pytest.raises(ValueError, match=r"accuracy: y_true has 3 labels but y_pred has 2; pass one prediction"):
        accuracy([0, 1, 1], [0, 1])


def test_a_column_of_labels_suggests_ravel_and_one_hot_rows_suggest_argmax():
    with pytest.raises(ValueError, match=r"y_pred must be a 1-D array of class labels \(m,\), got shape \(3, 1\)\. "
                                         r"It has one column; pass y_pred\.ravel\(\)\."):
        accuracy([0, 1, 1], np.array([[0], [1], [1]]))
    with pytest.raises(ValueError, match=r"pass y_true\.argmax\(axis=1\)"):
        f1(np.eye(3), [0, 1, 2], average="macro")


def test_probabilities_and_negative_labels_are_rejected():
    with pytest.raises(ValueError, match=r"non-integer values \(e\.g\. 0\.2\).*\(y_pred > 0\.5\)\.astype\(int\)"):
        precision([0, 1], [0.2, 0.7])
    with pytest.raises(ValueError, match=r"negative labels \(e\.g\. -1\)"):
        recall([-1, 1], [1, 1])
    with pytest.raises(ValueError, match="y_true is empty"):
        accuracy([], [])


def test_binary_average_with_more_than_two_classes_says_to_pick_another_average():
    with pytest.raises(ValueError, match=r"average='binary' needs labels 0 and 1 .*got labels \[0, 1, 2\]\. "
                                         r"For more classes use average='macro'"):
        f1(MULTI_TRUE, MULTI_PRED)
    with pytest.raises(ValueError, match=r"average must be one of \('binary', 'macro', 'micro', 'weighted'\), "
                                         r"got 'samples'"):
        precision(MULTI_TRUE, MULTI_PRED, average="samples")


def test_confusion_matrix_rejects_labels_beyond_n_classes():
    with pytest.raises(ValueError, match=r"labels must be in \[0, 2\) for n_classes=2, got label 2\. "
                                         r"Pass n_classes=3"):
        confusion_matrix([0, 2], [1, 1], n_classes=2)


def test_regression_metrics_reject_mismatched_shapes_and_too_few_examples():
    with pytest.raises(ValueError, match=r"y_true has shape \(3,\) but y_pred has shape \(3, 1\).*y\.ravel\(\)"):
        r2_score([1.0, 2.0, 3.0], [[1.0], [2.0], [3.0]])
    with pytest.raises(ValueError, match=r"must be \(m,\) or \(m, n_outputs\), got shape \(2, 2, 1\)"):
        mean_absolute_error(np.zeros((2, 2, 1)), np.zeros((2, 2, 1)))
    with pytest.raises(ValueError, match="R² needs at least 2 examples"):
        r2_score([1.0], [1.0])
    with pytest.raises(ValueError, match="NaN or inf"):
        mean_absolute_error([1.0, np.nan], [1.0, 2.0])


# -- scikit-learn as an oracle ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def sk():
    return pytest.importorskip("sklearn.metrics")


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("average", ["macro", "micro", "weighted"])
def test_multiclass_scores_match_scikit_learn(sk, seed, average):
    rng = np.random.default_rng(seed)
    y_true = rng.integers(0, 4, size=40)
    y_pred = np.where(rng.random(40) < 0.5, y_true, rng.integers(0, 5, size=40))  # class 4 only predicted
    for ours, theirs in [(precision, sk.precision_score), (recall, sk.recall_score), (f1, sk.f1_score)]:
        assert ours(y_true, y_pred, average=average) == pytest.approx(
            theirs(y_true, y_pred, average=average, zero_division=0), abs=1e-12)


@pytest.mark.parametrize("seed", range(5))
def test_binary_scores_accuracy_and_confusion_matrix_match_scikit_learn(sk, seed):
    rng = np.random.default_rng(10 + seed)
    y_true, y_pred = rng.integers(0, 2, size=25), rng.integers(0, 2, size=25)
    for ours, theirs in [(precision, sk.precision_score), (recall, sk.recall_score), (f1, sk.f1_score)]:
        assert ours(y_true, y_pred) == pytest.approx(theirs(y_true, y_pred, zero_division=0), abs=1e-12)
    assert accuracy(y_true, y_pred) == pytest.approx(sk.accuracy_score(y_true, y_pred), abs=1e-12)
    np.testing.assert_array_equal(confusion_matrix(y_true, y_pred), sk.confusion_matrix(y_true, y_pred))


def test_degenerate_label_sets_match_scikit_learn_zero_division(sk):
    cases = [([1, 0, 1], [0, 0, 0]), ([0, 0, 0], [1, 0, 0]), ([0, 0], [0, 0]), ([1, 1], [1, 1])]
    for y_true, y_pred in cases:
        for ours, theirs in [(precision, sk.precision_score), (recall, sk.recall_score), (f1, sk.f1_score)]:
            assert ours(y_true, y_pred) == theirs(y_true, y_pred, zero_division=0), (ours.__name__, y_true, y_pred)


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("shape", [(30,), (30, 3)])
def test_r2_and_mean_absolute_error_match_scikit_learn(sk, seed, shape):
    rng = np.random.default_rng(20 + seed)
    y_true = rng.standard_normal(shape)
    y_pred = y_true + 0.5 * rng.standard_normal(shape)
    assert r2_score(y_true, y_pred) == pytest.approx(sk.r2_score(y_true, y_pred), abs=1e-12)
    assert mean_absolute_error(y_true, y_pred) == pytest.approx(sk.mean_absolute_error(y_true, y_pred), abs=1e-12)


def test_r2_of_a_constant_output_matches_scikit_learns_force_finite(sk):
    Y = np.array([[1.0, 5.0], [2.0, 5.0], [4.0, 5.0]])
    Y_hat = np.array([[1.5, 5.0], [2.0, 4.0], [3.0, 5.0]])
    assert r2_score(Y, Y_hat) == pytest.approx(sk.r2_score(Y, Y_hat), abs=1e-12)


def test_the_module_exports_the_documented_averages():
    assert metrics.AVERAGES == ("binary", "macro", "micro", "weighted")


def test_fit_logs_metrics_per_epoch_and_for_validation():
    X, y = make_blobs(300, n_classes=3, seed=0)
    Xv, yv = make_blobs(90, n_classes=3, seed=1)
    model = Sequential([Dense(2, 8), BatchNorm(8), ReLU(), Dense(8, 3)], seed=0)
    h = model.fit(X, y, SoftmaxCrossEntropy(), Adam(lr=0.01), epochs=4, validation_data=(Xv, yv),
                  metrics={"macro_f1": functools.partial(metrics.f1, average="macro"), "acc": metrics.accuracy})
    assert len(h["macro_f1"]) == 4 and len(h["val_macro_f1"]) == 4
    np.testing.assert_allclose(h["acc"], h["accuracy"], rtol=1e-12)
    np.testing.assert_allclose(h["val_acc"], h["val_accuracy"], rtol=1e-12)
    ev = model.evaluate(Xv, yv, metrics={"f1m": functools.partial(metrics.f1, average="micro")})
    assert ev["f1m"] == pytest.approx(ev["accuracy"])
    assert h["val_macro_f1"][-1] == pytest.approx(metrics.f1(yv, model.predict_labels(Xv), average="macro"))


def test_binary_and_regression_metrics():
    X, y = make_moons(100, seed=0)
    model = Sequential([Dense(2, 8), Tanh(), Dense(8, 1)], seed=0)
    h = model.fit(X, y, BinaryCrossEntropy(from_logits=True), Adam(lr=0.01), epochs=2, metrics=[metrics.f1, metrics.precision])
    assert "f1" in h and "precision" in h
    Yr = X @ np.array([[1.0, 2.0], [0.5, -1.0]])
    reg = Sequential([Dense(2, 2)], seed=0)
    h = reg.fit(X, Yr, MeanSquaredError(), Adam(lr=0.05), epochs=20, metrics=[metrics.r2_score, metrics.mean_absolute_error])
    assert h["r2_score"][-1] > h["r2_score"][0]
    with pytest.raises(ValueError, match="not names"):
        reg.fit(X, Yr, MeanSquaredError(), Adam(), metrics=["f1"])
    with pytest.raises(ValueError, match="no __name__"):
        reg.fit(X, Yr, MeanSquaredError(), Adam(), metrics=[functools.partial(metrics.f1, average="macro")])
    with pytest.raises(ValueError, match="'loss'"):
        reg.fit(X, Yr, MeanSquaredError(), Adam(), metrics={"loss": metrics.r2_score})
    multi = Sequential([Dense(2, 2)], seed=0)
    with pytest.raises(ValueError, match="multi-label"):
        multi.fit(X, np.c_[y, 1 - y], BinaryCrossEntropy(from_logits=True), Adam(), metrics=[metrics.f1])
