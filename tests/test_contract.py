"""The documented contract is the real one: a loss, a Dense subclass with its own penalty and one
that rebinds its gradients, written by the docs, train through ``fit`` exactly as through the loop."""

import copy

import numpy as np
import pytest

import chainrule as cr
from test_plan import four_line_loop


class HalfSquares(cr.Loss):
    """A user's loss written to the contract: forward(Y_hat, Y) -> float, backward() -> dY_hat."""

    def forward(self, Y_hat, Y):
        self.diff = Y_hat - Y
        return 0.5 * float(np.sum(self.diff ** 2)) / Y.shape[0]

    def backward(self):
        return self.diff / self.diff.shape[0]


class CubicPenaltyDense(cr.Dense):
    """A Dense with its own penalty ⅓·c·Σ|W|³ and its gradient c·|W|·W, added in backward."""

    c = 0.2

    @property
    def has_penalty(self):
        return True

    def penalty(self):
        return self.c / 3 * float(np.sum(np.abs(self.W) ** 3))

    def backward(self, dZ):
        dA_prev = super().backward(dZ)
        self.dW = self.dW + self.c * np.abs(self.W) * self.W
        return dA_prev


class RebindingDense(cr.Dense):
    """Binds new gradient arrays in every backward (the style guide allows it)."""

    def backward(self, dZ):
        dA_prev = super().backward(dZ)
        self.dW, self.db = self.dW.copy(), self.db.copy()
        return dA_prev


def data(seed=0, m=50):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(m, 4))
    return X, cr.one_hot(rng.integers(0, 3, m), 3)


def fit_and_loop(layers, loss, optimizer, epochs=2, batch_size=8):
    X, Y = data()
    fitted = cr.Sequential(layers(), seed=4)
    looped = copy.deepcopy(fitted)
    fitted.fit(X, Y, loss(), optimizer(), epochs=epochs, batch_size=batch_size)
    four_line_loop(looped, X, Y, loss(), optimizer(), epochs, batch_size)
    return fitted, looped


def assert_same_weights(a, b):
    for (p1, _), (p2, _) in zip(a.params_and_grads(), b.params_and_grads()):
        np.testing.assert_allclose(p1, p2, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("optimizer", [lambda: cr.SGD(0.2), lambda: cr.Adam(0.01)])
def test_a_loss_written_to_the_contract_trains_through_fit(optimizer):
    fitted, looped = fit_and_loop(lambda: [cr.Dense(4, 5), cr.Tanh(), cr.Dense(5, 3)], HalfSquares, optimizer)
    assert_same_weights(fitted, looped)
    assert len(fitted.history["loss"]) == 2


def test_a_user_loss_matches_the_built_in_one_it_copies():
    fitted, _ = fit_and_loop(lambda: [cr.Dense(4, 5), cr.Tanh(), cr.Dense(5, 3)], HalfSquares, lambda: cr.SGD(0.2))
    builtin, _ = fit_and_loop(lambda: [cr.Dense(4, 5), cr.Tanh(), cr.Dense(5, 3)], cr.MeanSquaredError,
                              lambda: cr.SGD(0.2))
    assert_same_weights(fitted, builtin)


@pytest.mark.parametrize("optimizer", [lambda: cr.SGD(0.3), lambda: cr.SGD(0.1, momentum=0.9), lambda: cr.Adam(0.01)])
def test_a_dense_subclass_with_its_own_penalty_trains_as_in_the_loop(optimizer):
    fitted, looped = fit_and_loop(lambda: [CubicPenaltyDense(4, 5), cr.Sigmoid(), CubicPenaltyDense(5, 3)],
                                  cr.SoftmaxCrossEntropy, optimizer)
    assert_same_weights(fitted, looped)


@pytest.mark.parametrize("optimizer", [lambda: cr.SGD(0.3), lambda: cr.Adam(0.01), lambda: cr.RMSprop(0.01)])
def test_a_dense_subclass_that_rebinds_its_gradients_trains_as_in_the_loop(optimizer):
    fitted, looped = fit_and_loop(lambda: [RebindingDense(4, 5), cr.ReLU(), RebindingDense(5, 3)],
                                  cr.SoftmaxCrossEntropy, optimizer)
    assert_same_weights(fitted, looped)
    plain, _ = fit_and_loop(lambda: [cr.Dense(4, 5), cr.ReLU(), cr.Dense(5, 3)], cr.SoftmaxCrossEntropy, optimizer)
    assert_same_weights(fitted, plain)         # rebinding changes no number


@pytest.mark.parametrize("l2", [0.0, 0.05])
def test_fit_with_plain_sgd_is_the_loop_it_documents(l2):
    fitted, looped = fit_and_loop(lambda: [cr.Dense(4, 5, l2=l2), cr.Tanh(), cr.Dense(5, 3, l2=l2)],
                                  cr.SoftmaxCrossEntropy, lambda: cr.SGD(0.5))
    assert_same_weights(fitted, looped)


def test_a_user_layer_without_the_keywords_works_first_in_the_stack():
    class Scale(cr.Layer):
        """A parameter-free user layer: A = 2·A_prev (no input_grad, no workspace)."""

        def forward(self, A_prev, training=False):
            return 2.0 * A_prev

        def backward(self, dA):
            return 2.0 * dA

    fitted, looped = fit_and_loop(lambda: [Scale(), cr.Dense(4, 3)], cr.SoftmaxCrossEntropy, lambda: cr.Adam(0.01))
    assert_same_weights(fitted, looped)


def test_the_layer_contract_is_the_documented_methods():
    documented = {"build", "forward", "backward", "params_and_grads", "config"}
    public = {name for name in vars(cr.Layer) if not name.startswith("_")}
    extras = public - documented
    # the optional extras, each with a default: regularization, saved buffers, sizes and names
    assert extras <= {"index", "penalty", "has_penalty", "buffers", "output_dim", "describe", "param_names"}
    assert {"backward"} == {name for name in vars(cr.Loss) if name == "backward"}
    import inspect
    assert list(inspect.signature(cr.Loss.backward).parameters) == ["self"]
    assert not hasattr(cr.SGD(0.1), "folds_lr") and not hasattr(cr.SGD, "step_folded")
