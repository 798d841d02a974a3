"""The end of the terminal summary: the verdict line, the causes one line each, then where the report is.

A cause's line is its severity symbol, how many tests it touches, its check,
its title and its id: enough to see at a glance what is wrong and to find
the block in compat.md. Past `CAUSES_SHOWN` lines the rest is counted, not
listed; the report has every cause.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from chatconform.checks.finding import truncate
from chatconform.report.causes import Cause, causes
from chatconform.report.digest import SYMBOL, where_needed
from chatconform.report.model import RunResults
from chatconform.report.text import clean
from chatconform.report.verdict import verdict_line

CAUSES_SHOWN = 15
TITLE_WIDTH = 110


def summary_lines(results: RunResults, reports: Iterable[Path] = (), found: list[Cause] | None = None) -> list[str]:
    found = causes(results) if found is None else found
    lines = [clean(verdict_line(results, found))]
    width = len(str(max((c.tests for c in found), default=1)))
    where = where_needed(found)
    lines += [cause_line(c, width, where.get(c.id, "")) for c in found[:CAUSES_SHOWN]]
    if len(found) > CAUSES_SHOWN:
        lines.append(f"  ... and {len(found) - CAUSES_SHOWN} more causes (every one is in the report)")
    lines += [f"report: {path}" for path in reports]
    return lines


def cause_line(c: Cause, width: int = 1, where: str = "") -> str:
    """`  ✗ 502 tests  [response.finish_reason] Anthropic stop_reason 'end_turn' leaked ...  (d4ece605)`"""
    noun = "test " if c.tests == 1 else "tests"
    title = truncate(clean(c.title + where), TITLE_WIDTH)
    return f"  {SYMBOL[c.severity]} {c.tests:>{width}} {noun}  [{c.check}] {title}  ({c.id})"
