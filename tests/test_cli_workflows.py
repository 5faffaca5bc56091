"""The practitioner's command line (issue 13), run for real: regression with whole-number targets,
held-out evaluation and named splits, class names, scaling saved in the model, training options,
warnings, and files that are not models; and the 98 % recipe's --lr-schedule and --backend (issue 16).
Each test runs as few commands as its claims need."""

import argparse
import gzip
import os
import pickle
import re
import shlex
import subprocess
import sys

import numpy as np
import pytest

import chainrule
from chainrule import cli, compiled
from chainrule.schedules import CosineDecay
from _paths import MNIST_DIR, MNIST_PKL
from test_cli import cli_env, metrics, ok, params, run
from test_readme import mnist_lines

# fit's own test (find_spec would also find the numba that pytest --without-numba hides)
HAVE_NUMBA = compiled.numba_missing() is None


def regression_table(directory, m=80, seed=0):
    """A diabetes-like table: 3 features on very different scales, whole-number targets from 25 to about 350."""
    rng = np.random.default_rng(seed)
    X = np.c_[rng.normal(50, 12, m), rng.normal(0, 0.01, m), rng.normal(150, 40, m)]
    y = np.clip(np.round(180 + 2.5 * (X[:, 0] - 50) + 4000 * X[:, 1] + 0.5 * (X[:, 2] - 150)), 25, 346).astype(int)
    header = "age,ratio,pressure,progression"
    np.savetxt(directory / "reg.csv", np.c_[X, y][:60], delimiter=",", fmt="%.6g", header=header, comments="")
    np.savetxt(directory / "reg_test.csv", np.c_[X, y][60:], delimiter=",", fmt="%.6g", header=header, comments="")
    np.savetxt(directory / "reg_rows.csv", X[60:65], delimiter=",", fmt="%.6g")
    return X, y


def test_whole_number_targets_with_mse_are_a_regression_from_train_to_predict_and_evaluate(tmp_path):
    X, y = regression_table(tmp_path)
    out = ok("train", "--data", "reg.csv", "--loss", "mse", "--layers", "3,8,1", "--epochs", 3, "--standardize",
             "--val-split", 0, "--metrics", "r2,mae", "--quiet", "--out", "r.npz", cwd=tmp_path).stdout
    assert "epoch " not in out                                         # --quiet
    assert "accuracy" not in out and "validation" not in out           # values, every row trained on
    assert re.search(r"^train +rows 60 +loss [\d.]+ +r2 -?[\d.]+ +mae [\d.]+$", out, re.M)
    model = chainrule.load(tmp_path / "r.npz")
    assert model.n_outputs == 1 and model.meta["task"] == "regression"
    stored = np.loadtxt(tmp_path / "reg.csv", delimiter=",", skiprows=1)
    np.testing.assert_allclose(model.preprocessing.mean, stored[:, :3].mean(axis=0), rtol=1e-12)   # training rows

    printed = ok("predict", "r.npz", "reg_rows.csv", cwd=tmp_path).stdout.split()
    rows = np.loadtxt(tmp_path / "reg_rows.csv", delimiter=",")
    np.testing.assert_allclose([float(v) for v in printed], model.predict(rows)[:, 0], rtol=1e-7)   # raw rows in

    scored = ok("evaluate", "r.npz", "--data", "reg_test.csv", cwd=tmp_path).stdout
    line = next(l for l in scored.splitlines() if l.startswith("all "))
    test = np.loadtxt(tmp_path / "reg_test.csv", delimiter=",", skiprows=1)
    expected = model.evaluate(test[:, :3], test[:, 3].astype(float), metrics={"r2": chainrule.metrics.r2_score,
                                                                              "mae": chainrule.metrics.mean_absolute_error})
    values = metrics(line)
    assert values["rows"] == 20                                          # every held-out row, no re-split
    assert values["loss"] == pytest.approx(expected["loss"], abs=1e-4) and values["r2"] == pytest.approx(expected["r2"], abs=1e-4)

    proba = run("predict", "r.npz", "reg_rows.csv", "--proba", cwd=tmp_path)
    assert proba.returncode == 1 and "--proba is for classifiers" in proba.stderr


