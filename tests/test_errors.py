"""Bad input at the public boundaries raises ValueError with a message that says what and how to fix it.

Never an AssertionError (it vanishes under ``python -O``) and never a bare NumPy error such as
"operands could not be broadcast": ``raises_value_error`` checks the exact type and the wording.
"""

import contextlib

import numpy as np
import pytest

from chainrule import (SGD, Adam, BinaryCrossEntropy, Dense, Dropout, LeakyReLU, MeanSquaredError, ReLU, Sequential,
                       Sigmoid, SoftmaxCrossEntropy, Tanh, check_gradients)


@contextlib.contextmanager
def raises_value_error(*fragments):
    """Expect exactly ValueError whose message contains every fragment."""
    with pytest.raises(Exception) as excinfo:
        yield excinfo
    assert excinfo.type is ValueError, f"expected ValueError, got {excinfo.type.__name__}: {excinfo.value}"
    message = str(excinfo.value)
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"


def model_2_to_1():
    return Sequential([Dense(2, 4), Tanh(), Dense(4, 1)], seed=0)


def data(m=10, n=2, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((m, n)), rng.integers(0, 2, size=m).astype(float)


def fit(model, X, Y, loss=None, optimizer=None, **kwargs):
    return model.fit(X, Y, loss or BinaryCrossEntropy(from_logits=True), optimizer or SGD(lr=0.1), **kwargs)


def test_x_in_the_course_column_layout_suggests_x_transpose():
    X, y = data(m=30)
    with raises_value_error("X.T", "(2, 30)"):
        fit(model_2_to_1(), X.T, y)
    with raises_value_error("X.T"):
        model_2_to_1().predict(X.T)


def test_one_dimensional_x_suggests_reshape():
    with raises_value_error("reshape", "2-D"):
        fit(model_2_to_1(), np.arange(5.0), np.zeros(5))
    with raises_value_error("reshape"):
        model_2_to_1().predict(np.arange(2.0))


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_x_is_rejected_naming_nan(bad):
    X, y = data()
    X[3, 1] = bad
    with raises_value_error("NaN", "X", "(3, 1)"):
        fit(model_2_to_1(), X, y)
    with raises_value_error("NaN"):
        model_2_to_1().predict(X)


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_y_is_rejected_naming_nan(bad):
    X, y = data()
    y[4] = bad
    with raises_value_error("NaN", "Y"):
        fit(model_2_to_1(), X, y, loss=MeanSquaredError())


def test_non_finite_validation_data_is_rejected():
    X, y = data()
    X_val = X.copy()
    X_val[0, 0] = np.nan
    with raises_value_error("NaN", "validation_data"):
        fit(model_2_to_1(), X, y, validation_data=(X_val, y))


def test_y_with_the_wrong_number_of_columns_is_rejected():
    X, _ = data()
    with raises_value_error("expected Y of shape (m, 1)", "(10, 3)"):
        fit(model_2_to_1(), X, np.zeros((10, 3)))


def test_y_in_the_course_layout_suggests_y_transpose():
    X, y = data(m=10)
    with raises_value_error("Y.T"):
        fit(model_2_to_1(), X, y.reshape(1, -1))


def test_y_rows_must_match_x_rows():
    X, y = data(m=10)
    with raises_value_error("X has 10 examples", "Y has 9"):
        fit(model_2_to_1(), X, y[:9])
    with raises_value_error("X has 10 examples"):
        model_2_to_1().evaluate(X, y[:9], loss=MeanSquaredError())


def test_softmax_cross_entropy_with_float_labels_suggests_one_hot():
    X, _ = data()
    model = Sequential([Dense(2, 3)], seed=0)
    with raises_value_error("one_hot", "n_classes=3"):
        fit(model, X, np.array([0.0, 1.0, 2.0, 1.0, 0.0, 2.0, 1.0, 1.0, 0.0, 2.0]), loss=SoftmaxCrossEntropy())


def test_softmax_cross_entropy_with_out_of_range_labels_is_rejected():
    X, _ = data()
    model = Sequential([Dense(2, 3)], seed=0)
    with raises_value_error("class indices", "[0, 3)"):
        fit(model, X, np.arange(10) % 4, loss=SoftmaxCrossEntropy())
    loss = SoftmaxCrossEntropy()
    with raises_value_error("class indices must be in [0, 3)"):
        loss.forward(np.zeros((2, 3)), np.array([0, 3]))


def test_softmax_cross_entropy_forward_with_mismatched_targets_raises_value_error():
    with raises_value_error("SoftmaxCrossEntropy", "(2, 3)", "(2,)"):
        SoftmaxCrossEntropy().forward(np.zeros((2, 3)), np.array([0.0, 1.0]))


@pytest.mark.parametrize("bad", [-0.5, 2.0])
def test_binary_cross_entropy_targets_outside_0_1_are_rejected(bad):
    X, y = data()
    y[0] = bad
    with raises_value_error("[0, 1]", "SoftmaxCrossEntropy"):
        fit(model_2_to_1(), X, y)


@pytest.mark.parametrize("loss", [MeanSquaredError(), BinaryCrossEntropy()])
def test_loss_forward_with_mismatched_shapes_raises_value_error(loss):
    with raises_value_error("(3, 1)", "(3, 2)", "must match"):
        loss.forward(np.zeros((3, 1)), np.zeros((3, 2)))


def test_sequential_with_mismatched_dense_sizes_names_the_layer_index():
    with raises_value_error("layer 3", "expects 5 input features", "output 4"):
        Sequential([Dense(2, 4), ReLU(), Dense(5, 1)])


def test_dense_forward_with_the_wrong_width_names_the_layer_and_the_shapes():
    model = Sequential([Dense(3, 4), Sigmoid(), Dense(4, 1)], seed=0)
    with raises_value_error("Dense layer 1", "(n_in=3, n_out=4)", "(5, 2)", "(m, 3)", "X.T"):
        model.forward(np.zeros((5, 2)))
    with raises_value_error("Dense", "(5, 2)", "(m, 3)"):
        Dense(3, 4).forward(np.zeros((5, 2)))


@pytest.mark.parametrize("kwargs, fragment", [
    ({"epochs": 0}, "epochs must be an integer >= 1"),
    ({"epochs": 2.0}, "epochs must be an integer >= 1"),
    ({"batch_size": 0}, "batch_size must be an integer >= 1"),
    ({"batch_size": 2.5}, "batch_size must be an integer >= 1"),
    ({"validation_data": (np.zeros((2, 2)),)}, "validation_data must be a pair"),
])
def test_bad_fit_arguments_are_rejected(kwargs, fragment):
    X, y = data()
    with raises_value_error(fragment):
        fit(model_2_to_1(), X, y, **kwargs)


def test_a_loss_of_the_wrong_type_is_rejected():
    X, y = data()
    with raises_value_error("loss must be a chainrule Loss"):
        model_2_to_1().fit(X, y, "mse", SGD(lr=0.1))
    with raises_value_error("loss must be a chainrule Loss"):
        model_2_to_1().fit(X, y, MeanSquaredError, SGD(lr=0.1))


def test_an_optimizer_of_the_wrong_type_is_rejected():
    X, y = data()
    with raises_value_error("optimizer must be a chainrule Optimizer"):
        model_2_to_1().fit(X, y, MeanSquaredError(), "adam")
    with raises_value_error("optimizer must be a chainrule Optimizer"):
        model_2_to_1().fit(X, y, MeanSquaredError(), Adam)


@pytest.mark.parametrize("rate", [1.0, -0.1, 1.5, float("nan")])
def test_dropout_rate_outside_0_1_is_rejected(rate):
    with raises_value_error("rate must be"):
        Dropout(rate)


@pytest.mark.parametrize("alpha", [1.0, -0.1, 2.0])
def test_leaky_relu_alpha_outside_0_1_is_rejected(alpha):
    with raises_value_error("alpha must be in"):
        LeakyReLU(alpha)


def test_unknown_initializer_name_lists_the_known_ones():
    with raises_value_error("unknown initializer 'he_norml'", "he_normal"):
        Dense(2, 3, init="he_norml")


@pytest.mark.parametrize("n_in, n_out", [(0, 3), (2, -1), (2.0, 3), ("2", 3)])
def test_dense_sizes_must_be_positive_integers(n_in, n_out):
    with raises_value_error("must be an integer >= 1"):
        Dense(n_in, n_out)


def test_negative_l2_is_rejected():
    with raises_value_error("l2 must be in"):
        Dense(2, 3, l2=-0.1)


@pytest.mark.parametrize("dtype", [int, np.int32, np.float16, "complex128", "banana"])
def test_sequential_dtype_must_be_float32_or_float64(dtype):
    with raises_value_error("dtype must be float32 or float64"):
        Sequential([Dense(2, 1)], dtype=dtype)


def test_sequential_rejects_an_empty_list_and_non_layers():
    with raises_value_error("layers is empty"):
        Sequential([])
    with raises_value_error("item 2", "not a chainrule Layer"):
        Sequential([Dense(2, 3), np.tanh])
    with raises_value_error("no layer knows the input size", "n_features="):
        Sequential([ReLU()])
    with raises_value_error("layer 1", "expects 2 input features", "n_features is 3"):
        Sequential([Dense(2, 1)], n_features=3)


def test_evaluate_before_training_without_a_loss_asks_for_one():
    X, y = data()
    with raises_value_error("no loss to use", "hand-written loop", "loss="):
        model_2_to_1().evaluate(X, y)
    with raises_value_error("no loss to use", "model.loss = "):
        model_2_to_1().predict_labels(X)


@pytest.mark.parametrize("layer", [Dense(2, 3), Sigmoid(), Tanh(), ReLU(), LeakyReLU()], ids=repr)
def test_backward_before_forward_raises_value_error(layer):
    with raises_value_error("backward called before forward"):
        layer.backward(np.ones((4, 3)))


def test_sequential_backward_before_forward_raises_value_error():
    with raises_value_error("backward called before forward"):
        model_2_to_1().backward(np.ones((4, 1)))


@pytest.mark.parametrize("layer", [Dense(2, 3), Sigmoid()], ids=repr)
def test_backward_with_a_gradient_of_the_wrong_shape_raises_value_error(layer):
    A = layer.forward(np.ones((4, 2)) if isinstance(layer, Dense) else np.ones((4, 3)))
    with raises_value_error("backward got", str(A.shape), "(4, 5)"):
        layer.backward(np.ones((4, 5)))


def test_x_that_is_not_numeric_is_rejected():
    with raises_value_error("X", "must hold numbers", "<U1", "dtype=float"):
        model_2_to_1().predict(np.array([["a", "b"]]))
    with raises_value_error("X", "could not be converted"):
        model_2_to_1().predict([[1.0, 2.0], [3.0]])


def test_x_with_no_rows_is_rejected():
    with raises_value_error("no examples"):
        model_2_to_1().predict(np.zeros((0, 2)))


def test_check_gradients_rejects_a_non_positive_eps():
    with raises_value_error("eps must be > 0"):
        check_gradients(Dense(2, 1), np.zeros((1, 2)), np.zeros((1, 1)), MeanSquaredError(), eps=0.0)


@pytest.mark.parametrize("X", [np.array([["1", "2"]]), np.array([[b"1", b"2"]]), np.array([[1 + 0j, 2]])],
                         ids=["text", "bytes", "complex"])
def test_x_of_numbers_as_text_bytes_or_complex_is_refused_not_converted(X):
    # sklearn refuses string dtypes: converting "1" to 1.0 would hide a CSV read as text (issue 14)
    for call in (lambda m: m.predict(X), lambda m: m.fit(X, np.array([1.0]), MeanSquaredError(), SGD(lr=0.1))):
        with raises_value_error("X", "must hold numbers", str(X.dtype)):
            call(model_2_to_1())


def test_object_x_of_numbers_is_accepted_and_of_anything_else_refused_naming_the_item():
    model = model_2_to_1()
    np.testing.assert_array_equal(model.predict(np.array([[1, 2.0]], dtype=object)), model.predict([[1.0, 2.0]]))
    with raises_value_error("X", "dtype object", "'2'", "index (0, 1)"):
        model.predict(np.array([[1, "2"]], dtype=object))
    with raises_value_error("X", "dtype object", "None"):
        model.predict(np.array([[1.0, None]], dtype=object))
