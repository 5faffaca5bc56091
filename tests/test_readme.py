"""Every code block of README.md runs: Python blocks in order in one namespace, the ``chainrule``
command lines of the bash blocks for real, and the doctor's output block equals what it prints."""

import os
import re
import shlex
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

import numpy as np
import pytest

from _paths import MNIST_DIR, MNIST_PKL, REPO
from test_cli import cli_env

README = (REPO / "README.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"```(\w+)\n(.*?)```", README, flags=re.S)


def commands(block):
    """The chainrule command lines of a bash block (continuations joined, comments dropped)."""
    text = block.replace("\\\n", " ")
    found = []
    for line in text.splitlines():
        line = line.split("  #")[0].strip()
        if line.startswith("chainrule "):
            found.append(line)
    return found


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    shutil.copytree(REPO / "examples", tmp_path / "examples")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_the_readme_starts_with_what_it_is_then_exactly_two_commands():
    first_block = BLOCKS[0]
    assert first_block[0] == "bash"
    lines = [l for l in first_block[1].splitlines() if l.strip()]
    assert [l.split()[:2] for l in lines] == [["make", "demo"], ["make", "test"]]
    assert README.index("**chainrule** is") < README.index("```bash")


def test_python_blocks_run_in_order(workdir, capsys, monkeypatch):
    monkeypatch.setenv("CHAINRULE_DATA", str(MNIST_DIR))     # where the README's load_mnist() looks first
    namespace = {"__name__": "__readme__"}
    for language, code in BLOCKS:
        if language != "python":
            continue
        if "def backward_propagation" in code:        # the learner's function shown: it is the example file
            assert code.strip() in (REPO / "examples" / "learner_backward_propagation.py").read_text()
            continue
        if "load_mnist" in code:
            if not MNIST_PKL.exists():
                continue                                 # the MNIST block needs it (slow test covers it)
            code = code.replace("net.SGD(training_data, 30,", "net.SGD(training_data[:2000], 1,")
        exec(compile(code, "README.md", "exec"), namespace)
    out = capsys.readouterr().out
    assert "scale_m" in out and "identical" in out and "lr 3.0 is too high" in out
    assert "\nTrue\n" in out and "NoBiasDense(n_in=2, n_out=16)  (m, 16)" in out      # the user's layer
    assert namespace["cr"].load(workdir / "custom.npz").layers[0].config() == {"n_in": 2, "n_out": 16}
    scaled = namespace["cr"].load(workdir / "scaled.npz")                                # the saved scaling
    assert np.array_equal(scaled.preprocessing.mean, namespace["X_raw"].mean(axis=0))
    _, y = namespace["cr"].datasets.make_moons(n_samples=300, noise=0.2, seed=0)       # the Quickstart's y
    assert scaled.evaluate(namespace["X_raw"], y)["accuracy"] > 0.85


def test_the_readme_finds_data_through_chainrule_data_not_a_path_beside_the_repository():
    assert "../shared" not in README.split("## Tests")[0]
    assert "nielsen.load_mnist()" in README


def test_the_seed004_row_states_what_the_example_prints(tmp_path):
    row = next(line for line in README.splitlines() if line.startswith("| `classic.planar`"))
    result = subprocess.run([sys.executable, str(REPO / "examples" / "seed004_planar_mse.py"), "--plot", "",
                             "--boundary", ""], cwd=tmp_path, env=cli_env(), capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    quoted = re.findall(r"\d+\.\d{4,}|\d+(?:\.\d)? %", row)
    assert len(quoted) == 6, quoted
    for number in quoted:
        assert number.replace(" %", "%") in out, f"README says {number}; the example prints:\n{out}"


def mnist_lines():
    """The README's command lines that need MNIST: the 98 % recipe's train line and the evaluate of its model."""
    return [line for language, code in BLOCKS if language == "bash" for line in commands(code) if "mnist" in line]


def test_command_lines_run_and_the_doctor_block_is_its_real_output(workdir):
    np.savetxt(workdir / "points.csv", np.array([[0.5, 0.2], [-1.0, 0.3]]), delimiter=",")
    env = dict(cli_env(), CHAINRULE_DATA=str(MNIST_DIR))
    printed = {}
    for language, code in BLOCKS:
        if language != "bash":
            continue
        for line in commands(code):
            if line in mnist_lines():
                if not MNIST_PKL.exists():
                    continue                   # needs MNIST; test_cli_workflows runs the whole recipe (slow)
                line = line.replace("--epochs 10", "--epochs 1")         # the recipe's every flag, one epoch
            args = shlex.split(line)[1:]
            if args[0] == "playground":
                serve_and_fetch_the_page(args, workdir, env)
                continue
            result = subprocess.run([sys.executable, "-m", "chainrule", *args], cwd=workdir, env=env,
                                    capture_output=True, text=True, timeout=300)
            expected = 1 if args[0] == "doctor" else 0      # the README's example learner file is buggy
            assert result.returncode == expected, f"{line}\n{result.stdout}\n{result.stderr}"
            printed[line] = result.stdout
            if args[0] == "doctor":
                shown = README.split(line, 1)[1].split("```text\n", 1)[1].split("```", 1)[0]
                assert result.stdout.strip() == shown.strip()
    # the table workflow says what it prints: class names, every held-out row scored, values fitted
    predicted = next(out for line, out in printed.items() if line.startswith("chainrule predict iris.npz"))
    assert predicted.split() == ["versicolor", "setosa", "versicolor"]
    held_out = next(out for line, out in printed.items() if "evaluate iris.npz --data" in line)
    assert re.search(r"^all +rows 30 +loss [\d.]+ +accuracy 0\.9\d+ +f1 ", held_out, re.M)
    regression = next(out for line, out in printed.items() if "evaluate diabetes.npz --data" in line)
    assert re.search(r"^all +rows 80 +loss [\d.]+ +r2 0\.\d+ +mae \d+", regression, re.M)
    assert "accuracy" not in regression
    if MNIST_PKL.exists():
        train, evaluate = mnist_lines()
        recipe = printed[train.replace("--epochs 10", "--epochs 1")]
        assert "lr schedule: CosineDecay(lr=0.001, total_epochs=1" in recipe and "rows 50000" in recipe
        assert re.search(r"^test +rows 10000 +loss [\d.]+ +accuracy 0\.9[5-9]\d+", printed[evaluate], re.M)


def serve_and_fetch_the_page(args, workdir, env):
    """``chainrule playground`` for real, on a free port and without a browser: the page is served."""
    process = subprocess.Popen([sys.executable, "-m", "chainrule", *args, "--port", "0", "--no-browser"], cwd=workdir,
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first = process.stdout.readline()
        url = re.search(r"http://\S+/", first)
        assert url, f"chainrule playground printed {first!r}; stderr: {process.stderr.read() if process.poll() else ''}"
        with urllib.request.urlopen(url.group(0), timeout=30) as response:
            assert response.status == 200 and b"chainrule playground" in response.read()
    finally:
        process.terminate()
        process.wait(timeout=30)