def test_the_task_flag_and_the_loss_must_agree_and_a_class_count_like_347_gets_a_hint(tmp_path):
    regression_table(tmp_path)
    wrong = run("train", "--data", "reg.csv", "--task", "regression", "--loss", "ce", "--epochs", 1, cwd=tmp_path)
    assert wrong.returncode == 1 and "--task regression needs --loss mse, mae or huber" in wrong.stderr
    classes = run("train", "--data", "reg.csv", "--layers", "3,8,1", "--epochs", 1, cwd=tmp_path)   # ce: classes
    assert classes.returncode == 1
    assert "need" in classes.stderr and "use --task regression or --loss mse" in classes.stderr


def species_table(directory):
    """Three species named in the FIRST column (so --label-column is needed), 90 rows, and a held-out file."""
    rng = np.random.default_rng(4)
    names = np.array(["setosa", "versicolor", "virginica"])
    k = rng.integers(0, 3, 120)
    X = rng.normal(size=(120, 2)) * 0.4 + np.c_[k, 2 - k] * 1.5
    lines = ["species,width,length"] + [f"{names[c]},{a:.4f},{b:.4f}" for c, (a, b) in zip(k, X)]
    (directory / "species.csv").write_text("\n".join(lines[:91]) + "\n")
    (directory / "species_test.csv").write_text("\n".join(lines[:1] + lines[91:]) + "\n")
    np.savetxt(directory / "rows.csv", X[91:96], delimiter=",", fmt="%.4f")
    np.savez(directory / "rows.npz", X=X[91:96])
    return names, k, X


def test_class_names_are_mapped_saved_and_printed_and_held_out_rows_are_scored(tmp_path):
    names, k, X = species_table(tmp_path)
    result = ok("train", "--data", "species.csv", "--label-column", "species", "--epochs", 30, "--lr", 0.05,
                "--metrics", "f1", "--class-weight", "balanced", "--log-every", 10, "--out", "s.npz", cwd=tmp_path)
    assert "classes: setosa, versicolor, virginica" in result.stdout
    assert [int(e) for e in re.findall(r"^epoch (\d+)/30 ", result.stdout, re.M)] == [10, 20, 30]   # --log-every
    assert re.search(r"^validation +rows 18 +loss [\d.]+ +accuracy [\d.]+ +f1 [\d.]+", result.stdout, re.M)
    model = chainrule.load(tmp_path / "s.npz")
    assert model.meta["classes"] == ["setosa", "versicolor", "virginica"] and model.n_outputs == 3
    assert model.meta["class_weight"] == "balanced" and model.meta["label_column"] == "species"

    expected = names[model.predict_labels(X[91:96])].tolist()
    assert ok("predict", "s.npz", "rows.csv", cwd=tmp_path).stdout.split() == expected
    assert ok("predict", "s.npz", "rows.npz", cwd=tmp_path).stdout.split() == expected      # .npz as train reads it

    held_out = ok("evaluate", "s.npz", "--data", "species_test.csv", cwd=tmp_path).stdout
    values = metrics(next(l for l in held_out.splitlines() if l.startswith("all ")))
    truth = k[90:]
    assert values["rows"] == 30
    assert values["accuracy"] == pytest.approx(np.mean(model.predict_labels(X[90:]) == truth), abs=1e-4)

    leftover = run("predict", "s.npz", "species_test.csv", cwd=tmp_path)      # still holds the species
    assert leftover.returncode == 1
    assert "still hold its label column: column 1 ('species')" in leftover.stderr


def test_an_unknown_class_in_a_held_out_file_and_a_typo_in_a_cell_are_named(tmp_path):
    species_table(tmp_path)
    ok("train", "--data", "species.csv", "--label-column", 1, "--epochs", 1, "--quiet", "--out", "s.npz", cwd=tmp_path)
    (tmp_path / "odd.csv").write_text("species,width,length\nsetosa,1,2\nrosa,1,2\n")
    odd = run("evaluate", "s.npz", "--data", "odd.csv", cwd=tmp_path)
    assert odd.returncode == 1 and "['rosa'] are not among the classes" in odd.stderr
    (tmp_path / "typo.csv").write_text("species,width,length\nsetosa,1,2\nsetosa,1.5,2..1\n")
    typo = run("train", "--data", "typo.csv", "--label-column", "species", "--epochs", 1, "--out", "t.npz", cwd=tmp_path)
    assert typo.returncode == 1 and "line 3, column 3 ('length'): '2..1' is not a number" in typo.stderr


