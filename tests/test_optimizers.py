"""Optimizers: hand-computed steps, the published update rules of SGD (momentum, Nesterov), RMSprop,
Adagrad, Adam and AdamW, gradient clipping, in-place updates, dtype, state checks, hyperparameters, and
state_dict resume.

The reference updates of the published rules are written out per weight in plain Python floats,
independent of the implementation. Every test that states a property of all optimizers runs over one
table, MAKERS.
"""

import math

import numpy as np
import pytest

from chainrule import BinaryCrossEntropy, Dense, MeanSquaredError, Sequential, Sigmoid, Tanh, registry
from chainrule.datasets import make_moons
from chainrule.optimizers import SGD, Adagrad, Adam, AdamW, RMSprop


# -- hand-computed steps ---------------------------------------------------------------------------
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


# -- the published update rules, one weight at a time ----------------------------------------------
W0 = [1.0, -2.0, 3.0]
GRADS = [[0.5, -1.0, 2.0], [-0.3, 0.4, 1.0], [0.2, 0.0, -0.5]]


def sgd_rule(lr, momentum=0.0, nesterov=False):
    def run(w, grads):
        v, out = 0.0, []
        for g in grads:
            if momentum == 0.0:
                w = w - lr * g
            else:
                v = momentum * v + g
                w = w - lr * (g + momentum * v) if nesterov else w - lr * v
            out.append(w)
        return out
    return run


def rmsprop_rule(lr, rho, eps):                      # Hinton's lecture 6e, eps outside the root (PyTorch)
    def run(w, grads):
        v, out = 0.0, []
        for g in grads:
            v = rho * v + (1 - rho) * g ** 2
            w = w - lr * g / (math.sqrt(v) + eps)
            out.append(w)
        return out
    return run


def adagrad_rule(lr, eps):                           # Duchi et al. 2011, eps outside the root (PyTorch)
    def run(w, grads):
        G, out = 0.0, []
        for g in grads:
            G = G + g ** 2
            w = w - lr * g / (math.sqrt(G) + eps)
            out.append(w)
        return out
    return run


def adam_rule(lr, beta1, beta2, eps, weight_decay=0.0):   # Kingma & Ba Algorithm 1; AdamW decays first
    def run(w, grads):
        m = v = 0.0
        out = []
        for t, g in enumerate(grads, start=1):
            w = w - lr * weight_decay * w
            m = beta1 * m + (1 - beta1) * g
            v = beta2 * v + (1 - beta2) * g ** 2
            m_hat = m / (1 - beta1 ** t)
            v_hat = v / (1 - beta2 ** t)
            w = w - lr * m_hat / (math.sqrt(v_hat) + eps)
            out.append(w)
        return out
    return run


CASES = {
    "sgd": (lambda: SGD(lr=0.1), sgd_rule(0.1)),
    "momentum": (lambda: SGD(lr=0.1, momentum=0.9), sgd_rule(0.1, 0.9)),
    "nesterov": (lambda: SGD(lr=0.1, momentum=0.9, nesterov=True), sgd_rule(0.1, 0.9, True)),
    "rmsprop": (lambda: RMSprop(lr=0.01, rho=0.9, eps=1e-8), rmsprop_rule(0.01, 0.9, 1e-8)),
    "adagrad": (lambda: Adagrad(lr=0.1, eps=1e-10), adagrad_rule(0.1, 1e-10)),
    "adam": (lambda: Adam(lr=0.1, beta1=0.9, beta2=0.999, eps=1e-8), adam_rule(0.1, 0.9, 0.999, 1e-8)),
    "adamw": (lambda: AdamW(lr=0.1, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.5),
              adam_rule(0.1, 0.9, 0.999, 1e-8, weight_decay=0.5)),
}
MAKERS = {name: make for name, (make, _) in CASES.items()}
MAKERS.update({
    "sgd_clip_norm": lambda: SGD(lr=0.1, momentum=0.9, clip_norm=1.0),
    "adam_clip_value": lambda: Adam(lr=0.1, clip_value=0.25),
    "rmsprop_clip_norm": lambda: RMSprop(lr=0.01, clip_norm=0.5),
})
BASE = ["sgd", "momentum", "nesterov", "adam"]                # SGD in its three forms, and Adam


