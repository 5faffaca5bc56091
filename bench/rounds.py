"""One configuration, measured: every (implementation, dtype) set up once, then trained round-robin.

Interleaving spreads slow drifts of the machine (other processes, clock changes) over all rows
instead of charging them to whichever implementation happened to run at the time. Each row is a
dict; report.py tabulates them.
"""

from __future__ import annotations

import statistics
import sys
import traceback
from typing import Any

from configs import FULL_TRAIN, Config, initial_params, timed_sizes
from measurement import CpuMeter, Ctx, Data, Session, batch_list, gemm_flops, normalized, wait_idle
from peers import PEER_KEYS, SESSIONS, available


def plan_for(cfg: Config) -> list[tuple[str, str]]:
    """(implementation, dtype) rows in table order."""
    rows = [("chainrule", dt) for dt in cfg.dtypes]
    for peer in cfg.peers:
        impl = PEER_KEYS[peer]
        if impl == "nielsen-loop":
            rows.append((impl, "float64"))
        elif impl == "sklearn":
            rows.append((impl, "float32"))
        else:
            rows.extend((impl, dt) for dt in cfg.dtypes)
    return rows


def context(cfg: Config, args, data: Data, threads: str) -> tuple[Ctx, list[int]]:
    """The sessions' shared context, and the units (epochs; D: iterations) of each round.

    ``threads`` is this process's thread setting, "1" or "default" (bench/threads.py).
    """
    n_fast, n_loop, iterations = timed_sizes(args)
    if cfg.data == "cat":
        n_train = n_nielsen = data.X_train.shape[0]
        rounds = min(5, iterations)
        units = [iterations // rounds + (1 if r < iterations % rounds else 0) for r in range(rounds)]
    else:
        n_train = min(n_fast, data.X_train.shape[0])
        n_nielsen = min(n_loop, n_train)
        iterations = 0
        units = [1] * args.epochs
    ctx = Ctx(data, args.epochs, args.seed, args.quick, n_train, n_nielsen, iterations,
              initial_params(cfg, args.seed), threads)
    return ctx, units


def mark_failed(row: dict, exc: Exception, during: str = "") -> None:
    """Record ``exc`` as the row's note, say so, and print the end of its traceback to stderr; the run goes on."""
    why = f"{type(exc).__name__}: {exc}"
    row.update(status="failed", note=(f"{during}: {why}" if during else why)[:200])
    print(f"  {row['impl']}/{row['dtype']} {during + ' ' if during else ''}FAILED: {why}", flush=True)
    traceback.print_exc(limit=3, file=sys.stderr)


def set_up(cfg: Config, ctx: Ctx, no_nielsen: bool) -> tuple[list[dict], list[tuple[dict, Session]]]:
    """A row per (implementation, dtype), and the sessions of those that could be set up."""
    rows: list[dict] = []
    live: list[tuple[dict, Session]] = []
    for impl, dtype in plan_for(cfg):
        row: dict[str, Any] = {"config": cfg.name, "impl": impl, "dtype": dtype, "threads": ctx.threads,
                               "status": "ok", "times": [], "other_cpu_s": 0.0, "wall_s": 0.0}
        rows.append(row)
        ok, why = available(impl)
        if impl == "nielsen-loop" and no_nielsen:
            ok, why = False, "--no-nielsen"
        if not ok:
            row.update(status="skipped", note=why)
            print(f"  {impl}/{dtype}: {why}", flush=True)
            continue
        try:
            live.append((row, SESSIONS[impl](cfg, ctx, dtype)))
        except Exception as exc:
            mark_failed(row, exc, "setup")
    return rows, live


def train_round(live: list[tuple[dict, Session]], n_units: int, wait_idle_s: float) -> list[str]:
    """Step every live session ``n_units``; returns "impl/dtype seconds" for the round's line."""
    parts = []
    for row, session in live:
        if row["status"] != "ok":
            continue
        if wait_idle_s:
            wait_idle(wait_idle_s)
        meter = CpuMeter()
        try:
            times = session.step(n_units)
        except Exception as exc:
            mark_failed(row, exc)
            continue
        other, wall = meter.other_seconds()
        row["times"].extend(times)
        row["wall_s"] += wall
        row["other_cpu_s"] = None if other is None or row["other_cpu_s"] is None else \
            row["other_cpu_s"] + other
        parts.append(f"{row['impl']}/{row['dtype'][5:]} {sum(times):.2f}s")
    return parts


def summarize(cfg: Config, row: dict, session: Session, n_train: int, peaks: dict) -> None:
    """Add the test accuracy, the normalized seconds, GEMM GFLOP/s and the other processes' load to ``row``."""
    try:
        row["accuracy"] = session.accuracy()
    except Exception as exc:
        row["accuracy"] = None
        row["note_acc"] = f"accuracy failed: {type(exc).__name__}: {exc}"
    sec, scale, label = normalized(cfg, row["times"], session.n_timed)
    flops_batches = ([n_train] * cfg.iterations if cfg.data == "cat" else batch_list(FULL_TRAIN, cfg.batch))
    gflops = gemm_flops(cfg, flops_batches) / sec / 1e9
    other = row.pop("other_cpu_s")
    row.update(seconds=sec, timed=label, scale=scale, n_timed=session.n_timed, note=session.note,
               gemm_gflops=gflops, pct_peak=100 * gflops / peaks[row["dtype"]] if peaks.get(row["dtype"]) else None,
               other_cores=None if other is None or row["wall_s"] <= 0 else other / row["wall_s"],
               median_s=statistics.median(row["times"]), min_s=min(row["times"]))
    if len(row["times"]) > 50:          # D: keep the summary, not 2500 numbers
        row["times"] = {"n": len(row["times"]), "sum": sum(row["times"]), "median": row["median_s"]}


def run_config(cfg: Config, args, data: Data, peaks: dict, threads: str) -> list[dict]:
    """Set up every (implementation, dtype), train them round-robin, one epoch per turn; the table's rows.

    ``threads`` is the process's thread setting ("1" or "default"), recorded in every row; the ratios
    compare rows of one process, so of one setting.
    """
    ctx, units = context(cfg, args, data, threads)
    rows, live = set_up(cfg, ctx, args.no_nielsen)
    for r, n_units in enumerate(units):
        parts = train_round(live if r % 2 == 0 else live[::-1], n_units, args.wait_idle)
        what = "epoch" if cfg.data == "mnist" else f"{n_units} it"
        print(f"  round {r + 1}/{len(units)} ({what}): " + ", ".join(parts), flush=True)
    for row, session in live:
        if row["status"] == "ok":
            summarize(cfg, row, session, ctx.n_train, peaks)
    # ratios against the chainrule row of the same dtype (the floor's is floor/chainrule)
    ref = {r["dtype"]: r["seconds"] for r in rows if r["impl"] == "chainrule" and r["status"] == "ok"}
    for r in rows:
        if r["status"] == "ok" and r["dtype"] in ref:
            r["ratio"] = r["seconds"] / ref[r["dtype"]]
            r["ratio_vs"] = f"chainrule {r['dtype']} threads={threads}"
    return rows
