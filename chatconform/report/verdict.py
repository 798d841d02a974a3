"""The verdict line: the verdict with what it rests on, said the same way in the terminal and every report.

    FAIL: 12 failed, 3 could not test, 80 passed (4 causes); 61 of 156 selected tests unsupported (vision 40, ...)

Every outcome is counted, and the unsupported tests are counted by the claim they lacked, so a PASS with
half the suite unsupported reads as what it is.
"""

from __future__ import annotations

import re
from collections import Counter

from chatconform.report.causes import Cause
from chatconform.report.model import CaseOutcome, CaseResult, RunResults

# How the verdict line counts each outcome, in this order.
COUNTED: tuple[tuple[CaseOutcome, str], ...] = (
    ("fail", "failed"),
    ("error", "could not test"),
    ("not_run", "not run"),
    ("inconclusive", "inconclusive"),
    ("xfail", "known deviations"),
    ("pass", "passed"),
    ("policy", "passed with a policy observation"),
)
_CLAIM = re.compile(r"does not claim (\S+)")


def verdict_line(results: RunResults, found: list[Cause]) -> str:
    """`FAIL: 12 failed, 3 could not test, 80 passed (4 causes); 61 of 156 tests unsupported (vision 40, ...)`:
    the verdict with what it rests on, so a pass with half the suite unsupported reads as what it is."""
    counted = Counter(c.outcome for c in results.cases)
    parts = [f"{counted[o]} {label}" for o, label in COUNTED if counted[o]]
    line = f"{results.verdict.upper()}: " + (", ".join(parts) or "no test ran")
    if found:
        line += f" ({len(found)} cause{'s' if len(found) != 1 else ''})"
    stopped = results.meta.get("stopped_by")
    if results.interrupted:
        line += "; stopped by the user before the end: the tests not reached are counted as not run"
    elif stopped:
        line += f"; the run was stopped early: {str(stopped).removeprefix('chatconform: ')}"
    if results.stale_deviations:
        line += f"; {len(results.stale_deviations)} declared known deviation(s) no longer occur"
    unsupported = [c for c in results.cases if c.outcome == "unsupported"]
    if unsupported:
        why = Counter(unsupported_reason(c) for c in unsupported)
        listed = ", ".join(f"{name} {n}" for name, n in sorted(why.items(), key=lambda kv: (-kv[1], kv[0])))
        line += f"; {len(unsupported)} of {len(results.cases)} selected tests unsupported ({listed})"
    return line


def unsupported_reason(case: CaseResult) -> str:
    """The claim an unsupported case lacked (`vision_https_urls`), `gateway mode`, or its feature column."""
    if match := _CLAIM.search(case.detail):
        return match.group(1)
    if case.detail.startswith("gateway mode only"):
        return "gateway mode"
    if case.detail.startswith("skipped:"):
        return "skipped"
    return case.feature or "other"