@pytest.mark.parametrize("name", CASES)
def test_first_three_steps_follow_the_published_rule(name):
    make, rule = CASES[name]
    W = np.array(W0)
    optimizer = make()
    expected = np.array([rule(w, [g[j] for g in GRADS]) for j, w in enumerate(W0)]).T   # (step, weight)
    for t, g in enumerate(GRADS):
        optimizer.step([(W, np.array(g))])
        assert np.allclose(W, expected[t], rtol=0, atol=1e-14), f"step {t + 1}"
    assert optimizer.t == 3


def test_rmsprop_first_step_is_lr_over_root_one_minus_rho_times_the_sign():
    # v = (1-ρ)·g², so g/√v = sign(g)/√0.1 and every weight moves by 0.01/√0.1 = 0.0316227766...
    # (eps = 1e-8 changes the step by under 3e-9 here)
    W = np.array(W0)
    RMSprop(lr=0.01, rho=0.9, eps=1e-8).step([(W, np.array(GRADS[0]))])
    assert np.allclose(W, [0.96837722340, -1.96837722340, 2.96837722340], rtol=0, atol=1e-8)


def test_adagrad_first_step_moves_every_weight_by_lr():
    # G = g², so g/√G = sign(g)
    W = np.array(W0)
    Adagrad(lr=0.1).step([(W, np.array(GRADS[0]))])
    assert np.allclose(W, [0.9, -1.9, 2.9], rtol=0, atol=1e-9)


def test_adagrad_keeps_shrinking_the_step_for_a_constant_gradient():
    # G = t·g², so step t moves by lr/√t: 1, 1/√2, 1/√3
    W = np.zeros(1)
    optimizer = Adagrad(lr=1.0)
    moves = []
    for _ in range(3):
        before = W[0]
        optimizer.step([(W, np.array([2.0]))])
        moves.append(before - W[0])
    assert np.allclose(moves, [1.0, 1 / math.sqrt(2), 1 / math.sqrt(3)], rtol=0, atol=1e-9)


def test_adamw_decays_the_weights_before_the_adam_step():
    # lr = 0.1, λ = 0.5: W ← 0.95·W, then Adam's first step moves by lr·sign(g)
    W = np.array(W0)
    AdamW(lr=0.1, weight_decay=0.5).step([(W, np.array(GRADS[0]))])
    assert np.allclose(W, [0.95 - 0.1, -1.9 + 0.1, 2.85 - 0.1], rtol=0, atol=1e-7)


def test_adamw_with_zero_weight_decay_is_adam_bit_for_bit():
    W_adam, W_adamw = np.array(W0), np.array(W0)
    adam, adamw = Adam(lr=0.1), AdamW(lr=0.1, weight_decay=0.0)
    for g in GRADS:
        adam.step([(W_adam, np.array(g))])
        adamw.step([(W_adamw, np.array(g))])
    assert np.array_equal(W_adam, W_adamw)


def test_adamw_decay_is_not_divided_by_the_gradient_scale():
    # with g = 0 the Adam step is 0, so only the decoupled decay moves W (L2 in g would not move it either)
    W = np.array([2.0, -4.0])
    optimizer = AdamW(lr=0.1, weight_decay=0.1)
    for _ in range(3):
        optimizer.step([(W, np.zeros(2))])
    assert np.allclose(W, np.array([2.0, -4.0]) * 0.99 ** 3, rtol=0, atol=1e-15)


# -- in place, dtype -------------------------------------------------------------------------------
@pytest.mark.parametrize("name", MAKERS)
def test_step_updates_parameters_in_place(name):
    W = np.arange(6, dtype=np.float64).reshape(2, 3)
    b = np.zeros(3)
    ids, view = (id(W), id(b)), W[0]
    before = W.copy()
    optimizer = MAKERS[name]()
    for _ in range(2):
        optimizer.step([(W, np.ones_like(W)), (b, np.ones_like(b))])
    assert (id(W), id(b)) == ids
    assert not np.array_equal(W, before)
    assert np.array_equal(view, W[0])              # a view taken before the step sees the change
    assert np.all(b < 0)


@pytest.mark.parametrize("name", BASE)
def test_float32_parameters_and_state_stay_float32(name):
    rng = np.random.default_rng(0)
    W = rng.standard_normal((3, 2)).astype(np.float32)
    b = np.zeros(2, dtype=np.float32)
    optimizer = MAKERS[name]()
    for _ in range(3):
        optimizer.step([(W, rng.standard_normal((3, 2)).astype(np.float32)), (b, np.ones(2, dtype=np.float32))])
    assert W.dtype == np.float32 and b.dtype == np.float32
    for state in optimizer.state_names:
        for array in getattr(optimizer, state):
            assert array.dtype == np.float32


