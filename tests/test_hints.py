"""Training hints: each fires on a run that needs it, none on healthy runs (chainrule.hints)."""

import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import chainrule as cr
from chainrule import datasets, hints
from chainrule.classic import planar
from chainrule.data import train_val_split
from chainrule.hints import cost_hints, history_hints, model_hints, training_hints

SRC = Path(__file__).resolve().parents[1] / "src"


def codes(found):
    return [hint.code for hint in found]


def flower_run(lr, epochs, seed=0, activation="tanh", init=None, hidden=4):
    """The course's planar net: [2, 4, 1], full-batch gradient descent, BCE from logits."""
    X, y = datasets.make_flower(seed=seed)
    model = cr.mlp([2, hidden, 1], activation=activation, init=init, seed=seed)
    model.fit(X, y, cr.BinaryCrossEntropy(from_logits=True), cr.SGD(lr=lr), epochs=epochs, batch_size=X.shape[0])
    return model, X


def moons_run(seed, lr=0.01, epochs=150):
    X, y = datasets.make_moons(seed=seed)
    X_train, y_train, X_val, y_val = train_val_split(X, y, 0.2, rng=np.random.default_rng(seed))
    model = cr.mlp([2, 16, 2], activation="relu", seed=seed)
    model.fit(X_train, y_train, cr.SoftmaxCrossEntropy(), cr.Adam(lr=lr), epochs=epochs, batch_size=32,
              validation_data=(X_val, y_val))
    return model, X_train


def assert_silent_on_every_prefix(costs, lr, every=1):
    """A live plot calls cost_hints after each epoch: no prefix of a healthy curve may raise a hint."""
    for n in list(range(1, min(len(costs), 300) + 1)) + list(range(300, len(costs) + 1, every)):
        assert cost_hints(costs[:n], lr) == [], f"after {n} steps: {cost_hints(costs[:n], lr)}"


# -- healthy runs: no hint at all ----------------------------------------------------------------------
@pytest.mark.parametrize("seed", range(5))
def test_no_hint_on_moons_with_adam(seed):
    model, X_train = moons_run(seed)
    assert training_hints(model.history, model, X_train, lr=0.01) == []
    assert_silent_on_every_prefix(model.history["loss"], 0.01)


@pytest.mark.parametrize("seed", range(4))
def test_no_hint_on_the_flower_with_tanh_after_the_course_s_10000_iterations(seed):
    # Trained tanh units act as steps (g' < 1e-3 on 75-90% of the flower): not "saturated".
    model, X = flower_run(1.2, 10000, seed=seed)
    assert training_hints(model.history, model, X, lr=1.2) == []
    assert_silent_on_every_prefix(model.history["loss"], 1.2, every=97)


def test_no_hint_on_the_course_s_own_cost_list():
    X, Y = planar.load_planar_dataset()
    _, costs = planar.nn_model(X, Y, 4, num_iterations=10000, print_every=100, return_costs=True)
    assert len(costs) == 100
    assert cost_hints(costs, lr=1.2) == []


# -- costs -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", range(3))
def test_lr_far_too_high_on_the_flower_says_so_with_a_smaller_lr(seed):
    model, X = flower_run(100.0, 300, seed=seed)
    found = [h for h in training_hints(model.history, model, X, lr=100.0) if h.code == "lr_too_high"]
    assert len(found) == 1
    assert "lr 100.0 is too high, try 10.0" in found[0].message


def test_rising_cost_fires_on_the_fifth_rise_and_suggests_lr_over_10():
    costs = [1.0, 0.8, 0.6, 0.5, 0.55, 0.6, 0.7, 0.8, 0.95]
    fired = [n for n in range(1, len(costs) + 1) if cost_hints(costs[:n], lr=3.0)]
    assert fired == [9]                                             # the 5th consecutive rise, not before
    (hint,) = cost_hints(costs, lr=3.0, unit="epochs")
    assert hint.code == "lr_too_high" and hint.layer is None
    assert hint.message.startswith("cost rising for 5 epochs (0.5 -> 0.95): lr 3.0 is too high, try 0.3")
    assert str(hint).startswith("hint: cost rising for 5 epochs")
    assert "try one 10x smaller" in cost_hints(costs)[0].message    # without an lr