def test_patience_stops_early_keeps_the_best_epoch_and_the_file_holds_those_weights(tmp_path):
    result = ok("train", "--data", "moons", "--n-samples", 120, "--layers", "2,16,2", "--lr", 0.5, "--epochs", 60,
                "--patience", 2, "--quiet", "--out", "p.npz", cwd=tmp_path)
    model = chainrule.load(tmp_path / "p.npz")
    val_loss = model.history["val_loss"]
    best = int(np.argmin(val_loss))
    stopped = re.search(r"early stopping after epoch (\d+): val_loss did not improve for 2 epochs", result.stdout)
    assert stopped and int(stopped.group(1)) == len(val_loss) < 60
    assert f"kept the weights of epoch {best + 1}, the best val_loss" in result.stdout
    validation = metrics(next(l for l in result.stdout.splitlines() if l.startswith("validation ")))
    assert validation["loss"] == pytest.approx(val_loss[best], abs=1e-4)          # the restored weights
    again = metrics(next(l for l in ok("evaluate", "p.npz", cwd=tmp_path).stdout.splitlines()
                         if l.startswith("validation ")))
    assert again == validation


def write_fake_mnist(directory, sizes=(60, 20, 30)):
    rng = np.random.default_rng(0)
    splits = tuple((rng.random((n, 784), dtype=np.float32), rng.integers(0, 10, n)) for n in sizes)
    (directory / "mnist.pkl.gz").write_bytes(gzip.compress(pickle.dumps(splits, protocol=2)))


def test_mnist_keeps_its_three_splits_and_evaluate_reaches_the_test_set(tmp_path, monkeypatch):
    write_fake_mnist(tmp_path)
    monkeypatch.setenv("CHAINRULE_DATA", str(tmp_path))          # run() passes the environment on
    train = ok("train", "--data", "mnist", "--layers", "784,8,10", "--epochs", 1, "--float32", "--val-split", 0.5,
               "--momentum", 0.9, "--out", "mn.npz", cwd=tmp_path)
    assert "--val-split is ignored for mnist" in train.stderr
    assert "--momentum applies to --optimizer sgd only; ignored with adam" in train.stderr
    assert re.search(r"^train +rows 60 ", train.stdout, re.M) and re.search(r"^validation +rows 20 ", train.stdout, re.M)
    assert chainrule.load(tmp_path / "mn.npz").dtype == np.float32
    test = ok("evaluate", "mn.npz", "--split", "test", cwd=tmp_path).stdout
    assert re.fullmatch(r"test +rows 30 +loss [\d.]+ +accuracy [\d.]+\n", test)
    toy = run("evaluate", "mn.npz", "--split", "test", "--data", "moons", cwd=tmp_path)
    assert toy.returncode == 1 and "only mnist has a test split" in toy.stderr


def test_out_refuses_to_overwrite_another_model_or_any_other_file_unless_forced(tmp_path):
    ok("train", "--data", "xor", "--epochs", 1, "--quiet", "--out", "m.npz", cwd=tmp_path)
    ok("train", "--data", "xor", "--epochs", 2, "--quiet", "--out", "m.npz", cwd=tmp_path)      # the same model: fine
    other = run("train", "--data", "moons", "--layers", "2,4,2", "--epochs", 1, "--out", "m.npz", cwd=tmp_path)
    assert other.returncode == 1 and "holds a different model" in other.stderr and "--force" in other.stderr
    assert len(chainrule.load(tmp_path / "m.npz").history.epoch) == 2                        # untouched
    (tmp_path / "notes.csv").write_text("keep me\n")
    clobber = run("train", "--data", "xor", "--epochs", 1, "--out", "notes.csv", cwd=tmp_path)
    assert clobber.returncode == 1 and "is not a chainrule model; refusing" in clobber.stderr
    assert (tmp_path / "notes.csv").read_text() == "keep me\n"
    ok("train", "--data", "moons", "--layers", "2,4,2", "--epochs", 1, "--quiet", "--out", "m.npz", "--force",
       cwd=tmp_path)
    assert chainrule.load(tmp_path / "m.npz").meta["data"] == "moons"