@pytest.mark.parametrize("name", MAKERS)
def test_float32_parameters_gradients_and_state_stay_float32(name):
    rng = np.random.default_rng(0)
    W = rng.standard_normal((3, 2)).astype(np.float32)
    b = np.zeros(2, dtype=np.float32)
    optimizer = MAKERS[name]()
    for _ in range(3):
        optimizer.step([(W, rng.standard_normal((3, 2)).astype(np.float32)), (b, np.ones(2, dtype=np.float32))])
        optimizer.lr = optimizer.lr * 0.5                 # as a schedule would, between steps
    assert W.dtype == np.float32 and b.dtype == np.float32
    for state in optimizer.state_names:
        for array in getattr(optimizer, state):
            assert array.dtype == np.float32
    clipped = optimizer.clip([rng.standard_normal(3).astype(np.float32) * 100])
    assert clipped[0].dtype == np.float32


def test_float32_adam_step_uses_python_float_coefficients():
    # NumPy 2: float32 * np.float64 is float64; the optimizer must not upcast or round differently.
    W = np.array([1.0, 2.0], dtype=np.float32)
    Adam(lr=0.5).step([(W, np.array([1.0, -1.0], dtype=np.float32))])
    assert W.dtype == np.float32
    assert np.allclose(W, [0.5, 2.5], rtol=0, atol=1e-6)


# -- state checks ----------------------------------------------------------------------------------
@pytest.mark.parametrize("name", MAKERS)
def test_changed_parameter_shapes_raise_and_ask_for_a_new_optimizer(name):
    optimizer = MAKERS[name]()
    optimizer.step([(np.zeros((2, 3)), np.ones((2, 3)))])
    with pytest.raises(ValueError, match="(?i)create a new optimizer") as excinfo:
        optimizer.step([(np.zeros((3, 3)), np.ones((3, 3)))])
    assert "(2, 3)" in str(excinfo.value) and "(3, 3)" in str(excinfo.value)


def test_a_gradient_of_the_wrong_shape_raises_value_error():
    with pytest.raises(ValueError, match=r"\(2, 3\).*\(3, 2\)"):
        Adam().step([(np.zeros((2, 3)), np.ones((3, 2)))])


def test_a_tuple_of_pairs_is_checked_once_and_a_changed_one_again():
    # fit passes one tuple per epoch; a new tuple (or a loaded state) is checked afresh
    W, g = np.ones((3, 2)), np.full((3, 2), 0.5)
    opt = Adam(0.1)
    pairs = ((W, g),)
    opt.step(pairs)
    opt.step(pairs)
    assert opt.t == 2
    with pytest.raises(ValueError, match="optimizer state was created for parameters"):
        opt.step(((np.ones((2, 2)), np.ones((2, 2))),))
    state = opt.state_dict()
    other = Adam(0.1)
    other.step(((np.ones((4, 1)), np.ones((4, 1))),))
    wrong = ((np.ones((4, 1)), np.ones((4, 1))),)
    other.step(wrong)
    other.load_state_dict(state)            # state for (3, 2) now
    with pytest.raises(ValueError, match="optimizer state was created for parameters"):
        other.step(wrong)


# -- hyperparameters -------------------------------------------------------------------------------
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
    (lambda: SGD(-0.1), "lr must be > 0"),
    (lambda: SGD(0.1, momentum=1.0), "momentum must be in"),
], ids=["lr0", "lr_negative", "lr_nan", "lr_inf", "lr_string", "momentum1", "momentum_big", "momentum_negative",
        "nesterov_no_momentum", "beta1_1", "beta2_1", "beta1_negative", "eps0", "eps_negative",
        "lr_positional_negative", "momentum1_positional_lr"])
def test_bad_hyperparameters_raise_value_error(make, fragment):
    with pytest.raises(ValueError, match=fragment):
        make()


