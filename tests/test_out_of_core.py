"""Out-of-core training (issue 15): memory-mapped arrays and streamed (X_b, Y_b) batches give the
in-memory run's weights, with the same callbacks, History and checkpoints."""

import numpy as np
import pytest

import chainrule as cr

BATCH = 32


@pytest.fixture(scope="module")
def moons():
    X, y = cr.datasets.make_moons(n_samples=203, noise=0.2, seed=0)      # 203 = 6 batches of 32 and one of 11
    return X, y


def make_model(dropout=0.0, dtype=np.float64):
    return cr.mlp([2, 8, 2], activation="tanh", dropout=dropout, dtype=dtype, seed=1)


def weights(model):
    return [p.copy() for p, _ in model.params_and_grads()]


def assert_same_weights(a, b):
    for p, q in zip(weights(a), weights(b)):
        np.testing.assert_array_equal(p, q)


def in_memory(X, y, epochs=3, **kwargs):
    """The arrays' run on the NumPy plan, which streamed batches always take (the compiled epoch reads arrays)."""
    model = make_model(kwargs.pop("dropout", 0.0))
    history = model.fit(X, y, cr.SoftmaxCrossEntropy(), cr.Adam(lr=0.01), epochs=epochs, batch_size=BATCH,
                        shuffle=False, backend="numpy", **kwargs)
    return model, history


def read_in_order(X, y):
    """A function returning a fresh generator of the stored-order batches: one call per epoch."""
    def batches():
        for start in range(0, len(X), BATCH):
            yield X[start:start + BATCH], y[start:start + BATCH]
    return batches


class MemmapBatches:
    """A re-iterable stream over two .npy files, read through memory maps a batch at a time."""

    def __init__(self, x_path, y_path):
        self.x_path, self.y_path = x_path, y_path

    def __iter__(self):
        X, y = np.load(self.x_path, mmap_mode="r"), np.load(self.y_path, mmap_mode="r")
        for start in range(0, X.shape[0], BATCH):
            yield np.asarray(X[start:start + BATCH]), np.asarray(y[start:start + BATCH])


@pytest.fixture
def saved(moons, tmp_path):
    X, y = moons
    np.save(tmp_path / "X.npy", X)
    np.save(tmp_path / "y.npy", y)
    return tmp_path / "X.npy", tmp_path / "y.npy"


def test_memmap_arrays_train_to_the_in_memory_weights_shuffled_or_not(moons, saved):
    X, y = moons
    X_map, y_map = np.load(saved[0], mmap_mode="r"), np.load(saved[1], mmap_mode="r")
    assert isinstance(X_map, np.memmap)
    for shuffle in (True, False):
        a, b = make_model(), make_model()
        ha = a.fit(X, y, cr.SoftmaxCrossEntropy(), cr.Adam(lr=0.01), epochs=3, batch_size=BATCH, shuffle=shuffle)
        hb = b.fit(X_map, y_map, cr.SoftmaxCrossEntropy(), cr.Adam(lr=0.01), epochs=3, batch_size=BATCH,
                   shuffle=shuffle)
        assert_same_weights(a, b)
        assert ha.history == hb.history


def test_a_function_returning_a_generator_trains_to_the_in_memory_weights(moons):
    X, y = moons
    a, ha = in_memory(X, y)
    b = make_model()
    hb = b.fit(read_in_order(X, y), None, cr.SoftmaxCrossEntropy(), cr.Adam(lr=0.01), epochs=3)
    assert_same_weights(a, b)
    assert ha.history == hb.history            # loss and accuracy per epoch, counted batch by batch
    assert len(hb["accuracy"]) == 3


def test_a_reiterable_memmap_stream_trains_to_the_in_memory_weights_with_dropout(moons, saved):
    X, y = moons
    a, ha = in_memory(X, y, dropout=0.2)       # the dropout masks come from the model's generator in both runs
    b = make_model(dropout=0.2)
    hb = b.fit(MemmapBatches(*saved), None, cr.SoftmaxCrossEntropy(), cr.Adam(lr=0.01), epochs=3)
    assert_same_weights(a, b)
    assert ha.history == hb.history


def test_a_one_shot_generator_trains_one_epoch_and_refuses_more(moons):
    X, y = moons
    a, _ = in_memory(X, y, epochs=1)
    b = make_model()
    b.fit(read_in_order(X, y)(), None, cr.SoftmaxCrossEntropy(), cr.Adam(lr=0.01), epochs=1)
    assert_same_weights(a, b)
    with pytest.raises(ValueError, match=r"one-shot iterator \(generator\).*epochs=2.*fresh iterator"):
        make_model().fit(read_in_order(X, y)(), None, cr.SoftmaxCrossEntropy(), cr.Adam(), epochs=2)


