"""Write a run's report folder: summary.json, timeseries.csv and report.html.

The HTML page is one file with its figures inline (SVG), readable offline.
It opens, in red, with the target's failure when it failed the run (circuit
breaker, nothing succeeded), then the SLO verdict, naming every objective
that failed, then the run's bounds, the metrics, the requests by outcome and
the figures. Drawing warnings (matplotlib's) go to the debug log, never to
the load terminal.
Everything written passes through `redact`, so a key can never leak here.
"""

from __future__ import annotations

import csv
import html
import io
import json
import logging
import warnings
from pathlib import Path
from typing import Any

from chatconform.load.counts import Second
from chatconform.load.recorder import Recorder
from chatconform.redact import redact

SERIES_COLUMNS = (
    "second",
    "t_s",
    "requests",
    "failed",
    "output_tokens",
    "good",
    "ttft_p50_ms",
    "ttft_p95_ms",
    "e2e_p50_ms",
    "e2e_p95_ms",
)
log = logging.getLogger("chatconform.load")
LATE_MS = 10.0  # open-loop sends later than this (p99) mean the generator could not keep the schedule
_CSS = """body{font-family:system-ui,sans-serif;margin:2em;max-width:1100px;color:#222}
table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:.25em .6em;text-align:right}
th{background:#f3f3f3}td:first-child,th:first-child{text-align:left}.pass{background:#e6f4ea;padding:.6em}
.fail{background:#fce8e6;padding:.6em}.fig svg{max-width:100%;height:auto}
.alarm{background:#c5221f;color:#fff;padding:.8em;font-size:1.15em}
tr.missed td{background:#fce8e6}tr.met td{background:#e6f4ea}td.text{text-align:left}"""


def series_rows(recorder: Recorder, with_goodput: bool = False) -> list[dict[str, Any]]:
    """One row per wall-clock second, from the second the first request was sent to the one the last ended
    (seconds in which nothing finished as zeros); `good` only when the run had --goodput objectives."""
    if not recorder.series:
        return []
    last = max(recorder.series)
    first = min(min(recorder.series), int(recorder.first_send)) if recorder.first_send else min(recorder.series)
    rows = []
    for second in range(first, last + 1):
        s = recorder.series.get(second) or Second()
        q = s.sketches
        rows.append(
            {
                "second": second,
                "t_s": second - first,
                "requests": s.requests,
                "failed": s.failed,
                "output_tokens": s.output_tokens,
                "good": s.good if with_goodput else None,
                "ttft_p50_ms": q["ttft_ms"].quantile(0.5),
                "ttft_p95_ms": q["ttft_ms"].quantile(0.95),
                "e2e_p50_ms": q["e2e_ms"].quantile(0.5),
                "e2e_p95_ms": q["e2e_ms"].quantile(0.95),
            }
        )
    return rows


