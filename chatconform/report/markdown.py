"""compat.md: the compatibility report as GitHub-flavoured Markdown.

Target-provided text goes into code spans or backslash-escaped prose (see
`text`), so a hostile answer can neither break a table nor inject markup.
"""

from __future__ import annotations

from chatconform.checks.finding import Finding
from chatconform.report.digest import (
    NOT_RUN,
    SYMBOL,
    DeviationGroup,
    Digest,
    PolicyRow,
    case_name,
    cell_text,
    models_text,
    outcome_legend,
)
from chatconform.report.model import CaseResult
from chatconform.report.text import md, md_block, md_code, value

DEVIATION_CASES_SHOWN = 8


def render_markdown(d: Digest) -> str:
    sections = [f"# {md(d.title)}", _summary(d), _matrix(d), _failures(d), _deviations(d), _policies(d)]
    return "\n\n".join(filter(None, sections)) + "\n"


def _summary(d: Digest) -> str:
    rows = "\n".join(f"| {md(k)} | {md(v)} |" for k, v in d.summary)
    return "## Summary\n\n| | |\n|---|---|\n" + rows


def _matrix(d: Digest) -> str:
    m = d.matrix
    if not m.models:
        return "## Model × feature matrix\n\nNo cases ran."
    header = "| model | " + " | ".join(md(f) for f in m.features) + " |"
    rule = "|---|" + "---|" * len(m.features)
    body = [
        f"| {md_code(model, in_table=True)} | " + " | ".join(cell_text(m.cell(model, f)) for f in m.features) + " |"
        for model in m.models
    ]
    note = "Each cell shows the worst outcome of its cases and how many cases had it (`✗ 1/4`: one of four failed):"
    legend = [f"- {sym} {o}: {meaning}" for o, sym, meaning in outcome_legend()] + [f"- {NOT_RUN} not run"]
    return "\n".join(["## Model × feature matrix", "", header, rule, *body, "", note, "", *legend])


def _failures(d: Digest) -> str:
    if not d.failures:
        return "## Failures\n\nNone."
    return "## Failures\n\n" + "\n\n".join(_failure(case) for case in d.failures)


def _failure(case: CaseResult) -> str:
    parts = [
        f"### {SYMBOL[case.outcome]} {md_code(case_name(case))} — {md(case.feature)}",
        f"{md_code(case.nodeid)}: outcome **{case.outcome}**",
    ]
    parts += [_finding(f) for f in case.findings]
    if case.policy is not None and not case.policy.matches:
        p = case.policy
        parts.append(
            f"**Policy {md_code(p.name)}**: the profile expects {md_code(p.expected)}, "
            f"the target {md_code(p.observed)}."
        )
    if case.detail and (not case.findings or case.outcome == "error"):
        parts.append(md_block(case.detail))
    return "\n\n".join(parts)


def _finding(f: Finding) -> str:
    lines = [f"**{md_code(f.check)}** {md(f.title)}", ""]
    if f.expected or f.observed:
        lines.append(f"- expected: {md_code(value(f.expected))}")
        lines.append(f"- observed: {md_code(value(f.observed))}")
    lines.append(f"- at: {md_code(f.path)}")
    lines.append(f"- request: {md_code(f.request_id or '-')}")
    return "\n".join(lines)


def _deviations(d: Digest) -> str:
    if not d.deviations:
        return ""
    head = (
        "## Known deviations\n\nFailures this run declared as known (reported as xfail): each is still a "
        "departure from the contract."
    )
    return head + "\n\n" + "\n\n".join(_deviation(g) for g in d.deviations)


def _deviation(group: DeviationGroup) -> str:
    names = [md_code(case_name(c)) for c in group.cases[:DEVIATION_CASES_SHOWN]]
    more = len(group.cases) - len(names)
    cases = ", ".join(names) + (f" and {more} more" if more else "")
    noun = "case" if len(group.cases) == 1 else "cases"
    lines = [f"### {md(group.reason)}", "", f"{len(group.cases)} {noun}: {cases}", ""]
    for f in group.findings:
        shown = (
            f" (expected {md_code(value(f.expected))}, observed {md_code(value(f.observed))})"
            if f.expected or f.observed
            else ""
        )
        lines.append(f"- **{md_code(f.check)}** {md(f.title)}{shown}")
    return "\n".join(lines).rstrip()


def _policies(d: Digest) -> str:
    head = (
        "## Policy discovery\n\nWhat the target did at each point its documentation leaves open, against the profile."
    )
    if not d.policies:
        return head + "\n\nNo policy point was observed in this run."
    rows = "\n".join(_policy_row(r, models_text(r, d.policies)) for r in d.policies)
    return f"{head}\n\n| point | profile expects | target did | models | result |\n|---|---|---|---|---|\n{rows}"


def _policy_row(r: PolicyRow, models_shown: list[str]) -> str:
    verdict = "✓ as expected" if r.matches else "✗ differs"
    models = ", ".join(md_code(m, in_table=True) if m in r.models else md(m) for m in models_shown)
    cells = [md_code(r.name, in_table=True), md_code(r.expected, in_table=True), md_code(r.observed, in_table=True)]
    return "| " + " | ".join([*cells, models, verdict]) + " |"
