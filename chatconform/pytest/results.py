"""From pytest reports to `RunResults`: one `CaseResult` per test that carries a feature marker.

Each test's `CaseRecord` travels on its reports as plain data (the
`chatconform` attribute), which pytest-xdist serialises with the report, so
the controlling process can build the results whether or not tests ran in
workers. A test's phases (setup, call, teardown) are merged into one outcome.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import pytest

from chatconform.checks.comparisons import SDK_ERROR
from chatconform.checks.finding import Finding
from chatconform.features import FEATURES
from chatconform.pytest.conform import CaseRecord
from chatconform.pytest.evidence import sdk_failure
from chatconform.redact import redact
from chatconform.report.model import CaseOutcome, CaseResult, FieldFate, PolicyObservation, RequestRecord, RunResults

WIRE = "chatconform"  # the report attribute that carries a test's record
DETAIL_LIMIT = 500


# A test that asks for `conform` (how findings are recorded) takes part in the run and its report even
# without a feature marker. Only that name: `raw`, `profile` or `model` are common fixture names in projects
# that have nothing to do with chatconform, and their tests must not appear in a report.
FIXTURES = frozenset({"conform"})
UNMARKED = "other"  # the report column of a participating test without a feature marker


def feature_of(item: pytest.Item) -> str:
    """The test's report column: its feature marker, UNMARKED for a test that asks for `conform` without
    one, '' for a test that has nothing to do with chatconform (it is left out of the report)."""
    marked = next((m.name for m in item.iter_markers() if m.name in FEATURES), "")
    if marked:
        return marked
    return UNMARKED if FIXTURES & set(getattr(item, "fixturenames", ())) else ""


def model_of(item: pytest.Item) -> str:
    params: dict[str, Any] = getattr(getattr(item, "callspec", None), "params", {})
    value = params.get("model_id", params.get("model", ""))
    return value if isinstance(value, str) else ""


def wire(item: pytest.Item, record: CaseRecord) -> dict[str, Any]:
    """A record as plain data for the report."""
    return {
        "test": getattr(item, "originalname", item.name),
        "feature": feature_of(item),
        "model": model_of(item),
        "findings": [f.as_dict() for f in record.findings],
        "policy": asdict(record.policy) if record.policy else None,
        "fate": asdict(record.fate) if record.fate else None,
        "cost": record.cost_usd,
        "unsupported": record.unsupported,
        "inconclusive": record.inconclusive,
        "not_run": record.not_run,
        "attempts": record.attempts,
        "request": asdict(record.request) if record.request else None,
        "transport": record.transport,
        "measured": dict(record.measured),
    }


COULD_NOT_TEST = ("error", "E", "COULD NOT TEST")  # pytest's (category, letter, word) for such a test


def settle_exception(report: pytest.TestReport, call: pytest.CallInfo[None], record: CaseRecord) -> None:
    """An SDK (or httpx) exception ends the test in one line, never a library traceback: a finding
    (`sdk.error`) when the target answered, "could not test" when it could not be reached."""
    excinfo = call.excinfo
    if report.when != "call" or excinfo is None or record.transport or record.findings:
        return
    verdict = sdk_failure(excinfo.value)
    if verdict is None:
        return
    kind, line = verdict
    if kind == "error":
        record.transport = f"could not test: {line}"
    else:
        exc = excinfo.value
        title = f"the official SDK raised {type(exc).__module__.split('.')[0]}.{type(exc).__name__}"
        rid = str(getattr(exc, "request_id", "") or "")
        record.findings.append(Finding(title, "$", "a completed call", line, check=SDK_ERROR, request_id=rid))
    report.longrepr = record.transport or f"[{SDK_ERROR}] {line}"


def mark_could_not_test(item: pytest.Item, report: pytest.TestReport, record: CaseRecord) -> None:
    """Say "could not test" where JUnit would say "failed": JUnit has no error element for the call phase
    (its <error> means setup or teardown), so the test case carries a property saying so. JUnit writes
    the properties of the item as they are at teardown, hence the item, not this report."""
    if record.transport and report.failed and report.when == "call":
        item.user_properties.append(("chatconform_outcome", "could not test"))


def teststatus(report: pytest.TestReport) -> tuple[str, str, str] | None:
    data = getattr(report, WIRE, None)
    if isinstance(data, dict) and data.get("transport") and report.failed and report.when == "call":
        return COULD_NOT_TEST
    return None


@dataclass
class _Pending:
    data: dict[str, Any]
    reports: dict[str, pytest.TestReport] = field(default_factory=dict)
    duration: float = 0.0


class Collector:
    """Turns the stream of reports into cases, as each test's teardown arrives."""

    def __init__(self, results: RunResults) -> None:
        self.results = results
        self._pending: dict[str, _Pending] = {}

    def add(self, report: pytest.TestReport) -> None:
        data = getattr(report, WIRE, None)
        if not isinstance(data, dict) or not data.get("feature"):
            return
        pending = self._pending.setdefault(report.nodeid, _Pending(data))
        pending.data = data  # later phases carry the fuller record
        pending.reports[report.when] = report
        if report.when == "call":  # a session fixture's set-up (the mock, the SDK's import) is no test's time
            pending.duration += report.duration
        if report.when == "teardown":
            self._finish(report.nodeid)

    def expect(self, selected: list[tuple[str, str, str, str]]) -> None:
        """The selected tests (node id, test name, feature, model): any of them that never reports is `not_run`."""
        self._expected = {nodeid: (test, feature, model) for nodeid, test, feature, model in selected}

    def close(self, stopped: str = "") -> None:
        """Settle the tests whose teardown never arrived, and report the selected ones that never ran.
        `stopped` says why the run ended early (a bound, Ctrl-C); a test cut off by it did not run."""
        for nodeid in list(self._pending):
            if stopped and "call" not in self._pending[nodeid].reports:
                data = self._pending.pop(nodeid).data
                self._not_run(nodeid, data["test"], data["feature"], data["model"], stopped)
            else:
                self._finish(nodeid)
        reported = {c.nodeid for c in self.results.cases}
        for nodeid, (test, feature, model) in getattr(self, "_expected", {}).items():
            if nodeid not in reported:
                self._not_run(nodeid, test, feature, model, stopped or "the run ended before this test")

    def _not_run(self, nodeid: str, test: str, feature: str, model: str, reason: str) -> None:
        self.results.cases.append(CaseResult(nodeid, test, feature, model, "not_run", detail=redact(reason)))

    def _finish(self, nodeid: str) -> None:
        pending = self._pending.pop(nodeid)
        data = pending.data
        outcome, detail = _outcome(pending.reports, data)
        policy = data.get("policy")
        self.results.cases.append(
            CaseResult(
                nodeid=nodeid,
                test=data["test"],
                feature=data["feature"],
                model=data["model"],
                outcome=outcome,
                findings=tuple(Finding(**f) for f in data.get("findings", [])),
                policy=PolicyObservation(**policy) if policy else None,
                fate=FieldFate(**data["fate"]) if data.get("fate") else None,
                detail=detail,
                request=_request(data.get("request")),
                duration_s=round(pending.duration, 6),
                cost_usd=float(data.get("cost", 0.0)),
                attempts=int(data.get("attempts", 1)),
                measured={str(k): float(v) for k, v in data.get("measured", {}).items()},
            )
        )


