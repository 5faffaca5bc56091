#!/usr/bin/env python3
"""Benchmark runner: chainrule against its peers, in one run, on the same data and seeds.

    PYTHONPATH=src python3 bench/run.py [--quick] [--configs A,A128,...] [--json out.json] [--epochs N]
                                        [--threads one|default|both] [--default-configs A,C]

For every configuration it trains chainrule (per dtype) and the peers that can express it:

* ``nielsen-loop``  -- bench/nielsen_loop.py, Nielsen's network.py / network2.py per-example loop
* ``numpy-loop``    -- bench/numpy_loop.py, a careful hand-written NumPy loop (A, A128)
* ``chainrule-compiled`` -- ``fit(backend="compiled")``, the numba epoch (skipped without numba)
* ``torch``         -- PyTorch CPU eager loop (skipped with a note if not importable)
* ``jax-step``, ``jax-scan`` -- JAX jit per step, and jit + lax.scan per epoch (skipped without jax)
* ``sklearn``       -- MLPClassifier with partial_fit per epoch (skipped if not importable)
* ``gemm-floor``    -- only the matrix products of one epoch, on preallocated arrays

each on one thread and, in a second process, with every library's default threads (see
bench/threads.py), and prints one Markdown table (see bench/README.md for the columns), then
writes JSON (default bench/results/latest.json). Every peer runs inside try/except: a failure is
a row with a note, and the run goes on.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
# Measure the working tree's chainrule (same as PYTHONPATH=src), and import the bench's own modules.
sys.path.insert(0, str(HERE.parent / "src"))
sys.path.insert(0, str(HERE))

import threads  # noqa: E402  (imports neither numpy nor the rest of the bench)

# Thread counts are fixed when numpy, torch and jax load: decide before any of them is imported.
# This process measures one thread; the default-thread rows come from a second run.py process
# started with threads.default_env (no thread variables).
THREADS = threads.process_threads()
if THREADS == threads.ONE:
    threads.set_one_thread()

import argparse  # noqa: E402
import datetime  # noqa: E402
import json  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from typing import Optional  # noqa: E402

import numpy as np  # noqa: E402

from configs import CONFIGS, FULL_TRAIN, timed_sizes  # noqa: E402
from diagnostics import breakdown_epoch, profile_epoch  # noqa: E402
from measurement import CpuMeter, gemm_peak, load_cat, load_mnist, machine_info, wait_idle  # noqa: E402
from report import LEGEND, busy_warning, fmt_table, key_figures, write_json  # noqa: E402
from rounds import run_config  # noqa: E402


def parse_args(argv: Optional[list]) -> tuple[argparse.Namespace, list[str]]:
    """The options, and the configuration names they select."""
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true",
                   help="10k training examples, 5k for the Nielsen loop, 250 iterations for D (times scaled)")
    p.add_argument("--configs", default=",".join(CONFIGS), help=f"comma list from {','.join(CONFIGS)}")
    p.add_argument("--json", default=str(HERE / "results" / "latest.json"), help="where to write the results")
    p.add_argument("--epochs", type=int, default=3, help="timed epochs per run (median is reported; >= 3)")
    p.add_argument("--train", type=int, default=0, help="training examples per timed epoch (default 50k; quick 10k)")
    p.add_argument("--nielsen-train", type=int, default=0, help="examples for the per-example loop")
    p.add_argument("--iterations", type=int, default=0, help="D: timed iterations (default 2500; quick 250)")
    p.add_argument("--no-nielsen", action="store_true", help="skip the per-example loop")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--wait-idle", type=float, default=0.0, metavar="SECONDS",
                   help="before each row, wait up to SECONDS for other processes to go quiet")
    p.add_argument("--profile", default="A:float32",
                   help="CONFIG:DTYPE to cProfile for one epoch after the table ('' to skip)")
    p.add_argument("--breakdown", default="A:float32",
                   help="CONFIG:DTYPE whose per-batch stage times to print after the table ('' to skip)")
    p.add_argument("--threads", choices=["one", "default", "both"], default="both",
                   help="one thread, every library's default threads (in a second process), or both (default)")
    p.add_argument("--default-configs", default="A,C", metavar="LIST",
                   help="with --threads both: the configs that also get the default-thread pass "
                        "(default A,C; 'all': every selected one)")
    args = p.parse_args(argv)
    names = [c.strip() for c in args.configs.split(",") if c.strip()]
    unknown = [c for c in names if c not in CONFIGS]
    if unknown:
        p.error(f"unknown config(s) {unknown}; choose from {list(CONFIGS)}")
    if args.default_configs.strip() != "all":
        unknown = [c.strip() for c in args.default_configs.split(",") if c.strip() and c.strip() not in CONFIGS]
        if unknown:
            p.error(f"--default-configs: unknown config(s) {unknown}; choose from {list(CONFIGS)} or 'all'")
    if args.epochs < 1:
        p.error("--epochs must be >= 1")
    return args, names


def print_header(args: argparse.Namespace, info: dict, own: list[str], second: list[str]) -> None:
    child = THREADS == threads.DEFAULT
    print(f"chainrule bench  {datetime.datetime.now().isoformat(timespec='seconds')}  "
          f"{'QUICK' if args.quick else 'FULL'} run" + ("  (default-thread process)" if child else ""))
    torch_threads = f" ({info['torch_threads']} threads)" if info.get("torch_threads") else ""
    print(f"  {info.get('cpu', info['processor'])}, {info['cpus']} cpus; python {info['python']}, numpy "
          f"{info['numpy']} ({info.get('blas')}), torch {info['torch']}{torch_threads}, sklearn {info['sklearn']}; "
          f"OPENBLAS_NUM_THREADS={info['OPENBLAS_NUM_THREADS']}")
    if child:
        print(f"  threads: every library's default (no thread variables); configs {','.join(own)}")
    else:
        print(f"  threads: {','.join(own) or 'no config'} on one thread (BLAS/OpenMP variables 1, "
              f"torch.set_num_threads(1), JAX with PJRT_NPROC=1); {','.join(second) or 'no config'} with every "
              f"library's default threads, in a second process started after the first pass")
    try:
        with open("/proc/loadavg") as f:
            print(f"  load average at start: {' '.join(f.read().split()[:3])}")
    except OSError:
        pass


def after_table(what: str, option: str, run, mnist, args) -> str:
    """The profile or breakdown text for ``option`` (CONFIG:DTYPE), printed; '' when skipped or failed."""
    if not option or mnist is None:
        return ""
    try:
        cname, _, dt = option.partition(":")
        return run(cname, dt or "float32", mnist, args)
    except Exception as exc:
        print(f"{what} failed: {type(exc).__name__}: {exc}")
        return ""


def measure_configs(names: list[str], args, mnist, cat, peaks: dict) -> list[dict]:
    """Every configuration of ``names`` measured in this process's thread setting; their rows."""
    rows: list[dict] = []
    for name in names:
        cfg = CONFIGS[name]
        print(f"[{name}] {cfg.title}" + (", default threads" if THREADS == threads.DEFAULT else ""), flush=True)
        try:
            rows.extend(run_config(cfg, args, cat if cfg.data == "cat" else mnist, peaks, THREADS))
        except Exception as exc:     # a whole configuration failing still leaves the others
            print(f"  config {name} FAILED: {type(exc).__name__}: {exc}", flush=True)
            rows.append({"config": name, "impl": "-", "dtype": "-", "threads": THREADS, "status": "failed",
                         "note": f"{type(exc).__name__}: {exc}"[:200]})
    return rows


