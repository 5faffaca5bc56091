"""The ``chainrule`` command, run for real in a subprocess (``python -m chainrule``)."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import chainrule

SRC = Path(__file__).resolve().parents[1] / "src"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
COMMANDS = ["train", "evaluate", "predict", "info", "plot", "resume", "gradcheck"]
FLOWER = ["--data", "flower", "--layers", "2,8,2", "--activation", "tanh"]


def cli_env():
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(SRC), env.get("PYTHONPATH")) if p)
    env.update(OPENBLAS_NUM_THREADS="1", MPLBACKEND="Agg")
    return env


def run(*args, cwd):
    """Run ``python -m chainrule ARGS`` in ``cwd``; return the CompletedProcess (text output)."""
    return subprocess.run([sys.executable, "-m", "chainrule", *map(str, args)], cwd=cwd, env=cli_env(),
                          capture_output=True, text=True, timeout=300)


def ok(*args, cwd):
    result = run(*args, cwd=cwd)
    assert result.returncode == 0, f"exit {result.returncode}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    return result


def assert_png(path):
    with open(path, "rb") as file:
        assert file.read(8) == PNG_SIGNATURE


def metrics(line):
    """'test  loss 0.5609  accuracy 0.6375' -> {'loss': 0.5609, 'accuracy': 0.6375}."""
    words = line.split()[1:]
    return {k: float(v) for k, v in zip(words[::2], words[1::2])}


def params(model):
    return [p for p, _ in model.params_and_grads()]


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """One real `chainrule train` run shared by the read-only commands: (directory, CompletedProcess)."""
    directory = tmp_path_factory.mktemp("trained")
    result = run("train", *FLOWER, "--epochs", 3, "--out", "m.npz", "--plot", "curve.png", cwd=directory)
    return directory, result


@pytest.fixture
def model_copy(trained, tmp_path):
    directory, result = trained
    assert result.returncode == 0, result.stderr
    shutil.copy(directory / "m.npz", tmp_path / "m.npz")
    return tmp_path / "m.npz"


# -- train, evaluate, predict, info, plot -------------------------------------------------------------------
def test_train_exits_0_prints_each_epoch_and_saves_the_model_and_the_curve(trained):
    directory, result = trained
    assert result.returncode == 0, result.stderr
    for epoch in (1, 2, 3):
        assert re.search(rf"^epoch {epoch}/3 +loss \d+\.\d+ +accuracy \d\.\d+ +val_loss", result.stdout, re.M)
    assert "saved m.npz" in result.stdout
    assert (directory / "m.npz").is_file()
    assert_png(directory / "curve.png")
    model = chainrule.load(directory / "m.npz")
    assert len(model.history.epoch) == 3
    assert model.meta["data"] == "flower"


def test_evaluate_prints_train_and_validation_loss_and_accuracy_matching_the_end_of_training(model_copy, trained):
    result = ok("evaluate", model_copy.name, cwd=model_copy.parent)
    lines = {line.split()[0]: line for line in result.stdout.splitlines() if line.strip()}
    assert set(lines) == {"train", "validation"}                 # named for what they are: no "test" here
    for split, rows in (("train", 320), ("validation", 80)):     # the flower's 400 rows, 20 % held out
        values = metrics(lines[split])
        assert set(values) == {"rows", "loss", "accuracy"}
        assert values["rows"] == rows and values["loss"] > 0 and 0 <= values["accuracy"] <= 1
    for split in ("train", "validation"):
        printed_after_training = [line for line in trained[1].stdout.splitlines() if line.startswith(f"{split} ")]
        assert metrics(printed_after_training[-1]) == metrics(lines[split])


def write_points(path, n=7, seed=5):
    points = np.random.default_rng(seed).normal(scale=2.0, size=(n, 2))
    np.savetxt(path, points, delimiter=",")
    return points


def test_predict_prints_one_label_per_row_matching_the_library(model_copy):
    points = write_points(model_copy.parent / "pts.csv")
    result = ok("predict", model_copy.name, "pts.csv", cwd=model_copy.parent)
    labels = [int(line) for line in result.stdout.split()]
    assert len(labels) == len(points)
    assert labels == chainrule.load(model_copy).predict_labels(points).tolist()


def test_predict_proba_out_writes_probabilities_that_sum_to_1_per_row(model_copy):
    points = write_points(model_copy.parent / "pts.csv")
    result = ok("predict", model_copy.name, "pts.csv", "--proba", "--out", "p.csv", cwd=model_copy.parent)
    assert "wrote 7 predictions to p.csv" in result.stdout
    proba = np.loadtxt(model_copy.parent / "p.csv", delimiter=",", ndmin=2)
    assert proba.shape == (7, 2)
    assert np.all((proba >= 0) & (proba <= 1))
    assert np.allclose(proba.sum(axis=1), 1.0, atol=1e-6)
    assert np.allclose(proba, chainrule.load(model_copy).predict_proba(points), atol=1e-7)


def test_predict_rejects_rows_with_the_wrong_number_of_features(model_copy):
    np.savetxt(model_copy.parent / "wide.csv", np.ones((3, 5)), delimiter=",")
    result = run("predict", model_copy.name, "wide.csv", cwd=model_copy.parent)
    assert result.returncode == 1
    assert result.stderr.startswith("chainrule predict: error:") and "Traceback" not in result.stderr


def test_info_shows_layers_parameter_count_and_epochs_trained(model_copy):
    out = ok("info", model_copy.name, cwd=model_copy.parent).stdout
    assert "Dense(n_in=2, n_out=8)" in out and "Tanh()" in out and "Dense(n_in=8, n_out=2)" in out
    assert "total parameters: 42" in out                  # 2*8+8 + 8*2+2
    assert re.search(r"^epochs trained: 3$", out, re.M)
    assert "SoftmaxCrossEntropy" in out and "Adam" in out


@pytest.mark.parametrize("what", ["history", "boundary", "weights"])
def test_plot_writes_a_valid_png_for_each_kind(model_copy, what):
    result = ok("plot", model_copy.name, "--what", what, cwd=model_copy.parent)
    png = model_copy.parent / f"m_{what}.png"
    assert f"wrote {png.name}" in result.stdout
    assert_png(png)


def test_plot_history_does_not_need_the_data_flag_it_ignores(model_copy):
    # --data only matters for --what boundary/weights; a history plot must not try to load it
    result = run("plot", model_copy.name, "--what", "history", "--data", "not_here.csv", "--out", "h.png",
                 cwd=model_copy.parent)
    assert result.returncode == 0, result.stderr
    assert_png(model_copy.parent / "h.png")


# -- resume -------------------------------------------------------------------------------------------
def test_resume_continues_the_epoch_count_and_history_grows_to_5(model_copy):
    before = chainrule.load(model_copy)
    result = ok("resume", model_copy.name, "--epochs", 2, cwd=model_copy.parent)
    assert "resuming after epoch 3" in result.stdout
    assert re.search(r"^epoch 4/5 ", result.stdout, re.M) and re.search(r"^epoch 5/5 ", result.stdout, re.M)
    assert "epoch 1/" not in result.stdout
    after = chainrule.load(model_copy)
    assert after.history.epoch == [0, 1, 2, 3, 4]
    assert all(len(values) == 5 for values in after.history.history.values())
    assert after.history["loss"][:3] == before.history["loss"]
    assert after.optimizer.t > before.optimizer.t


def test_resume_out_leaves_the_original_file_alone(model_copy):
    original = model_copy.read_bytes()
    ok("resume", model_copy.name, "--epochs", 1, "--out", "more.npz", cwd=model_copy.parent)
    assert model_copy.read_bytes() == original
    assert len(chainrule.load(model_copy.parent / "more.npz").history.epoch) == 4


@pytest.mark.parametrize("flags", [
    ["--activation", "tanh"],
    ["--activation", "relu", "--dropout", "0.3", "--optimizer", "sgd", "--momentum", "0.9", "--lr", "0.05",
     "--batch-size", "16", "--seed", "7"],
], ids=["tanh_adam", "relu_dropout_sgd_momentum"])
def test_train_5_equals_train_3_then_resume_2_bit_for_bit(tmp_path, flags):
    common = ["--data", "flower", "--layers", "2,8,2", *flags]
    ok("train", *common, "--epochs", 5, "--out", "straight.npz", cwd=tmp_path)
    ok("train", *common, "--epochs", 3, "--out", "split.npz", cwd=tmp_path)
    halfway = chainrule.load(tmp_path / "split.npz")
    ok("resume", "split.npz", "--epochs", 2, cwd=tmp_path)

    straight, resumed = chainrule.load(tmp_path / "straight.npz"), chainrule.load(tmp_path / "split.npz")
    assert not all(np.array_equal(a, b) for a, b in zip(params(straight), params(halfway)))   # not vacuous
    assert len(params(straight)) == len(params(resumed))
    for a, b in zip(params(straight), params(resumed)):
        assert np.array_equal(a, b)
    assert resumed.history.history == straight.history.history
    assert resumed.optimizer.t == straight.optimizer.t
    assert resumed.rng.bit_generator.state == straight.rng.bit_generator.state


# -- gradcheck ------------------------------------------------------------------------------------------
def test_gradcheck_on_flower_bce_exits_0_and_reports_agreement(tmp_path):
    result = ok("gradcheck", "--data", "flower", "--layers", "2,4,1", "--activation", "tanh", "--loss", "bce",
                cwd=tmp_path)
    assert "agree" in result.stdout
    assert os.listdir(tmp_path) == []                   # a check writes no files


# -- usage errors (exit 2) and runtime errors (exit 1) --------------------------------------------------------
@pytest.mark.parametrize("args, expected", [
    (["trian", "--data", "flower"], "did you mean 'train'"),
    (["train"], "--data"),
    (["train", "--data", "flower", "--epochs", "0"], "--epochs"),
    (["train", "--data", "flower", "--lr", "-1"], "--lr"),
    (["train", "--data", "flower", "--val-split", "1.5"], "--val-split"),
    (["resume", "m.npz"], "--epochs"),
    (["train", "--data", "flower", "--lr-schedule", "linear"], "argument --lr-schedule: invalid choice: 'linear'"),
    (["train", "--data", "flower", "--backend", "gpu"], "argument --backend: invalid choice: 'gpu'"),
    (["resume", "m.npz", "--epochs", "1", "--backend", "cuda"], "argument --backend: invalid choice: 'cuda'"),
], ids=["typo_trian", "missing_data", "epochs_0", "negative_lr", "val_split_1.5", "resume_without_epochs",
        "lr_schedule_unknown", "backend_unknown", "resume_backend_unknown"])
def test_usage_errors_exit_2_with_a_message_on_stderr(tmp_path, args, expected):
    result = run(*args, cwd=tmp_path)
    assert result.returncode == 2
    assert expected in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    assert os.listdir(tmp_path) == []


def write_garbage(directory):
    (directory / "x.npz").write_bytes(np.random.default_rng(0).integers(0, 256, 2048, dtype=np.uint8).tobytes())


@pytest.mark.parametrize("args, expected", [
    (["train", "--data", "no_such_set", "--epochs", "1"], "no_such_set"),
    (["evaluate", "missing.npz"], "missing.npz"),
    (["info", "x.npz"], "x.npz"),
    (["train", "--data", "flower", "--layers", "3,8,2", "--epochs", "1"], "features"),
    (["train", "--data", "flower", "--layers", "2,8,5", "--epochs", "1"], "outputs"),
    (["predict", "x.npz", "pts.txt"], "x.npz"),
    (["train", "--data", "flower", "--epochs", "1", "--out", "no_dir/m.npz"], "no_dir"),
], ids=["unknown_data", "missing_model", "corrupted_model", "layers_vs_features", "layers_vs_outputs",
        "predict_corrupted_model", "out_directory_missing"])
def test_runtime_errors_exit_1_with_one_line_on_stderr_and_no_traceback(tmp_path, args, expected):
    write_garbage(tmp_path)
    result = run(*args, cwd=tmp_path)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("chainrule")
    assert expected in lines[0]
    assert "Traceback" not in result.stderr


def test_evaluate_a_model_without_recorded_data_asks_for_the_data_flag(tmp_path):
    model = chainrule.Sequential([chainrule.Dense(2, 2)], seed=0)
    model.loss = chainrule.SoftmaxCrossEntropy()
    model.save(tmp_path / "library.npz")
    result = run("evaluate", "library.npz", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith("chainrule evaluate: error:") and "--data" in result.stderr
    assert ok("evaluate", "library.npz", "--data", "moons", cwd=tmp_path).stdout.startswith("train ")


def test_model_file_that_holds_a_plain_npy_array_is_a_one_line_error_not_a_traceback(tmp_path):
    with open(tmp_path / "array.npz", "wb") as file:
        np.save(file, np.arange(4.0))
    result = run("info", "array.npz", cwd=tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("chainrule info: error:") and "array.npz" in result.stderr


def test_debug_flag_shows_the_traceback_for_the_same_error(tmp_path):
    result = run("--debug", "train", "--data", "no_such_set", "--epochs", "1", cwd=tmp_path)
    assert result.returncode != 0
    assert "Traceback" in result.stderr
    assert "CommandError" in result.stderr and "no_such_set" in result.stderr


def test_debug_flag_shows_the_traceback_for_a_corrupted_model(tmp_path):
    write_garbage(tmp_path)
    result = run("--debug", "info", "x.npz", cwd=tmp_path)
    assert result.returncode != 0
    assert "Traceback" in result.stderr and "ValueError" in result.stderr


# -- help and version -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("command", COMMANDS)
def test_help_of_every_subcommand_exits_0_and_shows_an_example(tmp_path, command):
    result = run(command, "--help", cwd=tmp_path)
    assert result.returncode == 0
    assert "example" in result.stdout
    assert f"chainrule {command}" in result.stdout


def test_top_level_help_lists_every_subcommand(tmp_path):
    out = ok("--help", cwd=tmp_path).stdout
    assert all(command in out for command in COMMANDS)


def test_version_flag_prints_the_package_version(tmp_path):
    assert ok("--version", cwd=tmp_path).stdout.strip() == f"chainrule {chainrule.__version__}"


def test_installed_console_script_runs(tmp_path):
    beside_python = Path(sys.executable).parent / "chainrule"       # a venv's bin/, even when not activated
    script = str(beside_python) if beside_python.exists() else shutil.which("chainrule")
    if script is None:
        pytest.skip("the chainrule console script is not installed (pip install -e . provides it)")
    result = subprocess.run([script, "--version"], cwd=tmp_path, env=cli_env(), capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0
    assert result.stdout.startswith("chainrule ")


# -- data from files, float32 --------------------------------------------------------------------------------------
def make_table(seed=3, m=90):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(m, 3))
    y = (X[:, 0] + X[:, 1] > 0).astype(np.int64) + (X[:, 2] > 0.8)
    return X, y


def test_train_on_a_csv_with_the_label_in_the_last_column(tmp_path):
    X, y = make_table()
    np.savetxt(tmp_path / "table.csv", np.c_[X, y], delimiter=",", fmt="%.6f", header="a,b,c,label", comments="")
    result = ok("train", "--data", "table.csv", "--epochs", 2, "--out", "csv.npz", cwd=tmp_path)
    assert "saved csv.npz" in result.stdout
    model = chainrule.load(tmp_path / "csv.npz")
    assert (model.n_features, model.n_outputs) == (3, 3)
    assert len(model.history.epoch) == 2
    evaluated = ok("evaluate", "csv.npz", cwd=tmp_path).stdout
    assert evaluated.startswith("train ") and "\nvalidation " in evaluated


def test_train_on_an_npz_with_arrays_x_and_y(tmp_path):
    X, y = make_table()
    np.savez(tmp_path / "table.npz", X=X, y=y)
    ok("train", "--data", "table.npz", "--layers", "3,5,3", "--epochs", 2, "--out", "npz_model.npz", cwd=tmp_path)
    model = chainrule.load(tmp_path / "npz_model.npz")
    assert [(d.n_in, d.n_out) for d in model.layers if hasattr(d, "W")] == [(3, 5), (5, 3)]


def test_model_trained_on_a_relative_csv_path_evaluates_from_another_directory(tmp_path):
    work, elsewhere = tmp_path / "work", tmp_path / "elsewhere"
    work.mkdir()
    elsewhere.mkdir()
    X, y = make_table()
    np.savetxt(work / "table.csv", np.c_[X, y], delimiter=",", fmt="%.6f")
    ok("train", "--data", "table.csv", "--epochs", 1, "--out", "m.npz", cwd=work)
    result = run("evaluate", Path("..") / "work" / "m.npz", cwd=elsewhere)
    assert result.returncode == 0, result.stderr


def test_float32_flag_produces_a_float32_model(tmp_path):
    ok("train", *FLOWER, "--epochs", 1, "--float32", "--out", "f32.npz", cwd=tmp_path)
    model = chainrule.load(tmp_path / "f32.npz")
    assert model.dtype == np.float32
    assert all(p.dtype == np.float32 for p in params(model))
    assert "dtype: float32" in ok("info", "f32.npz", cwd=tmp_path).stdout


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT delivery to a child differs on Windows")
def test_ctrl_c_during_training_exits_130_and_keeps_the_last_finished_epoch(tmp_path):
    import signal
    import time

    process = subprocess.Popen(
        [sys.executable, "-m", "chainrule", "train", "--data", "flower", "--n-samples", "4000", "--layers", "2,64,2",
         "--epochs", "100000", "--batch-size", "8", "--out", "m.npz"],     # never ends on its own, however fast
        cwd=tmp_path, env=cli_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if (tmp_path / "m.npz").exists():
                try:
                    if len(chainrule.load(tmp_path / "m.npz").history.epoch) >= 1:
                        break
                except ValueError:
                    pass                      # mid-rename on a slow disk; try again
            time.sleep(0.2)
        else:
            pytest.fail("training did not finish an epoch within 60 s")
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130, err
    assert "interrupted" in out and "Traceback" not in err
    saved = chainrule.load(tmp_path / "m.npz")
    assert 1 <= len(saved.history.epoch) < 100000
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
