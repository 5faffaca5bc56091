"""Sequential end to end: training, reproducibility, dtype, the user loop, History, callbacks, errors."""

import re

import numpy as np
import pytest

import chainrule as cr

from chainrule import (SGD, Adam, BinaryCrossEntropy, Dense, Dropout, EarlyStopping, History, Identity,
                       MeanSquaredError, ReLU, Sequential, Sigmoid, SoftmaxCrossEntropy, Tanh, minibatches, one_hot)
from chainrule.datasets import make_blobs, make_moons
from chainrule.initializers import normal


def moons_net(seed=0, dtype=np.float64):
    return Sequential([Dense(2, 16), Tanh(), Dense(16, 16), Tanh(), Dense(16, 1)], dtype=dtype, seed=seed)


def test_moons_reach_90_percent_held_out_accuracy_in_100_epochs():
    X, y = make_moons(300, noise=0.2, seed=0)
    X_test, y_test = make_moons(300, noise=0.2, seed=1)
    model = moons_net(seed=0)
    history = model.fit(X, y, BinaryCrossEntropy(from_logits=True), Adam(lr=0.01), epochs=100, batch_size=32)
    assert history["accuracy"][-1] >= 0.95
    assert history["loss"][-1] < history["loss"][0]
    assert model.evaluate(X_test, y_test)["accuracy"] >= 0.9


def test_blobs_reach_90_percent_accuracy_with_softmax_cross_entropy_and_momentum():
    X, y = make_blobs(300, n_classes=3, seed=0)
    model = Sequential([Dense(2, 8), ReLU(), Dense(8, 3)], seed=0)
    model.fit(X, y, SoftmaxCrossEntropy(), SGD(lr=0.1, momentum=0.9), epochs=20, batch_size=32)
    assert model.evaluate(X, y)["accuracy"] >= 0.9
    assert np.array_equal(model.predict_labels(X), model.predict(X).argmax(axis=1))


def train_moons(seed, epochs=5, dtype=np.float64):
    X, y = make_moons(200, noise=0.2, seed=0)
    model = Sequential([Dense(2, 8), Tanh(), Dropout(0.2), Dense(8, 1)], dtype=dtype, seed=seed)
    model.fit(X, y, BinaryCrossEntropy(from_logits=True), Adam(lr=0.01), epochs=epochs, batch_size=16)
    return model


def test_the_same_seed_gives_bit_identical_weights_after_training():
    first, second = train_moons(seed=3), train_moons(seed=3)
    for (a, _), (b, _) in zip(first.params_and_grads(), second.params_and_grads()):
        assert np.array_equal(a, b)
    assert first.history.history == second.history.history


def test_a_different_seed_gives_different_weights():
    first, second = train_moons(seed=3), train_moons(seed=4)
    assert not np.array_equal(first.layers[0].W, second.layers[0].W)


def test_a_float32_model_keeps_float32_params_grads_outputs_and_optimizer_state():
    model = train_moons(seed=0, epochs=2, dtype=np.float32)
    for param, grad in model.params_and_grads():
        assert param.dtype == np.float32 and grad.dtype == np.float32
    for moments in (model.optimizer.m, model.optimizer.v):
        assert all(a.dtype == np.float32 for a in moments)
    X, _ = make_moons(10, seed=1)
    assert model.predict(X).dtype == np.float32
    assert model.predict_proba(X).dtype == np.float32


def test_float32_model_with_softmax_and_integer_labels_trains_in_float32():
    X, y = make_blobs(60, n_classes=3, seed=2)
    model = Sequential([Dense(2, 4), Tanh(), Dense(4, 3)], dtype=np.float32, seed=1)
    model.fit(X, y, SoftmaxCrossEntropy(), SGD(lr=0.1, momentum=0.5), epochs=2, batch_size=16)
    assert all(p.dtype == np.float32 and g.dtype == np.float32 for p, g in model.params_and_grads())
    assert all(v.dtype == np.float32 for v in model.optimizer.velocity)


