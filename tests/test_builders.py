"""``mlp``: layer structure, default initializer, dropout/l2 placement, output layer, argument checks."""

import numpy as np
import pytest

from chainrule import Dense, Dropout, LeakyReLU, ReLU, Sequential, Sigmoid, Softmax, Tanh, initializers
from chainrule.builders import activation_layer, mlp


def kinds(model):
    return [type(layer) for layer in model.layers]


def dense_layers(model):
    return [layer for layer in model.layers if isinstance(layer, Dense)]


def test_mlp_4_8_3_relu_is_dense_relu_dense_with_matching_sizes():
    model = mlp([4, 8, 3], activation="relu", seed=0)
    assert isinstance(model, Sequential)
    assert kinds(model) == [Dense, ReLU, Dense]
    first, last = dense_layers(model)
    assert (first.n_in, first.n_out, last.n_in, last.n_out) == (4, 8, 8, 3)
    assert first.W.shape == (4, 8) and last.W.shape == (8, 3)
    assert (model.n_features, model.n_outputs) == (4, 3)
    assert model.count_params() == 4 * 8 + 8 + 8 * 3 + 3


def test_mlp_with_several_hidden_layers_puts_an_activation_after_each_hidden_dense_only():
    model = mlp([5, 7, 6, 4, 2], activation="tanh", seed=0)
    assert kinds(model) == [Dense, Tanh, Dense, Tanh, Dense, Tanh, Dense]
    assert [(d.n_in, d.n_out) for d in dense_layers(model)] == [(5, 7), (7, 6), (6, 4), (4, 2)]


def test_mlp_with_two_sizes_is_a_single_dense_layer():
    model = mlp([3, 1], seed=0)
    assert kinds(model) == [Dense]


def test_mlp_same_seed_gives_identical_weights_and_different_seeds_differ():
    a, b, c = mlp([6, 10, 2], seed=7), mlp([6, 10, 2], seed=7), mlp([6, 10, 2], seed=8)
    assert all(np.array_equal(x.W, y.W) for x, y in zip(dense_layers(a), dense_layers(b)))
    assert not np.array_equal(dense_layers(a)[0].W, dense_layers(c)[0].W)


def test_mlp_biases_start_at_zero():
    assert all(np.all(d.b == 0) for d in dense_layers(mlp([4, 8, 3], seed=0)))


@pytest.mark.parametrize("activation, expected", [("relu", initializers.he_normal),
                                                  ("leaky_relu", initializers.he_normal),
                                                  ("tanh", initializers.glorot_uniform),
                                                  ("sigmoid", initializers.glorot_uniform),
                                                  (ReLU, initializers.he_normal),
                                                  (Tanh, initializers.glorot_uniform)],
                         ids=["relu", "leaky_relu", "tanh", "sigmoid", "ReLU_class", "Tanh_class"])
def test_mlp_default_init_is_he_for_relu_like_and_glorot_otherwise(activation, expected):
    assert all(d.init is expected for d in dense_layers(mlp([4, 8, 3], activation=activation, seed=0)))


def test_mlp_given_the_leaky_relu_class_uses_he_init_like_the_leaky_relu_name():
    by_name = mlp([4, 8, 3], activation="leaky_relu", seed=0)
    by_class = mlp([4, 8, 3], activation=LeakyReLU, seed=0)
    assert [d.init for d in dense_layers(by_class)] == [d.init for d in dense_layers(by_name)]


def test_mlp_relu_weights_have_he_std_sqrt_2_over_fan_in():
    W = mlp([4, 5000, 3], activation="relu", seed=0).layers[0].W        # 20,000 draws with fan_in 4
    assert W.std() == pytest.approx(np.sqrt(2 / 4), rel=0.03)
    assert abs(W.mean()) < 0.03


def test_mlp_tanh_weights_have_glorot_uniform_spread():
    W = mlp([4, 5000, 3], activation="tanh", seed=0).layers[0].W
    limit = np.sqrt(6 / (4 + 5000))
    assert W.std() == pytest.approx(np.sqrt(2 / (4 + 5000)), rel=0.03)
    assert np.abs(W).max() <= limit


def test_mlp_explicit_init_overrides_the_default():
    model = mlp([4, 8, 3], activation="relu", init="lecun_normal", seed=0)
    assert all(d.init is initializers.lecun_normal for d in dense_layers(model))


