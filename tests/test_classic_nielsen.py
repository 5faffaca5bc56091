"""chainrule.classic.nielsen: Nielsen's Network API, checked against his per-example algorithm."""

import gzip
import json
import pickle
import time

import numpy as np
import pytest

from chainrule.classic import nielsen
from chainrule.classic.nielsen import CrossEntropyCost, Network, QuadraticCost

from _paths import MNIST_PKL as REAL_MNIST      # $CHAINRULE_DATA, else ../shared/data beside the repo

SIZES = [20, 8, 5]
COSTS = [QuadraticCost, CrossEntropyCost]


# -- Nielsen's algorithm, written out per example with column vectors (the reference) --------------------
def ref_sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def ref_sigmoid_prime(z):
    return ref_sigmoid(z) * (1 - ref_sigmoid(z))


def ref_feedforward(weights, biases, a):
    for b, w in zip(biases, weights):
        a = ref_sigmoid(np.dot(w, a) + b)
    return a


def ref_backprop(weights, biases, x, y, cost):
    nabla_b = [np.zeros(b.shape) for b in biases]
    nabla_w = [np.zeros(w.shape) for w in weights]
    activation, activations, zs = x, [x], []
    for b, w in zip(biases, weights):
        z = np.dot(w, activation) + b
        zs.append(z)
        activation = ref_sigmoid(z)
        activations.append(activation)
    if cost is QuadraticCost:
        delta = (activations[-1] - y) * ref_sigmoid_prime(zs[-1])
    else:
        delta = activations[-1] - y
    nabla_b[-1] = delta
    nabla_w[-1] = np.dot(delta, activations[-2].transpose())
    for l in range(2, len(weights) + 1):
        delta = np.dot(weights[-l + 1].transpose(), delta) * ref_sigmoid_prime(zs[-l])
        nabla_b[-l] = delta
        nabla_w[-l] = np.dot(delta, activations[-l - 1].transpose())
    return nabla_b, nabla_w


def ref_update_mini_batch(weights, biases, mini_batch, eta, lmbda, n, cost):
    nabla_b = [np.zeros(b.shape) for b in biases]
    nabla_w = [np.zeros(w.shape) for w in weights]
    for x, y in mini_batch:
        delta_nabla_b, delta_nabla_w = ref_backprop(weights, biases, x, y, cost)
        nabla_b = [nb + dnb for nb, dnb in zip(nabla_b, delta_nabla_b)]
        nabla_w = [nw + dnw for nw, dnw in zip(nabla_w, delta_nabla_w)]
    weights = [(1 - eta * (lmbda / n)) * w - (eta / len(mini_batch)) * nw for w, nw in zip(weights, nabla_w)]
    biases = [b - (eta / len(mini_batch)) * nb for b, nb in zip(biases, nabla_b)]
    return weights, biases


def ref_total_cost(weights, biases, data, lmbda, cost):
    total = 0.0
    for x, y in data:
        a = ref_feedforward(weights, biases, x)
        if cost is QuadraticCost:
            total += 0.5 * np.linalg.norm(a - y) ** 2 / len(data)
        else:
            total += np.sum(np.nan_to_num(-y * np.log(a) - (1 - y) * np.log(1 - a))) / len(data)
    return total + 0.5 * (lmbda / len(data)) * sum(np.linalg.norm(w) ** 2 for w in weights)


def vectorized_result(j, k=SIZES[-1]):
    e = np.zeros((k, 1))
    e[j] = 1.0
    return e


def synthetic(n=200, sizes=SIZES, seed=0):
    """Gaussian blobs, one per class, as Nielsen's lists: training (x, one-hot) and test (x, label)."""
    rng = np.random.default_rng(seed)
    n_in, k = sizes[0], sizes[-1]
    centers = rng.normal(0.0, 1.5, (k, n_in))
    labels = rng.integers(0, k, n)
    X = centers[labels] + rng.normal(0.0, 1.0, (n, n_in))
    training = [(X[i].reshape(-1, 1), vectorized_result(labels[i], k)) for i in range(n)]
    labelled = [(X[i].reshape(-1, 1), int(labels[i])) for i in range(n)]
    return training, labelled


def copies(arrays):
    return [a.copy() for a in arrays]


