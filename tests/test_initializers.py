"""Initializers: shapes, dtypes, variances, orthogonality, determinism."""

import math

import numpy as np
import pytest

from chainrule import Dense, Sequential, initializers

NAMED = sorted(initializers.INITIALIZERS)
FACTORIES = {
    "normal": initializers.normal(0.01),
    "uniform": initializers.uniform(0.05),
    "constant": initializers.constant(0.3),
    "orthogonal": initializers.orthogonal(2.0),
}
ALL = {**{name: initializers.INITIALIZERS[name] for name in NAMED}, **FACTORIES}


@pytest.mark.parametrize("init", ALL.values(), ids=ALL.keys())
@pytest.mark.parametrize("shape", [(3, 5), (5, 3), (1, 1)])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_initializers_return_the_requested_shape_and_dtype(init, shape, dtype):
    W = init(shape, np.random.default_rng(0), dtype)
    assert W.shape == shape
    assert W.dtype == dtype
    assert np.isfinite(W).all()


@pytest.mark.parametrize("init", ALL.values(), ids=ALL.keys())
def test_initializers_are_deterministic_for_a_seeded_generator(init):
    first = init((20, 10), np.random.default_rng(42), np.float64)
    second = init((20, 10), np.random.default_rng(42), np.float64)
    assert np.array_equal(first, second)


@pytest.mark.parametrize("name", ["glorot_normal", "glorot_uniform", "he_normal", "he_uniform", "lecun_normal",
                                  "lecun_uniform", "orthogonal", "small_normal"])
def test_random_initializers_differ_between_seeds(name):
    init = initializers.INITIALIZERS[name]
    assert not np.array_equal(init((8, 8), np.random.default_rng(1)), init((8, 8), np.random.default_rng(2)))


# W is (n_in, n_out) = (400, 400): fan_in = fan_out = 400.
EXPECTED_STD = {
    "he_normal": math.sqrt(2 / 400),
    "he_uniform": math.sqrt(2 / 400),
    "glorot_normal": math.sqrt(2 / 800),
    "glorot_uniform": math.sqrt(2 / 800),
    "lecun_normal": math.sqrt(1 / 400),
    "lecun_uniform": math.sqrt(1 / 400),
    "small_normal": 0.01,
}


@pytest.mark.parametrize("name, std", EXPECTED_STD.items(), ids=EXPECTED_STD.keys())
def test_scaled_initializers_have_the_documented_std(name, std):
    W = initializers.INITIALIZERS[name]((400, 400), np.random.default_rng(3), np.float64)
    assert abs(W.std() - std) < 0.1 * std
    assert abs(W.mean()) < 0.1 * std


def test_fans_come_from_n_in_and_n_out():
    # he uses fan_in = n_in (rows of our W); glorot uses fan_in + fan_out.
    W = initializers.he_normal((800, 200), np.random.default_rng(4))
    assert abs(W.std() - math.sqrt(2 / 800)) < 0.1 * math.sqrt(2 / 800)
    W = initializers.glorot_normal((800, 200), np.random.default_rng(4))
    assert abs(W.std() - math.sqrt(2 / 1000)) < 0.1 * math.sqrt(2 / 1000)


@pytest.mark.parametrize("name, limit", [("glorot_uniform", math.sqrt(6 / 800)), ("he_uniform", math.sqrt(6 / 400)),
                                         ("lecun_uniform", math.sqrt(3 / 400))])
def test_uniform_initializers_stay_within_their_limit(name, limit):
    W = initializers.INITIALIZERS[name]((400, 400), np.random.default_rng(5))
    assert np.abs(W).max() <= limit
    assert np.abs(W).max() > 0.99 * limit


def test_orthogonal_square_gives_w_transpose_w_equal_identity():
    W = initializers.orthogonal()((400, 400), np.random.default_rng(6))
    assert np.allclose(W.T @ W, np.eye(400), rtol=0, atol=1e-10)


def test_orthogonal_tall_and_wide_have_orthonormal_columns_or_rows_scaled_by_gain():
    rng = np.random.default_rng(7)
    tall = initializers.orthogonal(gain=2.0)((30, 10), rng)
    assert np.allclose(tall.T @ tall, 4.0 * np.eye(10), rtol=0, atol=1e-10)
    wide = initializers.orthogonal()((10, 30), rng)
    assert np.allclose(wide @ wide.T, np.eye(10), rtol=0, atol=1e-10)


def test_zeros_and_constant_fill_the_array():
    rng = np.random.default_rng(8)
    assert not initializers.zeros((2, 3), rng).any()
    assert np.array_equal(initializers.constant(0.5)((2, 2), rng), np.full((2, 2), 0.5))


def test_get_resolves_names_and_passes_callables_through():
    assert initializers.get("he") is initializers.he_normal
    assert initializers.get("xavier") is initializers.glorot_normal
    custom = initializers.normal(0.1)
    assert initializers.get(custom) is custom
    with pytest.raises(ValueError, match="unknown initializer"):
        initializers.get("nope")
    with pytest.raises(ValueError, match="unknown initializer"):
        initializers.get(3)


@pytest.mark.parametrize("make", [lambda: initializers.normal(std=0), lambda: initializers.uniform(-1),
                                  lambda: initializers.orthogonal(gain=0), lambda: initializers.constant(float("nan")),
                                  lambda: initializers.variance_scaling(0.0),
                                  lambda: initializers.variance_scaling(1.0, fan="fan_out"),
                                  lambda: initializers.variance_scaling(1.0, distribution="truncated")])
def test_factories_reject_bad_arguments(make):
    with pytest.raises(ValueError):
        make()


@pytest.mark.parametrize("name, scale, fan, distribution", [
    ("glorot_normal", 1.0, "fan_avg", "normal"), ("glorot_uniform", 1.0, "fan_avg", "uniform"),
    ("he_normal", 2.0, "fan_in", "normal"), ("he_uniform", 2.0, "fan_in", "uniform"),
    ("lecun_normal", 1.0, "fan_in", "normal"), ("lecun_uniform", 1.0, "fan_in", "uniform")])
def test_the_named_initializers_are_variance_scaling_under_their_own_names(name, scale, fan, distribution):
    init = initializers.INITIALIZERS[name]
    same = initializers.variance_scaling(scale, fan, distribution)
    W = init((30, 20), np.random.default_rng(5))
    np.testing.assert_array_equal(W, same((30, 20), np.random.default_rng(5)))
    assert init.__name__ == name and init.__doc__


def test_dense_uses_its_initializer_and_zero_bias_in_the_model_dtype():
    model = Sequential([Dense(4, 3, init=initializers.constant(0.25))], dtype=np.float32, seed=0)
    dense = model.layers[0]
    assert dense.W.dtype == np.float32 and dense.b.dtype == np.float32
    assert np.array_equal(dense.W, np.full((4, 3), 0.25, dtype=np.float32))
    assert not dense.b.any()
    assert dense.W.flags.c_contiguous


def test_dense_rejects_an_initializer_returning_the_wrong_shape():
    with pytest.raises(ValueError, match=r"initializer returned shape \(3, 4\), expected \(4, 3\)"):
        Dense(4, 3, init=lambda shape, rng, dtype: np.zeros(shape[::-1], dtype=dtype))