def write(folder: Path, summary: dict[str, Any], recorder: Recorder) -> Path:
    """Write the three files; return the HTML report's path."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "summary.json").write_text(redact(json.dumps(summary, indent=2)) + "\n", encoding="utf-8")
    rows = series_rows(recorder, summary.get("goodput") is not None)
    (folder / "timeseries.csv").write_text(_csv(rows), encoding="utf-8")
    from chatconform.load import plots  # matplotlib is heavy: load it when a report is drawn, not with Locust

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        figures = [plots.over_time(rows), plots.latency_cdfs(recorder.sketches)]
    for warning in caught:
        log.debug("while drawing the report: %s", warning.message)
    page = folder / "report.html"
    page.write_text(redact(render(summary, [f for f in figures if f])), encoding="utf-8")
    return page


def _csv(rows: list[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, SERIES_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: ("" if v is None else round(v, 4) if isinstance(v, float) else v) for k, v in row.items()})
    return buffer.getvalue()


def alarm_html(alarm: dict[str, str] | None) -> str:
    if alarm is None:
        return ""
    return (
        f"<div class='alarm'><b>The target failed the run.</b> {html.escape(alarm['message'])}."
        f"<br>Fix: {html.escape(alarm['advice'])}. The figures below measure the failures.</div>"
    )


def verdict_html(verdict: dict[str, Any]) -> str:
    """The verdict, then every objective with its value: the missed ones first, then the met ones."""
    if not verdict["thresholds"]:
        return "<p class='pass'>No SLO was given: nothing to gate on.</p>"
    judged = sorted(verdict["objectives"], key=lambda j: j["passed"])
    total, missed = len(judged), sum(not j["passed"] for j in judged)
    head = (
        f"<p class='pass'><b>SLO passed</b>: all {total} objective(s) met.</p>"
        if verdict["passed"]
        else f"<p class='fail'><b>SLO FAILED</b>: {missed} of {total} objective(s) missed.</p>"
    )
    rows = "".join(
        f"<tr class='{'met' if j['passed'] else 'missed'}'><td>{'met' if j['passed'] else 'MISSED'}</td>"
        f"<td>{html.escape(j['slo'])}</td><td>{j['threshold']:g}</td><td>{html.escape(_cell(j['observed']))}</td>"
        f"<td class='text'>{html.escape(j['message'])}</td></tr>"
        for j in judged
    )
    head_row = "<tr><th></th><th>objective</th><th>threshold</th><th>observed</th><th>reading</th></tr>"
    return f"{head}<table>{head_row}{rows}</table>"


def outcomes_html(req: dict[str, Any]) -> str:
    """Requests by scenario and outcome: one row per scenario, one column per failure kind."""
    kinds = sorted({k for t in req["by_scenario"].values() for k in t["failed"]})
    head = ["scenario", "sent", "succeeded", "failed", *(f"failed: {k}" for k in kinds), "interrupted"]
    rows = [
        [
            name,
            t["sent"],
            t["succeeded"],
            sum(t["failed"].values()),
            *(t["failed"].get(k, 0) for k in kinds),
            t["interrupted"],
        ]
        for name, t in req["by_scenario"].items()
    ]
    total = [req["sent"], req["succeeded"], req["failed_total"], *(req["failed"].get(k, 0) for k in kinds)]
    rows.append(["all", *total, req["interrupted"]])
    return table(head, rows)


def conversation_html(conversation: dict[str, Any] | None) -> str:
    if conversation is None:
        return ""
    head = ["turn", "succeeded", "prompt tokens (mean)", "TTFT p50 (ms)", "TTFT p95 (ms)"]
    rows = [
        [t["turn"], t["requests"], t["prompt_tokens_mean"], t["ttft_p50_ms"], t["ttft_p95_ms"]]
        for t in conversation["by_turn"]
    ]
    return "<h2>Conversation, by turn</h2><p>Each turn resends the history: the prompt grows.</p>" + table(head, rows)


def goodput_html(good: dict[str, Any] | None) -> str:
    if good is None:
        return ""
    objectives = ", ".join(f"{k} &le; {v:g} ms" for k, v in good["objectives"].items())
    rows = [
        ["good requests", good["good"]],
        ["share of finished requests", good["share"]],
        ["good requests/s", good["requests_per_s"]],
        ["output tokens/s of good requests", good["output_tokens_per_s"]],
        *([f"missed: {k}", n] for k, n in good["missed"].items()),
    ]
    return f"<h2>Goodput</h2><p>Per-request objectives: {objectives}.</p>" + table([], rows)


def gateway_html(section: dict[str, Any] | None, metrics: dict[str, Any]) -> str:
    """Gateway mode: what the gateway added, beside the client's end-to-end figures (overhead.py)."""
    if section is None:
        return ""
    ttft, chunk, e2e = section["ttft_added_ms"], section["chunk_added_ms"], metrics["ttft_ms"]
    head = ["", "added p50", "added p95", "added max", "client's p50", "client's p95", "client's max"]
    rows = [
        ["TTFT (ms)", ttft["p50"], ttft["p95"], ttft["max"], e2e["p50"], e2e["p95"], e2e["max"]],
        ["per chunk (ms)", chunk["p50"], chunk["p95"], chunk["max"], None, None, None],
    ]
    unpaired = ", ".join(f"{k}: {n}" for k, n in section["unpaired_by_reason"].items())
    ratio = section["coalesced_ratio"]
    notes = [
        f"Coalesced: {'-' if ratio is None else f'{ratio:.1%}'} of {section['gaps']} gaps between events the "
        "upstream sent at least 1 ms apart arrived together (within 0.1 ms).",
        f"{section['paired']} streams paired with the upstream's send times, {section['unpaired']} unpaired"
        + (f" ({unpaired})" if unpaired else "")
        + f"; {section['reshaped']} with chunks merged or split (only their first and last events paired).",
    ]
    if section["journal_error"]:
        notes.append(f"The upstream journal could not be read: {section['journal_error']}")
    text = "".join(f"<p>{html.escape(n)}</p>" for n in notes)
    return "<h2>Gateway overhead (added between the upstream mock and the client)</h2>" + table(head, rows) + text


