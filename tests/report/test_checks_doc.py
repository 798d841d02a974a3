"""docs/checks.md is generated from the check registry and must match it."""

from __future__ import annotations

from pathlib import Path

from chatconform.checks.expect import Expect
from chatconform.checks.finding import Finding
from chatconform.checks.registry import Check, all_checks
from chatconform.exchange import Exchange
from chatconform.report.checks_doc import COMMAND, render

DOC = Path(__file__).resolve().parents[2] / "docs" / "checks.md"


def test_committed_doc_is_up_to_date() -> None:
    assert DOC.is_file(), f"docs/checks.md is missing; create it with: {COMMAND}"
    assert DOC.read_text(encoding="utf-8") == render(), f"docs/checks.md is out of date; refresh it with: {COMMAND}"


def test_every_registered_check_has_a_row() -> None:
    text = render()
    for c in all_checks():
        assert f"| `{c.name}` |" in text, c.name


def test_checks_are_grouped_by_feature_in_report_order() -> None:
    def noop(ex: Exchange, expect: Expect) -> list[Finding]:
        return []

    checks = [
        Check("z.one", "zeta", "unknown feature", noop),
        Check("s.two", "streaming", "has a | pipe", noop),
        Check("b.one", "basic", "first", noop),
        Check("s.one", "streaming", "second", noop),
    ]
    text = render(checks)
    assert [line for line in text.splitlines() if line.startswith("## ")] == ["## basic", "## streaming", "## zeta"]
    assert text.index("`s.one`") < text.index("`s.two`")
    assert "| `s.two` | has a \\| pipe |" in text
    assert "4 checks:" in text
