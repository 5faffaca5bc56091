"""Batching and label helpers: minibatches, one_hot, train_val_split."""

import numpy as np
import pytest

from chainrule import minibatches, one_hot, train_val_split


def numbered(m, n_features=3):
    """X whose first column is the row number, and Y = row number, so batches can be traced."""
    X = np.repeat(np.arange(m, dtype=float)[:, None], n_features, axis=1)
    return X, np.arange(m).reshape(-1, 1)


def test_minibatches_with_rng_cover_every_row_exactly_once_per_epoch():
    X, Y = numbered(103)
    rng = np.random.default_rng(0)
    orders = []
    for _ in range(3):
        seen = np.concatenate([X_b[:, 0] for X_b, _ in minibatches(X, Y, 10, rng)])
        assert np.array_equal(np.sort(seen), np.arange(103))
        orders.append(seen)
    assert not np.array_equal(orders[0], orders[1])       # reshuffled every epoch
    assert not np.array_equal(orders[0], np.arange(103))


def test_minibatches_keep_rows_paired_with_their_targets():
    X, Y = numbered(50)
    for X_b, Y_b in minibatches(X, Y, 7, np.random.default_rng(1)):
        assert np.array_equal(X_b[:, 0], Y_b[:, 0])


def test_minibatches_without_rng_keep_the_stored_order():
    X, Y = numbered(10)
    batches = list(minibatches(X, Y, 4))
    assert [Y_b.ravel().tolist() for _, Y_b in batches] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]


def test_minibatches_last_batch_is_smaller():
    X, Y = numbered(23)
    sizes = [X_b.shape[0] for X_b, _ in minibatches(X, Y, 5, np.random.default_rng(2))]
    assert sizes == [5, 5, 5, 5, 3]


def test_minibatches_with_an_explicit_order_visit_rows_in_that_order():
    X, Y = numbered(5)
    batches = list(minibatches(X, Y, 2, order=np.array([4, 0, 3, 1, 2])))
    assert [Y_b.ravel().tolist() for _, Y_b in batches] == [[4, 0], [3, 1], [2]]


def test_minibatches_reject_an_order_of_the_wrong_length():
    X, Y = numbered(5)
    with pytest.raises(ValueError, match="order has 3 entries for 5 rows"):
        list(minibatches(X, Y, 2, order=np.arange(3)))


@pytest.mark.parametrize("batch_size", [23, 24, 1000])
def test_minibatches_with_batch_size_at_least_m_give_one_full_batch(batch_size):
    X, Y = numbered(23)
    batches = list(minibatches(X, Y, batch_size))
    assert len(batches) == 1
    assert batches[0][0].shape == (23, 3)


def test_minibatches_with_batch_size_one_is_stochastic_gradient_descent():
    X, Y = numbered(4)
    assert [X_b.shape for X_b, _ in minibatches(X, Y, 1)] == [(1, 3)] * 4


def test_minibatches_are_deterministic_for_a_seed():
    X, Y = numbered(30)
    first = [Y_b.ravel().tolist() for _, Y_b in minibatches(X, Y, 8, np.random.default_rng(5))]
    second = [Y_b.ravel().tolist() for _, Y_b in minibatches(X, Y, 8, np.random.default_rng(5))]
    assert first == second


@pytest.mark.parametrize("batch_size", [0, -1, 2.5, True])
def test_minibatches_reject_bad_batch_sizes(batch_size):
    X, Y = numbered(5)
    with pytest.raises(ValueError, match="batch_size must be an integer >= 1"):
        list(minibatches(X, Y, batch_size))


def test_minibatches_reject_x_and_y_of_different_lengths():
    X, _ = numbered(5)
    with pytest.raises(ValueError, match="X has 5 examples"):
        list(minibatches(X, np.zeros((4, 1)), 2))


def test_one_hot_values():
    Y = one_hot([2, 0, 1, 2])
    assert Y.shape == (4, 3) and Y.dtype == np.float64
    assert np.array_equal(Y, [[0, 0, 1], [1, 0, 0], [0, 1, 0], [0, 0, 1]])


def test_one_hot_with_explicit_n_classes_and_dtype():
    Y = one_hot(np.array([1, 0]), n_classes=4, dtype=np.float32)
    assert Y.dtype == np.float32
    assert np.array_equal(Y, [[0, 1, 0, 0], [1, 0, 0, 0]])


def test_one_hot_accepts_whole_float_labels_and_column_vectors():
    assert np.array_equal(one_hot(np.array([[1.0], [0.0]])), [[0, 1], [1, 0]])
    assert np.array_equal(one_hot(np.array([[1, 0, 2]])), np.eye(3)[[1, 0, 2]])


@pytest.mark.parametrize("labels, kwargs, fragment", [
    ([0, -1, 2], {}, "labels must be >= 0"),
    ([0, 3], {"n_classes": 3}, "label 3 does not fit n_classes=3"),
    ([0.5, 1.0], {}, "whole numbers"),
    ([[0, 1], [1, 0]], {}, "labels must be 1-D"),
    ([0, 1], {"n_classes": 0}, "n_classes must be an integer >= 1"),
    (["a", "b"], {}, "must hold numbers"),
], ids=["negative", "too_large", "fractional", "two_d", "zero_classes", "strings"])
def test_one_hot_errors(labels, kwargs, fragment):
    with pytest.raises(ValueError, match=fragment):
        one_hot(labels, **kwargs)


def test_train_val_split_sizes_without_rng_keep_order():
    X, Y = numbered(10)
    X_train, Y_train, X_val, Y_val = train_val_split(X, Y, 0.3)
    assert X_train.shape == (7, 3) and Y_train.shape == (7, 1)
    assert X_val.shape == (3, 3) and Y_val.shape == (3, 1)
    assert Y_train.ravel().tolist() == list(range(7))
    assert Y_val.ravel().tolist() == [7, 8, 9]


def test_train_val_split_with_rng_is_a_shuffled_partition():
    X, Y = numbered(40)
    X_train, Y_train, X_val, Y_val = train_val_split(X, Y, 0.25, rng=np.random.default_rng(3))
    assert len(Y_train) == 30 and len(Y_val) == 10
    assert sorted(np.concatenate([Y_train, Y_val]).ravel().tolist()) == list(range(40))
    assert np.array_equal(X_train[:, 0], Y_train[:, 0]) and np.array_equal(X_val[:, 0], Y_val[:, 0])
    assert Y_val.ravel().tolist() != list(range(30, 40))


@pytest.mark.parametrize("fraction, fragment", [
    (0.0, "val_fraction must be in"),
    (1.0, "val_fraction must be in"),
    (-0.2, "val_fraction must be in"),
    (0.01, "both need at least one"),
    (0.99, "both need at least one"),
    ("half", "val_fraction must be a number"),
])
def test_train_val_split_errors(fraction, fragment):
    X, Y = numbered(10)
    with pytest.raises(ValueError, match=fragment):
        train_val_split(X, Y, fraction)


def test_train_val_split_rejects_x_and_y_of_different_lengths():
    X, _ = numbered(10)
    with pytest.raises(ValueError, match="X has 10 examples"):
        train_val_split(X, np.zeros(9), 0.2)
