"""chainrule.targets: classes or values from the loss's link and Y, labels, accuracy, probabilities."""

import numpy as np
import pytest

from chainrule import targets
from chainrule.losses import BinaryCrossEntropy, Huber, MeanAbsoluteError, MeanSquaredError, SoftmaxCrossEntropy


def test_probabilities_maps_logits_through_the_losses_link():
    Z = np.array([[0.0, 0.0]])
    assert np.array_equal(targets.probabilities(SoftmaxCrossEntropy(), Z), [[0.5, 0.5]])
    assert np.array_equal(targets.probabilities(BinaryCrossEntropy(from_logits=True), Z), [[0.5, 0.5]])
    assert targets.probabilities(MeanSquaredError(), Z) is Z


def test_accuracy_per_loss_link():
    Y = np.array([[1.0], [0.0], [1.0], [0.0]])
    assert targets.accuracy(BinaryCrossEntropy(), np.array([[0.9], [0.2], [0.4], [0.6]]), Y) == 0.5
    assert targets.accuracy(BinaryCrossEntropy(from_logits=True), np.array([[2.0], [-1.0], [0.5], [-3.0]]), Y) == 1.0
    Z = np.array([[2.0, 1.0, 0.0], [0.0, 0.0, 5.0]])
    assert targets.accuracy(SoftmaxCrossEntropy(), Z, np.array([0, 1])) == 0.5
    assert targets.accuracy(SoftmaxCrossEntropy(), Z, np.eye(3)[[0, 2]]) == 1.0
    assert targets.accuracy(MeanSquaredError(), np.array([[0.3], [2.0]]), np.array([[0.5], [1.5]])) is None


@pytest.mark.parametrize("loss", [MeanAbsoluteError(), Huber()])
def test_value_losses_never_score_classes_even_on_one_hot_targets(loss):
    assert targets.labels(loss, np.eye(3)) is None
    assert targets.accuracy(loss, np.eye(3), np.eye(3)) is None


def test_mean_squared_error_scores_one_hot_and_0_1_targets_as_classes():
    assert np.array_equal(targets.labels(MeanSquaredError(), np.eye(3)[[2, 0]]), [2, 0])
    assert np.array_equal(targets.labels(MeanSquaredError(), np.array([[1.0], [0.0]])), [1, 0])


def test_binary_cross_entropy_with_several_outputs_gives_one_label_per_output():
    Y_hat = np.array([[0.9, 0.1], [0.2, 0.7]])
    assert np.array_equal(targets.predicted_labels(BinaryCrossEntropy(), Y_hat), [[1, 0], [0, 1]])


def test_prepare_turns_class_indices_into_one_hot_rows_for_softmax():
    Y = targets.prepare(SoftmaxCrossEntropy(), np.array([2, 0]), 3, "test")
    assert np.array_equal(Y, np.eye(3)[[2, 0]])


def test_from_labels_one_hot_encodes_only_for_the_identity_link():
    y = np.array([1, 0, 2])
    assert np.array_equal(targets.from_labels(MeanSquaredError(), y, 3), np.eye(3)[y])
    assert targets.from_labels(SoftmaxCrossEntropy(), y, 3) is y
