"""A sweep: the same run at increasing load, to find the knee.

Each step is a whole bounded run (its own report in `step-NN-<load>/`). The
sweep stops at the first step that misses the SLO. The knee is the highest
load whose step met every objective while all lower steps did too; the
goodput is what that step delivered (succeeded requests/s and output
tokens/s). `sweep.json` and `sweep.html` (latency and throughput against
load, the knee marked) are written beside the steps.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from chatconform.load import exits, plots
from chatconform.load.report import page, table
from chatconform.redact import redact


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
    if summary is None:
        return {
            "load": load,
            "passed": False,
            "exit_code": code,
            "ttft_p50_ms": None,
            "ttft_p95_ms": None,
            "e2e_p95_ms": None,
            "requests_per_s": None,
            "output_tokens_per_s": None,
            "error_rate": None,
            "violations": [f"the run wrote no summary (exit code {code})"],
            "report": None,
        }
    m, thr = summary["metrics"], summary["throughput"]
    return {
        "load": load,
        "passed": bool(summary["slo"]["passed"]) and code == exits.OK,  # a step the target failed does not pass
        "exit_code": code,
        "ttft_p50_ms": m["ttft_ms"]["p50"],
        "ttft_p95_ms": m["ttft_ms"]["p95"],
        "e2e_p95_ms": m["e2e_ms"]["p95"],
        "requests_per_s": thr["requests_per_s"],
        "output_tokens_per_s": thr["output_tokens_per_s"],
        "error_rate": summary["requests"]["error_rate"],
        "violations": [v["message"] for v in summary["slo"]["violations"]],
        "report": str(folder / "report.html"),
    }


def run(values: list[float], run_step: Callable[[float, Path], int], folder: Path, load_label: str) -> int:
    """Run the steps in order; write the sweep report. Exit code: 130 when a step was interrupted, else
    0 when a knee was found, else 5 when the target failed the lowest load, else 3."""
    points: list[dict[str, Any]] = []
    for number, load in enumerate(values, 1):
        step_dir = folder / f"step-{number:02d}-{load:g}"
        print(f"chatconform load: sweep step {number}/{len(values)}: {load_label} = {load:g}", flush=True)
        points.append(point(load, step_dir, run_step(load, step_dir)))
        if not points[-1]["passed"]:
            break
    passing = [p for p in points if p["passed"]]
    knee = passing[-1] if passing else None
    result = {
        "load": load_label,
        "steps": points,
        "knee": knee and knee["load"],
        "goodput": knee
        and {"requests_per_s": knee["requests_per_s"], "output_tokens_per_s": knee["output_tokens_per_s"]},
    }
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "sweep.json").write_text(redact(json.dumps(result, indent=2)) + "\n", encoding="utf-8")
    (folder / "sweep.html").write_text(redact(render(result)), encoding="utf-8")
    print(describe(result) + f"\nsweep report: {folder / 'sweep.html'}", flush=True)
    last = int(points[-1]["exit_code"])
    if last == exits.INTERRUPTED:
        return last
    if knee:
        return exits.OK  # a step beyond the knee may fail in any way: finding where is the point
    return exits.TARGET_FAILED if last == exits.TARGET_FAILED else exits.SLO_FAILED


def describe(result: dict[str, Any]) -> str:
    if result["knee"] is None:
        first = result["steps"][0]
        return f"sweep: even the lowest load missed the SLO: {'; '.join(first['violations'])}"
    good = result["goodput"]
    return (
        f"sweep: knee at {result['load']} = {result['knee']:g}; goodput {good['requests_per_s']} requests/s, "
        f"{good['output_tokens_per_s']} output tokens/s"
    )


def render(result: dict[str, Any]) -> str:
    head = ["load", "SLO", "TTFT p50", "TTFT p95", "E2E p95", "requests/s", "output tokens/s", "error rate"]
    rows = [
        [
            p["load"],
            "pass" if p["passed"] else "FAIL: " + "; ".join(p["violations"]),
            p["ttft_p50_ms"],
            p["ttft_p95_ms"],
            p["e2e_p95_ms"],
            p["requests_per_s"],
            p["output_tokens_per_s"],
            p["error_rate"],
        ]
        for p in result["steps"]
    ]
    figure = plots.sweep(result["steps"], result["knee"], result["load"])
    return page(
        "chatconform load sweep",
        [
            "<h1>chatconform load sweep</h1>",
            f"<p>{html.escape(describe(result))}</p>",
            table(head, rows),
            f"<div class='fig'>{figure or ''}</div>",
        ],
    )
