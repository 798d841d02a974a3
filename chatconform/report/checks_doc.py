"""Generate docs/checks.md from the check registry: `python -m chatconform.report.checks_doc > docs/checks.md`.

The registry is the single source of the check vocabulary; the doc is
regenerated from it (a test fails when the committed copy is stale), never
edited by hand.
"""

from __future__ import annotations

import sys
from itertools import groupby

import chatconform.checks.adapter  # noqa: F401  (registers the adapter's names: shapes.snapshot, sdk.error)
from chatconform.checks.registry import Check, all_checks
from chatconform.report.matrix import FEATURE_ORDER

COMMAND = "python -m chatconform.report.checks_doc > docs/checks.md"


def render(checks: list[Check] | None = None) -> str:
    checks = sorted(checks if checks is not None else all_checks(), key=_order)
    lines = [
        "# Checks",
        "",
        f"<!-- Generated from the check registry by `{COMMAND}`; do not edit by hand. -->",
        "",
        "A check reads one exchange (request, status, headers, body or stream events) and reports each departure",
        "as a finding: the check's name, a title, the JSON path, expected versus observed, and the request id.",
        "The names below are what failures, compat.md and compat.json show. Checks are grouped by the feature",
        "(the matrix column of the compatibility report) they belong to.",
        "",
        "- **expects**: the expectations a test may give the check (`conform.check(ex, name, text=...)`); a `*`",
        "  marks one it cannot do without. Any other name is an error at the call.",
        "- **after**: the check's precondition. When that gate check finds something, this one adds nothing, so",
        "  a failed request is one finding, not one per check. `answer` means `response.ok`, or",
        "  `stream.content_type` when the request asked for a stream.",
        "- **tolerates**: what a correct gateway, or a real model behind it, may do differently without failing.",
        "- A name marked *comparison* is reported by a test through `conform.expect_equal` (an SDK's parsed",
        "  object, two answers); it reads no exchange.",
        "",
        f"{len(checks)} checks:",
        "",
    ]
    groups = [(feature, list(group)) for feature, group in groupby(checks, key=lambda c: c.feature)]
    lines += [f"- [{feature}](#{feature}): {len(group)}" for feature, group in groups]
    for feature, group in groups:
        lines += ["", f"## {feature}", "", "| check | what it verifies | expects | after | tolerates |"]
        lines += ["|---|---|---|---|---|"]
        lines += [_row(c) for c in group]
    return "\n".join(lines) + "\n"


def _order(c: Check) -> tuple[int, str, str]:
    known = c.feature in FEATURE_ORDER
    return (FEATURE_ORDER.index(c.feature) if known else len(FEATURE_ORDER), c.feature, c.name)


def _row(c: Check) -> str:
    expects = ", ".join([f"`{n}`*" for n in c.needs] + [f"`{n}`" for n in c.reads])
    gate = "answer" if callable(c.gate) else (f"`{c.gate}`" if c.gate else "")
    summary = _cell(c.summary) + (" *(comparison)*" if c.is_comparison else "")
    return f"| `{c.name}` | {summary} | {expects} | {gate} | {_cell(c.tolerates)} |"


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


if __name__ == "__main__":
    sys.stdout.write(render())
