"""compat.md: the compatibility report as GitHub-flavoured Markdown, led by its causes.

The verdict line comes first, then one block per cause (its check and title,
one example in full with the curl that repeats it, the tests it touches
folded under it by test function), then the model × feature matrix, the run's
figures, field fates, known deviations and policies. The length grows with
the number of causes, not with the number of failing tests: a cause lists at
most `FUNCTIONS_SHOWN` test functions and `PARAMS_SHOWN` parameter ids each;
compat.json has them all.

Target-provided text goes into code spans or backslash-escaped prose (see
`text`), so a hostile answer can neither break a table nor inject markup.
"""

from __future__ import annotations

from collections.abc import Callable

from chatconform.report.causes import Cause
from chatconform.report.digest import (
    CURL_HINT,
    MEASURED_INTRO,
    NO_CAUSES,
    NOT_RUN,
    SECTIONS,
    SYMBOL,
    DeviationGroup,
    Digest,
    PolicyRow,
    case_name,
    causes_intro,
    cell_text,
    evidence,
    models_text,
    outcome_legend,
    severity_word,
    tests_by_function,
)
from chatconform.report.text import md, md_block, md_code, value

DEVIATION_CASES_SHOWN = 8
FUNCTIONS_SHOWN = 25
PARAMS_SHOWN = 12
MODELS_SHOWN = 6


def render_markdown(d: Digest) -> str:
    sections = [f"# {md(d.title)}", f"**{md(d.verdict)}**", *(_SECTIONS[name](d) for name in SECTIONS)]
    return "\n\n".join(filter(None, sections)) + "\n"


def _causes(d: Digest) -> str:
    if not d.causes:
        return f"## Causes\n\n{NO_CAUSES}"
    hint = CURL_HINT.format(key="`CHATCONFORM_API_KEY`", header="`CHATCONFORM_HEADER_<NAME>`")
    head = f"## Causes\n\n{md(causes_intro(d.causes))} {hint}"
    return head + "\n\n" + "\n\n".join(_cause(i, c) for i, c in enumerate(d.causes, 1))


def _cause(n: int, c: Cause) -> str:
    ex = c.example
    noun = "test" if c.tests == 1 else "tests"
    lines = [
        f"### {n}. {SYMBOL[c.severity]} {md_code(c.check)}: {md(c.title)}",
        "",
        f"{md_code(c.id)} · {c.tests} {noun} · {severity_word(c)} · models: {_models(c)}",
        "",
    ]
    lines += [f"- {name}: {md_code(value(text))}" for name, text in evidence(c)]
    lines += [f"- at: {md_code(ex.path)}", f"- example: {md_code(ex.test)}, request {md_code(ex.request_id or '-')}"]
    if c.joined:
        seen = ", ".join(f"{md_code(j.check)} {md(j.title)} ({j.tests})" for j in c.joined)
        lines.append(f"- also seen as: {seen}")
    if ex.curl:
        lines += ["", md_block(ex.curl, "sh")]
    return "\n".join([*lines, "", _tests(c)])


def _models(c: Cause) -> str:
    if not c.models:
        return "none (model-independent)"
    shown = ", ".join(md_code(m) for m in c.models[:MODELS_SHOWN])
    more = len(c.models) - MODELS_SHOWN
    return shown + (f" and {more} more" if more > 0 else "")


def _tests(c: Cause) -> str:
    groups = tests_by_function(c)
    rows = []
    for g in groups[:FUNCTIONS_SHOWN]:
        params = [p for p in g.params if p]
        shown = ", ".join(md_code(p) for p in params[:PARAMS_SHOWN])
        more = len(params) - PARAMS_SHOWN
        rest = f": {shown}" + (f" and {more} more" if more > 0 else "") if params else ""
        rows.append(f"- {md_code(g.function)} ({len(g.params)}){rest}")
    hidden = len(groups) - FUNCTIONS_SHOWN
    if hidden > 0:
        rows.append(f"- and {hidden} more test functions (every test id is in compat.json)")
    summary = f"{c.tests} {'test' if c.tests == 1 else 'tests'} in {len(groups)} test function(s)"
    return f"<details><summary>{md(summary)}</summary>\n\n" + "\n".join(rows) + "\n\n</details>"


def _summary(d: Digest) -> str:
    rows = "\n".join(f"| {md(k)} | {md(v)} |" for k, v in d.summary)
    return "## Run\n\n| | |\n|---|---|\n" + rows


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
    legend = [f"- {sym} {o}: {meaning}" for o, sym, meaning in outcome_legend()] + [f"- {NOT_RUN} no case"]
    return "\n".join(["## Model × feature matrix", "", header, rule, *body, "", note, "", *legend])


def _measured(d: Digest) -> str:
    if not d.measured:
        return ""
    rows = "\n".join(
        f"| {md_code(name, in_table=True)} | "
        + ", ".join(f"{md_code(k, in_table=True)} {v:g}" for k, v in sorted(figures.items()))
        + " |"
        for name, figures in d.measured
    )
    return f"## Measured\n\n{md(MEASURED_INTRO)}\n\n| test | figures |\n|---|---|\n{rows}"


def _fields(d: Digest) -> str:
    if not d.fields:
        return ""
    head = "## Field fates\n\nWhat became of each request field the run sent, against the profile's `[fields]` table."
    rows = [
        "| "
        + " | ".join(
            [
                md_code(f.field, in_table=True),
                md_code(f.fate, in_table=True),
                md_code(f.expected, in_table=True),
                md(f.evidence),
                "✓" if f.matches else "✗ differs",
            ]
        )
        + " |"
        for f in d.fields
    ]
    return "\n".join(
        [head, "", "| field | fate | profile expects | evidence | result |", "|---|---|---|---|---|", *rows]
    )


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


# Each name of SECTIONS is rendered by the function `_<name>` above (a missing one fails at import).
_SECTIONS: dict[str, Callable[[Digest], str]] = {name: globals()[f"_{name}"] for name in SECTIONS}
