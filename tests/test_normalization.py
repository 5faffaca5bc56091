"""BatchNorm: the forward equations, running statistics, gradient checks, dtype, errors, training, and its
running statistics kept by save/load and restored by EarlyStopping."""

import re

import numpy as np
import pytest

from chainrule import (Adam, BinaryCrossEntropy, Callback, Dense, EarlyStopping, MeanSquaredError, ReLU, Sequential,
                       Tanh, check_gradients, load)
from chainrule.datasets import make_moons
from chainrule.normalization import BatchNorm

EPS = 1e-5


def batchnorm(rng, n=4, momentum=0.9):
    """A BatchNorm with γ, β and running statistics away from their initial 1, 0, 0, 1."""
    layer = BatchNorm(n, momentum=momentum)
    layer.gamma[...] = rng.uniform(0.5, 2.0, n)
    layer.beta[...] = rng.standard_normal(n)
    layer.running_mean[...] = rng.standard_normal(n)
    layer.running_var[...] = rng.uniform(0.5, 2.0, n)
    return layer


def features(rng, m, n=4):
    """Columns with different means and scales, as a Dense layer's outputs would have."""
    return rng.standard_normal((m, n)) * rng.uniform(0.5, 3.0, n) + rng.uniform(-2.0, 2.0, n)


# -- forward -------------------------------------------------------------------------------------------
def test_training_forward_follows_the_docstring_equations():
    rng = np.random.default_rng(1)
    layer = batchnorm(rng)
    X = features(rng, 6)
    A = layer.forward(X, training=True)
    mu = X.sum(axis=0) / 6
    var = ((X - mu) ** 2).sum(axis=0) / 6                     # biased
    X_hat = (X - mu) / np.sqrt(var + layer.eps)
    np.testing.assert_allclose(layer.X_hat, X_hat, rtol=1e-12)
    np.testing.assert_allclose(A, layer.gamma * X_hat + layer.beta, rtol=1e-12)