# -- initialization and the parameter views -------------------------------------------------------------
@pytest.mark.parametrize("init, scaled", [("default", True), ("large", False)])
def test_initial_weights_follow_nielsens_draw_order_from_a_local_randomstate(init, scaled):
    global_before = np.random.get_state()[1].copy()
    net = Network(SIZES, seed=3, init=init)
    rs = np.random.RandomState(3)
    biases = [rs.randn(y, 1) for y in SIZES[1:]]
    weights = [rs.randn(y, x) / (np.sqrt(x) if scaled else 1.0) for x, y in zip(SIZES[:-1], SIZES[1:])]
    for got, want in zip(net.weights + net.biases, weights + biases):
        np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(np.random.get_state()[1], global_before)
    assert net.num_layers == 3 and net.sizes == SIZES


def test_weights_and_biases_are_views_of_the_engine_arrays_and_see_training():
    net = Network(SIZES, seed=0)
    dense = [layer for layer in net.model.layers if hasattr(layer, "W")]
    weights, biases = net.weights, net.biases
    for w, b, layer in zip(weights, biases, dense):
        assert w.shape == layer.W.T.shape and np.shares_memory(w, layer.W) and np.shares_memory(b, layer.b)
    before = copies(weights)
    training, _ = synthetic()
    net.SGD(training, 1, 10, 1.0, verbose=False)
    assert not np.allclose(weights[0], before[0])
    for old_view, new_view in zip(weights + biases, net.weights + net.biases):
        np.testing.assert_array_equal(old_view, new_view)


def test_assigning_weights_copies_into_the_engine_arrays_in_place():
    net = Network(SIZES, seed=0)
    engine_W = net.model.layers[0].W
    new = [np.full((8, 20), 0.5), np.full((5, 8), -0.25)]
    net.weights = new
    assert net.model.layers[0].W is engine_W
    np.testing.assert_array_equal(engine_W, new[0].T)
    net.biases = [np.ones((8, 1)), np.zeros((5, 1))]
    np.testing.assert_array_equal(net.model.layers[2].b, np.zeros(5))
    net.weights[1][0, 0] = 7.0                           # Nielsen-style in-place edits reach the engine too
    assert net.model.layers[2].W[0, 0] == 7.0


@pytest.mark.parametrize("name, value, message", [
    ("weights", [np.zeros((8, 20))], "list of 2 arrays"),
    ("weights", [np.zeros((20, 8)), np.zeros((5, 8))], r"expected \(8, 20\).*pass weights\[0\]\.T"),
    ("biases", [np.zeros((8, 1)), np.zeros((5,))], r"biases\[1\] has shape \(5,\); expected \(5, 1\)"),
])
def test_assigning_parameters_of_the_wrong_shape_is_a_value_error(name, value, message):
    with pytest.raises(ValueError, match=message):
        setattr(Network(SIZES, seed=0), name, value)


@pytest.mark.parametrize("kwargs, message", [
    ({"sizes": [784]}, "at least two"), ({"sizes": [784, 0, 10]}, r"sizes\[1\]"),
    ({"sizes": SIZES, "cost": "quadratic"}, "QuadraticCost or CrossEntropyCost"),
    ({"sizes": SIZES, "init": "xavier"}, "'default'"), ({"sizes": SIZES, "seed": -1}, "seed"),
])
def test_bad_constructor_arguments_are_value_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Network(**kwargs)


# -- the engine computes exactly Nielsen's algorithm ----------------------------------------------------
@pytest.mark.parametrize("cost", COSTS)
def test_feedforward_matches_nielsen_for_one_column_and_for_many(cost):
    net = Network(SIZES, cost=cost, seed=1)
    training, _ = synthetic()
    x = training[0][0]
    np.testing.assert_allclose(net.feedforward(x), ref_feedforward(net.weights, net.biases, x), rtol=0, atol=1e-14)
    columns = np.hstack([x for x, _ in training[:7]])
    out = net.feedforward(columns)
    assert out.shape == (5, 7)
    np.testing.assert_allclose(out, ref_feedforward(net.weights, net.biases, columns), rtol=0, atol=1e-14)


def test_feedforward_rejects_rows_and_flat_vectors_with_a_hint():
    net = Network(SIZES, seed=0)
    with pytest.raises(ValueError, match=r"reshape\(-1, 1\)"):
        net.feedforward(np.zeros(20))
    with pytest.raises(ValueError, match=r"pass a\.T"):
        net.feedforward(np.zeros((3, 20)))


