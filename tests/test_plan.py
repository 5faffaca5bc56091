"""The training plan (chainrule.plan) changes no number: ``fit`` equals the four-line loop it
documents to 1e-12 for every optimizer, dtype, penalty, dropout, BatchNorm and sample weights, and a
straightforward NumPy implementation; no workspace leaks into what users get back."""

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
    # NOTE: backend="numpy": at batch 1 with lr 0.5 this training is chaotic, and the compiled path's
    # tanh (the C library's, not NumPy's SIMD one, 1 ulp apart for some inputs) drifts from the
    # reference by more than 1e-12 over 406 steps; test_compiled.py compares the two paths.
    model.fit(X, Y, cr.MeanSquaredError(), cr.SGD(0.5), epochs=2, batch_size=batch_size, backend="numpy")
    Ws_ref, bs_ref = reference_training(Ws, bs, X, Y, shuffles, 2, batch_size, 0.5, hidden)
    for layer, W, b in zip(model.layers[::2], Ws_ref, bs_ref):
        np.testing.assert_allclose(layer.W, W, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(layer.b, b, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("batch_size", [1, 10, 64])
def test_sgd_with_l2_and_sample_weights_equals_the_numpy_reference(batch_size):
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


def four_line_loop(model, X, Y, loss, optimizer, epochs, batch_size, weights=None):
    """The README's loop, with fit's shuffles (the model's generator, once per epoch) and penalties."""
    for _ in range(epochs):
        order = model.rng.permutation(len(X))
        for start in range(0, len(X), batch_size):
            rows = order[start:start + batch_size]
            Y_hat = model.forward(X[rows], training=True)
            if weights is None:
                loss.forward(Y_hat, Y[rows])
                dY_hat = loss.backward()
            else:
                loss.weighted(Y_hat, Y[rows], weights[rows])
                dY_hat = loss.backward_weighted(weights[rows])
            model.backward(dY_hat)
            optimizer.step(model.params_and_grads())


OPTIMIZERS = {"sgd": lambda: cr.SGD(0.3), "momentum": lambda: cr.SGD(0.2, momentum=0.9),
              "nesterov": lambda: cr.SGD(0.2, momentum=0.9, nesterov=True), "adam": lambda: cr.Adam(0.01),
              "adamw": lambda: cr.AdamW(0.01), "rmsprop": lambda: cr.RMSprop(0.005), "adagrad": lambda: cr.Adagrad(0.1),
              "clipped": lambda: cr.SGD(0.3, clip_norm=0.5)}
NETS = {
    "plain": lambda: [cr.Dense(5, 8), cr.Tanh(), cr.Dense(8, 3)],
    "l2_l1": lambda: [cr.Dense(5, 8, l2=0.05), cr.ReLU(), cr.Dense(8, 3, l2=0.02, l1=0.01)],
    "dropout": lambda: [cr.Dense(5, 8), cr.Sigmoid(), cr.Dropout(0.3), cr.Dense(8, 3)],
    "batchnorm": lambda: [cr.Dense(5, 8), cr.BatchNorm(8), cr.LeakyReLU(0.1), cr.Dense(8, 3)],
}


@pytest.mark.parametrize("optimizer", sorted(OPTIMIZERS))
@pytest.mark.parametrize("net", sorted(NETS))
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("weighted", [False, True])
def test_fit_equals_the_four_line_loop(optimizer, net, dtype, weighted):
    rng = np.random.default_rng(11)
    X = rng.normal(size=(61, 5)).astype(dtype)
    y = rng.integers(0, 3, 61)
    w = rng.uniform(0.3, 2.0, 61).astype(dtype) if weighted else None
    fitted = cr.Sequential(NETS[net](), dtype=dtype, seed=3)
    looped = copy.deepcopy(fitted)
    fitted.fit(X, y, cr.SoftmaxCrossEntropy(), OPTIMIZERS[optimizer](), epochs=2, batch_size=16, sample_weight=w)
    four_line_loop(looped, X, cr.one_hot(y, 3).astype(dtype), cr.SoftmaxCrossEntropy(), OPTIMIZERS[optimizer](),
                   2, 16, w)
    tolerance = 1e-12 if dtype == np.float64 else 1e-5
    for (p1, _), (p2, _) in zip(fitted.params_and_grads(), looped.params_and_grads()):
        np.testing.assert_allclose(p1, p2, rtol=tolerance, atol=tolerance)


@pytest.mark.parametrize("l2", [0.0, 0.1])
def test_an_lr_changed_by_a_callback_between_batches_is_used_as_in_the_loop(l2):
    # plain SGD with the lr folded into the output gradient: a new lr must reach the penalty terms too
    X, y = cr.datasets.make_moons(60, seed=6)
    fitted = cr.Sequential([cr.Dense(2, 6, l2=l2), cr.Tanh(), cr.Dense(6, 2, l2=l2)], seed=2)
    looped = copy.deepcopy(fitted)
    optimizer = cr.SGD(0.8)

    class Decay(cr.Callback):
        def on_batch_end(self, batch, logs):
            optimizer.lr *= 0.9

    fitted.fit(X, y, cr.SoftmaxCrossEntropy(), optimizer, epochs=2, batch_size=16, callbacks=[Decay()])
    loop_optimizer, loss, Y = cr.SGD(0.8), cr.SoftmaxCrossEntropy(), cr.one_hot(y, 2)
    for _ in range(2):
        order = looped.rng.permutation(len(X))
        for start in range(0, len(X), 16):
            rows = order[start:start + 16]
            loss.forward(looped.forward(X[rows], training=True), Y[rows])
            looped.backward(loss.backward())
            loop_optimizer.step(looped.params_and_grads())
            loop_optimizer.lr *= 0.9
    for (p1, g1), (p2, g2) in zip(fitted.params_and_grads(), looped.params_and_grads()):
        np.testing.assert_allclose(p1, p2, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(g1, g2, rtol=1e-10, atol=1e-14)     # ∂L/∂W after fit, not lr·∂L/∂W


def test_gradients_after_fit_are_true_gradients_of_the_last_batch_with_the_penalty():
    X, y = cr.datasets.make_moons(64, seed=2)
    model = cr.Sequential([cr.Dense(2, 5, l2=0.3), cr.Tanh(), cr.Dense(5, 2, l2=0.3, l1=0.05)], seed=3)
    before = copy.deepcopy(model)
    model.fit(X, y, cr.SoftmaxCrossEntropy(), cr.SGD(0.5), epochs=1, batch_size=64, shuffle=False)
    for trained, (_, fresh) in zip(model.params_and_grads(), before.gradients(X, y, cr.SoftmaxCrossEntropy())):
        np.testing.assert_allclose(trained[1], fresh, rtol=1e-10)


def test_train_step_is_one_step_of_the_loop():
    X, y = cr.datasets.make_moons(40, seed=5)
    a = cr.Sequential([cr.Dense(2, 4, l2=0.1), cr.Tanh(), cr.Dense(4, 2)], seed=1)
    b = copy.deepcopy(a)
    loss, Y = cr.SoftmaxCrossEntropy(), cr.one_hot(y, 2)
    value = a.train_step(X, Y, loss, cr.SGD(0.4))
    expected = loss.forward(b.forward(X, training=True), Y) + b.penalty()
    b.backward(loss.backward())
    cr.SGD(0.4).step(b.params_and_grads())
    assert value == pytest.approx(expected, rel=1e-14)
    for (p1, _), (p2, _) in zip(a.params_and_grads(), b.params_and_grads()):
        np.testing.assert_array_equal(p1, p2)


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


def test_a_failed_fit_leaves_layers_that_return_fresh_arrays():
    X, y = cr.datasets.make_moons(40, seed=1)
    model = cr.Sequential([cr.Dense(2, 4), cr.Tanh(), cr.Dense(4, 1)], seed=0)

    class Boom(cr.Callback):
        def on_batch_end(self, batch, logs):
            if batch == 2:
                raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        model.fit(X, y, cr.MeanSquaredError(), cr.SGD(0.1), epochs=3, batch_size=8, callbacks=[Boom()])
    first, second = model.forward(X[:5]), model.forward(X[:5])
    assert not np.shares_memory(first, second)


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
def test_workspaces_give_batch_a_the_same_values_after_batches_of_other_rows_and_sizes(dtype):
    # the plan hands each built-in layer a workspace kept between batches; a batch of another size in
    # between, or the same size with other rows, must not change what batch A gives
    rng = np.random.default_rng(8)
    model = cr.Sequential([cr.Dense(6, 5), cr.Sigmoid(), cr.Dense(5, 4), cr.ReLU(), cr.Dense(4, 3, l2=0.1)],
                          dtype=dtype, seed=1)
    loss = cr.SoftmaxCrossEntropy()
    A, B, C = (rng.normal(size=(n, 6)).astype(dtype) for n in (7, 7, 3))
    y_A, y_B, y_C = (rng.integers(0, 3, len(X)) for X in (A, B, C))
    workspaces = [{} for _ in model.layers]

    def run(X, y, spaces):
        out = X
        for layer, space in zip(model.layers, spaces):
            out = layer.forward(out, True, workspace=space) if space is not None else layer.forward(out, True)
        out = out.copy()
        loss.forward(out, y)
        dA = loss.backward()
        for layer, space in zip(reversed(model.layers), reversed(spaces)):
            dA = layer.backward(dA, workspace=space) if space is not None else layer.backward(dA)
        return out, [g.copy() for _, g in model.params_and_grads()]

    first = run(A, y_A, workspaces)
    run(B, y_B, workspaces)
    run(C, y_C, workspaces)
    again = run(A, y_A, workspaces)
    fresh = run(A, y_A, [None] * len(model.layers))
    for other in (again, fresh):
        np.testing.assert_array_equal(other[0], first[0])
        for g1, g2 in zip(first[1], other[1]):
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
