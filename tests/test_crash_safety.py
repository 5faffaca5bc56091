"""Crash safety, divergence, determinism and long runs (issue 14).

- SIGKILL at random moments during ``save`` and during ``fit``'s per-epoch checkpoints (the CLI's
  ``Checkpoint`` callback): the file then always loads as a complete model, the previous one or the
  new one. One helper process imports chainrule once and forks a writer per kill, so a kill costs
  milliseconds: 30 + 30 kills by default, 300 + 300 with ``CHAINRULE_SLOW=1``.
- Divergence: ``FloatingPointError`` naming epoch, batch, lr and a smaller lr; the weights from before
  the batch are kept; the CLI exits 1 with the message on one line.
- Determinism: the same seed, data and dtype give bit-identical weights in two fresh processes.
- Soak (only with ``CHAINRULE_SLOW=1``): 100,000 training steps, and the resident memory does not grow.
"""

import hashlib
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

import chainrule
from chainrule.cli import Checkpoint
from test_cli import cli_env

SLOW = os.environ.get("CHAINRULE_SLOW") == "1"
KILLS = 300 if SLOW else 30

# The helper: reads "save PATH" or "fit PATH" lines; for each, forks a writer, prints its pid, and reaps
# it when told "reap". The save writer saves models numbered 1, 2, 3, ... (every weight equal to the
# number) over PATH forever; the fit writer trains forever with a checkpoint after every epoch.
HELPER = textwrap.dedent("""
    import os, sys
    import numpy as np
    import chainrule
    from chainrule.cli import Checkpoint
    sys.path.insert(0, os.environ["CRASH_TEST_DIR"])
    from test_crash_safety import numbered_model, training_setup

    def save_forever(path):
        model, number = numbered_model(1), 1
        while True:
            number += 1
            for param, _ in model.params_and_grads():
                param[...] = number
            model.history.history["loss"] = [float(number)]
            model.save(path)

    def fit_forever(path):
        model, X, y, loss, optimizer = training_setup()
        model.fit(X, y, loss, optimizer, epochs=10**9, batch_size=8, callbacks=[Checkpoint(path)])

    for line in sys.stdin:
        command, path = line.split()
        if command == "reap":
            os.waitpid(int(path), 0)
            print("reaped", flush=True)
            continue
        pid = os.fork()
        if pid == 0:
            (save_forever if command == "save" else fit_forever)(path)
            os._exit(0)
        print(pid, flush=True)
""")


def numbered_model(number):
    """A model whose weights all equal ``number`` and whose History holds loss [number]."""
    model = chainrule.Sequential([chainrule.Dense(6, 32), chainrule.ReLU(), chainrule.Dense(32, 3)], seed=0)
    for param, _ in model.params_and_grads():
        param[...] = number
    model.history.history["loss"] = [float(number)]
    return model


def training_setup():
    X, y = chainrule.datasets.make_blobs(n_samples=64, n_classes=3, seed=0)
    X = np.column_stack([X, X ** 2, X[:, :1] * X[:, 1:]])
    model = chainrule.Sequential([chainrule.Dense(5, 16), chainrule.Tanh(), chainrule.Dense(16, 3)], seed=0)
    return model, X, y, chainrule.SoftmaxCrossEntropy(), chainrule.Adam(lr=0.01)


@pytest.fixture(scope="module")
def helper():
    env = dict(cli_env(), CRASH_TEST_DIR=str(Path(__file__).parent))
    process = subprocess.Popen([sys.executable, "-c", HELPER], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               text=True, env=env)
    yield process
    process.stdin.close()
    process.wait(timeout=30)


def kill_at_random(helper, command, path, rng, longest):
    """Start a writer, SIGKILL it after a random delay in [0, longest) seconds, and reap it."""
    helper.stdin.write(f"{command} {path}\n")
    helper.stdin.flush()
    pid = int(helper.stdout.readline())
    time.sleep(rng.uniform(0.0, longest))
    os.kill(pid, signal.SIGKILL)
    helper.stdin.write(f"reap {pid}\n")
    helper.stdin.flush()
    assert helper.stdout.readline().strip() == "reaped"


def leftovers(folder):
    return [p for p in folder.iterdir() if p.name.endswith(".tmp")]


def test_sigkill_during_save_always_leaves_a_complete_model(helper, tmp_path):
    path = tmp_path / "model.npz"
    numbered_model(1).save(path)
    rng = np.random.default_rng(0)
    seen = set()
    for _ in range(KILLS):
        kill_at_random(helper, "save", path, rng, 0.03)
        model = chainrule.load(path)                  # never a ValueError: never a corrupt file
        numbers = {float(v) for param, _ in model.params_and_grads() for v in np.unique(param)}
        numbers.add(model.history["loss"][0])
        assert len(numbers) == 1, f"a mix of two saves: {sorted(numbers)}"     # all from one complete save
        seen.add(numbers.pop())
    assert len(seen) >= 3                             # the writers did get to save between kills
    # A kill inside a write leaves its temporary file (SIGKILL runs no cleanup); never the model file itself.
    assert all(p.name.startswith(".model.npz.") for p in leftovers(tmp_path))


