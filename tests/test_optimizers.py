"""Optimizers: hand-computed steps, in-place updates, dtype, state checks, hyperparameters, resume."""

import math

import numpy as np
import pytest

from chainrule import SGD, Adam, Dense, MeanSquaredError, Sequential, Sigmoid


def test_adam_first_step_moves_every_weight_by_lr():
    # t=1: m̂ = g and v̂ = g², so the step is lr·g/(|g| + eps) = lr·sign(g), up to eps/|g|.
    W = np.array([1.0, 2.0, 3.0, 4.0])
    Adam(lr=0.5).step([(W, np.array([1.0, 6.0, 7.0, 2.0]))])
    assert np.allclose(W, [0.5, 1.5, 2.5, 3.5], rtol=0, atol=1e-7)


def test_adam_second_step_follows_algorithm_1():
    lr, beta1, beta2, eps = 0.1, 0.9, 0.999, 1e-8
    W = np.array([1.0, -1.0])
    g1, g2 = np.array([0.5, -2.0]), np.array([1.5, 1.0])
    optimizer = Adam(lr=lr, beta1=beta1, beta2=beta2, eps=eps)
    optimizer.step([(W, g1)])
    optimizer.step([(W, g2)])
    expected = np.array([1.0, -1.0])
    m = v = np.zeros(2)
    for t, g in enumerate([g1, g2], start=1):
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        expected = expected - lr * (m / (1 - beta1 ** t)) / (np.sqrt(v / (1 - beta2 ** t)) + eps)
    assert np.allclose(W, expected, rtol=0, atol=1e-15)
    assert optimizer.t == 2


def test_one_sgd_step_on_a_sigmoid_neuron_matches_the_course_seed_003():
    # x = [1, 2, 3, 4], y = 0.5, w = [0.5, -0.5, 0.3, 0.1], b = 0, lr = 0.5:
    #   z = 0.5 - 1.0 + 0.9 + 0.4 = 0.8,  a = σ(0.8) = 0.6899744811276125,  error = y - a = -0.18997...
    #   L = ½(a - y)²  →  ∂L/∂z = (a - y)·a·(1 - a) = 0.18997448 · 0.21390969 = 0.04063738
    #   ∂L/∂w = x·∂L/∂z = [0.04063738, 0.08127477, 0.12191215, 0.16254953]
    #   Δw = -lr·∂L/∂w = [-0.02031869, -0.04063738, -0.06095608, -0.08127477]   (the seed's del_w)
    model = Sequential([Dense(4, 1), Sigmoid()], seed=0)
    dense = model.layers[0]
    dense.W[...] = [[0.5], [-0.5], [0.3], [0.1]]
    dense.b[...] = 0.0
    x, y = np.array([[1.0, 2.0, 3.0, 4.0]]), np.array([[0.5]])
    loss = MeanSquaredError(half=True)
    W_before = dense.W.copy()

    output = model.forward(x, training=True)
    loss.forward(output, y)
    assert output[0, 0] == pytest.approx(0.6899744811276125, abs=1e-15)
    assert (y - output)[0, 0] == pytest.approx(-0.1899744811276125, abs=1e-15)
    model.backward(loss.backward())
    SGD(lr=0.5).step(model.params_and_grads())

    del_w = [-0.02031869, -0.04063738, -0.06095608, -0.08127477]
    assert np.allclose((dense.W - W_before).ravel(), del_w, rtol=0, atol=1e-8)


def test_sgd_momentum_two_steps_match_the_hand_formula():
    lr, mu = 0.1, 0.9
    W = np.array([1.0, 2.0])
    g1, g2 = np.array([1.0, -1.0]), np.array([0.5, 2.0])
    optimizer = SGD(lr=lr, momentum=mu)
    optimizer.step([(W, g1)])
    # v1 = g1;  W1 = W0 - lr·v1
    assert np.allclose(W, [1.0 - 0.1, 2.0 + 0.1], rtol=0, atol=1e-15)
    optimizer.step([(W, g2)])
    # v2 = μ·v1 + g2 = [1.4, 1.1];  W2 = W1 - lr·v2 = [0.76, 1.99]
    assert np.allclose(W, [0.9 - 0.14, 2.1 - 0.11], rtol=0, atol=1e-15)
    assert np.allclose(optimizer.velocity[0], [1.4, 1.1], rtol=0, atol=1e-15)


