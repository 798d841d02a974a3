"""A series of runs at different loads: a fixed sweep (`--sweep`) or the rate search (`--find-max-rate`).

Each step is a whole bounded run (its own report in `step-NN-<load>/`); the
plan (search.py) picks the next load from the steps so far. A step passes
when it met every objective and the target did not fail it; a step cut by
Ctrl-C ends the series and proves nothing.

What the steps prove (search.Outcome): the highest passing load, and, when a
higher load failed, the knee. A series in which every step passed found no
knee: it says "no knee within the loads tried" and gives the highest load as
a lower bound. `sweep.json` (every step in the order run, and the outcome)
and `sweep.html` (the curve: the steps by load, latency and throughput
against load) are written beside the steps.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from chatconform.load import exits, plots
from chatconform.load.report import page, table
from chatconform.load.search import Plan, outcome
from chatconform.redact import redact

_FIGURES = ("ttft_p50_ms", "ttft_p95_ms", "e2e_p95_ms", "requests_per_s", "output_tokens_per_s", "error_rate")


def parse_values(text: str) -> list[float]:
    try:
        values = sorted({float(v) for v in text.split(",") if v.strip()})
    except ValueError:
        raise ValueError(f"--sweep {text!r}: use comma-separated numbers, e.g. 1,2,4,8") from None
    if not values or values[0] <= 0:
        raise ValueError(f"--sweep {text!r}: give one or more positive loads")
    return values


def point(load: float, folder: Path, code: int) -> dict[str, Any]:
    """One step's figures, read back from the summary its run wrote."""
    path = folder / "summary.json"
    summary = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None
    base = {"load": load, "exit_code": code, "interrupted": code == exits.INTERRUPTED}
    if summary is None:
        missing = {**dict.fromkeys(_FIGURES), "goodput_per_s": None, "send_lag_p99_ms": None, "report": None}
        return {**base, "passed": False, **missing, "violations": [f"the run wrote no summary (exit code {code})"]}
    m, thr = summary["metrics"], summary["throughput"]
    good = summary.get("goodput") or {}
    return {
        **base,
        "passed": bool(summary["slo"]["passed"]) and code == exits.OK,  # a step the target failed does not pass
        "ttft_p50_ms": m["ttft_ms"]["p50"],
        "ttft_p95_ms": m["ttft_ms"]["p95"],
        "e2e_p95_ms": m["e2e_ms"]["p95"],
        "requests_per_s": thr["requests_per_s"],
        "output_tokens_per_s": thr["output_tokens_per_s"],
        "error_rate": summary["requests"]["error_rate"],
        "goodput_per_s": good.get("requests_per_s"),
        "send_lag_p99_ms": m["send_lag_ms"]["p99"],
        "violations": [v["message"] for v in summary["slo"]["violations"]],
        "report": str(folder / "report.html"),
    }


def run(plan: Plan, run_step: Callable[[float, Path], int], folder: Path, load_label: str, mode: str = "sweep") -> int:
    """Run the plan's steps; write the report. Exit code: 130 when a step was interrupted, else 0 when some
    load passed, else 5 when the target failed the lowest load, else 3."""
    points: list[dict[str, Any]] = []
    while (load := plan.next(points)) is not None:
        step_dir = folder / f"step-{len(points) + 1:02d}-{load:g}"
        print(f"chatconform load: {mode} step {len(points) + 1}: {load_label} = {load:g}", flush=True)
        points.append({"step": len(points) + 1, **point(load, step_dir, run_step(load, step_dir))})
        if points[-1]["interrupted"]:
            break
    result = summarise(points, load_label, mode)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "sweep.json").write_text(redact(json.dumps(result, indent=2)) + "\n", encoding="utf-8")
    (folder / "sweep.html").write_text(redact(render(result)), encoding="utf-8")
    print(describe(result) + f"\nsweep report: {folder / 'sweep.html'}", flush=True)
    if points[-1]["interrupted"]:
        return exits.INTERRUPTED
    if result["max_passing"] is not None:
        return exits.OK  # a step beyond the best may fail in any way: finding where is the point
    lowest = min(points, key=lambda p: p["load"])
    return exits.TARGET_FAILED if lowest["exit_code"] == exits.TARGET_FAILED else exits.SLO_FAILED


def summarise(points: list[dict[str, Any]], load_label: str, mode: str) -> dict[str, Any]:
    found = outcome(points)
    best = next((p for p in points if p["load"] == found.best and p["passed"]), None)
    return {
        "mode": mode,
        "load": load_label,
        "steps": points,
        "max_passing": found.best,
        "knee": found.knee,
        "lowest_failing": found.failed_above,
        "highest_tried": found.tried,
        "goodput": best
        and {
            "requests_per_s": best["requests_per_s"],
            "output_tokens_per_s": best["output_tokens_per_s"],
            "good_requests_per_s": best["goodput_per_s"],
        },
    }


def describe(result: dict[str, Any]) -> str:
    label, steps = result["load"], result["steps"]
    if result["max_passing"] is None:
        lowest = min(steps, key=lambda p: p["load"])
        why = "; ".join(lowest["violations"])
        return f"{result['mode']}: even the lowest load ({lowest['load']:g}) missed the SLO: {why}"
    good = result["goodput"]
    delivered = f"{good['requests_per_s']} requests/s, {good['output_tokens_per_s']} output tokens/s"
    if result["knee"] is None:
        return (
            f"{result['mode']}: no knee within the loads tried: every step up to {label} = "
            f"{result['highest_tried']:g} met the SLO ({len(steps)} step(s)); at {result['max_passing']:g}: {delivered}"
        )
    failed = next(p for p in steps if p["load"] == result["lowest_failing"] and not p["passed"])
    why = "; ".join(failed["violations"]) or f"exit code {failed['exit_code']}"
    what = "highest rate that met the SLO" if result["mode"] == "search" else "knee"
    return (
        f"{result['mode']}: {what}: {label} = {result['knee']:g} ({len(steps)} step(s)); delivered {delivered}; "
        f"{result['lowest_failing']:g} missed: {why}"
    )


def render(result: dict[str, Any]) -> str:
    head = ["load", "step", "SLO", "TTFT p50", "TTFT p95", "E2E p95", "requests/s", "output tokens/s", "error rate"]
    curve = sorted(result["steps"], key=lambda p: p["load"])
    rows = [
        [
            f"{p['load']:g}",
            p["step"],
            "interrupted" if p["interrupted"] else "pass" if p["passed"] else "FAIL: " + "; ".join(p["violations"]),
            *(p[k] for k in _FIGURES),
        ]
        for p in curve
    ]
    figure = plots.sweep(curve, result["knee"], result["load"])
    return page(
        f"chatconform load {result['mode']}",
        [
            f"<h1>chatconform load {html.escape(result['mode'])}</h1>",
            f"<p>{html.escape(describe(result))}</p>",
            table(head, rows),
            f"<div class='fig'>{figure or ''}</div>",
        ],
    )
