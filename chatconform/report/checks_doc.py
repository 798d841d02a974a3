"""Generate docs/checks.md from the check registry: `python -m chatconform.report.checks_doc > docs/checks.md`.

The registry is the single source of the check vocabulary; the doc is
regenerated from it (a test fails when the committed copy is stale), never
edited by hand.
"""

from __future__ import annotations

import sys
from itertools import groupby

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
        f"{len(checks)} checks:",
        "",
    ]
    groups = [(feature, list(group)) for feature, group in groupby(checks, key=lambda c: c.feature)]
    lines += [f"- [{feature}](#{feature}): {len(group)}" for feature, group in groups]
    for feature, group in groups:
        lines += ["", f"## {feature}", "", "| check | what it verifies |", "|---|---|"]
        lines += [f"| `{c.name}` | {_cell(c.summary)} |" for c in group]
    return "\n".join(lines) + "\n"


def _order(c: Check) -> tuple[int, str, str]:
    known = c.feature in FEATURE_ORDER
    return (FEATURE_ORDER.index(c.feature) if known else len(FEATURE_ORDER), c.feature, c.name)


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


if __name__ == "__main__":
    sys.stdout.write(render())
