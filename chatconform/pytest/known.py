"""Known deviations in a pytest run: a failure the declared deviations explain becomes xfail, a test they
name that passes fails as XPASS(strict), and a deviation with checks that explained nothing in the run
no longer occurs, which fails the run (the declaration is out of date). The file format and the matching
are `chatconform.deviations`; this is only how a run applies them and counts what they did.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from chatconform.deviations import Deviations, DeviationVerdict
from chatconform.report.model import RunResults


@dataclass
class KnownDeviations:
    deviations: Deviations
    matched: set[str] = field(default_factory=set)  # entry ids that matched a test (controller only)
    used: dict[str, int] = field(default_factory=dict)  # entry id -> failures it explained
    stale: list[str] = field(default_factory=list)

    def judge(self, nodeid: str, report: pytest.TestReport, checks: list[str]) -> dict[str, list[str]]:
        """Turn an explained failure into xfail and a named pass into XPASS(strict); what matched, for the wire."""
        if not self.deviations or report.skipped:
            return {}
        verdict: DeviationVerdict = self.deviations.judge(nodeid, report.failed, checks)
        entries = self.deviations.by_id
        if report.failed and verdict.used:
            report.outcome = "skipped"
            report.wasxfail = verdict.reason(entries, verdict.used)
        elif report.passed and verdict.xpassed:
            report.outcome = "failed"
            report.longrepr = "[XPASS(strict)] " + verdict.reason(entries, verdict.xpassed) + " (it passed: remove it)"
        return {"matched": list(verdict.matched), "used": list(verdict.used)}

    def count(self, judged: dict[str, Any]) -> None:
        self.matched.update(judged.get("matched", ()))
        for entry in judged.get("used", ()):
            self.used[entry] = self.used.get(entry, 0) + 1

    def settle(self, session: pytest.Session, results: RunResults) -> None:
        """Record what the deviations explained; one that no longer occurs fails a run that passed."""
        if not self.deviations:
            return
        self.stale = [d.id for d in self.deviations.stale(self.matched, set(self.used))]
        results.meta["known_deviations"] = {
            "file": self.deviations.source,
            "xfailed": dict(self.used),
            "no_longer_occurring": self.stale,
        }
        if self.stale and session.exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def stale_lines(self) -> list[str]:
        return [
            f"FAILED {self.deviations.by_id[name].label()}: it no longer occurs (no failure it explains); "
            f"remove it from {self.deviations.source}"
            for name in self.stale
        ]
