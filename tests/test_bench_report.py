"""bench/report.py: the table says which thread setting each row ran in, and the key figures judge
the issue's targets on the one-thread rows only, with the default-thread comparisons beside them."""

import importlib
import sys

import pytest
from _paths import REPO

sys.path.insert(0, str(REPO / "bench"))
report = importlib.import_module("report")


def row(impl, dtype, seconds, threads=None, config="A"):
    """An "ok" row as rounds.py makes it; ``threads=None`` is a row from before the setting was recorded."""
    r = {"config": config, "impl": impl, "dtype": dtype, "status": "ok", "timed": "10k x 3 ep (x5)",
         "seconds": seconds, "median_s": seconds / 5, "min_s": seconds / 6, "ratio": 1.0, "accuracy": 0.9,
         "gemm_gflops": 1.0, "pct_peak": 10.0, "other_cores": 0.0, "note": ""}
    if threads is not None:
        r["threads"] = threads
    return r


def rows_one_and_default():
    """A float32 on one thread (compiled 3.0x the floor: target NOT met) and with default threads
    (compiled 1.2x the floor, which would meet it if the default rows were judged)."""
    one = [row("chainrule", "float32", 1.2, "1"), row("chainrule-compiled", "float32", 0.9, "1"),
           row("torch", "float32", 4.8, "1"), row("gemm-floor", "float32", 0.3, "1")]
    default = [row("chainrule", "float32", 1.0, "default"), row("chainrule-compiled", "float32", 0.6, "default"),
               row("torch", "float32", 1.5, "default"), row("jax-step", "float32", 3.0, "default"),
               row("jax-scan", "float32", 0.75, "default"), row("sklearn", "float32", 2.0, "default"),
               row("gemm-floor", "float32", 0.5, "default")]
    return one + default


def test_table_has_a_threads_column_with_each_rows_setting():
    failed = {"config": "C", "impl": "-", "dtype": "-", "threads": "default", "status": "failed", "note": "boom"}
    lines = report.fmt_table([row("torch", "float32", 1.0, "1"), row("torch", "float32", 0.5, "default"),
                              row("torch", "float64", 2.0), failed]).splitlines()
    head = [c.strip() for c in lines[0].strip("|").split("|")]
    column = head.index("threads")
    cells = [[c.strip() for c in line.strip("|").split("|")][column] for line in lines[2:]]
    assert cells == ["1", "default", "1", "default"]    # no "threads" key: an older row, one thread


def test_targets_are_judged_on_the_one_thread_rows():
    keys = report.key_figures(rows_one_and_default())
    floor = [k for k in keys if "GEMM floor" in k]
    assert floor == ["A float32: chainrule takes 4.00x the GEMM floor (1.200 s vs 0.300 s)  [target <= 2x: NOT met]",
                     "A float32: chainrule-compiled takes 3.00x the GEMM floor (0.900 s vs 0.300 s; "
                     "min epochs 0.1500 vs 0.0500 s)  [target <= 1.5x: NOT met]"]
    assert "A float32: chainrule is 4.00x faster per epoch than torch (1.200 s vs 4.800 s)  [target >= 6x: NOT met]" \
        in keys


def test_default_thread_lines_compare_both_chainrule_paths_with_torch_jax_and_sklearn_without_a_verdict():
    keys = [k for k in report.key_figures(rows_one_and_default()) if "default threads" in k]
    subjects_peers = [(k.split(": ")[1].split(" is ")[0], k.split(" than ")[1].split(" (")[0]) for k in keys]
    assert subjects_peers == [(s, p) for s in ("chainrule", "chainrule-compiled")
                              for p in ("torch", "jax-step", "jax-scan", "sklearn")]
    assert keys[0] == ("A float32, default threads: chainrule is 1.50x faster per epoch than torch "
                       "(1.000 s vs 1.500 s; min epochs 0.1667 vs 0.2500 s)")
    assert not any("target" in k for k in keys)


@pytest.mark.parametrize("threads", [None, "1"])
def test_rows_without_default_thread_partners_give_no_default_lines(threads):
    rows = [row("chainrule", "float32", 1.0, threads), row("torch", "float32", 2.0, threads)]
    assert report.key_figures(rows) == ["A float32: chainrule is 2.00x faster per epoch than torch "
                                        "(1.000 s vs 2.000 s)  [target >= 6x: NOT met]"]


def test_busy_warning_names_the_rows_thread_setting():
    busy = dict(row("torch", "float32", 1.0, "default"), other_cores=0.8)
    assert report.busy_warning([busy]).endswith("A/torch/float32/threads=default")
