"""Plots: every function returns a Figure and writes a real PNG; matplotlib is imported lazily."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
from matplotlib.figure import Figure  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402

from chainrule import SGD, Dense, History, ReLU, Sequential, SoftmaxCrossEntropy  # noqa: E402
from chainrule import plotting  # noqa: E402

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SRC = Path(__file__).resolve().parents[1] / "src"


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def assert_png(path):
    assert path.is_file()
    with open(path, "rb") as file:
        assert file.read(8) == PNG_SIGNATURE
    assert path.stat().st_size > 1000


def small_trained_model(seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(40, 2))
    y = (X[:, 0] * X[:, 1] > 0).astype(np.int64)
    model = Sequential([Dense(2, 6), ReLU(), Dense(6, 2)], seed=seed)
    model.fit(X, y, SoftmaxCrossEntropy(), SGD(lr=0.1), epochs=3, batch_size=10, validation_data=(X[:10], y[:10]))
    return model, X, y


def test_plot_history_returns_a_figure_with_loss_and_accuracy_panels_and_writes_png(tmp_path):
    model, _, _ = small_trained_model()
    fig = plotting.plot_history(model.history, path=tmp_path / "history.png")
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 2
    assert [ax.get_ylabel() for ax in fig.axes] == ["loss", "accuracy"]
    assert all(len(ax.get_lines()) == 2 for ax in fig.axes)       # train and validation
    assert_png(tmp_path / "history.png")


def test_plot_history_accepts_a_plain_dict_without_validation_or_accuracy(tmp_path):
    fig = plotting.plot_history({"loss": [1.0, 0.6, 0.4]}, path=str(tmp_path / "h.png"))
    assert isinstance(fig, Figure) and len(fig.axes) == 1
    assert len(fig.axes[0].get_lines()) == 1
    assert_png(tmp_path / "h.png")


def test_plot_history_from_a_restored_history_object(tmp_path):
    fig = plotting.plot_history(History({"loss": [0.9, 0.5], "val_loss": [1.0, 0.7]}))
    assert isinstance(fig, Figure) and len(fig.axes[0].get_lines()) == 2


def test_plot_history_without_path_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert isinstance(plotting.plot_history({"loss": [1.0, 0.5]}), Figure)
    assert os.listdir(tmp_path) == []


def test_plot_costs_returns_a_figure_with_iterations_on_x_and_writes_png(tmp_path):
    costs = [0.69, 0.5, 0.4, 0.35]
    fig = plotting.plot_costs(costs, learning_rate=0.0075, every=100, path=tmp_path / "costs.png")
    assert isinstance(fig, Figure)
    line = fig.axes[0].get_lines()[0]
    assert list(line.get_xdata()) == [0, 100, 200, 300]
    assert np.allclose(line.get_ydata(), costs)
    assert "0.0075" in fig.axes[0].get_title()
    assert_png(tmp_path / "costs.png")


def test_plot_costs_accepts_the_course_column_of_costs(tmp_path):
    fig = plotting.plot_costs(np.array([[0.7], [0.3]]), 0.1)
    assert np.allclose(fig.axes[0].get_lines()[0].get_ydata(), [0.7, 0.3])


def test_plot_decision_boundary_returns_a_figure_and_writes_png(tmp_path):
    model, X, y = small_trained_model()
    fig = plotting.plot_decision_boundary(model.predict_labels, X, y, path=tmp_path / "boundary.png", resolution=60)
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert len(ax.collections) >= 2                  # filled regions and the scattered points
    assert_png(tmp_path / "boundary.png")


def test_plot_decision_boundary_asks_for_labels_over_a_grid_covering_the_data():
    X = np.array([[0.0, 0.0], [1.0, 2.0], [-1.0, 3.0]])
    seen = []

    def predict(points):
        seen.append(points)
        return (points[:, 0] > 0).astype(int)

    plotting.plot_decision_boundary(predict, X, [0, 1, 0], resolution=25)
    (grid,) = seen
    assert grid.shape == (25 * 25, 2)
    assert grid[:, 0].min() < X[:, 0].min() and grid[:, 0].max() > X[:, 0].max()
    assert grid[:, 1].min() < X[:, 1].min() and grid[:, 1].max() > X[:, 1].max()


def test_plot_decision_boundary_rejects_points_that_are_not_2d():
    with pytest.raises(ValueError, match=r"\(m, 2\)"):
        plotting.plot_decision_boundary(lambda p: np.zeros(len(p)), np.zeros((5, 3)), np.zeros(5))


def test_plot_weights_with_gradients_draws_w_and_dw_histograms_per_dense_layer(tmp_path):
    model, _, _ = small_trained_model()
    fig = plotting.plot_weights(model, path=tmp_path / "weights.png")
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 2 * 2                     # rows W, dW  x  two Dense layers
    assert_png(tmp_path / "weights.png")


def test_plot_weights_without_gradients_draws_one_row():
    model, _, _ = small_trained_model()
    fig = plotting.plot_weights(model, with_gradients=False)
    assert len(fig.axes) == 2


def test_plot_weights_shows_first_layer_units_as_28x28_images_for_784_inputs(tmp_path):
    model = Sequential([Dense(784, 16), ReLU(), Dense(16, 10)], seed=0)
    X = np.random.default_rng(0).random((8, 784))
    y = np.arange(8) % 10
    model.fit(X, y, SoftmaxCrossEntropy(), SGD(lr=0.01), epochs=1, batch_size=8)
    fig = plotting.plot_weights(model, path=tmp_path / "mnist_weights.png")
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 3 * 2                     # W, dW and an image row, two columns
    image_axes = [ax for ax in fig.axes if ax.images]
    assert len(image_axes) == 1
    tiles = image_axes[0].images[0].get_array()
    assert tiles.shape == (4 * 29, 4 * 29)           # 16 units on a 4x4 grid of 28+1-pixel tiles
    assert np.allclose(tiles[:28, :28], model.layers[0].W[:, 0].reshape(28, 28))
    assert "28x28" in image_axes[0].get_title()
    assert_png(tmp_path / "mnist_weights.png")


def test_plot_weights_has_no_image_row_for_non_square_inputs():
    model = Sequential([Dense(10, 4), ReLU(), Dense(4, 2)], seed=0)
    fig = plotting.plot_weights(model, with_gradients=False)
    assert not any(ax.images for ax in fig.axes)


def test_plot_confusion_matrix_counts_pairs_and_writes_png(tmp_path):
    y_true = [0, 0, 1, 1, 2, 2, 2]
    y_pred = [0, 1, 1, 1, 2, 0, 2]
    fig = plotting.plot_confusion_matrix(y_true, y_pred, path=tmp_path / "cm.png", labels=["a", "b", "c"])
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    counts = ax.images[0].get_array()
    assert np.array_equal(counts, [[1, 1, 0], [0, 2, 0], [1, 0, 2]])
    assert sorted(int(t.get_text()) for t in ax.texts) == sorted([1, 1, 0, 0, 2, 0, 1, 0, 2])
    assert ax.get_title() == f"accuracy {5 / 7:.3f}"
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b", "c"]
    assert_png(tmp_path / "cm.png")


def test_importing_chainrule_plotting_does_not_import_matplotlib_until_a_plot_is_made(tmp_path):
    script = (
        "import sys\n"
        "import chainrule, chainrule.plotting\n"
        "before = 'matplotlib' in sys.modules\n"
        "chainrule.plotting.plot_costs([1.0, 0.5], 0.1)\n"
        "after = 'matplotlib' in sys.modules\n"
        "sys.exit(10 * before + (0 if after else 1))\n"
    )
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", MPLBACKEND="Agg",
               PYTHONPATH=os.pathsep.join(p for p in (str(SRC), os.environ.get("PYTHONPATH")) if p))
    result = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, (result.returncode, result.stderr)   # 10+: imported early; 1: never imported
