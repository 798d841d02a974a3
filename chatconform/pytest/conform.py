"""`Conform`: how a suite applies checks and records what it saw, one per test.

A failed check fails the test at once, with every finding rendered the way
schemathesis renders them (title, expected versus observed, JSON path,
request id). Findings, policy observations, skips for unclaimed features and
the cost of each exchange go into the test's `CaseRecord`, which the plugin
turns into the compatibility report; so does the failing exchange's request
(see `evidence`), for the curl that repeats it.

An exchange that got no answer at all (the connection failed, or no byte came
before the deadline) is not judged by the checks: the test ends as "could not
test" with what the transport saw. Because the first failing call ends the
test, nothing a later call would have found can pile up behind it: a test
reports one departure, never its knock-on effects.

Every name and expectation a test passes is checked at the call: an
unregistered check, a comparison name nobody registered, an unknown or
unread expectation, an unknown feature or policy is a `TypeError`/`KeyError`
in the test, never a check that finds nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NoReturn

import pytest

from chatconform import features
from chatconform.answer import delivered_usage, requested_model
from chatconform.checks import registry
from chatconform.checks.finding import Finding, show
from chatconform.checks.shape_diff import SNAPSHOT, shape_findings
from chatconform.cost import usage_cost
from chatconform.exchange import Exchange
from chatconform.fields import FATES, consistent, field_names
from chatconform.profile import OBSERVED_AS, POLICY_POINTS, Profile
from chatconform.pytest import evidence, snapshot
from chatconform.redact import redact
from chatconform.report.model import FieldFate, PolicyObservation, RequestRecord
from chatconform.wire import billable


class Inconclusive(pytest.skip.Exception):  # type: ignore[name-defined,misc]
    """A real model's legitimate choice left the test undecided: reported as `inconclusive`, and the
    plugin may try the test again (`--retries-inconclusive`); a contract failure is never retried."""


@dataclass
class CaseRecord:
    """Everything one test recorded; plain data, so it crosses xdist's wire."""

    findings: list[Finding] = field(default_factory=list)
    policy: PolicyObservation | None = None
    fate: FieldFate | None = None  # set by a field-fate test (chatconform.fields)
    cost_usd: float = 0.0
    requests: int = 0  # requests priced (raw exchanges and SDK calls)
    tokens: tuple[int, int] = (0, 0)  # (prompt, completion) reported by the target, summed
    unsupported: str = ""
    inconclusive: str = ""  # why the last attempt was undecided
    not_run: str = ""  # why the run stopped before this test
    attempts: int = 1  # how many times the test ran (more than once only after an inconclusive attempt)
    request: RequestRecord | None = None  # the request of the exchange that failed the test
    transport: str = ""  # set when the target could not be tested: what the transport saw, in one line
    measured: dict[str, float] = field(default_factory=dict)  # figures the test measured, for the report
    # Exchanges already priced, kept alive so their ids stay unique for the test's lifetime.
    _priced: dict[int, Exchange] = field(default_factory=dict, repr=False)

    def price(self, ex: Exchange, profile: Profile) -> None:
        """Add an exchange's cost once, however often it is seen."""
        if id(ex) in self._priced:
            return
        self._priced[id(ex)] = ex
        self.add_usage(profile, requested_model(ex), delivered_usage(ex))

    def add_usage(self, profile: Profile, model: str, usage: Any) -> None:
        """Count one request and what its usage costs (nothing when it reported none)."""
        prompt, completion = billable(usage) or (0, 0)
        self.requests += 1
        self.tokens = (self.tokens[0] + prompt, self.tokens[1] + completion)
        self.cost_usd += usage_cost(profile, model, usage)

    def last_exchange(self) -> Exchange | None:
        """The latest exchange the test sent through the raw client (they are all priced), if any."""
        return next(reversed(self._priced.values()), None)

    def release(self) -> None:
        self._priced.clear()

    def retry(self) -> None:
        """Forget the undecided attempt's observations before the next one (its cost stays: it was spent)."""
        self.findings, self.policy, self.fate, self.inconclusive = [], None, None, ""
        self.attempts += 1