def table(head: list[str], rows: list[list[Any]]) -> str:
    """An HTML table; an empty `head` makes a two-column table of names and values, without a header row."""
    cells = "".join(f"<th>{html.escape(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(_td(c) for c in row) + "</tr>" for row in rows)
    return f"<table>{f'<tr>{cells}</tr>' if head else ''}{body}</table>"


def _load_value(value: Any) -> Any:
    if isinstance(value, dict) and "span_s" in value:  # a trace
        return f"{value['file']}: {value['requests']} requests over {value['span_s']:g} s"
    return value


def _td(value: Any) -> str:
    """A cell: numbers right-aligned (they compare down a column), sentences left-aligned."""
    text = html.escape(_cell(value))
    return f"<td class='text'>{text}</td>" if isinstance(value, str) and " " in value else f"<td>{text}</td>"


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def page(title: str, parts: list[str]) -> str:
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
        f"<style>{_CSS}</style></head><body>{''.join(parts)}</body></html>\n"
    )


def render(summary: dict[str, Any], figures: list[str]) -> str:
    run, thr = summary["run"], summary["throughput"]
    stats = ("count", "mean", "p50", "p90", "p95", "p99", "max")
    metrics = [[name, *(values[s] for s in stats)] for name, values in summary["metrics"].items()]
    bounds = [[k, v] for k, v in run["bounds"].items()] + [["stopped by", run["stopped_by"]]]
    about = [
        ["target", run["target"]],
        ["profile", run["profile"]],
        ["models", ", ".join(run["models"])],
        ["scenario", run["scenario"]],
        *([f"load: {k}", _load_value(v)] for k, v in run["load"].items()),
        ["workers", run["workers"]],
        ["started", run["started_at"]],
    ]
    lag = summary["metrics"]["send_lag_ms"]
    late = (
        f"<p class='fail'>Open-loop sends ran late (p99 {lag['p99']:.1f} ms after their intended time): the "
        "generator, not only the target, was saturated; raise --users or add --workers.</p>"
        if lag["count"] and (lag["p99"] or 0) > LATE_MS
        else ""
    )
    parts = [
        f"<h1>chatconform load report: {html.escape(run['id'])}</h1>",
        alarm_html(summary.get("alarm")),
        "<h2>Objectives</h2>",
        verdict_html(summary["slo"]),
        late,
        "<h2>Requests by scenario and outcome</h2>",
        outcomes_html(summary["requests"]),
        "<h2>Throughput</h2>",
        table(
            [],
            [[k, v] for k, v in thr.items()]
            + [["output tokens", summary["tokens"]["completion"]], ["cost (USD)", summary["cost_usd"]]],
        ),
        goodput_html(summary.get("goodput")),
        conversation_html(summary.get("conversation")),
        "<h2>Latency (ms) and per-request output tokens/s</h2>",
        table(["metric", *stats], metrics),
        f"<p>Percentiles: {html.escape(summary['percentiles']['method'])}, relative error "
        f"{summary['percentiles']['relative_error']:g}.</p>",
        gateway_html(summary.get("gateway"), summary["metrics"]),
        "<h2>Figures</h2>",
        *(f"<div class='fig'>{f}</div>" for f in figures),
        "<h2>Run</h2>",
        table([], about),
        "<h2>Bounds</h2>",
        table(["bound", "value"], bounds),
    ]
    return page(f"chatconform load {run['id']}", parts)
