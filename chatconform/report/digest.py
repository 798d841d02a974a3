"""What the human-readable reports say, computed once so Markdown and HTML say the same thing.

The writers only lay this out; deciding what a summary line, a failure or a
policy row contains happens here. Strings are raw (not yet redacted or
escaped): each writer applies its own format's escaping through `text`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, fields

from chatconform.checks.finding import Finding
from chatconform.report.causes import Cause, causes
from chatconform.report.matrix import ANY_MODEL, SEVERITY, Cell, Matrix, run_matrix
from chatconform.report.model import CaseOutcome, CaseResult, FieldFate, RunResults
from chatconform.report.normalise import path_shape
from chatconform.report.text import money
from chatconform.report.verdict import verdict_line

SYMBOL: dict[str, str] = {
    "fail": "✗",
    "error": "!",
    "not_run": "○",
    "inconclusive": "?",
    "xfail": "x",
    "policy": "◆",
    "pass": "✓",
    "unsupported": "–",
}
MEANING: dict[str, str] = {
    "fail": "the target departs from the contract or the profile",
    "error": "could not test: the target was unreachable, or the harness could not run the case",
    "not_run": "not run: the run was stopped before it (a time bound, a breaker, the budget)",
    "inconclusive": "a real model's legitimate choice left the case undecided (see its reason)",
    "xfail": "a known deviation declared for this run",
    "policy": "passed; an ambiguous point behaved as the profile says",
    "pass": "every check held",
    "unsupported": "the profile does not claim the feature; not tested",
}
NOT_RUN = "·"
# The sections of compat.md and compat.html after the verdict line, in order: each writer renders each.
SECTIONS = ("causes", "matrix", "summary", "measured", "fields", "deviations", "policies")
MEASURED_INTRO = (
    "Figures tests measured, beside the verdict (the checks decide it); a name ending in _ms is in milliseconds."
)
NO_CAUSES = "None: no test failed, and every test could be run."
CURL_HINT = "Each curl repeats its example's request: set {key} (and {header} for custom headers) first."


@dataclass(frozen=True)
class PolicyRow:
    name: str
    expected: str  # what the profile says: reject / clamp / ignore / support
    observed: str  # what the target did
    matches: bool
    models: tuple[str, ...]


@dataclass(frozen=True)
class DeviationGroup:
    """The xfail cases one declared reason explains, and the distinct findings they showed."""

    reason: str
    cases: tuple[CaseResult, ...]
    findings: tuple[Finding, ...]  # one example per check


@dataclass(frozen=True)
class Digest:
    title: str
    verdict: str  # the verdict line (see `verdict_line`)
    summary: list[tuple[str, str]]
    causes: list[Cause]
    matrix: Matrix
    policies: list[PolicyRow]
    deviations: list[DeviationGroup] = field(default_factory=list)
    fields: list[FieldFate] = field(default_factory=list)
    target: str = ""
    measured: list[tuple[str, dict[str, float]]] = field(default_factory=list)  # (test, its figures)


def digest(results: RunResults, found: list[Cause] | None = None) -> Digest:
    found = causes(results) if found is None else found
    return Digest(
        title=f"chatconform compatibility report: {results.profile} profile, {results.verdict.upper()}",
        verdict=verdict_line(results, found),
        summary=summary(results),
        causes=found,
        matrix=run_matrix(results),
        policies=policy_rows(results.cases),
        deviations=deviation_groups(results.cases),
        fields=sorted(results.fields.values(), key=lambda f: (f.matches, f.field)),
        target=results.target,
        measured=[(case_name(c), c.measured) for c in results.cases if c.measured],
    )


def deviation_groups(cases: list[CaseResult]) -> list[DeviationGroup]:
    """Known deviations (xfail cases), grouped by the reason the run declared for them, in order of first case."""
    grouped: dict[str, list[CaseResult]] = {}
    for case in cases:
        if case.outcome == "xfail":
            grouped.setdefault(case.detail, []).append(case)
    groups = []
    for reason, members in grouped.items():
        distinct: dict[str, Finding] = {}
        for finding in (f for c in members for f in c.findings):
            distinct.setdefault(finding.check, finding)
        groups.append(DeviationGroup(reason, tuple(members), tuple(distinct.values())))
    return groups


def summary(results: RunResults) -> list[tuple[str, str]]:
    estimate = money(results.estimated_cost_usd)
    if results.is_mock:
        estimate = (
            f"{estimate} at the profile's prices (the built-in mock charges nothing)"
            if results.estimated_cost_usd
            else "not estimated (built-in mock, nothing is charged)"
        )
    rows = [
        ("Target", results.target),
        ("Profile", results.profile),
        ("Verdict", results.verdict.upper()),
        ("Cases", counts_line(results.cases)),
        ("Cost of the run", f"{money(results.cost_usd)} (usage at the profile's prices)"),
        ("Estimated before the run", estimate),
        ("Run", results.run_id),
        ("Started", results.started),
        ("Finished", results.finished or "-"),
        ("Duration of the cases", f"{sum(c.duration_s for c in results.cases):.1f} s"),
    ]
    if results.stale_deviations:
        rows.insert(3, ("Known deviations that no longer occur", ", ".join(results.stale_deviations)))
    return rows + _meta_rows(results)


def _meta_rows(results: RunResults) -> list[tuple[str, str]]:
    # Only plain values the summary does not already show; lists, flags and
    # bookkeeping stay in compat.json.
    shown = {f.name for f in fields(RunResults)}
    return [
        (str(k), str(v))
        for k, v in sorted(results.meta.items())
        if k not in shown and isinstance(v, str | int | float) and not isinstance(v, bool)
    ]


def counts_line(cases: list[CaseResult]) -> str:
    counted = Counter(c.outcome for c in cases)
    parts = [f"{counted[o]} {o}" for o in SEVERITY if counted[o]]
    return f"{len(cases)} in all" + (": " + ", ".join(parts) if parts else "")


def cell_text(cell: Cell | None) -> str:
    """`✓ 4` when all four cases passed, `✗ 1/4` when one of four failed."""
    if cell is None:
        return NOT_RUN
    hits = cell.counts[cell.outcome]
    return f"{SYMBOL[cell.outcome]} {hits}" if hits == cell.total else f"{SYMBOL[cell.outcome]} {hits}/{cell.total}"


def case_name(case: CaseResult) -> str:
    """The test id without its file: `test_stop[claude-haiku-4-5-stream]`."""
    return case.nodeid.rsplit("::", 1)[-1]


def policy_rows(cases: list[CaseResult]) -> list[PolicyRow]:
    """One row per distinct (point, expectation, behaviour); the models that showed it are listed."""
    seen: dict[tuple[str, str, str, bool], list[str]] = {}
    for case in cases:
        if case.policy is not None:
            p = case.policy
            seen.setdefault((p.name, p.expected, p.observed, p.matches), []).append(case.model or ANY_MODEL)
    rows = [PolicyRow(n, e, o, m, tuple(sorted(set(models)))) for (n, e, o, m), models in seen.items()]
    return sorted(rows, key=lambda r: (r.name, r.matches, r.observed))


def models_text(row: PolicyRow, rows: list[PolicyRow]) -> list[str]:
    """The models of a policy row, or one phrase when every model tested at that point behaved alike."""
    same_point = [r for r in rows if r.name == row.name]
    if len(same_point) == 1 and len(row.models) > 2:
        return [f"all {len(row.models)} models tested"]
    return list(row.models)


def outcome_legend() -> list[tuple[CaseOutcome, str, str]]:
    return [(o, SYMBOL[o], MEANING[o]) for o in SEVERITY]


@dataclass(frozen=True)
class FunctionTests:
    """A cause's tests of one test function: `suites/test_stop.py::test_stop` and its parameter ids."""

    function: str
    params: tuple[str, ...]  # "" for an unparametrised test


