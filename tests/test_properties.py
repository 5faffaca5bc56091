"""Property-based tests (issue 14, hypothesis): random architectures, shapes and dtypes.

- Backprop agrees with central differences for any stack of Dense and smooth activations, any loss,
  any batch size, float32 or float64 models (``check_gradients`` works on a float64 copy).
- ``save`` then ``load`` gives back the same weights, dtype, predictions and optimizer state.
- The classic adapters (the course's ``L_model_forward``/``L_model_backward``, Nielsen's ``Network``)
  agree with the engine on random layer sizes and batch sizes.

25 examples per property by default (about 5 s); ``CHAINRULE_SLOW=1`` tries 300.
"""

import os

import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import given, settings, strategies as st  # noqa: E402

import chainrule as cr  # noqa: E402
from chainrule.classic import deep, nielsen  # noqa: E402

EXAMPLES = 300 if os.environ.get("CHAINRULE_SLOW") == "1" else 25
PROPERTY = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None)

# ReLU's kink at 0 makes central differences wrong for inputs within eps of it: the smooth ones only.
SMOOTH = [cr.Tanh, cr.Sigmoid, cr.Identity, lambda: cr.LeakyReLU(0.1)]
LOSSES = {"mse": cr.MeanSquaredError, "bce": lambda: cr.BinaryCrossEntropy(from_logits=True),
          "softmax": cr.SoftmaxCrossEntropy}


@st.composite
def networks(draw):
    """(model, X, Y, loss): a random stack, batch and targets that suit the loss."""
    sizes = draw(st.lists(st.integers(1, 6), min_size=2, max_size=4))
    loss_name = draw(st.sampled_from(sorted(LOSSES)))
    if loss_name == "softmax":
        sizes[-1] = max(sizes[-1], 2)
    layers = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(cr.Dense(n_in, n_out, l2=draw(st.sampled_from([0.0, 0.01]))))
        if i < len(sizes) - 2:
            layers.append(draw(st.sampled_from(SMOOTH))())
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    seed = draw(st.integers(0, 2**16))
    model = cr.Sequential(layers, dtype=dtype, seed=seed)
    rng = np.random.default_rng(seed)
    m = draw(st.integers(1, 7))
    X = rng.normal(size=(m, sizes[0]))
    k = sizes[-1]
    Y = {"mse": lambda: rng.normal(size=(m, k)), "bce": lambda: (rng.random((m, k)) > 0.5).astype(float),
         "softmax": lambda: np.eye(k)[rng.integers(0, k, m)]}[loss_name]()
    return model, X, Y, LOSSES[loss_name]()


@PROPERTY
@given(networks())
def test_backprop_matches_central_differences_on_random_networks(network):
    model, X, Y, loss = network
    report = cr.check_gradients(model, X, Y, loss)
    assert report.passed, str(report)


@PROPERTY
@given(networks(), st.booleans(), st.sampled_from(["sgd", "adam", "rmsprop"]))
def test_save_then_load_gives_back_the_same_model(tmp_path_factory, network, trained, optimizer_name):
    model, X, Y, loss = network
    if trained:
        optimizer = {"sgd": lambda: cr.SGD(lr=0.01, momentum=0.9), "adam": cr.Adam, "rmsprop": cr.RMSprop}[optimizer_name]()
        model.fit(X, Y, loss, optimizer, epochs=2, batch_size=3)
    path = tmp_path_factory.mktemp("roundtrip") / "model.npz"
    model.save(path)
    loaded = cr.load(path)
    assert loaded.dtype == model.dtype and repr(loaded.layers) == repr(model.layers)
    for (a, _), (b, _) in zip(model.params_and_grads(), loaded.params_and_grads(), strict=True):
        assert a.dtype == b.dtype and np.array_equal(a, b)
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    if trained:
        before, after = model.optimizer.state_dict(), loaded.optimizer.state_dict()
        assert before["t"] == after["t"]
        for name in model.optimizer.state_names:
            for a, b in zip(before[name], after[name], strict=True):
                assert np.array_equal(a, b)
        assert loaded.history.history == model.history.history


@PROPERTY
@given(st.lists(st.integers(1, 6), min_size=2, max_size=5), st.integers(1, 9), st.integers(0, 2**16))
def test_the_course_adapters_agree_with_the_engine(layer_dims, m, seed):
    layer_dims[-1] = 1                                                  # the course's one sigmoid output
    rng = np.random.default_rng(seed)
    parameters = deep.initialize_parameters_deep(layer_dims, seed=seed % 1000)
    X = rng.normal(size=(layer_dims[0], m))                              # the course's columns (n_x, m)
    Y = (rng.random((1, m)) > 0.5).astype(float)
    AL, caches = deep.L_model_forward(X, parameters)
    grads = deep.L_model_backward(AL, Y, caches)
    L = len(layer_dims) - 1
    layers = []
    for l in range(1, L + 1):
        dense = cr.Dense(layer_dims[l - 1], layer_dims[l])
        layers += [dense, cr.ReLU() if l < L else cr.Sigmoid()]
    engine = cr.Sequential(layers, seed=0)
    for l, dense in enumerate(engine.layers[::2], start=1):
        dense.W[...] = parameters[f"W{l}"].T                              # our W is the course's Wᵀ
        dense.b[...] = parameters[f"b{l}"].ravel()
    loss = cr.BinaryCrossEntropy()
    np.testing.assert_allclose(AL, engine.forward(X.T).T, rtol=1e-12, atol=1e-15)
    assert deep.compute_cost(AL, Y) == pytest.approx(loss.forward(engine.forward(X.T), Y.T), rel=1e-12)
    engine.backward(loss.backward())
    for l, dense in enumerate(engine.layers[::2], start=1):
        np.testing.assert_allclose(grads[f"dW{l}"], dense.dW.T, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(grads[f"db{l}"], dense.db[:, None], rtol=1e-9, atol=1e-12)


@PROPERTY
@given(st.lists(st.integers(1, 6), min_size=2, max_size=4), st.integers(1, 8), st.integers(0, 2**16),
       st.sampled_from([nielsen.QuadraticCost, nielsen.CrossEntropyCost]))
def test_nielsens_network_agrees_with_the_engine(sizes, m, seed, cost):
    net = nielsen.Network(sizes, cost=cost, seed=seed)
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(m, sizes[0]))
    layers = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        layers += [cr.Dense(n_in, n_out), cr.Sigmoid()]
    quadratic = cost is nielsen.QuadraticCost
    engine = cr.Sequential(layers if quadratic else layers[:-1], seed=0)     # cross-entropy: from the logits
    for dense, W, b in zip(engine.layers[::2], net.weights, net.biases):
        dense.W[...] = W.T                                                # Nielsen's w is (n_out, n_in)
        dense.b[...] = b.ravel()
    outputs = engine.forward(X) if quadratic else cr.activations.sigmoid(engine.forward(X))
    np.testing.assert_allclose(net.feedforward(X.T), outputs.T, rtol=1e-12, atol=1e-15)
    x, y = X[:1].T, np.eye(sizes[-1])[:, :1]
    nabla_b, nabla_w = net.backprop(x, y)                                 # one example: no 1/m either way
    loss = cr.MeanSquaredError() if quadratic else cr.BinaryCrossEntropy(from_logits=True, sum_over_outputs=True)
    loss.forward(engine.forward(X[:1], training=True), y.T)
    engine.backward(loss.backward())
    for dense, nw, nb in zip(engine.layers[::2], nabla_w, nabla_b):
        np.testing.assert_allclose(nw, dense.dW.T, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(nb, dense.db[:, None], rtol=1e-9, atol=1e-12)
