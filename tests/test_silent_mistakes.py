"""The mistakes a newcomer makes without a word from the library (issue 13), each now named with its fix."""

import numpy as np
import pytest

import chainrule as cr


def moons(m=100):
    return cr.datasets.make_moons(n_samples=m, noise=0.2, seed=0)


def test_bce_expecting_probabilities_on_a_model_ending_in_dense_logits_is_refused_with_the_fix():
    X, y = moons()
    model = cr.Sequential([cr.Dense(2, 8), cr.Tanh(), cr.Dense(8, 1)], seed=0)
    with pytest.raises(ValueError, match=r"BinaryCrossEntropy\(\) expects probabilities.*Dense layer 3.*"
                                         r"from_logits=True.*Sigmoid\(\)"):
        model.fit(X, y, cr.BinaryCrossEntropy(), cr.SGD(lr=0.1), epochs=1)
    # the two fixes it names both train
    for loss, layers in [(cr.BinaryCrossEntropy(from_logits=True), [cr.Dense(2, 8), cr.Tanh(), cr.Dense(8, 1)]),
                         (cr.BinaryCrossEntropy(), [cr.Dense(2, 8), cr.Tanh(), cr.Dense(8, 1), cr.Sigmoid()])]:
        fixed = cr.Sequential(layers, seed=0)
        fixed.fit(X, y, loss, cr.Adam(lr=0.05), epochs=60)
        assert fixed.evaluate(X, y)["accuracy"] > 0.8


def test_a_softmax_layer_before_softmax_cross_entropy_is_refused_as_a_double_softmax():
    X, y = moons()
    model = cr.Sequential([cr.Dense(2, 8), cr.ReLU(), cr.Dense(8, 2), cr.Softmax()], seed=0)
    with pytest.raises(ValueError, match=r"double softmax.*Drop the Softmax layer.*predict_proba"):
        model.fit(X, y, cr.SoftmaxCrossEntropy(), cr.SGD(lr=0.1), epochs=1)


def test_a_sigmoid_layer_before_bce_from_logits_is_refused():
    X, y = moons()
    model = cr.Sequential([cr.Dense(2, 1), cr.Sigmoid()], seed=0)
    with pytest.raises(ValueError, match=r"from_logits=True\) applies the sigmoid itself.*Drop the Sigmoid"):
        model.fit(X, y, cr.BinaryCrossEntropy(from_logits=True), cr.SGD(lr=0.1), epochs=1)


def test_the_legitimate_pairings_still_train():
    X, y = moons()
    Y = cr.one_hot(y, 2)
    cr.Sequential([cr.Dense(2, 2), cr.Softmax()], seed=0).fit(X, Y, cr.MeanSquaredError(), cr.SGD(lr=0.1))
    cr.Sequential([cr.Dense(2, 2)], seed=0).fit(X, y, cr.SoftmaxCrossEntropy(), cr.SGD(lr=0.1))


def test_class_weight_naming_an_unknown_class_raises():
    X, y = moons()
    model = cr.Sequential([cr.Dense(2, 2)], seed=0)
    with pytest.raises(ValueError, match=r"class_weight names classes \[5\] that Y does not have.*0 to 1"):
        model.fit(X, y, cr.SoftmaxCrossEntropy(), cr.SGD(lr=0.1), class_weight={5: 2.0})
    with pytest.raises(ValueError, match=r"classes \['a'\]"):
        model.fit(X, y, cr.SoftmaxCrossEntropy(), cr.SGD(lr=0.1), class_weight={0: 1.0, "a": 2.0})
    model.fit(X, y, cr.SoftmaxCrossEntropy(), cr.SGD(lr=0.1), class_weight={1: 2.0})        # known: fine


def test_early_stopping_on_val_acc_names_the_logged_keys_and_suggests_val_accuracy():
    X, y = moons()
    model = cr.Sequential([cr.Dense(2, 2)], seed=0)
    with pytest.raises(ValueError) as info:
        model.fit(X, y, cr.SoftmaxCrossEntropy(), cr.SGD(lr=0.1), epochs=2, validation_data=(X, y),
                  callbacks=[cr.EarlyStopping(monitor="val_acc")])
    message = str(info.value)
    assert "'val_accuracy'" in message and "'val_loss'" in message and "monitor='val_accuracy'" in message
    assert "pass validation_data" not in message.lower()
    with pytest.raises(ValueError, match="Pass validation_data"):              # only when it is missing
        model.fit(X, y, cr.SoftmaxCrossEntropy(), cr.SGD(lr=0.1), epochs=2,
                  callbacks=[cr.EarlyStopping(monitor="val_loss")])


def test_evaluate_after_a_hand_written_loop_takes_the_loss_and_says_so_when_missing():
    X, y = moons()
    model = cr.Sequential([cr.Dense(2, 8), cr.ReLU(), cr.Dense(8, 2)], seed=0)
    loss_fn, optimizer, rng = cr.SoftmaxCrossEntropy(), cr.SGD(lr=0.5), np.random.default_rng(0)
    for X_b, Y_b in cr.minibatches(X, cr.one_hot(y, 2), batch_size=32, rng=rng):
        loss_fn.forward(model.forward(X_b, training=True), Y_b)
        model.backward(loss_fn.backward())
        optimizer.step(model.params_and_grads())
    with pytest.raises(ValueError, match=r"no loss to use: fit records one, a hand-written loop does not.*"
                                         r"loss=cr.SoftmaxCrossEntropy\(\)"):
        model.evaluate(X, y)
    result = model.evaluate(X, y, loss=loss_fn)
    assert set(result) == {"loss", "accuracy"} and result["loss"] > 0


def test_load_mnist_takes_a_dtype_and_float32_halves_the_memory(tmp_path):
    import gzip
    import pickle
    rng = np.random.default_rng(0)
    splits = tuple((rng.random((n, 784), dtype=np.float32), rng.integers(0, 10, n)) for n in (12, 5, 4))
    (tmp_path / "mnist.pkl.gz").write_bytes(gzip.compress(pickle.dumps(splits, protocol=2)))
    wide = cr.datasets.load_mnist(tmp_path / "mnist.pkl.gz")
    narrow = cr.datasets.load_mnist(tmp_path / "mnist.pkl.gz", dtype=np.float32)
    assert wide.X_train.dtype == np.float64 and narrow.X_train.dtype == np.float32
    assert narrow.X_train.nbytes * 2 == wide.X_train.nbytes
    assert np.array_equal(narrow.X_test, splits[2][0])


def test_the_history_plot_puts_only_whole_epochs_on_the_x_axis(tmp_path):
    pytest.importorskip("matplotlib")
    history = cr.History({"loss": [0.9, 0.7, 0.6], "val_loss": [1.0, 0.8, 0.75], "accuracy": [0.5, 0.6, 0.7]})
    from chainrule import plotting
    figure = plotting.plot_history(history)
    figure.canvas.draw()
    for ax in figure.axes:
        ticks = [t for t in ax.get_xticks() if ax.get_xlim()[0] <= t <= ax.get_xlim()[1]]
        assert ticks and all(float(t).is_integer() for t in ticks), ticks
