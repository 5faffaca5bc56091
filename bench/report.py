"""What a run reports: the Markdown table, the key figures against the performance issue's targets, the JSON.

Works on the row dicts of rounds.py; imports only ``configs`` and ``threads`` from the bench. A row's
``threads`` is "1" or "default" (bench/threads.py); rows without it (older JSON) ran on one thread.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

from configs import CONFIGS
from threads import DEFAULT, ONE

LEGEND = ("threads: 1 = one thread everywhere, default = every library's default threads (all cores); "
          "sec: median seconds per 50k-example epoch (D: seconds for 2500 full-batch iterations); "
          "peer/chainrule: that time / chainrule's time in the same dtype and threads (> 1: chainrule faster; "
          "for gemm-floor: floor / chainrule); GEMM GFLOP/s: the epoch's matmul FLOPs / sec, % of the "
          "1024^3 GEMM peak with the same threads; bg cores: "
          "CPU used by OTHER processes during the row (> ~0.3: contended timing, rerun on a quiet machine).")

#: the performance issue's same-run targets, all on one thread: (config, peer, bound, "min" speed-up or "max" ratio
#: to the floor)
TARGETS = [("A", "nielsen-loop", 12.0, "min"), ("A", "torch", 6.0, "min"), ("A", "gemm-floor", 2.0, "max"),
           ("C", "torch", 1.0, "min"), ("C", "gemm-floor", 1.25, "max")]


def fmt_table(rows: list[dict]) -> str:
    head = ["config", "implementation", "dtype", "threads", "timed on", "sec", "peer/chainrule", "test acc",
            "GEMM GFLOP/s (% peak)", "bg cores", "note"]
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    for r in rows:
        if r["status"] != "ok":
            cells = [r["config"], r["impl"], r["dtype"], threads_of(r), "-", "-", "-", "-", "-", "-",
                     f"{r['status']}: {r['note']}"]
        else:
            acc = "-" if r.get("accuracy") is None else f"{100 * r['accuracy']:.2f}%"
            ratio = "-" if r.get("ratio") is None else f"{r['ratio']:.2f}"
            pct = "" if r.get("pct_peak") is None else f" ({r['pct_peak']:.1f}%)"
            bg = "?" if r.get("other_cores") is None else f"{r['other_cores']:.2f}"
            cells = [r["config"], r["impl"], r["dtype"], threads_of(r), r["timed"], f"{r['seconds']:.3f}", ratio, acc,
                     f"{r['gemm_gflops']:.2f}{pct}", bg, r.get("note", "")]
        lines.append("| " + " | ".join(str(c).replace("|", "/") for c in cells) + " |")
    return "\n".join(lines)


def threads_of(row: dict) -> str:
    """The row's thread setting, "1" or "default"; rows written before the setting was recorded ran on one thread."""
    return row.get("threads", ONE)


def busy_warning(rows: list[dict]) -> Optional[str]:
    """A warning naming the rows that ran while other processes used > 0.3 cores, if any did."""
    busy = [r for r in rows if (r.get("other_cores") or 0) > 0.3]
    if not busy:
        return None
    return (f"  WARNING: {len(busy)} row(s) ran while other processes used > 0.3 cores: "
            + ", ".join(f"{r['config']}/{r['impl']}/{r['dtype']}/threads={threads_of(r)}" for r in busy))


def key_figures(rows: list[dict]) -> list[str]:
    """One line per (config, peer, chainrule dtype): the same-run ratio, with the target verdict where one is set.

    The targets are judged on the one-thread rows; the default-thread rows add chainrule (NumPy plan
    and compiled) against torch, JAX and sklearn, without a verdict.
    """
    out = []
    ok = [r for r in rows if r["status"] == "ok"]
    by = {(r["config"], r["impl"], r["dtype"]): r for r in ok if threads_of(r) == ONE}
    by_default = {(r["config"], r["impl"], r["dtype"]): r for r in ok if threads_of(r) == DEFAULT}
    targets = {(cfg, peer): (bound, kind) for cfg, peer, bound, kind in TARGETS}
    configs = sorted({cfg for cfg, _, _ in [*by, *by_default]}, key=list(CONFIGS).index)
    for cfg in configs:
        for peer in ("nielsen-loop", "numpy-loop", "torch", "sklearn", "gemm-floor"):
            for dt in ("float64", "float32"):
                c = by.get((cfg, "chainrule", dt))
                # the loop runs in float64 only; compare both chainrule dtypes with it
                p = by.get((cfg, peer, "float64" if peer == "nielsen-loop" else dt))
                if not c or not p:
                    continue
                out.append(versus(f"{cfg} {dt}: chainrule", peer, c, p, *targets.get((cfg, peer), (None, None))))
        for dt in ("float64", "float32"):
            hand, floor = by.get((cfg, "numpy-loop", dt)), by.get((cfg, "gemm-floor", dt))
            if hand and floor:
                out.append(f"{cfg} {dt}: the hand-written numpy-loop takes {hand['seconds'] / floor['seconds']:.2f}x "
                           f"the GEMM floor ({hand['seconds']:.3f} s)")
        out.extend(compiled_figures(cfg, by))
        out.extend(default_thread_figures(cfg, by_default))
    return out