@pytest.mark.parametrize("cost", COSTS)
def test_backprop_equals_the_per_example_reference(cost):
    net = Network(SIZES, cost=cost, seed=2, init="large")
    training, _ = synthetic()
    for x, y in training[:5]:
        nabla_b, nabla_w = net.backprop(x, y)
        ref_b, ref_w = ref_backprop(net.weights, net.biases, x, y, cost)
        for got, want in zip(nabla_b + nabla_w, ref_b + ref_w):
            assert got.shape == want.shape
            np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)


@pytest.mark.parametrize("cost", COSTS)
@pytest.mark.parametrize("lmbda", [0.0, 5.0])
@pytest.mark.parametrize("m", [1, 10, 200])
def test_update_mini_batch_is_one_engine_step_equal_to_nielsens_loop(cost, lmbda, m):
    net = Network(SIZES, cost=cost, seed=4)
    training, _ = synthetic()
    mini_batch = training[:m]
    want_w, want_b = ref_update_mini_batch(copies(net.weights), copies(net.biases), mini_batch, 0.5, lmbda,
                                           len(training), cost)
    net.update_mini_batch(mini_batch, 0.5, lmbda, len(training))
    for got, want in zip(net.weights + net.biases, want_w + want_b):
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)
    assert all(layer.l2 == 0.0 for layer in net.model.layers if hasattr(layer, "l2"))


@pytest.mark.parametrize("cost", COSTS)
def test_sgd_epochs_equal_nielsens_loop_given_the_same_shuffles(cost):
    net = Network(SIZES, cost=cost, seed=7)
    training, _ = synthetic()
    weights, biases = copies(net.weights), copies(net.biases)
    shuffles = np.random.default_rng(7)                  # the network's Generator, seeded alike
    for _ in range(2):
        order = shuffles.permutation(len(training))
        shuffled = [training[i] for i in order]
        for k in range(0, len(training), 16):          # 200 = 12·16 + 8: the last mini-batch is short
            weights, biases = ref_update_mini_batch(weights, biases, shuffled[k:k + 16], 0.8, 2.0,
                                                    len(training), cost)
    net.SGD(training, 2, 16, 0.8, lmbda=2.0, verbose=False)
    for got, want in zip(net.weights + net.biases, weights + biases):
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)
    # lmbda belongs to that call: a later step without it is network.py's, with no decay left behind
    weights, biases = ref_update_mini_batch(copies(net.weights), copies(net.biases), training[:10], 0.8, 0.0,
                                            len(training), cost)
    net.update_mini_batch(training[:10], 0.8)
    for got, want in zip(net.weights + net.biases, weights + biases):
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)
    assert net.total_cost(training, 0.0) == pytest.approx(ref_total_cost(weights, biases, training, 0.0, cost))


def test_cross_entropy_delta_is_a_minus_y_from_a_and_ignores_z():
    # Nielsen's network2 documents that z is unused: a drop-in returns a - y from a, even when a is not σ(z).
    a, y = np.array([[0.3], [0.9]]), np.array([[1.0], [0.0]])
    np.testing.assert_array_equal(CrossEntropyCost.delta(None, a, y), a - y)
    np.testing.assert_array_equal(CrossEntropyCost.delta(np.array([[50.0], [-50.0]]), a, y), a - y)
    with pytest.raises(ValueError, match="same shape"):
        CrossEntropyCost.delta(None, a, np.zeros((3, 1)))