def test_small_rises_of_a_converged_run_are_not_rising():
    costs = list(np.linspace(0.7, 0.2, 50)) + [0.2001, 0.2002, 0.2003, 0.2004, 0.2005, 0.2006]
    assert cost_hints(costs, lr=1.0) == []                          # 6 rises, but only 0.3%


def test_a_cost_that_ends_far_above_its_minimum():
    costs = [0.7, 0.5, 0.3, 0.2, 0.25, 0.2, 0.5, 0.45, 0.6, 0.5, 0.55]
    (hint,) = cost_hints(costs, lr=0.5)
    assert hint.code == "lr_too_high"
    assert "far above its minimum 0.2" in hint.message and "try 0.05" in hint.message


def test_a_two_cycle_is_oscillating():
    costs = [0.7, 0.5, 0.4] + [0.30, 0.36] * 12                     # lr too high for full-batch GD
    (hint,) = cost_hints(costs, lr=20.0)
    assert hint.code == "oscillating"
    assert "lr 20.0 is too high, try 2.0" in hint.message


def test_nan_cost_is_lr_too_high():
    (hint,) = cost_hints([0.7, 3.0, 80.0, float("nan"), 0.1], lr=10.0)
    assert hint.code == "lr_too_high"
    assert "cost became nan at step 4" in hint.message and "try 1.0" in hint.message


@pytest.mark.parametrize("seed", range(3))
def test_lr_1e_6_is_flat_and_suggests_a_larger_lr(seed):
    model, X = flower_run(1e-6, 50, seed=seed)
    (hint,) = training_hints(model.history, model, X, lr=1e-6)
    assert hint.code == "flat"
    assert "lr 1e-06 may be too low, try 1e-05" in hint.message


def test_adam_with_lr_1e_6_is_flat():
    model, X_train = moons_run(0, lr=1e-6, epochs=30)
    assert codes(training_hints(model.history, model, X_train, lr=1e-6)) == ["flat"]


def test_a_flat_cost_close_to_zero_is_converged_not_flat():
    costs = list(np.linspace(0.7, 0.01, 30)) + [0.01] * 20
    assert cost_hints(costs) == []


def test_learner_costs_as_0d_arrays_and_one_element_arrays_give_the_same_hints():
    costs = [0.7, 0.5, 0.4] + [0.30, 0.36] * 12
    as_floats = cost_hints(costs, lr=20.0)
    assert cost_hints([np.squeeze(np.array([[c]])) for c in costs], lr=20.0) == as_floats
    assert cost_hints([np.array([[c]]) for c in costs], lr=20.0) == as_floats
    assert cost_hints(np.array(costs, dtype=np.float32), lr=20.0)[0].code == "oscillating"
    assert cost_hints([]) == [] and cost_hints([0.5]) == []
    with pytest.raises(ValueError, match="each cost must be one number"):
        cost_hints([0.7, np.array([0.5, 0.4])])


def test_the_course_s_cost_list_with_a_tiny_lr_is_flat():
    X, Y = planar.load_planar_dataset()
    _, costs = planar.nn_model(X, Y, 4, num_iterations=2000, learning_rate=1e-6, print_every=100, return_costs=True)
    assert codes(cost_hints(costs, lr=1e-6)) == ["flat"]


# -- the model ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "relu"])
def test_zero_initialization_leaves_identical_units(activation):
    model, X = flower_run(1.2, 300, init="zeros", activation=activation)
    found = training_hints(model.history, model, X, lr=1.2)
    (symmetry,) = [h for h in found if h.code == "symmetry"]
    assert symmetry.layer == "Dense layer 1 (n_in=2, n_out=4)"
    assert "4 of its 4 units are identical" in symmetry.message
    assert "flat" not in codes(found)                              # explained by the symmetry: no "raise the lr"