#: issue 16's targets for the compiled path: (config, peer, bound, "min" speed-up or "max" ratio)
COMPILED_TARGETS = [("A", "gemm-floor", 1.5, "max"), ("A", "jax-scan", 1.3, "min"),
                    ("C", "gemm-floor", 1.2, "max"), ("C", "jax-step", 1.0, "min")]


def compiled_figures(cfg: str, by: dict) -> list[str]:
    """The compiled path against the floor, JAX and the NumPy plan; the NumPy plan against the hand loop."""
    out = []
    targets = {(c, peer): (bound, kind) for c, peer, bound, kind in COMPILED_TARGETS}
    for dt in ("float64", "float32"):
        c = by.get((cfg, "chainrule-compiled", dt))
        for peer in ("gemm-floor", "jax-scan", "jax-step", "chainrule", "torch"):
            p = by.get((cfg, peer, dt))
            if not c or not p:
                continue
            out.append(versus(f"{cfg} {dt}: chainrule-compiled", peer, c, p, *targets.get((cfg, peer), (None, None)),
                              detail=f"; min epochs {c['min_s']:.4f} vs {p['min_s']:.4f} s"))
        plan, hand = by.get((cfg, "chainrule", dt)), by.get((cfg, "numpy-loop", dt))
        if plan and hand:
            ratio = plan["seconds"] / hand["seconds"]
            out.append(f"{cfg} {dt}: the NumPy plan takes {ratio:.2f}x the hand-written numpy-loop" + verdict(ratio, 1.1, "max"))
    return out


def default_thread_figures(cfg: str, by: dict) -> list[str]:
    """With every library's default threads: chainrule's NumPy plan and compiled path against torch, JAX and sklearn."""
    out = []
    for dt in ("float64", "float32"):
        for subject in ("chainrule", "chainrule-compiled"):
            c = by.get((cfg, subject, dt))
            for peer in ("torch", "jax-step", "jax-scan", "sklearn"):
                p = by.get((cfg, peer, dt))
                if c and p:
                    out.append(versus(f"{cfg} {dt}, default threads: {subject}", peer, c, p, None, None,
                                      detail=f"; min epochs {c['min_s']:.4f} vs {p['min_s']:.4f} s"))
    return out


def versus(subject: str, peer: str, c: dict, p: dict, bound: Optional[float], kind: Optional[str],
           detail: str = "") -> str:
    """One key-figure line: ``subject``'s time over the GEMM floor's, or its speed-up over ``peer``, and the verdict."""
    if peer == "gemm-floor":
        ratio = c["seconds"] / p["seconds"]
        line = f"{subject} takes {ratio:.2f}x the GEMM floor"
    else:
        ratio = p["seconds"] / c["seconds"]
        line = f"{subject} is {ratio:.2f}x faster per epoch than {peer}"
    line += f" ({c['seconds']:.3f} s vs {p['seconds']:.3f} s{detail})"
    return line + ("" if bound is None else verdict(ratio, bound, kind))


def verdict(ratio: float, bound: float, kind: str) -> str:
    """``  [target >= 1.3x: met]``: a speed-up ("min") must reach ``bound``, a time ratio ("max") stay under it."""
    met = ratio >= bound if kind == "min" else ratio <= bound
    return f"  [target {'>=' if kind == 'min' else '<='} {bound:g}x: {'met' if met else 'NOT met'}]"


def write_json(path: Path, result: dict) -> None:
    """Write ``result`` as indented JSON (anything else, e.g. a Path, as its str), creating the directory."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=2, default=str))
