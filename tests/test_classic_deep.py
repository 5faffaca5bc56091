"""Seed 001 (the course's C1W4): the L-layer network in column layout, against the course's
published expected outputs, the engine, and central differences."""

import numpy as np
import pytest

from chainrule import BinaryCrossEntropy, check_gradients
from chainrule.classic import deep, load_cat_data
from chainrule.classic import _bridge

from _paths import COURSERA


def test_initialize_parameters_course_values():
    p = deep.initialize_parameters(3, 2, 1)
    np.testing.assert_allclose(p["W1"], [[0.01624345, -0.00611756, -0.00528172],
                                         [-0.01072969, 0.00865408, -0.02301539]], atol=5e-9)
    np.testing.assert_allclose(p["W2"], [[0.01744812, -0.00761207]], atol=5e-9)
    assert p["b1"].shape == (2, 1) and not p["b1"].any() and p["b2"].shape == (1, 1)


def test_initialize_parameters_deep_course_values():
    p = deep.initialize_parameters_deep([5, 4, 3])
    np.testing.assert_allclose(p["W1"][0], [0.01788628, 0.0043651, 0.00096497, -0.01863493, -0.00277388], atol=5e-9)
    np.testing.assert_allclose(p["W2"][2], [-0.00768836, -0.00230031, 0.00745056, 0.01976111], atol=5e-9)
    assert p["W1"].shape == (4, 5) and p["b2"].shape == (3, 1)


def test_initialize_does_not_touch_global_random_state():
    np.random.seed(123)
    expected = np.random.rand()
    np.random.seed(123)
    deep.initialize_parameters_deep([5, 4, 3])
    assert np.random.rand() == expected


def draws(seed, *shapes):
    rng = np.random.RandomState(seed)
    return [rng.randn(*shape) for shape in shapes]


def test_linear_forward_course_value():
    A, W, b = draws(1, (3, 2), (1, 3), (1, 1))
    Z, cache = deep.linear_forward(A, W, b)
    np.testing.assert_allclose(Z, [[3.26295337, -1.23429987]], atol=5e-9)
    assert cache[0] is A


def test_linear_activation_forward_course_values():
    A_prev, W, b = draws(2, (3, 2), (1, 3), (1, 1))
    A, _ = deep.linear_activation_forward(A_prev, W, b, "sigmoid")
    np.testing.assert_allclose(A, [[0.96890023, 0.11013289]], atol=5e-9)
    A, _ = deep.linear_activation_forward(A_prev, W, b, "relu")
    np.testing.assert_allclose(A, [[3.43896131, 0.0]], atol=5e-9)


def test_L_model_forward_course_value():
    X, W1, b1, W2, b2 = draws(1, (4, 2), (3, 4), (3, 1), (1, 3), (1, 1))
    AL, caches = deep.L_model_forward(X, {"W1": W1, "b1": b1, "W2": W2, "b2": b2})
    np.testing.assert_allclose(AL, [[0.17007265, 0.2524272]], atol=5e-9)
    assert len(caches) == 2


def test_compute_cost_course_value():
    cost = deep.compute_cost(np.array([[.8, .9, 0.4]]), np.array([[1, 1, 1]]))
    assert abs(cost - 0.41493159961539694) < 1e-15
    assert np.shape(cost) == ()


def test_linear_backward_course_values():
    dZ, A, W, b = draws(1, (1, 2), (3, 2), (1, 3), (1, 1))
    dA_prev, dW, db = deep.linear_backward(dZ, (A, W, b))
    np.testing.assert_allclose(dA_prev, [[0.51822968, -0.19517421], [-0.40506361, 0.15255393],
                                         [2.37496825, -0.89445391]], atol=5e-9)
    np.testing.assert_allclose(dW, [[-0.10076895, 1.40685096, 1.64992505]], atol=5e-9)
    np.testing.assert_allclose(db, [[0.50629448]], atol=5e-9)