def test_streamed_batches_keep_validation_callbacks_metrics_and_checkpoints(moons, tmp_path):
    X, y = moons
    X_val, y_val = X[:50], y[:50]
    stop_a, stop_b = (cr.EarlyStopping(patience=1, min_delta=0.01) for _ in range(2))

    class Checkpoint(cr.Callback):
        def on_epoch_end(self, epoch, logs):
            self.model.save(tmp_path / f"epoch{epoch}.npz")

    a, ha = in_memory(X, y, epochs=40, validation_data=(X_val, y_val), callbacks=[stop_a],
                      metrics=[cr.metrics.f1])
    b = make_model()
    hb = b.fit(read_in_order(X, y), None, cr.SoftmaxCrossEntropy(), cr.Adam(lr=0.01), epochs=40,
               validation_data=(X_val, y_val), callbacks=[stop_b, Checkpoint()], metrics=[cr.metrics.f1])
    assert ha.history == hb.history
    assert set(hb.keys()) == {"loss", "accuracy", "f1", "val_loss", "val_accuracy", "val_f1"}
    assert stop_a.stopped_epoch == stop_b.stopped_epoch is not None     # the stream stopped early too
    assert_same_weights(a, b)
    last = cr.load(tmp_path / f"epoch{len(hb.epoch) - 1}.npz")
    assert last.history.history == hb.history


def test_sample_weights_as_a_third_item_equal_in_memory_sample_weight(moons):
    X, y = moons
    w = np.random.default_rng(3).uniform(0.5, 2.0, size=len(y))
    a, ha = in_memory(X, y, sample_weight=w)
    b = make_model()

    def weighted():
        for start in range(0, len(X), BATCH):
            yield X[start:start + BATCH], y[start:start + BATCH], w[start:start + BATCH]
    hb = b.fit(weighted, None, cr.SoftmaxCrossEntropy(), cr.Adam(lr=0.01), epochs=3)
    assert_same_weights(a, b)
    assert ha.history == hb.history


def test_a_regression_stream_logs_loss_only_and_casts_to_float32():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 3))
    Y = X @ np.array([[1.0], [-2.0], [0.5]])
    model = cr.mlp([3, 4, 1], dtype=np.float32, seed=0)
    batches = [(X[i:i + 16], Y[i:i + 16]) for i in range(0, 64, 16)]        # a list: re-iterable
    history = model.fit(batches, None, cr.MeanSquaredError(), cr.SGD(lr=0.05), epochs=20)
    assert set(history.keys()) == {"loss"}
    assert history["loss"][-1] < history["loss"][0]
    assert model.layers[0].W.dtype == np.float32
    assert model.planned_batches == 4


@pytest.mark.parametrize("source, message", [
    (np.zeros((4, 2)), r"Y is None, which means X is a stream of \(X_b, Y_b\) batches, but X is ndarray\(4, 2\)"),
    (5, r"an iterable of \(X_b, Y_b\) batches or a function returning one; got 5"),
    ([np.zeros((4, 2))], r"batch 1 of X is ndarray; each batch must be a pair \(X_b, Y_b\)"),
    ([], r"epoch 1 got no batches"),
    ([(np.zeros((4, 3)), np.zeros(4, dtype=int))], r"\(batch 1\).*expects \(m, 2\)"),
])
def test_bad_streams_are_rejected_with_the_fix(source, message):
    with pytest.raises(ValueError, match=message):
        make_model().fit(source, None, cr.SoftmaxCrossEntropy(), cr.SGD(lr=0.1), epochs=1)


def test_weights_arguments_with_a_stream_point_to_the_third_item(moons):
    X, y = moons
    with pytest.raises(ValueError, match=r"third item of each batch"):
        make_model().fit(read_in_order(X, y), None, cr.SoftmaxCrossEntropy(), cr.SGD(lr=0.1),
                         sample_weight=np.ones(len(y)))


def test_verbose_and_hints_work_on_a_stream(moons, capsys):
    X, y = moons
    model = make_model()
    model.fit(read_in_order(X, y), None, cr.SoftmaxCrossEntropy(), cr.Adam(lr=0.01), epochs=2, verbose=True,
              hints=True)
    out = capsys.readouterr().out
    assert "epoch 1/2" in out and "epoch 2/2" in out