@pytest.mark.parametrize("make, fragment", [
    (lambda: RMSprop(lr=-0.1), r"RMSprop: lr must be > 0"),
    (lambda: Adagrad(lr=0.0), r"Adagrad: lr must be > 0"),
    (lambda: AdamW(lr=-1e-3), r"AdamW: lr must be > 0"),
    (lambda: RMSprop(rho=1.0), r"rho must be in \[0.0, 1.0\)"),
    (lambda: RMSprop(rho=-0.1), r"rho must be in \[0.0, 1.0\)"),
    (lambda: RMSprop(eps=0.0), r"eps must be > 0"),
    (lambda: Adagrad(eps=-1e-10), r"eps must be > 0"),
    (lambda: AdamW(eps=0.0), r"eps must be > 0"),
    (lambda: AdamW(beta1=1.0), r"AdamW: beta1 must be in \[0.0, 1.0\)"),
    (lambda: AdamW(weight_decay=-0.01), r"weight_decay must be in \[0.0, inf\)"),
    (lambda: SGD(lr=0.1, clip_norm=0.0), r"clip_norm must be > 0"),
    (lambda: Adam(clip_norm=-1.0), r"clip_norm must be > 0"),
    (lambda: RMSprop(clip_value=0.0), r"clip_value must be > 0"),
    (lambda: Adagrad(clip_value=-2.0), r"clip_value must be > 0"),
    (lambda: Adam(clip_norm=1.0, clip_value=1.0), r"clip_norm or clip_value, not both"),
    (lambda: SGD(lr=0.1, momentum=1.0), r"momentum must be in \[0.0, 1.0\)"),
    (lambda: SGD(lr=0.1, momentum=0.9, clip_norm="1"), r"clip_norm must be a number"),
], ids=["rmsprop_lr", "adagrad_lr", "adamw_lr", "rho1", "rho_negative", "rmsprop_eps", "adagrad_eps", "adamw_eps",
        "adamw_beta1", "weight_decay", "clip_norm0", "clip_norm_negative", "clip_value0", "clip_value_negative",
        "both_clips", "momentum1", "clip_norm_string"])
def test_bad_hyperparameters_raise_value_error_with_the_accepted_range(make, fragment):
    with pytest.raises(ValueError, match=fragment):
        make()


def test_repr_shows_the_hyperparameters():
    assert repr(SGD(lr=0.1, momentum=0.9)) == "SGD(lr=0.1, momentum=0.9, nesterov=False)"
    assert "beta2=0.999" in repr(Adam())
    assert math.isclose(Adam(lr=3).lr, 3.0) and isinstance(Adam(lr=3).lr, float)


def test_the_registry_and_repr_name_every_optimizer():
    assert registry.SHORT_NAMES["optimizer"] == {"sgd": SGD, "rmsprop": RMSprop, "adagrad": Adagrad, "adam": Adam,
                                                 "adamw": AdamW}
    assert repr(RMSprop()) == "RMSprop(lr=0.001, rho=0.9, eps=1e-08)"
    assert repr(Adagrad()) == "Adagrad(lr=0.01, eps=1e-10)"
    assert repr(AdamW()) == "AdamW(lr=0.001, beta1=0.9, beta2=0.999, eps=1e-08, weight_decay=0.01)"
    assert repr(SGD(lr=0.1, clip_norm=5)) == "SGD(lr=0.1, momentum=0.0, nesterov=False, clip_norm=5.0)"
    for make in MAKERS.values():               # config() rebuilds the same optimizer
        optimizer = make()
        assert type(optimizer)(**optimizer.config()).config() == optimizer.config()


# -- clipping --------------------------------------------------------------------------------------
def test_clip_norm_scales_all_gradients_by_the_global_norm():
    # ‖([3, 4], [12])‖ = √(9 + 16 + 144) = 13; clip_norm = 6.5 halves every gradient
    W, b = np.zeros(2), np.zeros(1)
    dW, db = np.array([3.0, 4.0]), np.array([12.0])
    SGD(lr=1.0, clip_norm=6.5).step([(W, dW), (b, db)])
    assert np.allclose(W, [-1.5, -2.0], rtol=0, atol=1e-15) and np.allclose(b, [-6.0], rtol=0, atol=1e-15)
    assert np.array_equal(dW, [3.0, 4.0]) and np.array_equal(db, [12.0])     # the caller's gradients are kept


def test_clip_norm_leaves_gradients_at_or_under_the_norm_alone():
    W = np.zeros(2)
    SGD(lr=1.0, clip_norm=5.0).step([(W, np.array([3.0, 4.0]))])            # norm exactly 5
    assert np.array_equal(W, [-3.0, -4.0])