def tests_by_function(cause: Cause) -> list[FunctionTests]:
    """A cause's tests by test function, in node id order: the compact per-test detail under a cause."""
    grouped: dict[str, list[str]] = {}
    for nodeid in cause.test_ids:
        function, _, param = nodeid.partition("[")
        grouped.setdefault(function, []).append(param.removesuffix("]"))
    return [FunctionTests(f, tuple(p)) for f, p in grouped.items()]


def evidence(cause: Cause) -> list[tuple[str, str]]:
    """The expected and observed values of a cause's example worth a line: none that is empty, and no
    observed that only repeats the title (an error's reason is both)."""
    ex = cause.example
    rows = [("expected", ex.expected)] if ex.expected else []
    if ex.observed and ex.observed.strip() != cause.title.strip():
        rows.append(("observed", ex.observed))
    return rows


def causes_intro(causes: list[Cause]) -> str:
    return f"{len(causes)} cause{'s' if len(causes) != 1 else ''}, most tests first."


def severity_word(cause: Cause) -> str:
    return {"fail": "departs from the contract", "error": "could not test", "inconclusive": "inconclusive"}.get(
        cause.severity, cause.severity
    )


def where_needed(causes: list[Cause]) -> dict[str, str]:
    """For causes that share their check and title with another (a stream and a whole answer), the JSON
    path that tells them apart in a one-line listing: cause id -> ` at <path>`."""
    seen = Counter((c.check, c.title) for c in causes)
    return {c.id: f" at {path_shape(c.example.path)}" for c in causes if seen[c.check, c.title] > 1}