def test_sgd_nesterov_two_steps_match_the_hand_formula():
    lr, mu = 0.1, 0.9
    W = np.array([1.0, 2.0])
    g1, g2 = np.array([1.0, -1.0]), np.array([0.5, 2.0])
    optimizer = SGD(lr=lr, momentum=mu, nesterov=True)
    optimizer.step([(W, g1)])
    # v1 = g1;  W1 = W0 - lr·(g1 + μ·v1) = W0 - 0.1·1.9·g1
    assert np.allclose(W, [1.0 - 0.19, 2.0 + 0.19], rtol=0, atol=1e-15)
    optimizer.step([(W, g2)])
    # v2 = μ·v1 + g2 = [1.4, 1.1];  W2 = W1 - lr·(g2 + μ·v2) = W1 - 0.1·[1.76, 2.99]
    assert np.allclose(W, [0.81 - 0.176, 2.19 - 0.299], rtol=0, atol=1e-15)


def test_plain_sgd_step_is_w_minus_lr_g_and_keeps_no_state():
    W = np.array([[1.0, 2.0]])
    optimizer = SGD(lr=0.25)
    optimizer.step([(W, np.array([[4.0, -4.0]]))])
    assert np.array_equal(W, [[0.0, 3.0]])
    assert optimizer.state_dict()["t"] == 1
    assert not hasattr(optimizer, "velocity") or optimizer.velocity == []


OPTIMIZERS = [lambda: SGD(lr=0.1), lambda: SGD(lr=0.1, momentum=0.9), lambda: SGD(lr=0.1, momentum=0.9, nesterov=True),
              lambda: Adam(lr=0.1)]
IDS = ["sgd", "momentum", "nesterov", "adam"]


@pytest.mark.parametrize("make_optimizer", OPTIMIZERS, ids=IDS)
def test_step_updates_parameters_in_place(make_optimizer):
    W = np.arange(6, dtype=np.float64).reshape(2, 3)
    b = np.zeros(3)
    ids, view = (id(W), id(b)), W[0]
    before = W.copy()
    optimizer = make_optimizer()
    for _ in range(2):
        optimizer.step([(W, np.ones_like(W)), (b, np.ones_like(b))])
    assert (id(W), id(b)) == ids
    assert not np.array_equal(W, before)
    assert np.array_equal(view, W[0])              # a view taken before the step sees the change
    assert np.all(b < 0)


@pytest.mark.parametrize("make_optimizer", OPTIMIZERS, ids=IDS)
def test_float32_parameters_and_state_stay_float32(make_optimizer):
    rng = np.random.default_rng(0)
    W = rng.standard_normal((3, 2)).astype(np.float32)
    b = np.zeros(2, dtype=np.float32)
    optimizer = make_optimizer()
    for _ in range(3):
        optimizer.step([(W, rng.standard_normal((3, 2)).astype(np.float32)), (b, np.ones(2, dtype=np.float32))])
    assert W.dtype == np.float32 and b.dtype == np.float32
    for name in optimizer.state_names:
        for array in getattr(optimizer, name):
            assert array.dtype == np.float32


@pytest.mark.parametrize("make_optimizer", OPTIMIZERS, ids=IDS)
def test_changed_parameter_shapes_raise_and_ask_for_a_new_optimizer(make_optimizer):
    optimizer = make_optimizer()
    optimizer.step([(np.zeros((2, 3)), np.ones((2, 3)))])
    with pytest.raises(ValueError, match="(?i)create a new optimizer") as excinfo:
        optimizer.step([(np.zeros((3, 3)), np.ones((3, 3)))])
    assert "(2, 3)" in str(excinfo.value) and "(3, 3)" in str(excinfo.value)


def test_a_gradient_of_the_wrong_shape_raises_value_error():
    with pytest.raises(ValueError, match=r"\(2, 3\).*\(3, 2\)"):
        Adam().step([(np.zeros((2, 3)), np.ones((3, 2)))])


@pytest.mark.parametrize("make, fragment", [
    (lambda: SGD(lr=0.0), "lr must be > 0"),
    (lambda: SGD(lr=-0.1), "lr must be > 0"),
    (lambda: SGD(lr=float("nan")), "lr must be finite"),
    (lambda: Adam(lr=float("inf")), "lr must be finite"),
    (lambda: SGD(lr="0.1"), "lr must be a number"),
    (lambda: SGD(lr=0.1, momentum=1.0), "momentum must be in"),
    (lambda: SGD(lr=0.1, momentum=1.5), "momentum must be in"),
    (lambda: SGD(lr=0.1, momentum=-0.1), "momentum must be in"),
    (lambda: SGD(lr=0.1, nesterov=True), "nesterov=True needs momentum > 0"),
    (lambda: Adam(beta1=1.0), "beta1 must be in"),
    (lambda: Adam(beta2=1.0), "beta2 must be in"),
    (lambda: Adam(beta1=-0.5), "beta1 must be in"),
    (lambda: Adam(eps=0.0), "eps must be > 0"),
    (lambda: Adam(eps=-1e-8), "eps must be > 0"),
], ids=["lr0", "lr_negative", "lr_nan", "lr_inf", "lr_string", "momentum1", "momentum_big", "momentum_negative",
        "nesterov_no_momentum", "beta1_1", "beta2_1", "beta1_negative", "eps0", "eps_negative"])