def test_info_on_a_csv_says_it_is_not_a_model_and_never_suggests_a_pickle_load(tmp_path):
    np.savetxt(tmp_path / "points.csv", np.ones((2, 2)), delimiter=",")
    result = run("info", "points.csv", cwd=tmp_path)
    assert result.returncode == 1
    assert "points.csv is not a chainrule model file" in result.stderr
    assert "pickle" not in result.stderr.lower()


def test_every_option_with_a_default_shows_it_in_help():
    parser = cli.build_parser()
    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    checked = 0
    for name, sub in subparsers.choices.items():
        text = " ".join(sub.format_help().split())
        for action in sub._actions:
            if not action.option_strings or any(action.default is v for v in (None, False, argparse.SUPPRESS)):
                continue
            described = " ".join(f"{action.help} (default: {action.default})".split())
            assert described in text, f"{name} {action.option_strings[-1]}"
            checked += 1
    assert checked >= 15
    assert "(default: 20)" in run("train", "--help", cwd=None).stdout


# -- the 98 % recipe's options: --lr-schedule and --backend (issue 16) ------------------------------------------
MOONS = ["--data", "moons", "--layers", "2,8,2", "--val-split", 0, "--batch-size", 32, "--lr", 0.01]


def test_lr_schedule_cosine_trains_as_the_library_recipe_and_each_epoch_shows_its_lr(tmp_path):
    cosine = ok("train", *MOONS, "--epochs", 3, "--lr-schedule", "cosine", "--out", "cos.npz", cwd=tmp_path).stdout
    constant = ok("train", *MOONS, "--epochs", 3, "--out", "const.npz", cwd=tmp_path).stdout
    X, y = chainrule.datasets.GENERATORS["moons"](seed=0)             # --val-split 0: every row
    reference = chainrule.mlp([2, 8, 2], activation="relu", seed=0)
    scheduler = chainrule.LearningRateScheduler(CosineDecay(0.01, total_epochs=3))
    reference.fit(X, y, chainrule.SoftmaxCrossEntropy(), chainrule.Adam(lr=0.01), epochs=3, batch_size=32,
                  callbacks=[scheduler])
    np.testing.assert_allclose(scheduler.lrs, [0.01, 0.0075, 0.0025], rtol=1e-12)    # (1 + cos(pi e / 3)) / 2
    trained = chainrule.load(tmp_path / "cos.npz")
    for a, b in zip(params(trained), params(reference)):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)
    flat = chainrule.load(tmp_path / "const.npz")
    assert not all(np.allclose(a, b) for a, b in zip(params(flat), params(trained)))   # the schedule mattered
    for epoch, lr in enumerate(["0.01", "0.0075", "0.0025"], 1):
        assert re.search(rf"^epoch {epoch}/3 .* lr {lr}  \(", cosine, re.M)
    assert "CosineDecay(lr=0.01, total_epochs=3" in cosine and " lr " not in constant
    assert trained.optimizer.lr == 0.0 and flat.optimizer.lr == 0.01         # cosine ends at 0, saved and loaded
    assert "lr_schedule" not in flat.meta
    info = ok("info", "cos.npz", cwd=tmp_path).stdout
    assert "lr_schedule=CosineDecay(lr=0.01, total_epochs=3, warmup_epochs=0, min_lr=0.0)" in info


def test_resume_continues_the_recorded_schedule_and_refuses_epochs_it_would_run_at_lr_0(tmp_path):
    ok("train", *MOONS, "--epochs", 2, "--lr-schedule", "cosine", "--out", "c.npz", cwd=tmp_path)
    finished = run("resume", "c.npz", "--epochs", 1, cwd=tmp_path)
    assert finished.returncode == 1 and "gives lr 0 from epoch 3 on" in finished.stderr
    assert "more epochs would not change the weights" in finished.stderr and "Traceback" not in finished.stderr
    # what Ctrl-C leaves after 2 epochs of a 4-epoch cosine run: the schedule runs past the history
    model = chainrule.load(tmp_path / "c.npz")
    model.meta["lr_schedule"]["config"]["total_epochs"] = 4
    model.save(tmp_path / "c.npz")
    too_many = run("resume", "c.npz", "--epochs", 3, cwd=tmp_path)
    assert too_many.returncode == 1 and "resume with --epochs 2 at most to finish it" in too_many.stderr
    resumed = ok("resume", "c.npz", "--epochs", 2, cwd=tmp_path).stdout
    assert re.search(r"^epoch 3/4 .* lr 0\.005  \(", resumed, re.M)                   # cos(pi/2): half of 0.01
    assert re.search(r"^epoch 4/4 .* lr 0\.001464  \(", resumed, re.M)                # (1 + cos(3pi/4)) / 2
    after = chainrule.load(tmp_path / "c.npz")
    assert not all(np.array_equal(a, b) for a, b in zip(params(after), params(model)))  # the file said lr 0
    assert after.optimizer.lr == 0.0 and len(after.history.epoch) == 4