def test_symmetry_is_checked_on_hidden_layers_only_and_from_the_weights_alone():
    model = cr.mlp([2, 3, 2], activation="tanh", seed=0)
    model.layers[-1].W[...] = 0.0                                  # a zero output layer is fine
    assert model_hints(model) == []
    model.layers[0].W[...] = 0.5                                   # a constant init in the hidden layer
    assert codes(model_hints(model)) == ["symmetry"]
    assert "(all zero)" not in model_hints(model)[0].message


def test_a_relu_layer_with_a_large_negative_bias_is_dead():
    X, _ = datasets.make_moons(seed=0)
    model = cr.mlp([2, 16, 2], activation="relu", seed=0)
    assert model_hints(model, X) == []
    model.layers[0].b[:4] = -100.0                                 # a quarter dead: not reported
    assert model_hints(model, X) == []
    model.layers[0].b[:12] = -100.0
    (hint,) = model_hints(model, X)
    assert hint.code == "dead_units" and hint.layer == "ReLU layer 2"
    assert "12 of 16 units (75%) are dead" in hint.message
    model.layers[0].b[:] = -100.0
    assert "16 of 16 units (100%)" in model_hints(model, X, batch_size=7)[0].message    # in chunks too


def test_layers_outside_a_sequential_are_named_by_position():
    X, _ = datasets.make_moons(seed=0)
    layers = [cr.Dense(2, 4), cr.ReLU(), cr.Dense(4, 1)]
    layers[0].b[:] = -100.0
    (hint,) = model_hints(layers, X)
    assert hint.layer == "ReLU layer 2"


def test_huge_initial_weights_saturate_tanh_units():
    X, _ = datasets.make_moons(seed=0)
    X, _, _ = datasets.standardize(X)
    model = cr.mlp([2, 8, 2], activation="tanh", init=cr.initializers.normal(100.0), seed=0)
    (hint,) = model_hints(model, X)
    assert hint.code == "saturated" and hint.layer == "Tanh layer 2"
    assert "tanh'(Z) < 0.001" in hint.message


def test_an_output_sigmoid_is_not_checked_for_saturation():
    X, _ = datasets.make_moons(seed=0)
    model = cr.Sequential([cr.Dense(2, 4), cr.Tanh(), cr.Dense(4, 1), cr.Sigmoid()], seed=0)
    model.layers[2].b[:] = 50.0                                    # a confident output layer
    assert model_hints(model, X) == []


@pytest.mark.parametrize("factor, words", [(1000.0, "above 10"), (0.001, "of only 0.0")])
def test_inputs_far_from_unit_scale(factor, words):
    X, _ = datasets.make_moons(seed=0)
    model = cr.mlp([2, 16, 2], activation="relu", seed=0)
    assert model_hints(model, X) == []
    found = [h for h in model_hints(model, X * factor) if h.code == "input_scale"]
    assert len(found) == 1 and words in found[0].message
    assert "chainrule.datasets.standardize" in found[0].message and callable(datasets.standardize)


def test_one_large_feature_is_named():
    X, _ = datasets.make_moons(seed=0)
    X = np.c_[X, 500.0 + 20.0 * X[:, :1]]
    (hint,) = [h for h in model_hints(cr.mlp([3, 4, 2], seed=0), X) if h.code == "input_scale"]
    assert "1 of 3 features has std or |mean| above 10 (feature 2: mean 510, std 18.2)" in hint.message


# -- the History: overfitting -------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", range(2))
def test_a_big_net_on_40_noisy_examples_overfits(seed):
    X, y = datasets.make_moons(n_samples=440, noise=0.35, seed=seed)
    model = cr.mlp([2, 128, 128, 2], activation="relu", seed=seed)
    model.fit(X[:40], y[:40], cr.SoftmaxCrossEntropy(), cr.Adam(lr=0.01), epochs=300, batch_size=40,
              validation_data=(X[40:], y[40:]))
    (hint,) = training_hints(model.history, model, X[:40], lr=0.01)
    assert hint.code == "overfitting"
    assert re.search(r"train accuracy 1\.000 but validation accuracy 0\.\d+ \(gap 0\.\d+, over 0\.15\)", hint.message)