def test_bad_hyperparameters_raise_value_error(make, fragment):
    with pytest.raises(ValueError, match=fragment):
        make()


@pytest.mark.parametrize("make_optimizer", OPTIMIZERS, ids=IDS)
def test_state_dict_round_trip_continues_bit_identically(make_optimizer):
    rng = np.random.default_rng(1)
    grads = [rng.standard_normal((3, 2)) for _ in range(6)]
    W = rng.standard_normal((3, 2))
    original = make_optimizer()
    for g in grads[:3]:
        original.step([(W, g)])
    state = original.state_dict()
    W_copy = W.copy()
    resumed = make_optimizer()
    resumed.load_state_dict(state)
    for g in grads[3:]:
        original.step([(W, g)])
        resumed.step([(W_copy, g)])
    assert np.array_equal(W, W_copy)
    assert resumed.t == original.t == 6


def test_state_dict_holds_copies_not_live_state():
    W = np.zeros(2)
    optimizer = Adam()
    optimizer.step([(W, np.ones(2))])
    state = optimizer.state_dict()
    saved_m = state["m"][0].copy()
    optimizer.step([(W, np.ones(2))])
    assert np.array_equal(state["m"][0], saved_m)
    assert state["type"] == "Adam" and state["config"]["lr"] == 0.001


def test_load_state_dict_from_another_optimizer_type_raises():
    with pytest.raises(ValueError, match="cannot load state saved by 'SGD'"):
        Adam().load_state_dict(SGD(lr=0.1, momentum=0.5).state_dict())


def test_float32_adam_step_uses_python_float_coefficients():
    # NumPy 2: float32 * np.float64 is float64; the optimizer must not upcast or round differently.
    W = np.array([1.0, 2.0], dtype=np.float32)
    Adam(lr=0.5).step([(W, np.array([1.0, -1.0], dtype=np.float32))])
    assert W.dtype == np.float32
    assert np.allclose(W, [0.5, 2.5], rtol=0, atol=1e-6)


def test_repr_shows_the_hyperparameters():
    assert repr(SGD(lr=0.1, momentum=0.9)) == "SGD(lr=0.1, momentum=0.9, nesterov=False)"
    assert "beta2=0.999" in repr(Adam())
    assert math.isclose(Adam(lr=3).lr, 3.0) and isinstance(Adam(lr=3).lr, float)


def test_a_tuple_of_pairs_is_checked_once_and_a_changed_one_again():
    # fit passes one tuple per epoch; a new tuple (or a loaded state) is checked afresh
    import chainrule as cr
    W, g = np.ones((3, 2)), np.full((3, 2), 0.5)
    opt = cr.Adam(0.1)
    pairs = ((W, g),)
    opt.step(pairs)
    opt.step(pairs)
    assert opt.t == 2
    with pytest.raises(ValueError, match="optimizer state was created for parameters"):
        opt.step(((np.ones((2, 2)), np.ones((2, 2))),))
    state = opt.state_dict()
    other = cr.Adam(0.1)
    other.step(((np.ones((4, 1)), np.ones((4, 1))),))
    wrong = ((np.ones((4, 1)), np.ones((4, 1))),)
    other.step(wrong)
    other.load_state_dict(state)            # state for (3, 2) now
    with pytest.raises(ValueError, match="optimizer state was created for parameters"):
        other.step(wrong)


def test_dense_casts_inputs_of_another_dtype_to_its_own():
    import chainrule as cr
    layer = cr.Dense(3, 2, dtype=np.float32, rng=np.random.default_rng(0))
    Z = layer.forward(np.ones((4, 3)))              # float64 input
    assert Z.dtype == np.float32
    dA = layer.backward(np.ones((4, 2)))            # float64 gradient
    assert layer.dW.dtype == np.float32 and layer.db.dtype == np.float32
    np.testing.assert_allclose(layer.db, [4.0, 4.0])
