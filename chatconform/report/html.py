"""compat.html: the same report as compat.md, one self-contained page readable offline.

No script, no external stylesheet or font: a report is often opened from a CI
artifact with no network. Every piece of text goes through `text.h` (redact,
then escape), so a hostile gateway's answer shows up as text, never as markup.
"""

from __future__ import annotations

from chatconform.checks.finding import Finding, truncate
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
from chatconform.report.text import h, value

UNFOLD_AT_MOST = 10
_CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2em auto;max-width:100em;padding:0 1em;
color:#1d2125}
h1{font-size:1.5em}h2{margin-top:2em;border-bottom:1px solid #ccd;padding-bottom:.2em}
table{border-collapse:collapse;margin:.5em 0}th,td{border:1px solid #ccd;padding:.3em .6em;text-align:left;
vertical-align:top}
th{background:#f2f4f7}th code{white-space:nowrap}.wide{overflow-x:auto}
code,pre{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.92em}
pre{background:#f6f8fa;padding:.6em;overflow-x:auto;white-space:pre-wrap;word-break:break-word}
td.cell{text-align:center;white-space:nowrap;font-weight:600}
.fail{background:#f8d0d0;color:#7a0000}.error{background:#fde2c0;color:#7a3e00}.xfail{background:#e6dcf5;color:#43246e}
.policy{background:#d5e6fa;color:#0b3d78}.pass{background:#d3f0d6;color:#0d4f17}
.unsupported,.none{background:#eceef1;color:#555}
.verdict-pass{color:#0d4f17}.verdict-fail{color:#a00000}
details{border:1px solid #ccd;border-radius:4px;margin:.6em 0;padding:.4em .8em}
summary{cursor:pointer;font-weight:600;padding:.1em .3em}.finding{margin:.6em 0 .6em 1em}
"""


def render_html(d: Digest) -> str:
    sections = [f"<h1>{h(d.title)}</h1>", _summary(d), _matrix(d), _failures(d), _deviations(d), _policies(d)]
    body = "\n".join(filter(None, sections))
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{h(d.title)}</title><style>{_CSS}</style></head>\n<body>\n" + body + "\n</body></html>\n"
    )


def _summary(d: Digest) -> str:
    rows = []
    for key, val in d.summary:
        attr = f' class="verdict-{h(val.lower())}"' if key == "Verdict" else ""
        rows.append(f"<tr><th>{h(key)}</th><td{attr}>{h(val)}</td></tr>")
    return "<h2>Summary</h2>\n<table>" + "".join(rows) + "</table>"


def _matrix(d: Digest) -> str:
    m = d.matrix
    if not m.models:
        return "<h2>Model × feature matrix</h2><p>No cases ran.</p>"
    head = "<tr><th>model</th>" + "".join(f"<th>{h(f)}</th>" for f in m.features) + "</tr>"
    rows = []
    for model in m.models:
        cells = []
        for feature in m.features:
            cell = m.cell(model, feature)
            css = cell.outcome if cell else "none"
            tip = ", ".join(f"{n} {o}" for o, n in cell.counts.items()) if cell else "not run"
            cells.append(f'<td class="cell {css}" title="{h(tip)}">{h(cell_text(cell))}</td>')
        rows.append(f"<tr><th><code>{h(model)}</code></th>{''.join(cells)}</tr>")
    legend = "".join(
        f'<tr><td class="cell {o}">{h(sym)}</td><td>{h(o)}</td><td>{h(meaning)}</td></tr>'
        for o, sym, meaning in outcome_legend()
    )
    legend += f'<tr><td class="cell none">{NOT_RUN}</td><td>not run</td><td>no case for this pair</td></tr>'
    return (
        '<h2>Model × feature matrix</h2>\n<div class="wide"><table>' + head + "".join(rows) + "</table></div>\n"
        "<p>Each cell shows the worst outcome of its cases and how many cases had it "
        "(<code>✗ 1/4</code>: one of four failed); hover a cell for all its counts.</p>\n"
        "<table>" + legend + "</table>"
    )


def _failures(d: Digest) -> str:
    if not d.failures:
        return "<h2>Failures</h2><p>None.</p>"
    # A handful of failures read best unfolded; a long list reads best as a list of one-line summaries.
    unfold = len(d.failures) <= UNFOLD_AT_MOST
    return "<h2>Failures</h2>\n" + "\n".join(_failure(case, unfold) for case in d.failures)


def _failure(case: CaseResult, unfold: bool) -> str:
    heading = f"{SYMBOL[case.outcome]} <code>{h(case_name(case))}</code> — {h(case.feature)}"
    first = case.findings[0].title if case.findings else case.detail.strip().split("\n", 1)[0]
    if first:
        heading += f": {h(truncate(first, 120))}"
    parts = [
        f'<details{" open" if unfold else ""}><summary class="{h(case.outcome)}">{heading}</summary>',
        f"<p><code>{h(case.nodeid)}</code>: outcome <strong>{h(case.outcome)}</strong></p>",
    ]
    parts += [_finding(f) for f in case.findings]
    if case.policy is not None and not case.policy.matches:
        p = case.policy
        parts.append(
            f"<p><strong>Policy <code>{h(p.name)}</code></strong>: the profile expects <code>{h(p.expected)}</code>, "
            f"the target <code>{h(p.observed)}</code>.</p>"
        )
    if case.detail and (not case.findings or case.outcome == "error"):
        parts.append(f"<pre>{h(case.detail)}</pre>")
    return "\n".join([*parts, "</details>"])


def _finding(f: Finding) -> str:
    rows = []
    if f.expected or f.observed:
        rows += [("expected", value(f.expected)), ("observed", value(f.observed))]
    rows += [("at", f.path), ("request", f.request_id or "-")]
    table = "".join(f"<tr><th>{name}</th><td><code>{h(text)}</code></td></tr>" for name, text in rows)
    return f'<div class="finding"><p><code>{h(f.check)}</code> {h(f.title)}</p><table>{table}</table></div>'


def _deviations(d: Digest) -> str:
    if not d.deviations:
        return ""
    head = (
        "<h2>Known deviations</h2>\n<p>Failures this run declared as known (reported as xfail): each is still "
        "a departure from the contract.</p>"
    )
    return head + "\n" + "\n".join(_deviation(g) for g in d.deviations)


def _deviation(group: DeviationGroup) -> str:
    names = ", ".join(f"<code>{h(case_name(c))}</code>" for c in group.cases)
    noun = "case" if len(group.cases) == 1 else "cases"
    parts = [
        f'<details><summary class="xfail">{h(group.reason)} ({len(group.cases)} {noun})</summary>',
        f"<p>{names}</p>",
        *(_finding(f) for f in group.findings),
        "</details>",
    ]
    return "\n".join(parts)


def _policies(d: Digest) -> str:
    head = (
        "<h2>Policy discovery</h2>\n<p>What the target did at each point its documentation leaves open, "
        "against the profile.</p>"
    )
    if not d.policies:
        return head + "<p>No policy point was observed in this run.</p>"
    th = "<tr><th>point</th><th>profile expects</th><th>target did</th><th>models</th><th>result</th></tr>"
    rows = "".join(_policy_row(r, models_text(r, d.policies)) for r in d.policies)
    return f"{head}\n<table>{th}{rows}</table>"


def _policy_row(r: PolicyRow, models_shown: list[str]) -> str:
    verdict = '<td class="cell policy">✓ as expected</td>' if r.matches else '<td class="cell fail">✗ differs</td>'
    models = ", ".join(f"<code>{h(m)}</code>" if m in r.models else h(m) for m in models_shown)
    cells = "".join(f"<td><code>{h(x)}</code></td>" for x in (r.name, r.expected, r.observed))
    return f"<tr>{cells}<td>{models}</td>{verdict}</tr>"