def test_val_loss_rising_while_loss_falls_is_overfitting_without_accuracies():
    loss = list(np.geomspace(1.0, 0.01, 40))
    val_loss = list(np.linspace(1.0, 0.3, 15)) + list(np.linspace(0.3, 0.9, 25))
    (hint,) = history_hints({"loss": loss, "val_loss": val_loss})
    assert hint.code == "overfitting" and "val_loss rose from 0.3 (epoch 15)" in hint.message
    assert history_hints({"loss": loss, "val_loss": [v * 0.5 + 0.15 for v in val_loss[:15]] + [0.31] * 25}) == []


# -- printing: fit(hints=True) and the command line ------------------------------------------------------
def test_fit_prints_the_hints_when_asked(capsys):
    X, y = datasets.make_flower(seed=0)
    model = cr.mlp([2, 4, 1], activation="tanh", seed=0)
    model.fit(X, y, cr.BinaryCrossEntropy(from_logits=True), cr.SGD(lr=100.0), epochs=100, batch_size=400)
    assert capsys.readouterr().out == ""                           # off by default
    model.fit(X, y, cr.BinaryCrossEntropy(from_logits=True), cr.SGD(lr=100.0), epochs=100, batch_size=400,
              hints=True)
    lines = capsys.readouterr().out.splitlines()
    expected = training_hints(model.history, model, X, lr=100.0)
    assert lines == [f"hint: {h.message}" for h in expected] and len(lines) >= 1
    assert any("lr 100.0 is too high, try 10.0" in line for line in lines)


def test_print_hints_writes_one_line_each_to_a_stream(capsys):
    import io
    stream = io.StringIO()
    hints.print_hints([hints.Hint("flat", "a"), hints.Hint("symmetry", "b", "Dense layer 1")], stream)
    assert stream.getvalue() == "hint: a\nhint: b\n" and capsys.readouterr().out == ""


def test_every_code_is_documented_in_the_module_rules():
    for code in hints.CODES:
        assert re.search(rf"^{code} ", hints.__doc__, re.M), code


def run_cli(*args, cwd):
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", MPLBACKEND="Agg")
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(SRC), os.environ.get("PYTHONPATH")) if p)
    result = subprocess.run([sys.executable, "-m", "chainrule", *map(str, args)], cwd=cwd, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return [line for line in result.stdout.splitlines() if line.startswith("hint:")]


def test_chainrule_train_prints_a_hint_for_a_bad_lr_and_none_for_a_good_one(tmp_path):
    bad = run_cli("train", "--data", "flower", "--layers", "2,8,2", "--activation", "tanh", "--optimizer", "sgd",
                  "--lr", 100, "--epochs", 30, "--out", "bad.npz", cwd=tmp_path)
    assert any("lr 100.0 is too high, try 10.0" in line for line in bad), bad
    good = run_cli("train", "--data", "moons", "--epochs", 50, "--out", "good.npz", cwd=tmp_path)
    assert good == []


def test_unit_health_counts_dead_relu_and_saturated_tanh_units_per_layer():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((50, 2))
    relu_net = cr.Sequential([cr.Dense(2, 4), cr.ReLU(), cr.Dense(4, 1)], seed=0)
    relu_net.layers[0].b[:3] = -100.0                   # three of four units can never be positive
    (health,) = cr.hints.unit_health(relu_net, X)
    assert (health.position, health.kind, health.units, health.count) == (1, "dead", 4, 3)
    assert health.fraction == 0.75
    tanh_net = cr.Sequential([cr.Dense(2, 5), cr.Tanh(), cr.Dense(5, 1), cr.Sigmoid()], seed=0)
    tanh_net.layers[0].W[...] = 0.0
    tanh_net.layers[0].b[:2] = 50.0                     # tanh'(50) ~ 0 on every example
    (health,) = cr.hints.unit_health(tanh_net, X)       # the output sigmoid is not a hidden layer
    assert (health.position, health.kind, health.units, health.count) == (1, "saturated", 5, 2)
