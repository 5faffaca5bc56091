"""The fast training path (buffers reused inside fit, gathered mini-batches) changes no number:
it equals a straightforward NumPy implementation, and no buffer leaks into what users get back."""

import copy

import numpy as np
import pytest

import chainrule as cr


def reference_training(Ws, bs, X, Y, rng, epochs, batch_size, lr, hidden="sigmoid", l2=0.0, weights=None):
    """Mini-batch SGD written plainly: allocate everything, no buffers, Nielsen's quadratic cost,
    optional L2 (½·l2·ΣW² per layer) and per-example weights (1/m · Σ w_i ℓ_i)."""
    Ws, bs = [W.copy() for W in Ws], [b.copy() for b in bs]
    act = {"sigmoid": (lambda Z: 1 / (1 + np.exp(-Z)), lambda A: A * (1 - A)),
           "tanh": (np.tanh, lambda A: 1 - A ** 2)}[hidden]
    for _ in range(epochs):
        order = rng.permutation(len(X))
        for start in range(0, len(X), batch_size):
            rows = order[start:start + batch_size]
            A = [X[rows]]
            for W, b in zip(Ws, bs):
                A.append(act[0](A[-1] @ W + b))
            dA = (A[-1] - Y[rows]) / len(rows)
            if weights is not None:
                dA = dA * weights[rows][:, None]
            for layer in reversed(range(len(Ws))):
                dZ = dA * act[1](A[layer + 1])
                dW, db = A[layer].T @ dZ + l2 * Ws[layer], dZ.sum(axis=0)
                dA = dZ @ Ws[layer].T
                Ws[layer] -= lr * dW
                bs[layer] -= lr * db
    return Ws, bs