class Conform:
    def __init__(
        self, profile: Profile, record: CaseRecord | None = None, *, secret_headers: tuple[str, ...] = ()
    ) -> None:
        self.profile = profile
        self.record = record if record is not None else CaseRecord()
        self.secret_headers = secret_headers  # names of the run's custom headers: their values never show

    def check(self, ex: Exchange, *names: str, **expect: Any) -> None:
        """Run the named checks on `ex` with these expectations; fail the test with every finding if any,
        or end it as "could not test" when the exchange got no answer at all."""
        if not names:
            raise ValueError("conform.check needs at least one check name")
        expectations = registry.expectations_for(names, expect, self.profile)
        self.record.price(ex, self.profile)
        if problem := evidence.transport_failure(ex):
            self.record.transport = problem
            self.record.request = evidence.request_record(ex, self.secret_headers)
            pytest.fail(problem, pytrace=False)
        found = registry.run(ex, names, expectations)
        departures = [f for f in found if not f.inconclusive or self.profile.expect.exact_answers]
        if departures:
            self._fail(departures, _heading(ex, len(departures)), ex)
        if found:
            self._undecided(found, ex)

    def match_snapshot(self, snap: Any, observed: Any, *, ex: Exchange | None = None, root: str = "$") -> None:
        """Compare `observed` with syrupy's `snapshot` fixture; a mismatch fails the test with one
        `shapes.snapshot` finding per JSON path that differs (paths start at `root`)."""
        matched, stored = snapshot.compare(snap, observed)
        if matched:
            return
        rid = ex.request_id if ex is not None else ""
        if stored is snapshot.UNREADABLE:
            title = "no readable snapshot is stored for this answer (refresh with --snapshot-update)"
            found = [Finding(title, root, "a stored snapshot", show(observed), check=SNAPSHOT, request_id=rid)]
        else:
            found = shape_findings(stored, observed, root, rid)
        self._fail(found, f"the answer's shape is not the snapshot's: {len(found)} differing path(s)", ex)

    def expect_equal(
        self, check: str, expected: Any, observed: Any, *, title: str, path: str = "$", request_id: str = ""
    ) -> None:
        """A one-off comparison (e.g. on an SDK object) reported like a check finding; `check` must be a
        registered name (see chatconform.checks.comparisons)."""
        registry.get(check)
        if expected == observed:
            return
        finding = Finding(title, path, _text(expected), _text(observed), check=check, request_id=request_id)
        self._fail([finding], "1 finding")

    def record_usage(self, model: str, usage: Any) -> None:
        """Price one request made outside the raw client (an SDK call)."""
        self.record.add_usage(self.profile, model, usage)

    def observe_policy(self, name: str, observed: str) -> None:
        """Record what the target did for an ambiguous point; fail when the profile expects otherwise."""
        if name not in POLICY_POINTS:
            raise KeyError(f"unknown policy point {name!r}{features.nearest(name, POLICY_POINTS)}")
        if observed not in OBSERVED_AS.values() and not observed.startswith("other:"):
            raise ValueError(
                f"observed must be one of {sorted(OBSERVED_AS.values())} or 'other: ...', got {observed!r}"
            )
        expected = self.profile.policy(name)
        wanted = OBSERVED_AS.get(expected, expected)
        observation = PolicyObservation(name, expected, observed, matches=observed == wanted)
        self.record.policy = observation
        if not observation.matches:
            title = f"policy {name}: the profile says {expected}, the target behaved otherwise"
            self._fail([Finding(title, "$", wanted, observed, check=f"policy.{name}")], "1 finding")

    def measure(self, **figures: float) -> None:
        """Figures this test measured (e.g. the delay a gateway adds), shown in the report's "Measured"
        table; they never decide the outcome (a check does that)."""
        self.record.measured.update({name: round(float(value), 3) for name, value in figures.items()})

    def observe_fate(self, field: str, fate: str, evidence: str) -> None:
        """Record what became of a request field; fail when the profile's [fields] table expects otherwise."""
        if field not in field_names():
            raise KeyError(f"unknown request field {field!r}{features.nearest(field, field_names())}")
        if fate not in FATES:
            raise ValueError(f"fate must be one of {', '.join(FATES)}, got {fate!r}")
        expected = self.profile.field_fate(field)
        matches = consistent(fate, expected)
        self.record.fate = FieldFate(field, fate, expected, redact(evidence), matches)
        if not matches:
            title = f"field {field}: the profile expects it {expected}, the target's answer shows it {fate}"
            self._fail(
                [Finding(title, f"$.{field}", expected, f"{fate}: {evidence}", check="fields.fate")], "1 finding"
            )

    def unsupported(self, reason: str) -> NoReturn:
        """Skip the test, reported as unsupported: the profile does not claim `reason` (a feature or policy)."""
        self.record.unsupported = f"profile {self.profile.name} does not claim {reason}"
        pytest.skip(f"unsupported: {self.record.unsupported}")

    def not_offered(self, what: str) -> NoReturn:
        """Skip the test, reported as unsupported: the target showed it does not offer `what`, an optional
        extension the contract leaves out (e.g. passing prompt caching on), so there is nothing to judge."""
        self.record.unsupported = f"the target does not offer {what}"
        pytest.skip(f"unsupported: {self.record.unsupported}")

    def requires(self, claim: str) -> None:
        """Skip as unsupported unless the profile claims `claim` (a name of `chatconform.features.CLAIMS`)."""
        features.check_claim(claim)
        if not self.profile.claims(claim):
            self.unsupported(claim)

    def _undecided(self, found: list[Finding], ex: Exchange) -> NoReturn:
        """Every finding is a model's legitimate choice: the test is inconclusive, never a pass or a failure."""
        self.record.findings.extend(found)
        reason = "; ".join(f"[{f.check}] {f.title}" for f in found) + f" (request {ex.request_id})"
        self.record.inconclusive = redact(reason)
        raise Inconclusive(f"inconclusive: {self.record.inconclusive}", allow_module_level=False)

    def _fail(self, found: list[Finding], heading: str, ex: Exchange | None = None) -> NoReturn:
        self.record.findings.extend(found)
        # A comparison or a policy has no exchange of its own: the last one the test sent is what to repeat.
        ex = ex if ex is not None else self.record.last_exchange()
        if ex is not None:
            self.record.request = evidence.request_record(ex, self.secret_headers)
        text = "\n".join([heading, *(f.render() for f in found)])
        pytest.fail(redact(text), pytrace=False)


def _heading(ex: Exchange, count: int) -> str:
    status = ex.status if ex.status is not None else (ex.error or "no response")
    noun = "finding" if count == 1 else "findings"
    return f"{count} {noun} for {ex.method} {ex.url} -> {status} (request {ex.request_id})"


def _text(value: Any) -> str:
    return value if isinstance(value, str) else show(value)
