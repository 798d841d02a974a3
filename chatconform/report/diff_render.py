"""The two faces of `chatconform diff`: Markdown for a pull-request comment, JSON for a pipeline.

Text read from the reports is target-provided: it goes through the same
escaping as compat.md (`text.md`, `text.md_code`) and redaction as compat.json.
"""

from __future__ import annotations

import json
from typing import Any

from chatconform.report.diff import CellChange, RunDiff, figures
from chatconform.report.digest import SYMBOL
from chatconform.report.text import md, md_code, money, scrub

DIFF_FORMAT = "chatconform-diff/1"
UNCHANGED_SHOWN = 30


def render_json(d: RunDiff, names: tuple[str, str]) -> str:
    data = {
        "format": DIFF_FORMAT,
        "old": _run(d.old, names[0]),
        "new": _run(d.new, names[1]),
        "causes": {
            "new": [_cause(c) for c in d.new_causes],
            "fixed": [_cause(c) for c in d.fixed],
            "unchanged": [{**_cause(b), "tests_before": a.get("tests", 0)} for a, b in d.unchanged],
        },
        "cells": [{"model": c.model, "feature": c.feature, "old": c.old, "new": c.new} for c in d.cells],
        "figures": _figures(d),
        "exit_code": d.exit_code,
    }
    return json.dumps(scrub(data), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def render_markdown(d: RunDiff, names: tuple[str, str]) -> str:
    counts = f"**{len(d.new_causes)} new**, {len(d.fixed)} fixed, {len(d.unchanged)} unchanged"
    verdicts = f"verdict {md(str(d.old.get('verdict', '?')).upper())} → {md(str(d.new.get('verdict', '?')).upper())}"
    lines = [
        "## chatconform diff",
        "",
        f"{md_code(names[0])} ({md(d.old.get('target', ''))}) → {md_code(names[1])} ({md(d.new.get('target', ''))})",
        "",
        f"Causes: {counts}; {verdicts}.",
    ]
    lines += _causes_section("New causes", d.new_causes)
    lines += _causes_section("Fixed causes", d.fixed)
    if d.unchanged:
        rows = [
            f"- {_head(b)} ({_delta(a.get('tests', 0), b.get('tests', 0))})" for a, b in d.unchanged[:UNCHANGED_SHOWN]
        ]
        more = len(d.unchanged) - UNCHANGED_SHOWN
        rows += [f"- and {more} more"] if more > 0 else []
        lines += ["", "<details><summary>Unchanged causes</summary>", "", *rows, "", "</details>"]
    lines += _cells_section(d.cells)
    lines += _figures_section(d)
    return "\n".join(lines) + "\n"


def _causes_section(title: str, found: list[dict[str, Any]]) -> list[str]:
    if not found:
        return []
    lines = ["", f"### {title}", ""]
    for c in found:
        ex = c.get("example") or {}
        tests = int(c.get("tests", 0))
        lines.append(f"- {_head(c)}: {tests} test{'' if tests == 1 else 's'}")
        if ex.get("expected") or ex.get("observed"):
            lines.append(
                f"  expected {md_code(ex.get('expected', ''))}, observed {md_code(ex.get('observed', ''))} "
                f"at {md_code(ex.get('path', '$'))}, e.g. {md_code(ex.get('test', ''))}"
            )
    return lines


def _head(c: dict[str, Any]) -> str:
    symbol = SYMBOL.get(str(c.get("severity")), "✗")
    return f"{symbol} {md_code(c.get('id', ''))} {md_code(c.get('check', ''))} {md(c.get('title', ''))}"


def _cells_section(cells: list[CellChange]) -> list[str]:
    if not cells:
        return ["", "### Matrix", "", "No cell changed."]
    rows = [f"| {md_code(c.model, in_table=True)} | {md(c.feature)} | {_cell(c.old)} | {_cell(c.new)} |" for c in cells]
    return ["", "### Matrix cells that changed", "", "| model | feature | before | after |", "|---|---|---|---|", *rows]


def _cell(cell: dict[str, Any] | None) -> str:
    if cell is None:
        return "·"
    outcome = str(cell.get("outcome"))
    counts = cell.get("counts") or {}
    hits, total = counts.get(outcome, 0), cell.get("total", 0)
    return f"{SYMBOL.get(outcome, '?')} {hits}" + (f"/{total}" if hits != total else "")


def _figures(d: RunDiff) -> dict[str, dict[str, float]]:
    old, new = figures(d.old), figures(d.new)
    return {k: {"old": old[k], "new": new[k], "change": round(new[k] - old[k], 6)} for k in old}


def _figures_section(d: RunDiff) -> list[str]:
    f = _figures(d)
    cost, estimate, seconds, cases = f["cost_usd"], f["estimated_cost_usd"], f["case_seconds"], f["cases"]
    rows = [
        ("cost of the run", money(cost["old"]), money(cost["new"]), _money_delta(cost["change"])),
        ("estimated cost", money(estimate["old"]), money(estimate["new"]), _money_delta(estimate["change"])),
        ("time in the cases", f"{seconds['old']:.1f} s", f"{seconds['new']:.1f} s", f"{seconds['change']:+.1f} s"),
        ("cases", f"{cases['old']:.0f}", f"{cases['new']:.0f}", _delta(cases["old"], cases["new"])),
    ]
    body = [f"| {a} | {b} | {c} | {e} |" for a, b, c, e in rows]
    return ["", "### Cost and timing", "", "| | before | after | change |", "|---|---|---|---|", *body]


def _money_delta(change: float) -> str:
    return "same" if change == 0 else ("+" if change > 0 else "-") + money(abs(change))


def _delta(old: float, new: float) -> str:
    change = new - old
    return "same" if change == 0 else f"{change:+.0f}"


def _run(run: dict[str, Any], name: str) -> dict[str, Any]:
    return {
        "file": name,
        "run_id": run.get("run_id", ""),
        "target": run.get("target", ""),
        "verdict": run.get("verdict", ""),
        "causes": len(run.get("causes") or []),
    }


def _cause(c: dict[str, Any]) -> dict[str, Any]:
    keep = ("id", "check", "title", "severity", "tests", "models", "example")
    return {k: c.get(k) for k in keep}
