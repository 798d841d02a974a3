"""Causes: a run's findings grouped by what went wrong, not by which test saw it.

One bug in a gateway fails hundreds of tests; a report that lists the tests
buries the bug. A *departure* is one check's finding with its volatile parts
masked (see `normalise`): the check, title, JSON path, expected and observed
value. Every finding with the same departure belongs to one cause, whatever
the test or the model. Its id is a short hash of the departure, so the same
departure has the same id in every run (`chatconform diff` relies on it).

The precise finding leads. A check that `subsumes` generic ones (the
finish_reason checks subsume the schema checks) judges a field's value by
itself; when it rejects the value outright (its expected names the allowed
set, not one value), every other finding at the same field with the same
observed value is that departure seen from elsewhere: a schema check, an
SDK comparison, a snapshot, a check that wanted another finish_reason. Those
findings join its cause (listed as "also seen as") instead of standing as
causes of their own. A generic check's finding joins the check that subsumes
it at the same field and value in any case, across tests as within one
exchange.

Tests that failed without a finding still count: an error (could not test,
the harness broke), an inconclusive case, an assertion in a test's own code;
each is grouped by its reason's first line.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from chatconform.checks import registry
from chatconform.checks.finding import Finding
from chatconform.report.curl import curl_command
from chatconform.report.model import CaseResult, RunResults
from chatconform.report.normalise import Normaliser, names_one_value, path_shape, value_key

SEVERITY = ("fail", "error", "inconclusive")  # a cause's severity is the outcome of the tests it touches
TRANSPORT, HARNESS, ASSERTION, INCONCLUSIVE = "transport", "harness", "assertion", "inconclusive"
PSEUDO_CHECKS = frozenset({TRANSPORT, HARNESS, ASSERTION, INCONCLUSIVE})  # outcomes without a check's finding
Key = tuple[str, str, str, str, str]  # check, title, path, expected, observed (all normalised)
# How a field-fate or policy probe writes a 5xx answer: "failed: 500: {...}", "other: status 500".
_SERVER_ERROR = re.compile(r"^(?:failed: |other: status )(5\d\d)\b")


@dataclass(frozen=True)
class Example:
    """One sighting of a cause in full: enough to show a vendor, and to repeat."""

    test: str  # the node id
    model: str
    request_id: str
    title: str
    path: str
    expected: str
    observed: str
    curl: str  # "" when the test's request was not recorded (an SDK call, a harness error)

    def as_dict(self) -> dict[str, str]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class Joined:
    check: str
    title: str
    tests: int


@dataclass(frozen=True)
class Cause:
    id: str
    check: str
    title: str
    severity: str
    test_ids: tuple[str, ...]  # node ids, sorted
    models: tuple[str, ...]
    example: Example
    joined: tuple[Joined, ...] = ()  # other checks' findings this cause explains

    @property
    def tests(self) -> int:
        return len(self.test_ids)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "check": self.check,
            "title": self.title,
            "severity": self.severity,
            "tests": self.tests,
            "models": list(self.models),
            "example": self.example.as_dict(),
            "also_seen_as": [j.__dict__ for j in self.joined],
            "test_ids": list(self.test_ids),
        }


@dataclass
class _Group:
    key: Key
    severity: str
    sightings: list[tuple[CaseResult, Finding]] = field(default_factory=list)
    joined: list[_Group] = field(default_factory=list)

    @property
    def check(self) -> str:
        return self.key[0]

    def nodeids(self) -> set[str]:
        return {c.nodeid for c, _ in self.sightings}


def causes(results: RunResults) -> list[Cause]:
    """The causes of a run, most tests first."""
    normalise = Normaliser(_model_names(results))
    groups: dict[Key, _Group] = {}
    for case in results.cases:
        for severity, finding in _sightings(case):
            key = _key(finding, normalise)
            groups.setdefault(key, _Group(key, severity)).sightings.append((case, finding))
    rank = _model_rank(results)
    built = [_cause(g, rank) for g in _join(list(groups.values()))]
    return sorted(built, key=lambda c: (-c.tests, SEVERITY.index(c.severity), c.check, c.id))


def cause_id(key: Key) -> str:
    return hashlib.sha256("\x1f".join(key).encode()).hexdigest()[:8]


def _sightings(case: CaseResult) -> list[tuple[str, Finding]]:
    """What a case contributes: its findings when it failed, else one pseudo-finding for its reason."""
    if case.outcome == "fail":
        if case.findings:
            return [("fail", f) for f in case.findings]
        return [("fail", Finding(_first_line(case.detail) or "the test failed", check=ASSERTION))]
    if case.outcome == "error":
        check = TRANSPORT if case.detail.startswith("could not test") else HARNESS
        return [("error", Finding(_first_line(case.detail) or "the test could not run", check=check))]
    if case.outcome == "inconclusive":
        return [("inconclusive", Finding(_first_line(case.detail) or "undecided", check=INCONCLUSIVE))]
    return []


def _key(f: Finding, normalise: Normaliser) -> Key:
    value = normalise.value
    return (f.check, normalise.title(f.title), path_shape(f.path), value(f.expected), value(f.observed))


def _join(groups: list[_Group]) -> list[_Group]:
    """Move each group that a leading group explains into it; return the groups that remain causes."""
    leaders = [g for g in groups if _subsumes(g.check)]
    remaining = []
    for group in groups:
        leader = None if group in leaders else _leader_for(group, leaders)
        if leader is None:
            remaining.append(group)
        else:
            leader.joined.append(group)
    return _join_server_errors(remaining)


def _join_server_errors(groups: list[_Group]) -> list[_Group]:
    """A field or policy probe answered with a 5xx is the target's server error for that input, not a
    fate or a policy of its own: such probes join error.status's cause for the same status, or, when no
    error test saw it, the probe group with the most tests. One 500 for every unsupported field is one
    departure, not one per field."""
    by_status: dict[str, list[_Group]] = {}
    for group in groups:
        if status := _probe_server_error(group):
            by_status.setdefault(status, []).append(group)
    joined: set[int] = set()
    for status, probes in by_status.items():
        errors = [g for g in groups if g.check == "error.status" and _observed(g).startswith(status + " ")]
        ranked = sorted(probes, key=lambda g: (-len(g.nodeids()), g.key))
        leader = max(errors, key=lambda g: (len(g.nodeids()), g.key)) if errors else ranked[0]
        for probe in ranked:
            if probe is not leader:
                leader.joined.append(probe)
                joined.add(id(probe))
    return [g for g in groups if id(g) not in joined]


def _probe_server_error(group: _Group) -> str:
    """The 5xx status a fields.fate or policy finding observed ("" for any other finding)."""
    if group.check != "fields.fate" and not group.check.startswith("policy."):
        return ""
    found = _SERVER_ERROR.match(_observed(group))
    return found.group(1) if found else ""


def _observed(group: _Group) -> str:
    """The observed value of a group's first finding, as the check wrote it (before any masking)."""
    return group.sightings[0][1].observed.strip('"')