def test_sigkill_during_fit_checkpoints_always_leaves_a_complete_model(helper, tmp_path):
    path = tmp_path / "model.npz"
    model, X, y, loss, optimizer = training_setup()
    model.fit(X, y, loss, optimizer, epochs=1, batch_size=8, callbacks=[Checkpoint(path)])
    reference = {}                                    # epochs trained -> the weights after them
    ref_model, *_, ref_optimizer = training_setup()
    rng = np.random.default_rng(1)
    for _ in range(KILLS):
        kill_at_random(helper, "fit", path, rng, 0.05)
        saved = chainrule.load(path)
        epochs = len(saved.history.epoch)
        assert saved.optimizer.t == 8 * epochs        # history and optimizer state from the same epoch
        while len(reference) < epochs:
            ref_model.fit(X, y, loss, ref_optimizer, epochs=1, batch_size=8)
            reference[len(reference) + 1] = [p.copy() for p, _ in ref_model.params_and_grads()]
        for got, want in zip((p for p, _ in saved.params_and_grads()), reference[epochs]):
            assert np.array_equal(got, want), f"the checkpoint after epoch {epochs} is not that epoch's model"


# -- divergence ---------------------------------------------------------------------------------------------
def test_divergence_stops_with_epoch_batch_lr_and_a_smaller_lr_keeping_the_last_finite_weights():
    X, y = chainrule.datasets.make_moons(n_samples=200, seed=0)
    model = chainrule.Sequential([chainrule.Dense(2, 16), chainrule.ReLU(), chainrule.Dense(16, 2)], seed=0)
    with pytest.raises(FloatingPointError, match=r"loss became (nan|inf) at epoch \d+, batch \d+ \(lr=10000\.0\)\. "
                                                 r"Try a smaller lr, e\.g\. 1000,.*keeps the weights"):
        model.fit(1e3 * X, y, chainrule.SoftmaxCrossEntropy(), chainrule.SGD(lr=1e4), epochs=50, batch_size=32)
    assert all(np.isfinite(param).all() for param, _ in model.params_and_grads())
    assert np.isfinite(model.predict(X)).all()


def test_divergence_in_the_cli_exits_1_with_the_message_on_one_line(tmp_path):
    done = subprocess.run([sys.executable, "-m", "chainrule", "train", "--data", "moons", "--optimizer", "sgd",
                           "--lr", "1e9", "--epochs", "20", "--out", "m.npz"], cwd=tmp_path, env=cli_env(),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("chainrule train: error: loss became"), done.stderr
    assert "lr=1000000000.0" in lines[0] and "smaller lr" in lines[0]
    chainrule.load(tmp_path / "m.npz")                # the last checkpoint is intact


# -- determinism ----------------------------------------------------------------------------------------------
TRAIN_AND_HASH = textwrap.dedent("""
    import hashlib, numpy as np, chainrule as cr
    X, y = cr.datasets.make_spirals(n_samples=150, seed=3)
    for dtype in (np.float64, np.float32):
        model = cr.Sequential([cr.Dense(2, 12), cr.Tanh(), cr.Dropout(0.1), cr.Dense(12, 3)], dtype=dtype, seed=7)
        model.fit(X, y, cr.SoftmaxCrossEntropy(), cr.Adam(lr=0.02), epochs=15, batch_size=16)
        digest = hashlib.sha256(b"".join(p.tobytes() for p, _ in model.params_and_grads())).hexdigest()
        print(np.dtype(dtype).name, digest)
""")


def test_same_seed_data_and_dtype_give_bit_identical_weights_in_two_processes():
    runs = [subprocess.run([sys.executable, "-c", TRAIN_AND_HASH], env=cli_env(), capture_output=True, text=True,
                           timeout=120, check=True).stdout for _ in range(2)]
    assert runs[0] == runs[1] and len(runs[0].splitlines()) == 2, runs


# -- long runs --------------------------------------------------------------------------------------------------
def resident_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


@pytest.mark.slow
@pytest.mark.skipif(not SLOW or not os.path.exists("/proc/self/statm"), reason="set CHAINRULE_SLOW=1 (Linux)")
def test_soak_100k_steps_without_memory_growth():
    X, y = chainrule.datasets.make_moons(n_samples=3200, seed=0)
    model = chainrule.Sequential([chainrule.Dense(2, 32), chainrule.ReLU(), chainrule.Dense(32, 2)], seed=0)
    samples = {}

    class Memory(chainrule.callbacks.Callback):
        def on_epoch_end(self, epoch, logs):
            if epoch + 1 in (100, 1000):
                samples[epoch + 1] = resident_bytes()

    model.fit(X, y, chainrule.SoftmaxCrossEntropy(), chainrule.Adam(lr=1e-3), epochs=1000, batch_size=32,
              callbacks=[Memory()])
    assert model.optimizer.t == 100_000
    assert samples[1000] - samples[100] < 4 * 2**20, samples      # 90k steps later: under 4 MB more