def _outcome(reports: dict[str, pytest.TestReport], data: dict[str, Any]) -> tuple[CaseOutcome, str]:
    setup, call, teardown = reports.get("setup"), reports.get("call"), reports.get("teardown")
    if setup is not None and setup.failed:
        return "error", _detail(setup)
    skipped = next((r for r in (setup, call) if r is not None and r.skipped), None)
    if skipped is not None:
        if hasattr(skipped, "wasxfail"):
            return "xfail", redact(str(skipped.wasxfail))
        if data.get("inconclusive"):
            return "inconclusive", data["inconclusive"]
        if data.get("not_run"):
            return "not_run", data["not_run"]
        reason = _skip_reason(skipped)
        return "unsupported", data.get("unsupported") or f"skipped: {reason}"
    if call is not None and call.failed:
        if data.get("transport"):
            return "error", str(data["transport"])
        return "fail", "" if data.get("findings") else _detail(call)
    if teardown is not None and teardown.failed:
        return "error", _detail(teardown)
    if call is None:
        return "error", "the test did not run"
    return ("policy" if data.get("policy") else "pass"), ""


def _request(data: Any) -> RequestRecord | None:
    if not isinstance(data, dict):
        return None
    headers = tuple((str(k), str(v)) for k, v in data.get("headers", ()))
    return RequestRecord(**{**data, "headers": headers})


def _skip_reason(report: pytest.TestReport) -> str:
    longrepr = report.longrepr
    reason = longrepr[2] if isinstance(longrepr, tuple) and len(longrepr) == 3 else str(longrepr)
    return redact(str(reason).removeprefix("Skipped: "))


def _detail(report: pytest.TestReport) -> str:
    crash = getattr(report.longrepr, "reprcrash", None)
    text = getattr(crash, "message", None) or report.longreprtext
    text = redact(str(text))
    return text if len(text) <= DETAIL_LIMIT else text[: DETAIL_LIMIT - 3] + "..."