def test_linear_activation_backward_course_values():
    dA, A, W, b, Z = draws(2, (1, 2), (3, 2), (1, 3), (1, 1), (1, 2))
    dA_prev, dW, db = deep.linear_activation_backward(dA, ((A, W, b), Z), "sigmoid")
    np.testing.assert_allclose(dA_prev, [[0.11017994, 0.01105339], [0.09466817, 0.00949723],
                                         [-0.05743092, -0.00576154]], atol=5e-9)
    np.testing.assert_allclose(dW, [[0.10266786, 0.09778551, -0.01968084]], atol=5e-9)
    np.testing.assert_allclose(db, [[-0.05729622]], atol=5e-9)
    dA_prev, dW, db = deep.linear_activation_backward(dA, ((A, W, b), Z), "relu")
    np.testing.assert_allclose(dA_prev, [[0.44090989, 0.0], [0.37883606, 0.0], [-0.2298228, 0.0]], atol=5e-9)
    np.testing.assert_allclose(dW, [[0.44513824, 0.37371418, -0.10478989]], atol=5e-9)
    np.testing.assert_allclose(db, [[-0.20837892]], atol=5e-9)


def test_L_model_backward_course_values():
    AL, A1, W1, b1, Z1, A2, W2, b2, Z2 = draws(3, (1, 2), (4, 2), (3, 4), (3, 1), (3, 2), (3, 2), (1, 3),
                                               (1, 1), (1, 2))
    grads = deep.L_model_backward(AL, np.array([[1, 0]]), [((A1, W1, b1), Z1), ((A2, W2, b2), Z2)])
    np.testing.assert_allclose(grads["dW1"], [[0.41010002, 0.07807203, 0.13798444, 0.10502167], [0, 0, 0, 0],
                                              [0.05283652, 0.01005865, 0.01777766, 0.0135308]], atol=5e-9)
    np.testing.assert_allclose(grads["db1"], [[-0.22007063], [0], [-0.02835349]], atol=5e-9)
    np.testing.assert_allclose(grads["dA1"], [[0, 0.52257901], [0, -0.3269206], [0, -0.32070404],
                                              [0, -0.74079187]], atol=5e-9)


def test_update_parameters_course_values_in_place():
    W1, b1, W2, b2 = draws(2, (3, 4), (3, 1), (1, 3), (1, 1))
    dW1, db1, dW2, db2 = draws(3, (3, 4), (3, 1), (1, 3), (1, 1))
    parameters = {"W1": W1, "b1": b1, "W2": W2, "b2": b2}
    out = deep.update_parameters(parameters, {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}, 0.1)
    np.testing.assert_allclose(out["W1"][0], [-0.59562069, -0.09991781, -2.14584584, 1.82662008], atol=5e-9)
    np.testing.assert_allclose(out["b1"], [[-0.04659241], [-1.28888275], [0.53405496]], atol=5e-9)
    np.testing.assert_allclose(out["W2"], [[-0.55569196, 0.0354055, 1.32964895]], atol=5e-9)
    np.testing.assert_allclose(out["b2"], [[-0.84610769]], atol=5e-9)
    assert out["W1"] is W1                      # seed 001 updates in place


def test_L_model_backward_matches_engine_and_central_differences():
    rng = np.random.RandomState(0)
    X, Y = rng.randn(6, 9), (rng.rand(1, 9) > 0.5).astype(float)
    parameters = deep.initialize_parameters_deep([6, 5, 4, 1], seed=1, scale="sqrt")
    AL, caches = deep.L_model_forward(X, parameters)
    grads = deep.L_model_backward(AL, Y, caches)
    model = _bridge.network(parameters, ["relu", "relu", "sigmoid"], "test")
    report = check_gradients(model, X.T, Y.T, BinaryCrossEntropy())
    assert report.passed, str(report)
    loss = BinaryCrossEntropy()
    loss.forward(model.forward(X.T), Y.T)
    model.backward(loss.backward())
    engine = _bridge.gradients_of(model)
    for key in ("dW1", "db1", "dW2", "db2", "dW3", "db3"):
        np.testing.assert_allclose(grads[key], engine[key], rtol=1e-12, atol=1e-15)
    assert deep.compute_cost(AL, Y) == pytest.approx(loss.forward(model.forward(X.T), Y.T), rel=1e-14)


