"""What a conformance run produced, as plain data: the input of every report writer.

The pytest plugin fills a `RunResults` as tests finish (in the controlling
process only, when xdist is used) and hands it to the writers at the end.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from chatconform.checks.finding import Finding

# pass: every check held. fail: a check found a departure. unsupported: the
# profile does not claim the feature, so it was not tested. policy: an
# ambiguous point where the target's behaviour is recorded, and it matched
# the profile's expectation (a mismatch is a fail). xfail: a known deviation
# declared by the run (e.g. a gateway's documented gap). error: the harness
# itself could not run the case, or the target could not be reached (a refused connection, a timeout
# before any byte): "could not test". not_run: the run was stopped before the case (a run-level bound,
# a breaker, the budget). inconclusive: a real model's legitimate choice left the case undecided (it did
# not call a tool that `auto` allowed it to skip); neither a pass nor a contract failure.
CaseOutcome = Literal["pass", "fail", "unsupported", "policy", "xfail", "error", "not_run", "inconclusive"]
Verdict = Literal["pass", "fail", "interrupted"]


@dataclass(frozen=True)
class PolicyObservation:
    """What the target did for one ambiguous point, versus what the profile expects."""

    name: str  # the profile policy key, e.g. "temperature_above_max"
    expected: str  # reject / clamp / ignore / support
    observed: str  # rejected / clamped / ignored / supported / other: <detail>
    matches: bool


@dataclass(frozen=True)
class FieldFate:
    """What became of one request field of CreateChatCompletionRequest (see chatconform.fields)."""

    field: str  # the property name, e.g. "seed"
    fate: str  # honoured / mapped / altered / dropped / rejected / failed / unknown
    expected: str  # what the profile's [fields] table says
    evidence: str  # what was seen: an effect, the upstream value, the status
    matches: bool


@dataclass(frozen=True)
class RequestRecord:
    """The request of a test's failing exchange, enough to repeat it (see `chatconform.report.curl`).

    Secrets never reach it: a credential header, or a header whose value was a registered secret, holds the
    mask (`chatconform.redact.MASK`) and is written as a shell variable when the request is shown."""

    method: str
    url: str
    headers: tuple[tuple[str, str], ...]  # as sent, names lower-case, secret values masked
    body: str  # the body as sent: JSON text, or base64 of bytes that are not UTF-8 text
    encoding: Literal["text", "base64"] = "text"
    truncated: bool = False  # the body was longer than the record keeps: a curl cannot repeat it


@dataclass(frozen=True)
class CaseResult:
    nodeid: str
    test: str  # the test function name, e.g. "test_stop"
    feature: str  # the feature marker, e.g. "streaming"; the report's matrix column
    model: str  # the model ID as sent, "" for model-independent cases
    outcome: CaseOutcome
    findings: tuple[Finding, ...] = ()
    policy: PolicyObservation | None = None
    fate: FieldFate | None = None
    detail: str = ""  # skip or error reason; already redacted
    request: RequestRecord | None = None  # the failing exchange's request, for a curl that repeats it
    duration_s: float = 0.0  # the test's call phase: shared fixtures' set-up is not counted
    cost_usd: float = 0.0  # from usage and the profile's prices
    attempts: int = 1  # more than one: the test was tried again after an inconclusive attempt
    measured: dict[str, float] = field(default_factory=dict)  # figures the test measured (Conform.measure)


@dataclass
class RunResults:
    run_id: str
    target: str  # base URL (never the key), or "built-in mock"
    profile: str
    started: str  # ISO 8601 UTC
    finished: str = ""
    is_mock: bool = False
    cases: list[CaseResult] = field(default_factory=list)
    estimated_cost_usd: float = 0.0
    interrupted: bool = False  # stopped by the user (Ctrl-C): the verdict is never "pass"
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def cost_usd(self) -> float:
        return sum(c.cost_usd for c in self.cases)

    @property
    def stale_deviations(self) -> list[str]:
        """Declared known deviations that explained no failure: the declaration is out of date."""
        return list((self.meta.get("known_deviations") or {}).get("no_longer_occurring") or [])

    @property
    def fields(self) -> dict[str, FieldFate]:
        """Each field-fate test's observation, by field name (the last one wins when a field has several)."""
        return {c.fate.field: c.fate for c in self.cases if c.fate is not None}

    @property
    def verdict(self) -> Verdict:
        if self.interrupted:
            return "interrupted"
        failed = any(c.outcome in ("fail", "error", "not_run") for c in self.cases)
        return "fail" if failed or self.stale_deviations else "pass"

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["cost_usd"] = round(self.cost_usd, 6)
        data["verdict"] = self.verdict
        return data