def test_cost_classes_match_network2_formulas():
    rng = np.random.default_rng(0)
    z = rng.normal(0.0, 2.0, (5, 1))
    a, y = ref_sigmoid(z), vectorized_result(2)
    assert QuadraticCost.fn(a, y) == pytest.approx(0.5 * np.linalg.norm(a - y) ** 2, rel=1e-14)
    assert CrossEntropyCost.fn(a, y) == pytest.approx(
        np.sum(np.nan_to_num(-y * np.log(a) - (1 - y) * np.log(1 - a))), rel=1e-12)
    np.testing.assert_allclose(QuadraticCost.delta(z, a, y), (a - y) * ref_sigmoid_prime(z), rtol=0, atol=1e-15)
    np.testing.assert_allclose(CrossEntropyCost.delta(z, a, y), a - y, rtol=0, atol=1e-15)
    columns = rng.random((5, 3))
    assert QuadraticCost.fn(columns, np.zeros((5, 3))) == pytest.approx(0.5 * np.sum(columns ** 2), rel=1e-14)
    Z = rng.normal(0.0, 2.0, (5, 3))                     # three examples as columns: no 1/m anywhere
    A, Y = ref_sigmoid(Z), np.eye(5)[:, :3]
    np.testing.assert_allclose(QuadraticCost.delta(Z, A, Y), (A - Y) * ref_sigmoid_prime(Z), rtol=0, atol=1e-15)
    np.testing.assert_allclose(CrossEntropyCost.delta(Z, A, Y), A - Y, rtol=0, atol=1e-15)
    np.testing.assert_allclose(nielsen.sigmoid_prime(z), ref_sigmoid_prime(z), rtol=0, atol=1e-15)
    with pytest.raises(ValueError, match="same shape"):
        QuadraticCost.fn(a, np.zeros((4, 1)))


@pytest.mark.parametrize("cost", COSTS)
@pytest.mark.parametrize("lmbda", [0.0, 3.0])
def test_total_cost_accuracy_and_evaluate_match_network2(cost, lmbda):
    net = Network(SIZES, cost=cost, seed=5)
    training, labelled = synthetic(50)
    assert net.total_cost(training, lmbda) == pytest.approx(
        ref_total_cost(net.weights, net.biases, training, lmbda, cost), rel=1e-12)
    assert net.total_cost(labelled, lmbda, convert=True) == pytest.approx(net.total_cost(training, lmbda), rel=1e-15)
    correct = sum(int(np.argmax(ref_feedforward(net.weights, net.biases, x)) == y) for x, y in labelled)
    assert net.evaluate(labelled) == correct == net.accuracy(labelled) == net.accuracy(training, convert=True)
    assert isinstance(net.evaluate(labelled), int)
    np.testing.assert_array_equal(net.cost_derivative(np.ones((5, 1)), vectorized_result(1)), 1 - vectorized_result(1))


def test_accuracy_and_total_cost_explain_a_wrong_convert_flag():
    net = Network(SIZES, seed=0)
    training, labelled = synthetic(5)
    with pytest.raises(ValueError, match="convert=True"):
        net.accuracy(training)
    with pytest.raises(ValueError, match="convert=True"):
        net.total_cost(labelled, 0.0)


# -- SGD as a user sees it ------------------------------------------------------------------------------
@pytest.mark.parametrize("cost", COSTS)
def test_sgd_learns_a_separable_problem(cost):
    training, labelled = synthetic(600, seed=1)
    net = Network(SIZES, cost=cost, seed=0)
    net.SGD(training[:500], 10, 10, 1.0, verbose=False)
    assert net.evaluate(labelled[500:]) >= 95


def test_sgd_accepts_zips_prints_like_network_py_and_returns_network2s_lists(capsys):
    training, labelled = synthetic(60)
    net = Network(SIZES, cost=CrossEntropyCost, seed=0)
    result = net.SGD(zip([x for x, _ in training], [y for _, y in training]), 3, 10, 0.5, lmbda=0.1,
                     evaluation_data=labelled[:20], test_data=(pair for pair in labelled[20:]),
                     monitor_evaluation_cost=True, monitor_evaluation_accuracy=True,
                     monitor_training_cost=True, monitor_training_accuracy=True)
    evaluation_cost, evaluation_accuracy, training_cost, training_accuracy = result
    assert [len(r) for r in result] == [3, 3, 3, 3]
    assert all(isinstance(c, int) for c in evaluation_accuracy + training_accuracy)
    assert training_cost[-1] == pytest.approx(net.total_cost(training, 0.1), rel=1e-12)
    assert evaluation_cost[-1] == pytest.approx(net.total_cost(labelled[:20], 0.1, convert=True), rel=1e-12)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"Epoch 0: {lines[0].split()[2]} / 40"
    assert f"Accuracy on training data: {training_accuracy[-1]} / 60" in lines
    assert f"Accuracy on evaluation data: {evaluation_accuracy[-1]} / 20" in lines