def test_bad_inputs_raise_clear_errors():
    parameters = deep.initialize_parameters(3, 2, 1)
    with pytest.raises(ValueError, match=r"X.T|\(3, m\)"):
        deep.L_model_forward(np.ones((5, 3)), parameters)
    with pytest.raises(ValueError, match="b2"):
        deep.L_model_forward(np.ones((3, 5)), {"W1": parameters["W1"], "b1": parameters["b1"], "W2": parameters["W2"]})
    with pytest.raises(ValueError, match="activation"):
        deep.linear_activation_forward(np.ones((3, 2)), parameters["W1"], parameters["b1"], "softplus")
    with pytest.raises(ValueError, match="lr"):
        zero_grads = {f"d{name}": np.zeros_like(value) for name, value in parameters.items()}
        deep.update_parameters(parameters, zero_grads, -1.0)


@pytest.fixture(scope="module")
def cat():
    pytest.importorskip("h5py", reason="the cat data needs h5py (pip install 'chainrule[data]')")
    return load_cat_data(COURSERA)


def test_two_layer_model_first_costs_match_the_course(cat):
    train_x, train_y, _, _, _ = cat
    _, costs = deep.two_layer_model(train_x, train_y, (12288, 7, 1), num_iterations=201, return_costs=True)
    # The course prints 0.6930497356599888, 0.6464320953428849, 0.6325140647912677
    np.testing.assert_allclose(costs, [0.6930497356599888, 0.6464320953428849, 0.6325140647912677], rtol=1e-12)


@pytest.mark.slow
def test_L_layer_model_cat_application_reproduces_the_course(cat, capsys):
    train_x, train_y, test_x, test_y, _ = cat
    parameters, costs = deep.L_layer_model(train_x, train_y, [12288, 20, 7, 5, 1], num_iterations=2500,
                                           print_cost=True, return_costs=True)
    published = [0.771749, 0.672053, 0.648263, 0.611507, 0.567047, 0.540138, 0.527930, 0.465477, 0.369126,
                 0.391747, 0.315187, 0.272700, 0.237419, 0.199601, 0.189263, 0.161189, 0.148214, 0.137775,
                 0.129740, 0.121225, 0.113821, 0.107839, 0.102855, 0.100897, 0.092878]
    np.testing.assert_allclose(costs, published, atol=5e-7)
    deep.predict(train_x, train_y, parameters)
    deep.predict(test_x, test_y, parameters)
    out = capsys.readouterr().out
    assert "Cost after iteration 2400: 0.092878" in out
    assert "Accuracy: 0.985645933014" in out and "Accuracy: 0.8\n" in out


def small_deep(n_y=1, seed=0, dims=(4, 5, 3), m=7):
    rng = np.random.RandomState(seed)
    X = rng.randn(dims[0], m)
    Y = (rng.rand(n_y, m) > 0.5).astype(float)
    parameters = deep.initialize_parameters_deep([*dims, n_y], seed=seed + 1, scale="sqrt")
    return X, Y, parameters


def test_L_model_backward_intermediates_are_the_course_dZ_without_1_over_m():
    X, Y, parameters = small_deep()
    m = X.shape[1]
    AL, caches = deep.L_model_forward(X, parameters)
    grads = deep.L_model_backward(AL, Y, caches, intermediates=True)
    np.testing.assert_allclose(grads["dZ3"], AL - Y, rtol=1e-10, atol=1e-15)         # sigmoid + cross-entropy
    for l in (1, 2, 3):
        (A_prev, W, _), Z = caches[l - 1]
        np.testing.assert_allclose(grads[f"dW{l}"], grads[f"dZ{l}"] @ A_prev.T / m, rtol=1e-10, atol=1e-15)
        np.testing.assert_allclose(grads[f"dA{l}"], W.T @ grads[f"dZ{l}"], rtol=1e-10, atol=1e-15)
    np.testing.assert_array_equal(grads["dZ2"], grads["dA3"] * (caches[1][1] > 0))   # ReLU's dZ = dA * [Z > 0]
    plain = deep.L_model_backward(AL, Y, caches)
    assert not any(key.startswith("dZ") for key in plain)
    for key in plain:
        np.testing.assert_array_equal(plain[key], grads[key])


def test_linear_backward_accepts_a_dict_cache_with_A_prev_or_A():
    dZ, A, W, b = draws(1, (1, 2), (3, 2), (1, 3), (1, 1))
    expected = deep.linear_backward(dZ, (A, W, b))
    for cache in ({"A_prev": A, "W": W, "b": b}, {"A": A, "W": W, "b": b}):
        for got, want in zip(deep.linear_backward(dZ, cache), expected):
            np.testing.assert_array_equal(got, want)
    with pytest.raises(ValueError, match=r"keys \['W', 'b'\].*A_prev"):
        deep.linear_backward(dZ, {"W": W, "b": b})


