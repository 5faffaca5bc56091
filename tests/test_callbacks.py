"""Callbacks in isolation: History, EarlyStopping's bookkeeping, ProgressLogger's output stream."""

import io

import numpy as np
import pytest

from chainrule import SGD, Dense, EarlyStopping, History, MeanSquaredError, ProgressLogger, Sequential


class FakeModel:
    """Just enough of a Sequential for callbacks: one parameter array and the stop flag."""

    def __init__(self):
        self.W = np.zeros(2)
        self.stop_training = False
        self.planned_epochs = 4

    def params_and_grads(self):
        return [(self.W, np.zeros(2))]


def run(callback, model, values, key="val_loss"):
    callback.on_train_begin(model)
    for epoch, value in enumerate(values):
        model.W[...] = epoch
        callback.on_epoch_end(epoch, {key: value})
        if model.stop_training:
            break
    callback.on_train_end({})
    return epoch


def test_history_collects_one_value_per_epoch_and_is_indexable():
    history = History()
    history.on_epoch_end(0, {"loss": 1.0, "accuracy": 0.5})
    history.on_epoch_end(1, {"loss": 0.5, "accuracy": 0.75})
    assert history["loss"] == [1.0, 0.5]
    assert history.history == {"loss": [1.0, 0.5], "accuracy": [0.5, 0.75]}
    assert history.epoch == [0, 1]
    assert "accuracy" in history and "val_loss" not in history
    assert repr(history) == "History(epochs=2, keys=['accuracy', 'loss'])"


def test_history_rebuilt_from_a_dict_knows_its_epochs():
    history = History({"loss": [3.0, 2.0, 1.0]})
    assert history.epoch == [0, 1, 2]


def test_early_stopping_stops_after_patience_epochs_without_improvement_and_restores_best():
    model = FakeModel()
    stopper = EarlyStopping(patience=2)
    last = run(stopper, model, [1.0, 0.5, 0.6, 0.7, 0.4])
    assert last == 3 and stopper.stopped_epoch == 3
    assert stopper.best_epoch == 1 and stopper.best == 0.5
    assert np.array_equal(model.W, [1.0, 1.0])           # the weights of epoch 1, restored in place


def test_early_stopping_min_delta_ignores_tiny_improvements():
    stopper = EarlyStopping(patience=1, min_delta=0.1)
    assert run(stopper, FakeModel(), [1.0, 0.95, 0.5]) == 1


def test_early_stopping_mode_auto_maximizes_accuracies():
    stopper = EarlyStopping(monitor="val_accuracy", patience=1)
    assert stopper.mode == "max"
    model = FakeModel()
    run(stopper, model, [0.5, 0.8, 0.7], key="val_accuracy")
    assert stopper.best == 0.8 and np.array_equal(model.W, [1.0, 1.0])


def test_early_stopping_without_restore_keeps_the_last_weights():
    model = FakeModel()
    run(EarlyStopping(patience=1, restore_best_weights=False), model, [1.0, 2.0, 3.0])
    assert np.array_equal(model.W, [1.0, 1.0])


@pytest.mark.parametrize("kwargs", [{"patience": -1}, {"patience": 1.5}, {"min_delta": -0.1}, {"mode": "up"}])
def test_early_stopping_rejects_bad_arguments(kwargs):
    with pytest.raises(ValueError):
        EarlyStopping(**kwargs)


def test_progress_logger_writes_every_n_epochs_and_the_last_to_its_stream():
    stream = io.StringIO()
    logger = ProgressLogger(every=3, stream=stream)
    logger.on_train_begin(FakeModel())
    for epoch in range(4):
        logger.on_epoch_end(epoch, {"loss": 0.25})
    lines = stream.getvalue().splitlines()
    assert [line.split("  ")[0] for line in lines] == ["epoch 3/4", "epoch 4/4"]
    assert "loss 0.2500" in lines[0]


@pytest.mark.parametrize("every", [0, 1.0])
def test_progress_logger_rejects_a_bad_interval(every):
    with pytest.raises(ValueError):
        ProgressLogger(every=every)


def test_progress_logger_counts_epochs_across_a_second_fit_call():
    # fit numbers epochs on from the model's history, so the total shown must count them too:
    # a second fit of 3 epochs after 2 prints "epoch 5/5" last, never "epoch 4/3".
    X = np.random.default_rng(0).standard_normal((20, 2))
    Y = X.sum(axis=1, keepdims=True)
    model = Sequential([Dense(2, 1)], seed=0)
    model.fit(X, Y, MeanSquaredError(), SGD(lr=0.01), epochs=2)
    stream = io.StringIO()
    model.fit(X, Y, MeanSquaredError(), SGD(lr=0.01), epochs=3, callbacks=[ProgressLogger(every=2, stream=stream)])
    headers = [line.split("  ")[0] for line in stream.getvalue().splitlines()]
    assert headers == ["epoch 4/5", "epoch 5/5"]