def _leader_for(group: _Group, leaders: list[_Group]) -> _Group | None:
    _, _, path, _, observed = group.key
    site = (path, value_key(observed))
    fitting = [
        leader
        for leader in leaders
        if (leader.key[2], value_key(leader.key[4])) == site
        and (group.check in _subsumes(leader.check) or not names_one_value(leader.sightings[0][1].expected))
    ]
    return max(fitting, key=lambda g: (len(g.nodeids()), g.key), default=None)


def _subsumes(check: str) -> tuple[str, ...]:
    try:
        return registry.get(check).subsumes
    except KeyError:  # a pseudo-check (transport, assertion, ...) or a name from an older run
        return ()


def _cause(group: _Group, rank: dict[str, int]) -> Cause:
    members = [*group.sightings, *(s for g in group.joined for s in g.sightings)]
    models = sorted({c.model for c, _ in members if c.model}, key=lambda m: (rank.get(m, len(rank)), m))
    case, finding = _example_sighting(group.sightings)
    return Cause(
        id=cause_id(group.key),
        check=group.check,
        title=finding.title,
        severity=group.severity,
        test_ids=tuple(sorted({c.nodeid for c, _ in members})),  # sorted: the same run order every time
        models=tuple(models),
        example=_example(case, finding),
        joined=_joined(group.joined),
    )


def _joined(groups: list[_Group]) -> tuple[Joined, ...]:
    """The other checks' findings a cause explains, one entry per check and title, most tests first."""
    tests: dict[tuple[str, str], set[str]] = {}
    for g in groups:
        tests.setdefault((g.check, g.sightings[0][1].title), set()).update(g.nodeids())
    entries = [Joined(check, title, len(ids)) for (check, title), ids in tests.items()]
    return tuple(sorted(entries, key=lambda j: (-j.tests, j.check, j.title)))


def _example_sighting(sightings: Sequence[tuple[CaseResult, Finding]]) -> tuple[CaseResult, Finding]:
    """The first sighting that can be repeated (its request was kept), else the first."""
    return next(((c, f) for c, f in sightings if c.request is not None and not c.request.truncated), sightings[0])


def _example(case: CaseResult, f: Finding) -> Example:
    curl = curl_command(case.request) if case.request is not None else ""
    expected, observed = f.expected, f.observed
    if f.check in PSEUDO_CHECKS:
        expected, observed = "", case.detail
    return Example(case.nodeid, case.model, f.request_id, f.title, f.path, expected, observed, curl)


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")[:300]


def _model_names(results: RunResults) -> Iterable[str]:
    listed = results.meta.get("models")
    yield from (str(m) for m in listed) if isinstance(listed, list | tuple) else ()
    yield from (c.model for c in results.cases)


def _model_rank(results: RunResults) -> dict[str, int]:
    listed = results.meta.get("models")
    return {str(m): i for i, m in enumerate(listed)} if isinstance(listed, list | tuple) else {}
