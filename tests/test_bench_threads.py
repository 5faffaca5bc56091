"""bench/threads.py: the one-thread and default-thread environments, and run.py's second process's
arguments (parsed back by run.py's own parser)."""

import argparse
import importlib.util
import sys

import pytest
from _paths import REPO

sys.path.insert(0, str(REPO / "bench"))
threads = importlib.import_module("threads")


def test_one_thread_sets_every_pool_to_one_and_keeps_a_users_xla_flags():
    env = {"XLA_FLAGS": "--mine"}
    threads.set_one_thread(env)
    assert {v: env[v] for v in threads.THREAD_VARS} == {v: "1" for v in threads.THREAD_VARS}
    assert env["PJRT_NPROC"] == "1" and env["XLA_FLAGS"] == "--mine"
    assert threads.process_threads(env) == threads.ONE


def test_default_env_drops_every_thread_setting_and_marks_the_second_process():
    env = {"PATH": "/bin", "PYTHONPATH": "src"}
    threads.set_one_thread(env)
    child = threads.default_env(env)
    assert child == {"PATH": "/bin", "PYTHONPATH": "src", threads.PASS_VAR: "default"}
    assert threads.process_threads(child) == threads.DEFAULT
    assert env["OPENBLAS_NUM_THREADS"] == "1"          # the first process's own environment is left as it was


@pytest.mark.parametrize("mode, default_configs, expected", [
    ("one", "A,C", []), ("default", "A,C", ["A", "B", "C", "D"]), ("both", "A,C", ["A", "C"]),
    ("both", "C,A,D", ["A", "C", "D"]), ("both", "all", ["A", "B", "C", "D"]), ("both", "C-adam", [])])
def test_default_pass_configs(mode, default_configs, expected):
    assert threads.default_pass_configs(mode, ["A", "B", "C", "D"], default_configs) == expected


def test_merge_puts_each_configs_default_rows_after_its_one_thread_rows():
    one = [{"config": c, "threads": "1"} for c in ("A", "C")]
    default = [{"config": c, "threads": "default"} for c in ("A", "C")]
    merged = threads.merge(one, default, ["A", "C"])
    assert [(r["config"], r["threads"]) for r in merged] == [("A", "1"), ("A", "default"), ("C", "1"), ("C", "default")]


@pytest.fixture
def run_module(monkeypatch):
    """bench/run.py imported as a default-thread process would be, so the import sets no thread variable here."""
    monkeypatch.setenv(threads.PASS_VAR, threads.DEFAULT)
    spec = importlib.util.spec_from_file_location("bench_run", REPO / "bench" / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_second_process_gets_the_same_sizes_and_seed_and_only_the_default_threads(run_module, tmp_path):
    args, names = run_module.parse_args(["--quick", "--configs", "A,B,C", "--epochs", "4", "--train", "2000",
                                         "--seed", "3", "--no-nielsen", "--wait-idle", "5"])
    assert args.threads == "both" and args.default_configs == "A,C"
    second = threads.default_pass_configs(args.threads, names, args.default_configs)
    child, child_names = run_module.parse_args(threads.child_argv(args, second, tmp_path / "d.json"))
    assert child_names == ["A", "C"] and child.threads == "default"
    same = ("quick", "epochs", "train", "nielsen_train", "iterations", "seed", "no_nielsen", "wait_idle")
    assert {k: getattr(child, k) for k in same} == {k: getattr(args, k) for k in same}
    assert (child.profile, child.breakdown, child.json) == ("", "", str(tmp_path / "d.json"))


def test_unknown_default_configs_are_refused(run_module, capsys):
    with pytest.raises(SystemExit):
        run_module.parse_args(["--default-configs", "A,E"])
    assert "--default-configs: unknown config(s) ['E']" in capsys.readouterr().err


def test_child_argv_leaves_out_the_flags_that_are_off():
    args = argparse.Namespace(quick=False, epochs=3, train=0, nielsen_train=0, iterations=0, seed=0, wait_idle=0.0,
                              no_nielsen=False)
    argv = threads.child_argv(args, ["D"], "/x.json")
    assert argv[argv.index("--configs") + 1] == "D" and "--quick" not in argv and "--no-nielsen" not in argv
