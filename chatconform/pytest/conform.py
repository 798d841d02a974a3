"""`Conform`: how a suite applies checks and records what it saw, one per test.

A failed check fails the test at once, with every finding rendered the way
schemathesis renders them (title, expected versus observed, JSON path,
request id). Findings, policy observations, skips for unclaimed features and
the cost of each exchange go into the test's `CaseRecord`, which the plugin
turns into the compatibility report.

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
from chatconform.cost import usage_cost
from chatconform.exchange import Exchange
from chatconform.fields import FATES, consistent, field_names
from chatconform.profile import OBSERVED_AS, POLICY_POINTS, Profile
from chatconform.redact import redact
from chatconform.report.model import FieldFate, PolicyObservation


@dataclass
class CaseRecord:
    """Everything one test recorded; plain data, so it crosses xdist's wire."""

    findings: list[Finding] = field(default_factory=list)
    policy: PolicyObservation | None = None
    fate: FieldFate | None = None  # set by a field-fate test (chatconform.fields)
    cost_usd: float = 0.0
    unsupported: str = ""
    # Exchanges already priced, kept alive so their ids stay unique for the test's lifetime.
    _priced: dict[int, Exchange] = field(default_factory=dict, repr=False)

    def price(self, ex: Exchange, profile: Profile) -> None:
        """Add an exchange's cost once, however often it is seen."""
        if id(ex) in self._priced:
            return
        self._priced[id(ex)] = ex
        self.cost_usd += usage_cost(profile, requested_model(ex), delivered_usage(ex))

    def release(self) -> None:
        self._priced.clear()


class Conform:
    def __init__(self, profile: Profile, record: CaseRecord | None = None) -> None:
        self.profile = profile
        self.record = record if record is not None else CaseRecord()

    def check(self, ex: Exchange, *names: str, **expect: Any) -> None:
        """Run the named checks on `ex` with these expectations; fail the test with every finding if any."""
        if not names:
            raise ValueError("conform.check needs at least one check name")
        expectations = registry.expectations_for(names, expect, self.profile)
        self.record.price(ex, self.profile)
        found = registry.run(ex, names, expectations)
        if found:
            self._fail(found, _heading(ex, len(found)))

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
        self.record.cost_usd += usage_cost(self.profile, model, usage)

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

    def requires(self, claim: str) -> None:
        """Skip as unsupported unless the profile claims `claim` (a name of `chatconform.features.CLAIMS`)."""
        features.check_claim(claim)
        if not self.profile.claims(claim):
            self.unsupported(claim)

    def _fail(self, found: list[Finding], heading: str) -> NoReturn:
        self.record.findings.extend(found)
        text = "\n".join([heading, *(f.render() for f in found)])
        pytest.fail(redact(text), pytrace=False)


def _heading(ex: Exchange, count: int) -> str:
    status = ex.status if ex.status is not None else (ex.error or "no response")
    noun = "finding" if count == 1 else "findings"
    return f"{count} {noun} for {ex.method} {ex.url} -> {status} (request {ex.request_id})"


def _text(value: Any) -> str:
    return value if isinstance(value, str) else show(value)