def test_sgd_without_test_data_prints_epoch_complete_and_verbose_false_prints_nothing(capsys):
    training, _ = synthetic(30)
    Network(SIZES, seed=0).SGD(training, 2, 10, 1.0)
    assert capsys.readouterr().out == "Epoch 0 complete\nEpoch 1 complete\n"
    assert Network(SIZES, seed=0).SGD(training, 2, 10, 1.0, verbose=False) == ([], [], [], [])
    assert capsys.readouterr().out == ""


def test_the_same_seed_gives_the_same_trained_network():
    training, _ = synthetic()
    nets = [Network(SIZES, seed=11) for _ in range(2)]
    for net in nets:
        net.SGD(training, 2, 7, 1.0, verbose=False)
    for a, b in zip(nets[0].weights + nets[0].biases, nets[1].weights + nets[1].biases):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("make_bad, message", [
    (lambda t: [(x.ravel(), y) for x, y in t], r"x of training_data\[0\] has shape \(20,\).*reshape\(-1, 1\)"),
    (lambda t: [(x.T, y) for x, y in t], r"shape \(1, 20\).*Pass x\.T"),
    (lambda t: [(np.zeros((21, 1)), y) for _, y in t], r"expected \(20, 1\)"),
    (lambda t: [(x, int(np.argmax(y))) for x, y in t], "one-hot"),
    (lambda t: [(x, y.ravel()) for x, y in t], r"y of training_data\[0\] has shape \(5,\)"),
    (lambda t: [x for x, _ in t], r"training_data\[0\] must be an \(x, y\) pair"),
    (lambda t: [], "empty"),
    (lambda t: np.zeros((5, 20)), "list"),
    (lambda t: [(np.full((20, 1), np.nan), y) for _, y in t], "NaN"),
])
def test_bad_training_data_is_a_value_error_that_says_how_to_fix_it(make_bad, message):
    training, _ = synthetic(10)
    with pytest.raises(ValueError, match=message):
        Network(SIZES, seed=0).SGD(make_bad(training), 1, 5, 1.0, verbose=False)


def test_bad_test_data_and_hyperparameters_are_value_errors():
    training, labelled = synthetic(10)
    net = Network(SIZES, seed=0)
    with pytest.raises(ValueError, match=r"int class label in \[0, 5\)"):
        net.SGD(training, 1, 5, 1.0, test_data=training, verbose=False)
    with pytest.raises(ValueError, match=r"int class label in \[0, 5\)"):
        net.evaluate([(labelled[0][0], 7)])
    with pytest.raises(ValueError, match="eta must be > 0"):
        net.SGD(training, 1, 5, -1.0)
    with pytest.raises(ValueError, match="mini_batch_size"):
        net.SGD(training, 1, 0, 1.0)
    with pytest.raises(ValueError, match="needs evaluation_data"):
        net.SGD(training, 1, 5, 1.0, monitor_evaluation_accuracy=True)
    with pytest.raises(ValueError, match="needs n"):
        net.update_mini_batch(training, 1.0, lmbda=1.0)


# -- save / load ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("cost", COSTS)
def test_save_and_load_round_trip_exactly_and_atomically(tmp_path, cost):
    net = Network(SIZES, cost=cost, seed=9)
    net.SGD(synthetic()[0], 1, 10, 1.0, verbose=False)
    path = tmp_path / "net.json"
    net.save(path)
    assert [p.name for p in tmp_path.iterdir()] == ["net.json"]        # no temporary file left behind
    data = json.loads(path.read_text())
    assert data["sizes"] == SIZES and data["cost"] == cost.__name__
    loaded = nielsen.load(path)
    assert loaded.cost is cost and loaded.sizes == SIZES
    for a, b in zip(net.weights + net.biases, loaded.weights + loaded.biases):
        np.testing.assert_array_equal(a, b)
    net.save(str(path))                                                  # overwriting works too
    assert nielsen.load(str(path)).sizes == SIZES


def test_an_interrupted_save_leaves_the_old_file_intact(tmp_path, monkeypatch):
    path = tmp_path / "net.json"
    Network(SIZES, seed=0).save(path)
    before = path.read_text()

    def crash(data, f):
        f.write('{"sizes": [20')
        raise KeyboardInterrupt

    monkeypatch.setattr(nielsen.json, "dump", crash)
    with pytest.raises(KeyboardInterrupt):
        Network(SIZES, seed=1).save(path)
    assert path.read_text() == before and [p.name for p in tmp_path.iterdir()] == ["net.json"]


