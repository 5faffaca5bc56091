"""The two thread settings the bench measures: one thread, and what a user gets out of the box.

Thread counts are fixed when numpy, torch and jax load their libraries, so one process measures one
setting. run.py measures the one-thread rows itself (it calls ``set_one_thread`` before it imports
numpy) and starts itself again, in a second process whose environment has no thread variables, for
the default-thread rows: BLAS and OpenMP with their own thread counts, torch's default
``get_num_threads()``, JAX without ``PJRT_NPROC``. That process writes its rows to a JSON file,
which run.py merges into its one table; every row says which setting it ran in (``threads``).

This module prepares the environments and the second process's arguments; it imports neither
numpy nor the rest of the bench, so run.py can use it before numpy is loaded.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, MutableMapping

#: a row's ``threads``: one thread everywhere, or every library's default (all cores)
ONE, DEFAULT = "1", "default"

#: the variables that size the BLAS and OpenMP thread pools (numpy's OpenBLAS, scipy's, torch, numexpr)
THREAD_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "VECLIB_MAXIMUM_THREADS",
               "NUMEXPR_NUM_THREADS")
#: JAX on one thread: one PJRT CPU process-thread; XLA's flags alone leave Eigen's pool on every core
JAX_ONE_THREAD = {"PJRT_NPROC": "1",
                  "XLA_FLAGS": "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"}
#: set to DEFAULT only in the environment of run.py's second process
PASS_VAR = "CHAINRULE_BENCH_THREADS"


def process_threads(environ: Mapping[str, str] = os.environ) -> str:
    """DEFAULT in run.py's default-thread process, else ONE."""
    return DEFAULT if environ.get(PASS_VAR) == DEFAULT else ONE


def set_one_thread(environ: MutableMapping[str, str] = os.environ) -> None:
    """One thread for BLAS, OpenMP and JAX; must run before numpy, torch or jax is imported."""
    for var in THREAD_VARS:
        environ[var] = "1"
    environ["PJRT_NPROC"] = JAX_ONE_THREAD["PJRT_NPROC"]
    environ.setdefault("XLA_FLAGS", JAX_ONE_THREAD["XLA_FLAGS"])


def default_env(environ: Mapping[str, str]) -> dict[str, str]:
    """The default-thread process's environment: ``environ`` without any thread setting, marked with PASS_VAR."""
    env = {k: v for k, v in environ.items() if k not in THREAD_VARS and k not in JAX_ONE_THREAD}
    env[PASS_VAR] = DEFAULT
    return env


def default_pass_configs(threads: str, names: list[str], default_configs: str) -> list[str]:
    """The configurations of ``names`` that get a default-thread pass under ``--threads``/``--default-configs``.

    ``one``: none; ``default``: all of them; ``both``: those listed in ``default_configs`` (``all``: every one).
    """
    if threads == "one":
        return []
    if threads == "default" or default_configs.strip() == "all":
        return list(names)
    chosen = {c.strip() for c in default_configs.split(",")}
    return [n for n in names if n in chosen]


def child_argv(args, names: list[str], json_path: str) -> list[str]:
    """run.py's arguments for the default-thread process: ``names``, the same sizes and seed, no profile/breakdown."""
    argv = ["--configs", ",".join(names), "--json", str(json_path), "--epochs", str(args.epochs),
            "--train", str(args.train), "--nielsen-train", str(args.nielsen_train),
            "--iterations", str(args.iterations), "--seed", str(args.seed), "--wait-idle", str(args.wait_idle),
            "--profile", "", "--breakdown", "", "--threads", DEFAULT]
    if args.quick:
        argv.append("--quick")
    if args.no_nielsen:
        argv.append("--no-nielsen")
    return argv


def merge(one_rows: list[dict], default_rows: list[dict], names: list[str]) -> list[dict]:
    """The rows in ``names`` order, each configuration's one-thread rows before its default-thread rows."""
    return [r for name in names for rows in (one_rows, default_rows) for r in rows if r["config"] == name]