def test_the_documented_four_line_loop_matches_fit_bit_for_bit():
    X, y = make_moons(120, noise=0.2, seed=5)
    Y = y.reshape(-1, 1).astype(np.float64)
    fitted = Sequential([Dense(2, 6), Tanh(), Dropout(0.1), Dense(6, 1)], seed=7)
    fitted.fit(X, Y, BinaryCrossEntropy(from_logits=True), SGD(lr=0.2, momentum=0.9), epochs=3, batch_size=25)

    model = Sequential([Dense(2, 6), Tanh(), Dropout(0.1), Dense(6, 1)], seed=7)
    loss_fn, optimizer = BinaryCrossEntropy(from_logits=True), SGD(lr=0.2, momentum=0.9)
    for _ in range(3):
        for X_b, Y_b in minibatches(X, Y, 25, model.rng):
            loss = loss_fn.forward(model.forward(X_b, training=True), Y_b)
            model.backward(loss_fn.backward())
            optimizer.step(model.params_and_grads())

    for (a, _), (b, _) in zip(fitted.params_and_grads(), model.params_and_grads()):
        assert np.array_equal(a, b)


def test_fit_returns_history_with_one_value_per_epoch():
    X, y = make_moons(100, seed=0)
    model = moons_net()
    history = model.fit(X, y, BinaryCrossEntropy(from_logits=True), Adam(lr=0.01), epochs=4, batch_size=32)
    assert isinstance(history, History)
    assert history is model.history
    assert sorted(history.keys()) == ["accuracy", "loss"]
    assert len(history["loss"]) == len(history["accuracy"]) == 4
    assert history.epoch == [0, 1, 2, 3]
    assert all(isinstance(v, float) for v in history["loss"])


def test_fit_with_validation_data_adds_val_metrics():
    X, y = make_moons(100, seed=0)
    X_val, y_val = make_moons(40, seed=1)
    model = moons_net()
    history = model.fit(X, y, BinaryCrossEntropy(from_logits=True), Adam(lr=0.01), epochs=3,
                        validation_data=(X_val, y_val))
    assert sorted(history.keys()) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    assert len(history["val_loss"]) == 3
    assert history["val_loss"][-1] == pytest.approx(model.evaluate(X_val, y_val)["loss"], rel=1e-12)


def test_full_batch_history_reports_the_loss_before_the_step_exactly():
    X, y = make_moons(50, seed=0)
    loss = BinaryCrossEntropy(from_logits=True)
    expected = loss.forward(moons_net(seed=4).forward(X, training=True), y.reshape(-1, 1).astype(float))
    # the NumPy plan: bit for bit (the compiled path's exp and log1p may differ in the last bit;
    # test_compiled.py holds it to this plan within 1e-12)
    history = moons_net(seed=4).fit(X, y, loss, SGD(lr=0.1), epochs=1, batch_size=50, shuffle=False, backend="numpy")
    assert history["loss"] == [expected]


def test_a_second_fit_call_continues_the_history():
    X, y = make_moons(60, seed=0)
    model = moons_net()
    model.fit(X, y, BinaryCrossEntropy(from_logits=True), Adam(lr=0.01), epochs=2)
    history = model.fit(X, y, BinaryCrossEntropy(from_logits=True), Adam(lr=0.01), epochs=3)
    assert len(history["loss"]) == 5
    assert history.epoch == [0, 1, 2, 3, 4]


def test_fit_without_shuffle_visits_rows_in_order_and_is_reproducible():
    X, y = make_moons(60, seed=0)
    runs = []
    for _ in range(2):
        model = moons_net(seed=1)
        model.fit(X, y, BinaryCrossEntropy(from_logits=True), SGD(lr=0.1), epochs=2, batch_size=16, shuffle=False)
        runs.append(model.layers[0].W.copy())
    assert np.array_equal(*runs)