def test_clip_value_clips_each_gradient_elementwise():
    W, b = np.zeros(3), np.zeros(1)
    dW = np.array([3.0, -0.5, -4.0])
    SGD(lr=1.0, clip_value=2.5).step([(W, dW), (b, np.array([-12.0]))])
    assert np.array_equal(W, [-2.5, 0.5, 2.5]) and np.array_equal(b, [2.5])
    assert np.array_equal(dW, [3.0, -0.5, -4.0])


def test_clipped_gradients_are_what_the_optimizer_state_sees():
    # Adam's m after one step is (1-β1)·g with g already clipped to norm 1: [0.06, 0.08]
    W = np.zeros(2)
    optimizer = Adam(lr=0.1, clip_norm=1.0)
    optimizer.step([(W, np.array([30.0, 40.0]))])
    assert np.allclose(optimizer.m[0], [0.06, 0.08], rtol=0, atol=1e-15)


# -- state_dict ------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", MAKERS)
def test_state_dict_round_trip_continues_bit_identically(name):
    rng = np.random.default_rng(1)
    grads = [(rng.standard_normal((3, 2)), rng.standard_normal(2)) for _ in range(6)]
    W, b = rng.standard_normal((3, 2)), rng.standard_normal(2)
    straight = MAKERS[name]()
    W_s, b_s = W.copy(), b.copy()
    for dW, db in grads:
        if straight.t == 3:
            straight.lr *= 0.3                           # a schedule changed the lr before step 4
        straight.step([(W_s, dW), (b_s, db)])

    first = MAKERS[name]()
    for dW, db in grads[:3]:
        first.step([(W, dW), (b, db)])
    first.lr *= 0.3
    state = first.state_dict()
    resumed = MAKERS[name]()                             # a fresh optimizer, built with the default lr
    resumed.load_state_dict(state)
    assert resumed.lr == first.lr and resumed.t == 3
    for dW, db in grads[3:]:
        resumed.step([(W, dW), (b, db)])
    assert np.array_equal(W, W_s) and np.array_equal(b, b_s)
    assert resumed.t == straight.t == 6


@pytest.mark.parametrize("name", BASE)
def test_a_resumed_optimizer_steps_in_lockstep_with_the_one_it_was_saved_from(name):
    rng = np.random.default_rng(1)
    grads = [rng.standard_normal((3, 2)) for _ in range(6)]
    W = rng.standard_normal((3, 2))
    original = MAKERS[name]()
    for g in grads[:3]:
        original.step([(W, g)])
    state = original.state_dict()
    W_copy = W.copy()
    resumed = MAKERS[name]()
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


def test_load_state_dict_without_config_keeps_the_constructor_lr():
    # chainrule.io passes {"type", "t", state arrays} and builds the optimizer from the saved config itself
    saved = RMSprop(lr=0.01)
    saved.step([(np.zeros(2), np.ones(2))])
    state = {k: v for k, v in saved.state_dict().items() if k != "config"}
    resumed = RMSprop(lr=0.02)
    resumed.load_state_dict(state)
    assert resumed.lr == 0.02 and resumed.t == 1 and np.array_equal(resumed.v[0], saved.v[0])


def test_load_state_dict_refuses_different_hyperparameters():
    state = Adam(beta1=0.5).state_dict()
    with pytest.raises(ValueError, match=r"beta1.*0\.5.*Adam\(\*\*state\['config'\]\)"):
        Adam().load_state_dict(state)
    with pytest.raises(ValueError, match="cannot load state saved by 'AdamW'"):
        Adam().load_state_dict(AdamW().state_dict())


# -- end to end ------------------------------------------------------------------------------------
def test_adam_reaches_a_lower_loss_than_plain_gradient_descent_on_moons():
    X, y = make_moons(300, noise=0.2, seed=0)
    losses = {}
    for name, optimizer in [("gd", SGD(lr=0.01)), ("adam", Adam(lr=0.01))]:
        model = Sequential([Dense(2, 16), Tanh(), Dense(16, 1)], seed=0)
        history = model.fit(X, y.reshape(-1, 1), BinaryCrossEntropy(from_logits=True), optimizer,
                            epochs=40, batch_size=32)
        losses[name] = history["loss"][-1]
    assert losses["adam"] < losses["gd"]
    assert losses["adam"] < 0.35