def default_thread_pass(names: list[str], args) -> tuple[list[dict], dict]:
    """``names`` measured again by run.py in a second process with every library's default threads.

    Returns its rows and the rest of its JSON (machine, GEMM peaks, seconds); if it fails, one failed
    row per configuration saying so, and the run goes on.
    """
    print(f"\n[default threads] {','.join(names)}: run.py again, in a second process without thread variables",
          flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "default_threads.json"
        done = subprocess.run([sys.executable, str(Path(__file__).resolve()), *threads.child_argv(args, names, out)],
                              env=threads.default_env(os.environ))
        try:
            result = json.loads(out.read_text())
        except (OSError, ValueError) as exc:
            why = (f"the default-thread process exited with status {done.returncode} and left no results "
                   f"({type(exc).__name__}: {exc}); rerun with --threads default to see why")
            print(f"  {why}", flush=True)
            return [{"config": n, "impl": "-", "dtype": "-", "threads": threads.DEFAULT, "status": "failed",
                     "note": why[:200]} for n in names], {}
    rows = result.pop("rows")
    return rows, result


def main(argv: Optional[list] = None) -> int:
    args, names = parse_args(argv)
    start = time.perf_counter()
    if THREADS == threads.DEFAULT:       # the second process: everything it was given, on the default threads
        own, second = names, []
    else:
        own = [] if args.threads == "default" else names
        second = threads.default_pass_configs(args.threads, names, args.default_configs)
    info = machine_info()
    print_header(args, info, own, second)
    if args.wait_idle:
        wait_idle(args.wait_idle)
    meter = CpuMeter()
    peaks = {"float32": gemm_peak(np.float32), "float64": gemm_peak(np.float64)}
    peak_bg = meter.other_cores()
    print(f"  GEMM peak (1024^3 matmul, {'1 thread' if THREADS == threads.ONE else 'default threads'}): "
          f"float32 {peaks['float32']:.1f} GFLOP/s, float64 {peaks['float64']:.1f} GFLOP/s"
          + (f" (other processes used {peak_bg:.2f} cores meanwhile; measured again at the end, the higher one "
             "is used)" if peak_bg is not None else ""))
    mnist = load_mnist() if any(CONFIGS[n].data == "mnist" for n in names) else None
    cat = load_cat() if any(CONFIGS[n].data == "cat" for n in own) else None
    if mnist:
        print(f"  MNIST data: {mnist.source}")
    if cat:
        print(f"  cat data:   {cat.source}")
    n_fast, n_loop, n_it = timed_sizes(args)
    if (n_fast, n_loop, n_it) != (FULL_TRAIN, FULL_TRAIN, CONFIGS["D"].iterations):
        print(f"  {'QUICK' if args.quick else 'SUBSET'}: timed on the first {n_fast} training examples "
              f"(per-example loop: first {min(n_loop, n_fast)}; D: {n_it} iterations); seconds are scaled "
              f"to a 50k epoch (D: to 2500 iterations); accuracies are after training on that subset")
    rows = measure_configs(own, args, mnist, cat, peaks)
    default_rows, default_run = default_thread_pass(second, args) if second else ([], {})
    # the 1024^3 peak is noisy on a shared VM: measure it again and keep the higher one
    peaks_start = dict(peaks)
    for name_dt in peaks:
        peaks[name_dt] = max(peaks[name_dt], gemm_peak(np.dtype(name_dt)))
    for r in rows:
        if r.get("gemm_gflops") and peaks.get(r["dtype"]):
            r["pct_peak"] = 100 * r["gemm_gflops"] / peaks[r["dtype"]]
    if peaks != peaks_start:
        print(f"  GEMM peak remeasured: float32 {peaks['float32']:.1f}, float64 {peaks['float64']:.1f} GFLOP/s")
    out = Path(args.json)
    result = {"when": datetime.datetime.now().isoformat(timespec="seconds"), "quick": args.quick,
              "args": vars(args), "threads": THREADS, "machine": info, "gemm_peak_gflops": peaks,
              "gemm_peak_at_start": peaks_start, "gemm_peak_other_cores": peak_bg}
    if THREADS == threads.DEFAULT:       # the first process prints the one table
        write_json(out, {**result, "rows": rows, "total_seconds": time.perf_counter() - start})
        return 0
    rows = threads.merge(rows, default_rows, names)
    table = fmt_table(rows)
    print()
    print(table)
    print()
    print(LEGEND)
    warning = busy_warning(rows)
    if warning:
        print(warning)
    keys = key_figures(rows)
    for line in keys:
        print("  " + line)
    profile_text = after_table("profile", args.profile, profile_epoch, mnist, args)
    if profile_text:
        print()
        print(profile_text)
    breakdown_text = after_table("breakdown", args.breakdown, breakdown_epoch, mnist, args)
    if breakdown_text:
        print(breakdown_text)
    total = time.perf_counter() - start
    print(f"total bench time {total:.0f} s")
    write_json(out, {
        **result, "default_threads": default_run,
        "data": {"mnist": mnist.source if mnist else None, "cat": cat.source if cat else None},
        "configs": {n: CONFIGS[n].__dict__ for n in names}, "rows": rows, "key_figures": keys,
        "table_markdown": table, "profile": profile_text, "breakdown": breakdown_text, "total_seconds": total})
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