@pytest.mark.parametrize("hidden", ["sigmoid", "tanh"])
@pytest.mark.parametrize("batch_size", [1, 7, 10, 64])
def test_fit_equals_the_plain_reference_to_1e12_after_two_epochs(hidden, batch_size):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(203, 12))
    Y = cr.one_hot(rng.integers(0, 4, 203), 4)
    Act = {"sigmoid": cr.Sigmoid, "tanh": cr.Tanh}[hidden]
    model = cr.Sequential([cr.Dense(12, 9), Act(), cr.Dense(9, 4), Act()], seed=1)
    Ws = [layer.W.copy() for layer in model.layers[::2]]
    bs = [layer.b.copy() for layer in model.layers[::2]]
    shuffles = copy.deepcopy(model.rng)
    model.fit(X, Y, cr.MeanSquaredError(), cr.SGD(0.5), epochs=2, batch_size=batch_size)
    Ws_ref, bs_ref = reference_training(Ws, bs, X, Y, shuffles, 2, batch_size, 0.5, hidden)
    for layer, W, b in zip(model.layers[::2], Ws_ref, bs_ref):
        np.testing.assert_allclose(layer.W, W, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(layer.b, b, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("batch_size", [1, 10, 64])
def test_folded_sgd_with_l2_and_sample_weights_equals_the_reference(batch_size):
    # plain SGD folds lr into the loss gradient; the L2 term must then carry lr too (grad_scale)
    rng = np.random.default_rng(4)
    X = rng.normal(size=(150, 6))
    Y = cr.one_hot(rng.integers(0, 3, 150), 3)
    w = rng.uniform(0.2, 2.0, 150)
    model = cr.Sequential([cr.Dense(6, 7, l2=0.01), cr.Sigmoid(), cr.Dense(7, 3, l2=0.01), cr.Sigmoid()], seed=5)
    Ws = [layer.W.copy() for layer in model.layers[::2]]
    bs = [layer.b.copy() for layer in model.layers[::2]]
    shuffles = copy.deepcopy(model.rng)
    model.fit(X, Y, cr.MeanSquaredError(), cr.SGD(0.7), epochs=2, batch_size=batch_size, sample_weight=w)
    Ws_ref, bs_ref = reference_training(Ws, bs, X, Y, shuffles, 2, batch_size, 0.7, l2=0.01, weights=w)
    for layer, W, b in zip(model.layers[::2], Ws_ref, bs_ref):
        np.testing.assert_allclose(layer.W, W, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(layer.b, b, rtol=1e-12, atol=1e-14)
    assert all(layer.grad_scale == 1.0 for layer in model.layers)


def test_gradients_after_a_folded_epoch_with_l2_are_true_gradients():
    # after fit, dW is ∂L/∂W of the last batch including the penalty term, not lr·∂L/∂W
    X, y = cr.datasets.make_moons(64, seed=2)
    model = cr.Sequential([cr.Dense(2, 5, l2=0.3), cr.Tanh(), cr.Dense(5, 2, l2=0.3, l1=0.05)], seed=3)
    before = copy.deepcopy(model)
    model.fit(X, y, cr.SoftmaxCrossEntropy(), cr.SGD(0.5), epochs=1, batch_size=64, shuffle=False)
    loss = cr.SoftmaxCrossEntropy()
    loss.forward(before.forward(X), y)
    before.backward(loss.backward())
    for trained, fresh in zip(model.layers[::2], before.layers[::2]):
        np.testing.assert_allclose(trained.dW, fresh.dW, rtol=1e-10)
        np.testing.assert_allclose(trained.db, fresh.db, rtol=1e-10)


def test_forward_outputs_are_never_overwritten_by_later_calls():
    X, _ = cr.datasets.make_moons(50, seed=0)
    model = cr.Sequential([cr.Dense(2, 8), cr.ReLU(), cr.Dense(8, 8), cr.Sigmoid(), cr.Dense(8, 2)], seed=0)
    model.fit(X, (X[:, 0] > 0).astype(int), cr.SoftmaxCrossEntropy(), cr.SGD(0.1), epochs=2, batch_size=8)
    a1 = model.forward(X[:20])
    b = model.forward(X[20:40])
    a2 = model.forward(X[:20])
    assert a1 is not a2 and not np.shares_memory(a1, b)
    np.testing.assert_array_equal(a1, a2)
    p1 = model.predict(X)
    model.predict(X[::-1])
    np.testing.assert_array_equal(p1, model.predict(X))


def test_layers_stop_reusing_buffers_after_fit_even_when_it_fails():
    X, y = cr.datasets.make_moons(40, seed=1)
    model = cr.Sequential([cr.Dense(2, 4), cr.Tanh(), cr.Dense(4, 1)], seed=0)
    class Boom(cr.Callback):
        def on_batch_end(self, batch, logs):
            if batch == 2:
                raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        model.fit(X, y, cr.MeanSquaredError(), cr.SGD(0.1), epochs=3, batch_size=8, callbacks=[Boom()])
    assert not any(layer.reuse_buffers for layer in model.layers)
    assert all(layer.grad_scale == 1.0 for layer in model.layers)


def test_gradients_after_fit_are_the_last_batch_gradients():
    X, y = cr.datasets.make_moons(64, seed=2)
    model = cr.Sequential([cr.Dense(2, 5), cr.Tanh(), cr.Dense(5, 2)], seed=3)
    model.fit(X, y, cr.SoftmaxCrossEntropy(), cr.SGD(0.0001), epochs=1, batch_size=64, shuffle=False)
    dW = model.layers[0].dW.copy()
    # recompute the same batch's gradient at the weights before the (tiny) step: close to dW
    loss = cr.SoftmaxCrossEntropy()
    twin = copy.deepcopy(model)
    for layer, pristine in zip(twin.layers[::2], cr.Sequential([cr.Dense(2, 5), cr.Tanh(), cr.Dense(5, 2)],
                                                                seed=3).layers[::2]):
        layer.W[...] = pristine.W
        layer.b[...] = pristine.b
    loss.forward(twin.forward(X), y)
    twin.backward(loss.backward())
    np.testing.assert_allclose(twin.layers[0].dW, dW, rtol=1e-12)


class RebindingDense(cr.Dense):
    """A user layer that binds new gradient arrays in every backward (allowed: stable_grads stays False)."""

    stable_grads = False

    def backward(self, dZ):
        dA_prev = super().backward(dZ)
        self.dW, self.db = self.dW.copy(), self.db.copy()
        return dA_prev


@pytest.mark.parametrize("optimizer", [lambda: cr.SGD(0.3), lambda: cr.Adam(0.01)])
def test_fit_collects_fresh_gradients_from_layers_without_stable_grads(optimizer):
    X, y = cr.datasets.make_moons(90, seed=4)
    def build(first):
        return cr.Sequential([first(2, 6), cr.Tanh(), cr.Dense(6, 2)], seed=2)
    reference, rebinding = build(cr.Dense), build(RebindingDense)
    for model in (reference, rebinding):
        model.fit(X, y, cr.SoftmaxCrossEntropy(), optimizer(), epochs=2, batch_size=16)
    np.testing.assert_array_equal(rebinding.layers[0].W, reference.layers[0].W)
    np.testing.assert_array_equal(rebinding.layers[2].W, reference.layers[2].W)


def test_dense_gradients_keep_their_arrays_across_batches_inside_fit():
    X, y = cr.datasets.make_moons(90, seed=4)
    model = cr.Sequential([cr.Dense(2, 6), cr.Tanh(), cr.Dense(6, 2)], seed=2)
    seen = []

    class Record(cr.Callback):
        def on_batch_end(self, batch, logs):
            seen.append([id(g) for _, g in model.params_and_grads()])

    model.fit(X, y, cr.SoftmaxCrossEntropy(), cr.SGD(0.1), epochs=2, batch_size=16, callbacks=[Record()])
    assert all(ids == seen[0] for ids in seen)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_with_buffers_reused_forward_and_backward_on_a_then_b_then_a_give_the_same_values(dtype):
    # inside fit the layers write into per-shape buffers; a batch of another size in between, or the
    # same size with other rows, must not change what batch A gives (values, not array identity)
    rng = np.random.default_rng(8)
    model = cr.Sequential([cr.Dense(6, 5), cr.Sigmoid(), cr.Dense(5, 4), cr.ReLU(), cr.Dense(4, 3, l2=0.1)],
                          dtype=dtype, seed=1)
    loss = cr.SoftmaxCrossEntropy()
    A, B, C = (rng.normal(size=(n, 6)).astype(dtype) for n in (7, 7, 3))
    y_A, y_B, y_C = (rng.integers(0, 3, len(X)) for X in (A, B, C))

    def run(X, y):
        out = model.forward(X, training=True).copy()
        loss.forward(out, y)
        model.backward(loss.backward())
        return out, [g.copy() for _, g in model.params_and_grads()]

    model._reuse_buffers(True)
    try:
        first = run(A, y_A)
        run(B, y_B)
        run(C, y_C)
        again = run(A, y_A)
    finally:
        model._reuse_buffers(False)
    np.testing.assert_array_equal(again[0], first[0])
    for g1, g2 in zip(first[1], again[1]):
        np.testing.assert_array_equal(g2, g1)
    fresh = run(A, y_A)                     # and the same as without buffers
    np.testing.assert_array_equal(fresh[0], first[0])
    for g1, g2 in zip(first[1], fresh[1]):
        np.testing.assert_array_equal(g2, g1)


def test_hot_path_constants_are_cached_read_only_and_of_the_asked_dtype():
    from chainrule._constants import constant, ones
    for dtype in (np.float32, np.dtype("float32"), np.float64):
        one = constant(1.0, dtype)
        assert one.shape == () and one.dtype == dtype and not one.flags.writeable
        assert constant(1.0, dtype) is one
        v = ones(7, dtype)
        assert v.shape == (7,) and v.dtype == dtype and not v.flags.writeable and (v == 1).all()
        assert ones(7, dtype).base is v.base                    # one cached vector, sliced
    assert ones(1000, np.float64).shape == (1000,)              # grows when a batch is longer