def main_with_numba(args, cwd, hide=False):
    """``chainrule ARGS`` through ``cli.main`` in a fresh process (numba hidden if asked); the last line of
    stdout says whether numba was imported, which only a compiled epoch does."""
    code = ("import sys\n" + ("sys.modules['numba'] = None\n" if hide else "") +
            "from chainrule.cli import main\ncode = main(sys.argv[1:])\n"
            "print('numba imported:', sys.modules.get('numba') is not None)\nsys.exit(code)")
    return subprocess.run([sys.executable, "-c", code, *map(str, args)], cwd=cwd, env=cli_env(),
                          capture_output=True, text=True, timeout=300)


@pytest.mark.skipif(not HAVE_NUMBA, reason="numba is not installed (pip install chainrule[fast])")
def test_backend_reaches_fit_numpy_and_compiled_train_to_the_same_weights(tmp_path):
    runs = {backend: main_with_numba(["train", *MOONS, "--epochs", 2, "--quiet", "--backend", backend, "--out",
                                      f"{backend}.npz"], tmp_path) for backend in ("numpy", "compiled")}
    for backend, result in runs.items():
        assert result.returncode == 0, result.stderr
    assert runs["numpy"].stdout.splitlines()[-1] == "numba imported: False"
    assert runs["compiled"].stdout.splitlines()[-1] == "numba imported: True"
    numpy, compiled = (chainrule.load(tmp_path / f"{b}.npz") for b in ("numpy", "compiled"))
    for a, b in zip(params(numpy), params(compiled)):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)
    unsupported = run("train", *MOONS, "--epochs", 1, "--dropout", 0.2, "--backend", "compiled", "--out", "d.npz",
                      cwd=tmp_path)
    assert unsupported.returncode == 1 and "does not support this model: layer 3 is Dropout" in unsupported.stderr
    assert not (tmp_path / "d.npz").exists()


def test_backend_compiled_without_numba_is_the_librarys_one_line_error_and_writes_no_file(tmp_path):
    result = main_with_numba(["train", *MOONS, "--epochs", 1, "--backend", "compiled", "--out", "m.npz"], tmp_path,
                             hide=True)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("chainrule train: error: Sequential.fit(backend='compiled') "
                                                   "needs numba: numba is not importable")
    assert lines[0].endswith("Install it with: pip install chainrule[fast]")
    assert not (tmp_path / "m.npz").exists()
    ok_without = main_with_numba(["train", *MOONS, "--epochs", 1, "--quiet", "--out", "m.npz"], tmp_path, hide=True)
    assert ok_without.returncode == 0 and (tmp_path / "m.npz").exists()                 # auto: the NumPy plan


@pytest.mark.slow
@pytest.mark.skipif(os.environ.get("CHAINRULE_SLOW") != "1" or not MNIST_PKL.is_file(),
                    reason=f"set CHAINRULE_SLOW=1 (and have MNIST at {MNIST_PKL}) to run the README's 98 % recipe")
def test_the_readmes_mnist_recipe_line_reaches_98_percent_on_the_test_split(tmp_path, monkeypatch):
    monkeypatch.setenv("CHAINRULE_DATA", str(MNIST_DIR))
    train, evaluate = (shlex.split(line)[1:] for line in mnist_lines())
    trained = ok(*train, cwd=tmp_path).stdout
    assert re.search(r"^train +rows 50000 ", trained, re.M) and re.search(r"^validation +rows 10000 ", trained, re.M)
    test = metrics(ok(*evaluate, cwd=tmp_path).stdout.strip())
    assert test["rows"] == 10000 and test["accuracy"] >= 0.98