def test_early_stopping_stops_and_restores_the_best_weights():
    # Validation labels are the training labels flipped: the better the fit, the worse val_loss.
    X, y = make_moons(100, noise=0.1, seed=0)
    loss, epochs = BinaryCrossEntropy(from_logits=True), 50
    model = moons_net(seed=2)
    stopper = EarlyStopping(monitor="val_loss", patience=2)
    history = model.fit(X, y, loss, Adam(lr=0.05), epochs=epochs, batch_size=20,
                        validation_data=(X, 1 - y), callbacks=[stopper])
    n_run = len(history["loss"])
    assert n_run < epochs
    assert stopper.stopped_epoch == n_run - 1
    best = int(np.argmin(history["val_loss"]))
    assert stopper.best_epoch == best
    assert n_run == best + 1 + 2                                   # patience epochs after the best

    # The same model trained for best + 1 epochs has exactly the restored weights.
    twin = moons_net(seed=2)
    twin.fit(X, y, loss, Adam(lr=0.05), epochs=best + 1, batch_size=20)
    for (restored, _), (expected, _) in zip(model.params_and_grads(), twin.params_and_grads()):
        assert np.array_equal(restored, expected)
    assert model.evaluate(X, 1 - y)["loss"] == pytest.approx(history["val_loss"][best], rel=1e-12)


def test_early_stopping_without_the_monitored_metric_says_to_pass_validation_data():
    X, y = make_moons(40, seed=0)
    with pytest.raises(ValueError, match="validation_data"):
        moons_net().fit(X, y, BinaryCrossEntropy(from_logits=True), SGD(lr=0.1), epochs=2,
                        callbacks=[EarlyStopping()])


def test_evaluate_returns_loss_and_accuracy():
    model = Sequential([Dense(2, 1), Identity()], seed=0)
    model.layers[0].W[...] = [[1.0], [0.0]]
    X = np.array([[2.0, 5.0], [-1.0, 3.0], [0.5, 0.0], [-3.0, 1.0]])
    y = np.array([1, 0, 0, 0])
    result = model.evaluate(X, y, loss=BinaryCrossEntropy(from_logits=True))
    assert set(result) == {"loss", "accuracy"}
    assert result["accuracy"] == 0.75
    z = X[:, 0]
    expected = np.mean(np.logaddexp(0, z) - z * y)
    assert result["loss"] == pytest.approx(expected, rel=1e-14)


def test_evaluate_includes_the_l2_penalty():
    model = Sequential([Dense(2, 1, l2=0.5)], seed=0)
    model.layers[0].W[...] = [[1.0], [2.0]]
    result = model.evaluate(np.zeros((3, 2)), np.zeros(3), loss=MeanSquaredError())
    assert result["loss"] == 0.5 * 0.5 * 5.0            # the MSE term is 0: only ½·λ·ΣW² remains


def test_evaluate_after_fit_defaults_to_the_training_loss():
    X, y = make_moons(40, seed=0)
    model = moons_net()
    model.fit(X, y, BinaryCrossEntropy(from_logits=True), SGD(lr=0.1), epochs=1)
    assert model.evaluate(X, y) == model.evaluate(X, y, loss=BinaryCrossEntropy(from_logits=True))


def test_predict_shape_and_batching():
    model = Sequential([Dense(3, 5), ReLU(), Dense(5, 2)], seed=0)
    X = np.random.default_rng(0).standard_normal((11, 3))
    assert model.predict(X).shape == (11, 2)
    assert np.allclose(model.predict(X, batch_size=4), model.predict(X), rtol=0, atol=1e-15)
    assert model.predict(X[:1]).shape == (1, 2)


def test_predict_proba_and_labels_follow_the_training_loss():
    X, y = make_blobs(30, n_classes=3, seed=0)
    model = Sequential([Dense(2, 3)], seed=0)
    model.fit(X, y, SoftmaxCrossEntropy(), SGD(lr=0.1), epochs=1)
    P = model.predict_proba(X)
    assert np.allclose(P.sum(axis=1), 1.0)
    assert np.array_equal(model.predict_labels(X), P.argmax(axis=1))


def test_summary_lists_layers_and_parameter_counts():
    model = Sequential([Dense(2, 8), Tanh(), Dense(8, 1)], seed=0)
    text = model.summary()
    assert model.count_params() == 2 * 8 + 8 + 8 * 1 + 1 == 33
    assert "total parameters: 33" in text
    lines = text.splitlines()
    assert re.search(r"Dense\(n_in=2, n_out=8\).*\(m, 8\)\s+24$", lines[2])
    assert re.search(r"Tanh\(\).*\(m, 8\)\s+0$", lines[3])
    assert re.search(r"Dense\(n_in=8, n_out=1\).*\(m, 1\)\s+9$", lines[4])
    assert "float64" in text