def test_mlp_dropout_follows_every_hidden_activation_and_never_the_output():
    model = mlp([4, 8, 8, 3], activation="relu", dropout=0.25, seed=0)
    assert kinds(model) == [Dense, ReLU, Dropout, Dense, ReLU, Dropout, Dense]
    assert all(layer.rate == 0.25 for layer in model.layers if isinstance(layer, Dropout))


def test_mlp_without_dropout_has_no_dropout_layers():
    assert Dropout not in kinds(mlp([4, 8, 8, 3], dropout=0.0, seed=0))


def test_mlp_dropout_layers_share_the_model_generator():
    model = mlp([4, 8, 8, 3], dropout=0.5, seed=0)
    assert all(layer.rng is model.rng for layer in model.layers if isinstance(layer, Dropout))


def test_mlp_l2_is_set_on_every_dense_layer():
    model = mlp([4, 8, 8, 3], l2=0.05, seed=0)
    assert [d.l2 for d in dense_layers(model)] == [0.05, 0.05, 0.05]
    assert model.penalty() > 0


def test_mlp_without_l2_has_no_penalty():
    model = mlp([4, 8, 3], seed=0)
    assert all(d.l2 == 0.0 for d in dense_layers(model)) and model.penalty() == 0.0


def test_mlp_output_sigmoid_appends_a_sigmoid_after_the_last_dense():
    model = mlp([2, 4, 1], activation="tanh", output="sigmoid", seed=0)
    assert kinds(model) == [Dense, Tanh, Dense, Sigmoid]
    out = model.predict(np.random.default_rng(0).normal(size=(10, 2)))
    assert out.shape == (10, 1) and np.all((out > 0) & (out < 1))


def test_mlp_output_softmax_class_gives_rows_that_sum_to_one():
    model = mlp([2, 4, 3], output=Softmax, seed=0)
    assert kinds(model)[-1] is Softmax
    out = model.predict(np.random.default_rng(1).normal(size=(6, 2)))
    assert np.allclose(out.sum(axis=1), 1.0)


def test_mlp_without_output_ends_with_a_dense_layer():
    assert kinds(mlp([2, 4, 3], seed=0))[-1] is Dense


def test_mlp_dtype_float32_gives_float32_parameters():
    model = mlp([3, 5, 2], dtype=np.float32, seed=0)
    assert model.dtype == np.float32
    assert all(p.dtype == np.float32 for p, _ in model.params_and_grads())


@pytest.mark.parametrize("sizes", [[], [4], [4, 0, 3], [4, -2, 3], [4, 2.5, 3], [4, True, 3], [4, "8", 3]],
                         ids=["empty", "one_size", "zero", "negative", "float", "bool", "string"])
def test_mlp_bad_sizes_raise_value_error(sizes):
    with pytest.raises(ValueError, match="mlp"):
        mlp(sizes)


@pytest.mark.parametrize("activation", ["rleu", "ReLU", 42, int, None], ids=["typo", "wrong_case", "number",
                                                                             "non_layer_class", "none"])
def test_mlp_bad_activation_raises_value_error(activation):
    with pytest.raises(ValueError, match="activation"):
        mlp([4, 8, 3], activation=activation)


def test_mlp_bad_activation_raises_even_without_hidden_layers():
    with pytest.raises(ValueError, match="activation"):
        mlp([4, 3], activation="rleu")


def test_mlp_bad_output_activation_raises_value_error():
    with pytest.raises(ValueError, match="activation"):
        mlp([4, 8, 3], output="softmaxx")


@pytest.mark.parametrize("dropout", [1.0, -0.1, 1.5], ids=["one", "negative", "above_one"])
def test_mlp_dropout_outside_zero_one_raises_value_error(dropout):
    with pytest.raises(ValueError, match="dropout"):
        mlp([4, 8, 3], dropout=dropout)


def test_mlp_negative_l2_raises_value_error():
    with pytest.raises(ValueError, match="l2"):
        mlp([4, 8, 3], l2=-1.0)


def test_mlp_unknown_init_name_raises_value_error():
    with pytest.raises(ValueError, match="initializer"):
        mlp([4, 8, 3], init="he_normall")


def test_activation_layer_builds_from_a_name_or_a_class():
    assert isinstance(activation_layer("leaky_relu"), LeakyReLU)
    assert isinstance(activation_layer(Tanh), Tanh)
