"""A snapshot mismatch as findings: `shape_findings` names each JSON path where the answer's shape differs
from the stored one (`shapes.snapshot`, registered as a comparison so it is vocabulary like any check),
instead of a text diff that ends with "use -vv".

List items are aligned with difflib's matcher before they are compared, so one chunk shape inserted into a
stream reads as one added item, not as every later item changed.
"""

from __future__ import annotations

from collections.abc import Iterator
from difflib import SequenceMatcher
from typing import Any

from chatconform.answer import MISSING
from chatconform.checks.finding import Finding, show
from chatconform.checks.registry import comparison

SNAPSHOT = "shapes.snapshot"
MAX_SNAPSHOT_FINDINGS = 8  # a reshaped answer differs everywhere; the first paths say what changed

comparison(
    SNAPSHOT,
    feature="shapes",
    summary="the answer's shape (keys, types, fixed values) is the stored snapshot's; each differing JSON path "
    "is a finding with the stored and the observed shape",
)

CHANGED = "the answer's shape differs from the snapshot"
MISSING_FIELD = "a field of the snapshot is missing from the answer"
EXTRA_FIELD = "the answer has a field the snapshot lacks"


def shape_findings(expected: Any, observed: Any, root: str = "$", request_id: str = "") -> list[Finding]:
    """One finding per JSON path where `observed` departs from the stored shape `expected`."""
    found = [
        Finding(title, path, show(want), show(got), check=SNAPSHOT, request_id=request_id)
        for title, path, want, got in _differences(expected, observed, root)
    ]
    if len(found) > MAX_SNAPSHOT_FINDINGS:
        more = len(found) - MAX_SNAPSHOT_FINDINGS
        rest = Finding(f"... and {more} more differing paths", root, check=SNAPSHOT, request_id=request_id)
        found = [*found[:MAX_SNAPSHOT_FINDINGS], rest]
    return found


def _differences(expected: Any, observed: Any, path: str) -> Iterator[tuple[str, str, Any, Any]]:
    if isinstance(expected, dict) and isinstance(observed, dict):
        for key in sorted({*expected, *observed}, key=str):
            sub = f"{path}.{key}"
            if key not in observed:
                yield MISSING_FIELD, sub, expected[key], MISSING
            elif key not in expected:
                yield EXTRA_FIELD, sub, MISSING, observed[key]
            else:
                yield from _differences(expected[key], observed[key], sub)
    elif isinstance(expected, list) and isinstance(observed, list):
        yield from _list_differences(expected, observed, path)
    elif expected != observed:
        yield CHANGED, path, expected, observed


def _list_differences(expected: list[Any], observed: list[Any], path: str) -> Iterator[tuple[str, str, Any, Any]]:
    matcher = SequenceMatcher(a=[show(x) for x in expected], b=[show(x) for x in observed], autojunk=False)
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        if op == "equal":
            continue
        pairs = min(a1 - a0, b1 - b0)
        for i in range(pairs):  # a replaced run: compare item by item, where the observed item sits
            yield from _differences(expected[a0 + i], observed[b0 + i], f"{path}[{b0 + i}]")
        for i in range(a0 + pairs, a1):
            yield MISSING_FIELD, f"{path}[{b0 + pairs}]", expected[i], MISSING
        for i in range(b0 + pairs, b1):
            yield EXTRA_FIELD, f"{path}[{i}]", MISSING, observed[i]