def test_summary_formats_large_counts_with_thousands_separators():
    assert "total parameters: 200,960" in Sequential([Dense(784, 256)], seed=0).summary()


def test_divergence_raises_floating_point_error_naming_epoch_batch_and_lr():
    rng = np.random.default_rng(0)
    X = 1e3 * rng.standard_normal((64, 4))
    Y = X @ rng.standard_normal((4, 1))
    model = Sequential([Dense(4, 1)], seed=0)
    with pytest.raises(FloatingPointError) as excinfo:
        model.fit(X, Y, MeanSquaredError(), SGD(lr=1e6), epochs=5, batch_size=16)
    message = str(excinfo.value)
    assert re.search(r"loss became (nan|inf) at epoch \d+, batch \d+ \(lr=1000000\.0\)", message), message
    assert "smaller lr" in message


def test_layers_are_numbered_and_the_first_skips_the_input_gradient():
    model = Sequential([Dense(2, 3), Sigmoid(), Dense(3, 1)], seed=0)
    assert [layer.index for layer in model.layers] == [1, 2, 3]
    X = np.ones((4, 2))
    model.forward(X)
    assert model.backward(np.ones((4, 1))) is None
    model.forward(X)
    dX = model.backward(np.ones((4, 1)), input_grad=True)
    assert dX.shape == (4, 2)
    assert model.layers[0].backward(np.ones((4, 3)), input_grad=False) is None


def test_params_and_grads_are_the_live_arrays_in_layer_order():
    model = Sequential([Dense(2, 3), Tanh(), Dense(3, 1)], seed=0)
    pairs = model.params_and_grads()
    assert [p.shape for p, _ in pairs] == [(2, 3), (3,), (3, 1), (1,)]
    assert pairs[0][0] is model.layers[0].W and pairs[3][0] is model.layers[2].b


def test_the_model_seed_fixes_the_initial_weights_whatever_the_layer_rng():
    a = Sequential([Dense(2, 3, rng=np.random.default_rng(1))], seed=9)
    b = Sequential([Dense(2, 3, rng=np.random.default_rng(2))], seed=9)
    assert np.array_equal(a.layers[0].W, b.layers[0].W)


def test_one_hot_targets_and_integer_labels_train_identically():
    X, y = make_blobs(40, n_classes=3, seed=3)
    runs = []
    for Y in (y, one_hot(y, 3)):
        model = Sequential([Dense(2, 3)], seed=0)
        model.fit(X, Y, SoftmaxCrossEntropy(), SGD(lr=0.1), epochs=2, batch_size=8)
        runs.append(model.layers[0].W.copy())
    assert np.array_equal(*runs)


def test_a_float32_sigmoid_output_with_binary_cross_entropy_survives_saturation():
    # The course's "large initialization" (randn·10) saturates the Sigmoid output: in float32 it is
    # exactly 0.0 or 1.0 for |z| > ~17. float64 trains; float32 must not stop with a non-finite loss.
    X, y = make_blobs(200, n_classes=2, spread=0.3, seed=0)
    model = Sequential([Dense(2, 8, init=normal(10)), ReLU(), Dense(8, 1, init=normal(10)), Sigmoid()],
                       dtype=np.float32, seed=0)
    history = model.fit(X, y, BinaryCrossEntropy(), SGD(lr=0.01), epochs=2, batch_size=20)
    assert np.isfinite(history["loss"]).all()


def test_unit_sample_weights_train_exactly_like_no_weights():
    X, y = cr.datasets.make_moons(120, seed=3)
    a = cr.Sequential([cr.Dense(2, 6), cr.Tanh(), cr.Dense(6, 2)], seed=4)
    b = cr.Sequential([cr.Dense(2, 6), cr.Tanh(), cr.Dense(6, 2)], seed=4)
    a.fit(X, y, cr.SoftmaxCrossEntropy(), cr.SGD(0.1), epochs=3, batch_size=16)
    b.fit(X, y, cr.SoftmaxCrossEntropy(), cr.SGD(0.1), epochs=3, batch_size=16, sample_weight=np.ones(len(y)))
    for (p, _), (q, _) in zip(a.params_and_grads(), b.params_and_grads()):
        np.testing.assert_allclose(p, q, rtol=1e-13, atol=1e-15)