@pytest.mark.parametrize("edit, message", [
    (lambda d: d.pop("biases"), "keys"),
    (lambda d: d.update(cost="os.system"), "unknown cost"),
    (lambda d: d.update(weights=d["weights"][:1]), "list of 2 arrays"),
    (lambda d: d["biases"].__setitem__(0, [[1.0]] * 3), r"biases\[0\] has shape \(3, 1\)"),
    (lambda d: d["weights"][0].__setitem__(0, [1.0]), "net.json"),
])
def test_load_rejects_a_malformed_file_naming_it(tmp_path, edit, message):
    path = tmp_path / "net.json"
    Network(SIZES, seed=0).save(path)
    data = json.loads(path.read_text())
    edit(data)
    path.write_text(json.dumps(data))
    with pytest.raises(ValueError, match=message):
        nielsen.load(path)
    path.write_text("{not json")
    with pytest.raises(ValueError, match="not valid JSON"):
        nielsen.load(path)


# -- MNIST in load_data_wrapper's format --------------------------------------------------------------------
def fake_mnist(tmp_path, sizes, seed):
    """A mnist.pkl.gz in Nielsen's format with random splits of ``sizes`` rows; returns (path, splits)."""
    rng = np.random.default_rng(seed)
    splits = tuple((rng.random((n, 784), dtype=np.float32), rng.integers(0, 10, n).astype(np.int64))
                   for n in sizes)
    path = tmp_path / "mnist.pkl.gz"
    path.write_bytes(gzip.compress(pickle.dumps(splits, protocol=2)))
    return path, splits


def test_load_mnist_gives_load_data_wrappers_format(tmp_path):
    path, splits = fake_mnist(tmp_path, (6, 3, 2), seed=0)
    training_data, validation_data, test_data = nielsen.load_mnist(path)
    assert isinstance(training_data, list) and len(training_data) == 6
    x, y = training_data[4]
    assert x.shape == (784, 1) and y.shape == (10, 1) and x.dtype.kind == "f"
    np.testing.assert_array_equal(x[:, 0], splits[0][0][4])
    np.testing.assert_array_equal(y, vectorized_result(int(splits[0][1][4]), 10))
    assert [len(validation_data), len(test_data)] == [3, 2]
    x, label = test_data[1]
    assert x.shape == (784, 1) and isinstance(label, int) and label == splits[2][1][1]


@pytest.mark.slow
@pytest.mark.skipif(not REAL_MNIST.is_file(), reason=f"Nielsen's MNIST not found at {REAL_MNIST}")
def test_chapter_1_network_reaches_94_5_percent_on_mnist(capsys, record_property):
    """Nielsen's chapter 1: Network([784, 30, 10]) (network.py's init), SGD(30, 10, 3.0); he reports ~95%.

    The performance issue's accuracy target for config A is >= 94.5% in 30 epochs (seed 1 gives 95.34%)."""
    training_data, _, test_data = nielsen.load_mnist(REAL_MNIST)
    net = Network([784, 30, 10], seed=1, init="large")
    start = time.perf_counter()
    net.SGD(training_data, 30, 10, 3.0, test_data=test_data)
    seconds = time.perf_counter() - start
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 30 and lines[-1].startswith("Epoch 29: ")
    accuracy = net.evaluate(test_data) / len(test_data)
    record_property("mnist_test_accuracy", accuracy)
    record_property("training_seconds", round(seconds, 1))
    assert accuracy >= 0.945, f"test accuracy {accuracy:.4f} after 30 epochs ({seconds:.1f} s)"


def test_mnist_loader_load_data_gives_the_three_splits_as_rows(tmp_path):
    from chainrule.classic import mnist_loader
    path, splits = fake_mnist(tmp_path, (4, 3, 2), seed=1)
    for (X, labels), (want_X, want_labels) in zip(mnist_loader.load_data(path), splits):
        np.testing.assert_array_equal(X, want_X)
        np.testing.assert_array_equal(labels, want_labels)
    np.testing.assert_array_equal(mnist_loader.vectorized_result(3), vectorized_result(3, 10))
    assert nielsen.load_mnist is mnist_loader.load_data_wrapper