def test_linear_activation_backward_accepts_dict_caches():
    dA, A, W, b, Z = draws(2, (1, 2), (3, 2), (1, 3), (1, 1), (1, 2))
    expected = deep.linear_activation_backward(dA, ((A, W, b), Z), "sigmoid")
    caches = [{"linear_cache": (A, W, b), "activation_cache": Z},
              {"linear_cache": {"A_prev": A, "W": W, "b": b}, "activation_cache": {"Z": Z}},
              {"linear_cache": {"A": A, "W": W, "b": b}, "activation_cache": Z}]
    for cache in caches:
        for got, want in zip(deep.linear_activation_backward(dA, cache, "sigmoid"), expected):
            np.testing.assert_array_equal(got, want)
    with pytest.raises(ValueError, match="linear_cache, activation_cache"):
        deep.linear_activation_backward(dA, ((A, W, b), Z, Z), "sigmoid")


def test_L_model_backward_accepts_dict_caches():
    X, Y, parameters = small_deep(seed=2)
    AL, caches = deep.L_model_forward(X, parameters)
    as_dicts = [{"linear_cache": {"A_prev": A, "W": W, "b": b}, "activation_cache": {"Z": Z}}
                for (A, W, b), Z in caches]
    expected = deep.L_model_backward(AL, Y, caches, intermediates=True)
    got = deep.L_model_backward(AL, Y, as_dicts, intermediates=True)
    for key in expected:
        np.testing.assert_array_equal(got[key], expected[key])


def test_deep_with_two_output_units_uses_the_course_sum_over_all_entries():
    X, Y, parameters = small_deep(n_y=2, seed=3)
    m = X.shape[1]
    AL, caches = deep.L_model_forward(X, parameters)
    assert AL.shape == (2, m)
    expected = -np.sum(Y * np.log(AL) + (1 - Y) * np.log(1 - AL)) / m
    assert deep.compute_cost(AL, Y) == pytest.approx(expected, rel=1e-12)
    grads = deep.L_model_backward(AL, Y, caches, intermediates=True)
    np.testing.assert_allclose(grads["dZ3"], AL - Y, rtol=1e-10, atol=1e-15)
    eps = 1e-6
    for name in ("W1", "b1", "W3", "b3"):
        numeric = np.zeros_like(parameters[name])
        for index in np.ndindex(numeric.shape):
            values = []
            for step in (eps, -eps):
                shifted = {k: v.copy() for k, v in parameters.items()}
                shifted[name][index] += step
                values.append(deep.compute_cost(deep.L_model_forward(X, shifted)[0], Y))
            numeric[index] = (values[0] - values[1]) / (2 * eps)
        np.testing.assert_allclose(grads[f"d{name}"], numeric, rtol=1e-6, atol=1e-10)
    with pytest.raises(ValueError, match="transposed"):
        deep.compute_cost(AL, Y.T)


def test_L_layer_model_with_two_output_units_starts_at_the_course_cost():
    X, Y, _ = small_deep(n_y=2, seed=4)
    dims = [4, 5, 3, 2]
    initial = deep.initialize_parameters_deep(dims, seed=1, scale="sqrt")     # L_layer_model's own init
    start = deep.compute_cost(deep.L_model_forward(X, initial)[0], Y)
    parameters, costs = deep.L_layer_model(X, Y, dims, learning_rate=0.1, num_iterations=101, return_costs=True)
    assert costs[0] == pytest.approx(start, rel=1e-12)
    assert costs[1] < costs[0]
    assert deep.compute_cost(deep.L_model_forward(X, parameters)[0], Y) < start


def test_predict_accuracy_with_two_output_units_is_over_all_entries(capsys):
    X, Y, parameters = small_deep(n_y=2, seed=5)
    p = deep.predict(X, Y, parameters)
    assert p.shape == (2, 7)
    accuracy = float(capsys.readouterr().out.split("Accuracy: ")[1])
    assert accuracy == pytest.approx(np.mean(p == Y))