def test_zero_weight_examples_do_not_influence_training():
    X, y = cr.datasets.make_moons(100, seed=5)
    noise = np.random.default_rng(6).normal(size=(40, 2)) * 5
    X_all = np.r_[X, noise]
    y_all = np.r_[y, np.zeros(40, dtype=np.int64)]
    w = np.r_[np.ones(100), np.zeros(40)]
    a = cr.Sequential([cr.Dense(2, 6), cr.Tanh(), cr.Dense(6, 2)], seed=7)
    b = cr.Sequential([cr.Dense(2, 6), cr.Tanh(), cr.Dense(6, 2)], seed=7)
    a.fit(X, y, cr.SoftmaxCrossEntropy(), cr.SGD(0.1), epochs=2, batch_size=140, shuffle=False)
    b.fit(X_all, y_all, cr.SoftmaxCrossEntropy(), cr.SGD(0.1 * 140 / 100), epochs=2, batch_size=140,
          shuffle=False, sample_weight=w)
    for (p, _), (q, _) in zip(a.params_and_grads(), b.params_and_grads()):
        np.testing.assert_allclose(p, q, rtol=1e-12, atol=1e-14)


def test_balanced_class_weight_helps_the_minority_class():
    rng = np.random.default_rng(8)
    X = np.r_[rng.normal(0, 1, size=(300, 2)), rng.normal(1.2, 1, size=(20, 2))]
    y = np.r_[np.zeros(300, dtype=np.int64), np.ones(20, dtype=np.int64)]
    recalls = []
    for class_weight in (None, "balanced"):
        model = cr.Sequential([cr.Dense(2, 8), cr.Tanh(), cr.Dense(8, 2)], seed=9)
        model.fit(X, y, cr.SoftmaxCrossEntropy(), cr.Adam(0.01), epochs=30, batch_size=32, class_weight=class_weight)
        recalls.append(np.mean(model.predict_labels(X)[y == 1] == 1))
    assert recalls[1] > recalls[0] + 0.2


def test_bad_weights_raise():
    X, y = cr.datasets.make_moons(20, seed=0)
    model = cr.Sequential([cr.Dense(2, 2)], seed=0)
    with pytest.raises(ValueError, match="one weight per example"):
        model.fit(X, y, cr.SoftmaxCrossEntropy(), cr.SGD(0.1), sample_weight=np.ones(3))
    with pytest.raises(ValueError, match=">= 0"):
        model.fit(X, y, cr.SoftmaxCrossEntropy(), cr.SGD(0.1), sample_weight=-np.ones(20))
    with pytest.raises(ValueError, match="balanced"):
        model.fit(X, y, cr.SoftmaxCrossEntropy(), cr.SGD(0.1), class_weight="even")
    with pytest.raises(ValueError, match="delta"):
        cr.Huber(delta=0.0)
def test_a_stack_of_parameter_free_layers_takes_n_features_and_trains_saves_and_loads(tmp_path):
    # issue 14: Keras and PyTorch accept Sequential([Dropout(0.5)]); the input size is given, not guessed
    model = Sequential([Dropout(0.5), ReLU()], n_features=3, seed=0)
    X = np.array([[1.0, -2.0, 3.0], [0.5, 0.5, -1.0]])
    assert (model.n_features, model.n_outputs) == (3, 3)
    np.testing.assert_array_equal(model.predict(X), np.maximum(X, 0))
    history = model.fit(X, X, MeanSquaredError(), SGD(lr=0.1), epochs=2)
    assert len(history["loss"]) == 2
    model.save(tmp_path / "free.npz")
    from chainrule import load
    assert load(tmp_path / "free.npz").n_features == 3
    assert Sequential([Dropout(0.2), Dense(3, 2)], n_features=3).n_outputs == 2