def test_training_output_has_zero_mean_and_unit_std_per_feature_before_gamma_and_beta():
    rng = np.random.default_rng(2)
    X = features(rng, 64, n=5) * 10.0
    A = BatchNorm(5).forward(X, training=True)                 # γ = 1, β = 0
    np.testing.assert_allclose(A.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(A.std(axis=0), 1.0, atol=1e-6)  # √(σ²/(σ² + eps)) with σ² >= 25


def test_inference_uses_the_running_statistics_and_leaves_them_unchanged():
    rng = np.random.default_rng(3)
    layer = batchnorm(rng)
    mean, var = layer.running_mean.copy(), layer.running_var.copy()
    X = features(rng, 5)
    A = layer.forward(X, training=False)
    np.testing.assert_allclose(A, layer.gamma * (X - mean) / np.sqrt(var + layer.eps) + layer.beta, rtol=1e-12)
    assert np.array_equal(layer.running_mean, mean) and np.array_equal(layer.running_var, var)


def test_inference_output_of_a_row_does_not_depend_on_the_rest_of_the_batch():
    rng = np.random.default_rng(4)
    layer = batchnorm(rng)
    X = features(rng, 10)
    assert np.allclose(layer.forward(X)[:3], layer.forward(X[:3]), rtol=1e-14)
    assert layer.forward(X[:1]).shape == (1, 4)                # a single example is fine at inference


def test_running_statistics_after_several_batches_equal_a_hand_computation():
    rng = np.random.default_rng(5)
    layer = BatchNorm(3, momentum=0.8)
    batches = [features(rng, m, n=3) for m in (4, 7, 2)]
    for X in batches:
        layer.forward(X, training=True)
    mean, var = np.zeros(3), np.ones(3)
    for X in batches:
        m = X.shape[0]
        mean = 0.8 * mean + 0.2 * X.mean(axis=0)
        var = 0.8 * var + 0.2 * ((X - X.mean(axis=0)) ** 2).sum(axis=0) / (m - 1)   # unbiased
    np.testing.assert_allclose(layer.running_mean, mean, rtol=1e-12)
    np.testing.assert_allclose(layer.running_var, var, rtol=1e-12)


def test_running_statistics_converge_to_the_data_statistics():
    rng = np.random.default_rng(6)
    X = rng.standard_normal((20000, 2)) * [2.0, 0.5] + [3.0, -1.0]
    layer = BatchNorm(2, momentum=0.9)
    for start in range(0, X.shape[0], 100):
        layer.forward(X[start:start + 100], training=True)
    np.testing.assert_allclose(layer.running_mean, [3.0, -1.0], atol=0.1)
    np.testing.assert_allclose(layer.running_var, [4.0, 0.25], rtol=0.15)


# -- gradients ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("m", [3, 8, 32])
def test_training_mode_backward_passes_check_gradients(m):
    # m = 2 is left out on purpose: then X̂ = ±√(σ²/(σ² + eps)) whatever the input, dA_prev is ~1e-7
    # and the relative error of two near-zero arrays measures only the finite-difference noise.
    rng = np.random.default_rng(10 + m)
    layer = batchnorm(rng)
    report = check_gradients(layer, features(rng, m), rng.standard_normal((m, 4)), MeanSquaredError(half=False),
                             training=True)
    assert report.passed, str(report)
    assert [c.name for c in report.checks] == ["gamma", "beta", "X"]


@pytest.mark.parametrize("m", [1, 3, 8])
def test_inference_mode_backward_passes_check_gradients(m):
    rng = np.random.default_rng(20 + m)
    layer = batchnorm(rng)
    report = check_gradients(layer, features(rng, m), rng.standard_normal((m, 4)), MeanSquaredError(half=False),
                             training=False)
    assert report.passed, str(report)


def test_training_backward_matches_the_compact_formula_written_out():
    rng = np.random.default_rng(7)
    layer = batchnorm(rng)
    X, dA = features(rng, 5), rng.standard_normal((5, 4))
    layer.forward(X, training=True)
    dX = layer.backward(dA)
    mu, var = X.mean(axis=0), X.var(axis=0)
    X_hat = (X - mu) / np.sqrt(var + layer.eps)
    dX_hat = dA * layer.gamma
    expected = (1 / 5) / np.sqrt(var + layer.eps) * (5 * dX_hat - dX_hat.sum(axis=0)
                                                     - X_hat * (dX_hat * X_hat).sum(axis=0))
    np.testing.assert_allclose(dX, expected, rtol=1e-12)
    np.testing.assert_allclose(layer.dgamma, (dA * X_hat).sum(axis=0), rtol=1e-12)
    np.testing.assert_allclose(layer.dbeta, dA.sum(axis=0), rtol=1e-12)


def bn_net(activation, seed):
    model = Sequential([Dense(3, 5), BatchNorm(5), activation(), Dense(5, 2)], seed=seed)
    model.layers[1].gamma[...] = np.linspace(0.5, 1.5, 5)
    model.layers[1].beta[...] = np.linspace(-0.3, 0.4, 5)
    return model


@pytest.mark.parametrize("activation", [Tanh, ReLU])
def test_sequential_with_batchnorm_passes_check_gradients_in_training_mode(activation):
    rng = np.random.default_rng(30)
    model = bn_net(activation, seed=2)
    X, Y = rng.standard_normal((8, 3)), rng.standard_normal((8, 2))
    Z = model.layers[1].forward(model.layers[0].forward(X), training=True)
    assert np.abs(Z).min() > 1e-3          # ReLU's kink lies far beyond the eps = 1e-5 probes
    report = check_gradients(model, X, Y, MeanSquaredError(), training=True)
    db1 = next(c for c in report.checks if c.layer.startswith("Dense layer 1") and c.name == "b")
    # The batch mean cancels the bias of the Dense before BatchNorm, so db1 is exactly 0; the
    # relative error of 0 against rounding noise is 1, so that entry is checked absolutely.
    assert abs(db1.analytic) < 1e-12 and abs(db1.numeric) < 1e-9
    others = [c for c in report.checks if c is not db1]
    assert len(others) == 6 and all(c.passed for c in others), str(report)


def test_the_bias_of_a_dense_layer_before_batchnorm_gets_no_gradient_in_training():
    rng = np.random.default_rng(31)
    model = bn_net(Tanh, seed=3)
    model.forward(rng.standard_normal((16, 3)), training=True)
    model.backward(rng.standard_normal((16, 2)))
    np.testing.assert_allclose(model.layers[0].db, 0.0, atol=1e-12)


def test_sequential_with_batchnorm_passes_check_gradients_in_inference_mode():
    rng = np.random.default_rng(32)
    model = bn_net(Tanh, seed=4)
    model.layers[1].running_mean[...] = rng.standard_normal(5)
    model.layers[1].running_var[...] = rng.uniform(0.5, 2.0, 5)
    report = check_gradients(model, rng.standard_normal((6, 3)), rng.standard_normal((6, 2)), MeanSquaredError())
    assert report.passed, str(report)


def test_backward_skips_the_input_gradient_when_batchnorm_is_the_first_layer():
    rng = np.random.default_rng(33)
    model = Sequential([BatchNorm(3), Dense(3, 2)], seed=0)
    model.forward(features(rng, 4, n=3), training=True)
    assert model.backward(rng.standard_normal((4, 2))) is None
    assert model.layers[0].dgamma.shape == (3,)
    model.forward(features(rng, 4, n=3), training=True)
    assert model.backward(rng.standard_normal((4, 2)), input_grad=True).shape == (4, 3)


# -- torch as an oracle ------------------------------------------------------------------------------------
@pytest.mark.torch
def test_forward_backward_and_running_statistics_match_torch_batchnorm1d():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(40)
    layer = BatchNorm(4, momentum=0.9, eps=1e-5)
    layer.gamma[...] = rng.uniform(0.5, 2.0, 4)
    layer.beta[...] = rng.standard_normal(4)
    ref = torch.nn.BatchNorm1d(4, momentum=0.1, eps=1e-5, dtype=torch.float64)   # torch's 0.1 is our 0.9
    with torch.no_grad():
        ref.weight.copy_(torch.from_numpy(layer.gamma))
        ref.bias.copy_(torch.from_numpy(layer.beta))
    for m in (6, 3, 9):
        X, dA = features(rng, m), rng.standard_normal((m, 4))
        A = layer.forward(X, training=True)
        dX = layer.backward(dA)
        X_t = torch.from_numpy(X).requires_grad_(True)
        ref.zero_grad()
        A_t = ref(X_t)
        A_t.backward(torch.from_numpy(dA))
        np.testing.assert_allclose(A, A_t.detach().numpy(), rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(dX, X_t.grad.numpy(), rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(layer.dgamma, ref.weight.grad.numpy(), rtol=1e-10)
        np.testing.assert_allclose(layer.dbeta, ref.bias.grad.numpy(), rtol=1e-10)
        np.testing.assert_allclose(layer.running_mean, ref.running_mean.numpy(), rtol=1e-12)
        np.testing.assert_allclose(layer.running_var, ref.running_var.numpy(), rtol=1e-12)
    ref.eval()
    X = features(rng, 5)
    np.testing.assert_allclose(layer.forward(X), ref(torch.from_numpy(X)).detach().numpy(), rtol=1e-10)


# -- dtype, the layer contract, errors -------------------------------------------------------------------------
def test_float32_stays_float32_in_forward_backward_and_running_statistics():
    rng = np.random.default_rng(50)
    model = Sequential([Dense(3, 4), BatchNorm(4), Tanh(), Dense(4, 1)], dtype=np.float32, seed=0)
    layer = model.layers[1]
    X = features(rng, 8, n=3).astype(np.float32)
    for training in (True, False):
        A = model.forward(X, training=training)
        dX = model.backward(np.ones_like(A), input_grad=True)
        assert A.dtype == np.float32 and dX.dtype == np.float32
        arrays = [layer.gamma, layer.beta, layer.dgamma, layer.dbeta, layer.running_mean, layer.running_var,
                  layer.X_hat, layer.inv_std]
        assert all(a.dtype == np.float32 for a in arrays), [a.dtype for a in arrays]
    standalone = BatchNorm(3, dtype=np.float32)
    assert standalone.forward(np.ones((2, 3), np.float32), training=True).dtype == np.float32


def test_build_resets_gamma_beta_and_running_statistics_in_the_given_dtype():
    rng = np.random.default_rng(51)
    layer = batchnorm(rng, n=3)
    layer.forward(features(rng, 4, n=3), training=True)
    layer.build(rng, np.dtype(np.float32))
    for array, value in [(layer.gamma, 1.0), (layer.beta, 0.0), (layer.running_mean, 0.0), (layer.running_var, 1.0)]:
        assert array.dtype == np.float32 and array.shape == (3,) and np.all(array == value)


def test_parameters_buffers_config_and_sizes():
    layer = BatchNorm(6, momentum=0.95, eps=1e-3)
    assert layer.param_names == ("gamma", "beta")
    assert [p is q for (p, _), q in zip(layer.params_and_grads(), (layer.gamma, layer.beta))] == [True, True]
    names = [name for name, _ in layer.buffers()]
    assert names == ["running_mean", "running_var"]
    assert layer.buffers()[0][1] is layer.running_mean and layer.buffers()[1][1] is layer.running_var
    assert layer.config() == {"n_features": 6, "momentum": 0.95, "eps": 1e-3}
    assert BatchNorm(**layer.config()).config() == layer.config()
    assert layer.n_in == 6 and layer.output_dim(6) == 6
    model = Sequential([Dense(2, 6), BatchNorm(6), ReLU(), Dense(6, 1)])
    assert (model.n_features, model.n_outputs) == (2, 1)
    assert model.count_params() == 2 * 6 + 6 + 2 * 6 + 6 + 1       # buffers are not parameters
    assert "BatchNorm(n_features=6" in model.summary()


def test_sequential_rejects_a_batchnorm_whose_width_does_not_match_the_layer_before():
    with pytest.raises(ValueError, match=r"layer 2 .*BatchNorm.* expects 6 input features, but the layers before it "
                                         r"output 8"):
        Sequential([Dense(2, 8), BatchNorm(6), ReLU(), Dense(6, 1)])


def test_wrong_input_width_names_the_layer_and_the_expected_shape():
    layer = BatchNorm(4)
    with pytest.raises(ValueError, match=re.escape("BatchNorm (n_features=4, momentum=0.9, eps=1e-05) got input of "
                                                   "shape (8, 5); expected (m, 4).")):
        layer.forward(np.zeros((8, 5)), training=True)
    with pytest.raises(ValueError, match=r"pass X\.T"):
        layer.forward(np.zeros((4, 10)))
    with pytest.raises(ValueError, match=r"expected \(m, 4\)"):
        layer.forward(np.zeros(4))


def test_a_single_example_in_training_mode_raises_and_says_why():
    model = Sequential([Dense(2, 3), BatchNorm(3), Dense(3, 1)], seed=0)
    with pytest.raises(ValueError, match=r"BatchNorm layer 2 .* batch of 1 example\(s\) in training mode.*"
                                         r"at least 2"):
        model.forward(np.ones((1, 2)), training=True)
    assert model.forward(np.ones((1, 2))).shape == (1, 1)


def test_backward_checks_call_order_and_shape():
    layer = BatchNorm(3)
    with pytest.raises(ValueError, match="backward called before forward"):
        layer.backward(np.zeros((2, 3)))
    layer.forward(np.arange(6.0).reshape(2, 3), training=True)
    with pytest.raises(ValueError, match=r"dA of shape \(2, 4\).*output of shape \(2, 3\)"):
        layer.backward(np.zeros((2, 4)))


@pytest.mark.parametrize("kwargs, message", [
    ({"n_features": 0}, "n_features must be an integer >= 1"),
    ({"n_features": 3, "momentum": 1.0}, r"momentum must be in \[0.0, 1.0\)"),
    ({"n_features": 3, "momentum": -0.1}, r"momentum must be in \[0.0, 1.0\)"),
    ({"n_features": 3, "eps": 0.0}, "eps must be > 0"),
    ({"n_features": 3, "dtype": np.int32}, "dtype must be float32 or float64"),
])
def test_hyperparameters_are_checked_at_construction(kwargs, message):
    with pytest.raises(ValueError, match=message):
        BatchNorm(**kwargs)


# -- training end to end -----------------------------------------------------------------------------------
def test_a_network_with_batchnorm_learns_moons_in_30_epochs():
    X, y = make_moons(300, noise=0.2, seed=0)
    X_test, y_test = make_moons(300, noise=0.2, seed=1)
    model = Sequential([Dense(2, 16), BatchNorm(16), ReLU(), Dense(16, 16), BatchNorm(16), ReLU(), Dense(16, 1)],
                       seed=0)
    history = model.fit(X, y, BinaryCrossEntropy(from_logits=True), Adam(lr=0.01), epochs=30, batch_size=32)
    assert history["loss"][-1] < history["loss"][0]
    assert history["accuracy"][-1] >= 0.9
    assert model.evaluate(X_test, y_test)["accuracy"] >= 0.9
    assert not np.array_equal(model.layers[1].running_mean, np.zeros(16))


# -- running statistics in save/load and EarlyStopping -----------------------------------------------------
def test_save_load_round_trips_batchnorm_buffers(tmp_path):
    X, y = make_moons(200, seed=0)
    for dtype in (np.float64, np.float32):
        model = Sequential([Dense(2, 8), BatchNorm(8), ReLU(), Dense(8, 1)], dtype=dtype, seed=0)
        model.fit(X, y, BinaryCrossEntropy(from_logits=True), Adam(lr=0.01), epochs=3)
        model.save(tmp_path / "m.npz")
        twin = load(tmp_path / "m.npz")
        for a, b in zip(model.layers[1].buffers(), twin.layers[1].buffers()):
            assert a[0] == b[0] and np.array_equal(a[1], b[1]) and b[1].dtype == dtype
        assert np.array_equal(model.predict(X), twin.predict(X))
        assert "layers.2.running_var" in np.load(tmp_path / "m.npz").files
        # resume bit for bit
        model.fit(X, y, BinaryCrossEntropy(from_logits=True), model.optimizer, epochs=2)
        twin.fit(X, y, BinaryCrossEntropy(from_logits=True), twin.optimizer, epochs=2)
        assert np.array_equal(model.predict(X), twin.predict(X))


def test_early_stopping_restores_running_stats():
    X, y = make_moons(200, noise=0.3, seed=0)
    Xv, yv = make_moons(100, noise=0.3, seed=1)
    model = Sequential([Dense(2, 8), BatchNorm(8), ReLU(), Dense(8, 1)], seed=0)
    snaps = []

    class Snap(Callback):
        def on_epoch_end(self, epoch, logs):
            snaps.append(model.layers[1].running_mean.copy())

    es = EarlyStopping(patience=2)
    model.fit(X, y, BinaryCrossEntropy(from_logits=True), Adam(lr=0.5), epochs=30, validation_data=(Xv, yv),
              callbacks=[Snap(), es])
    assert es.best_epoch is not None and es.best_epoch < len(snaps) - 1
    assert np.array_equal(model.layers[1].running_mean, snaps[es.best_epoch])
