"""compat.html: the same report as compat.md, one self-contained page readable offline.

The verdict first, then one block per cause (the example and its curl open,
the tests it touches folded), the matrix, the run's figures, field fates,
known deviations and policies. No script, no external stylesheet or font: a
report is often opened from a CI artifact with no network. Every piece of
text goes through `text.h` (redact, then escape), so a hostile gateway's
answer shows up as text, never as markup.
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
    causes_intro,
    cell_text,
    evidence,
    models_text,
    outcome_legend,
    severity_word,
    tests_by_function,
    where_needed,
)
from chatconform.report.text import h, value

MODELS_SHOWN = 6
INDEX_FROM = 5  # more causes than this: a table of them first
CURLS_UNFOLDED = 3  # the curls of the top causes are shown open, the others folded

_CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2em auto;max-width:100em;padding:0 1em;
color:#1d2125}
h1{font-size:1.5em}h2{margin-top:2em;border-bottom:1px solid #ccd;padding-bottom:.2em}h3{margin:.2em 0 .5em}
table{border-collapse:collapse;margin:.5em 0}th,td{border:1px solid #ccd;padding:.3em .6em;text-align:left;
vertical-align:top}
th{background:#f2f4f7}th code{white-space:nowrap}.wide{overflow-x:auto}
code,pre{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.92em}
pre{background:#f6f8fa;padding:.6em;overflow-x:auto;white-space:pre-wrap;word-break:break-word;margin:.4em 0}
td.cell{text-align:center;white-space:nowrap;font-weight:600}
.fail{background:#f8d0d0;color:#7a0000}.error{background:#fde2c0;color:#7a3e00}.xfail{background:#e6dcf5;color:#43246e}
.not_run,.inconclusive{background:#fff3c4;color:#5c4a00}
.policy{background:#d5e6fa;color:#0b3d78}.pass{background:#d3f0d6;color:#0d4f17}
.unsupported,.none{background:#eceef1;color:#555}
.verdict{font-size:1.1em;padding:.6em .9em;border-radius:4px;font-weight:600}
.verdict.pass{border-left:6px solid #2b8a3e}.verdict.fail{border-left:6px solid #c92a2a}
.verdict.interrupted{background:#fde2c0;color:#7a3e00;border-left:6px solid #e8590c}
.cause{border:1px solid #ccd;border-left:6px solid #c92a2a;border-radius:4px;margin:1em 0;padding:.6em 1em}
.cause.error{border-left-color:#e8590c;background:none;color:inherit}
.cause.inconclusive{border-left-color:#e0b400;background:none;color:inherit}
.cause.fail{background:none;color:inherit}
.meta{color:#555;margin:.2em 0 .6em}.id{background:#eceef1;padding:0 .3em;border-radius:3px}
.example{width:100%}.example th{width:7em}a{color:inherit}
details{margin:.5em 0}summary{cursor:pointer;font-weight:600;padding:.1em 0}
details.box{border:1px solid #ccd;border-radius:4px;padding:.4em .8em}
ul.tests{margin:.3em 0;padding-left:1.4em}
"""


def render_html(d: Digest) -> str:
    verdict = f'<p class="verdict {h(d.verdict.split(":", 1)[0].lower())}">{h(d.verdict)}</p>'
    sections = [f"<h1>{h(d.title)}</h1>", verdict, *(_SECTIONS[name](d) for name in SECTIONS)]
    body = "\n".join(filter(None, sections))
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{h(d.title)}</title><style>{_CSS}</style></head>\n<body>\n" + body + "\n</body></html>\n"
    )


def _causes(d: Digest) -> str:
    if not d.causes:
        return f"<h2>Causes</h2><p>{NO_CAUSES}</p>"
    hint = CURL_HINT.format(
        key="<code>CHATCONFORM_API_KEY</code>", header="<code>CHATCONFORM_HEADER_&lt;NAME&gt;</code>"
    )
    head = f"<h2>Causes</h2>\n<p>{h(causes_intro(d.causes))} {hint}</p>"
    index = _index(d.causes) if len(d.causes) > INDEX_FROM else ""
    return head + "\n" + index + "\n".join(_cause(i, c) for i, c in enumerate(d.causes, 1))


def _index(causes: list[Cause]) -> str:
    """One row per cause, as the terminal lists them: the page's table of contents when there are many."""
    where = where_needed(causes)
    rows = "".join(
        f'<tr><td class="cell {h(c.severity)}">{h(SYMBOL[c.severity])}</td><td>{c.tests}</td>'
        f'<td><a href="#cause-{h(c.id)}"><code>{h(c.check)}</code></a></td>'
        f"<td>{h(c.title)}{h(where.get(c.id, ''))}</td></tr>"
        for c in causes
    )
    return f"<table><tr><th></th><th>tests</th><th>check</th><th>title</th></tr>{rows}</table>\n"


def _cause(n: int, c: Cause) -> str:
    ex = c.example
    noun = "test" if c.tests == 1 else "tests"
    models = _models(c)
    rows = [(name, value(text)) for name, text in evidence(c)]
    rows += [("at", ex.path), ("example", ex.test), ("request", ex.request_id or "-")]
    table = "".join(f"<tr><th>{name}</th><td><code>{h(text)}</code></td></tr>" for name, text in rows)
    if c.joined:
        seen = "; ".join(f"<code>{h(j.check)}</code> {h(j.title)} ({j.tests})" for j in c.joined)
        table += f"<tr><th>also seen as</th><td>{seen}</td></tr>"
    parts = [
        f'<div class="cause {h(c.severity)}" id="cause-{h(c.id)}">',
        f"<h3>{n}. {h(SYMBOL[c.severity])} <code>{h(c.check)}</code>: {h(c.title)}</h3>",
        f'<p class="meta"><span class="id">{h(c.id)}</span> · {c.tests} {noun} · {h(severity_word(c))} · '
        f"models: {models}</p>",
        f'<table class="example">{table}</table>',
    ]
    if ex.curl:
        unfold = " open" if n <= CURLS_UNFOLDED else ""
        parts.append(f"<details{unfold}><summary>curl</summary><pre>{h(ex.curl)}</pre></details>")
    return "\n".join([*parts, _tests(c), "</div>"])


def _models(c: Cause) -> str:
    if not c.models:
        return "none (model-independent)"
    shown = ", ".join(f"<code>{h(m)}</code>" for m in c.models[:MODELS_SHOWN])
    rest = c.models[MODELS_SHOWN:]
    # The rest on hover: the models line stays one line however many models a cause touches.
    more = f' <span title="{h(", ".join(rest))}">and {len(rest)} more</span>' if rest else ""
    return f"{len(c.models)}: {shown}{more}"


def _tests(c: Cause) -> str:
    items = []
    for g in tests_by_function(c):
        params = ", ".join(f"<code>{h(p)}</code>" for p in g.params if p)
        items.append(f"<li><code>{h(g.function)}</code> ({len(g.params)}){': ' + params if params else ''}</li>")
    noun = "test" if c.tests == 1 else "tests"
    return f'<details><summary>{c.tests} {noun}</summary><ul class="tests">{"".join(items)}</ul></details>'


def _summary(d: Digest) -> str:
    rows = []
    for key, val in d.summary:
        attr = f' class="verdict-{h(val.lower())}"' if key == "Verdict" else ""
        rows.append(f"<tr><th>{h(key)}</th><td{attr}>{h(val)}</td></tr>")
    return "<h2>Run</h2>\n<table>" + "".join(rows) + "</table>"


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
            tip = ", ".join(f"{n} {o}" for o, n in cell.counts.items()) if cell else "no case"
            cells.append(f'<td class="cell {css}" title="{h(tip)}">{h(cell_text(cell))}</td>')
        rows.append(f"<tr><th><code>{h(model)}</code></th>{''.join(cells)}</tr>")
    legend = "".join(
        f'<tr><td class="cell {o}">{h(sym)}</td><td>{h(o)}</td><td>{h(meaning)}</td></tr>'
        for o, sym, meaning in outcome_legend()
    )
    legend += f'<tr><td class="cell none">{NOT_RUN}</td><td>no case</td><td>no case for this pair</td></tr>'
    return (
        '<h2>Model × feature matrix</h2>\n<div class="wide"><table>' + head + "".join(rows) + "</table></div>\n"
        "<p>Each cell shows the worst outcome of its cases and how many cases had it "
        "(<code>✗ 1/4</code>: one of four failed); hover a cell for all its counts.</p>\n"
        "<details><summary>Legend</summary><table>" + legend + "</table></details>"
    )


def _measured(d: Digest) -> str:
    if not d.measured:
        return ""
    rows = "".join(
        f"<tr><td><code>{h(name)}</code></td><td>"
        + ", ".join(f"{h(k)} {v:g}" for k, v in sorted(figures.items()))
        + "</td></tr>"
        for name, figures in d.measured
    )
    return f"<h2>Measured</h2>\n<p>{h(MEASURED_INTRO)}</p>\n<table><tr><th>test</th><th>figures</th></tr>{rows}</table>"


def _fields(d: Digest) -> str:
    if not d.fields:
        return ""
    th = "<tr><th>field</th><th>fate</th><th>profile expects</th><th>evidence</th><th>result</th></tr>"
    rows = "".join(
        f"<tr><td><code>{h(f.field)}</code></td><td><code>{h(f.fate)}</code></td><td><code>{h(f.expected)}</code></td>"
        f"<td>{h(f.evidence)}</td>"
        + ('<td class="cell pass">✓</td>' if f.matches else '<td class="cell fail">✗ differs</td>')
        + "</tr>"
        for f in d.fields
    )
    return (
        "<h2>Field fates</h2>\n<p>What became of each request field the run sent, against the profile's "
        f"<code>[fields]</code> table.</p>\n<table>{th}{rows}</table>"
    )


def _deviations(d: Digest) -> str:
    if not d.deviations:
        return ""
    head = (
        "<h2>Known deviations</h2>\n<p>Failures this run declared as known (reported as xfail): each is still "
        "a departure from the contract.</p>"
    )
    return head + "\n" + "\n".join(_deviation(g) for g in d.deviations)


def _deviation(group: DeviationGroup) -> str:
    names = ", ".join(f"<code>{h(c.nodeid.rsplit('::', 1)[-1])}</code>" for c in group.cases)
    noun = "case" if len(group.cases) == 1 else "cases"
    findings = "".join(
        f"<li><code>{h(f.check)}</code> {h(f.title)}"
        + (
            f": expected <code>{h(value(f.expected))}</code>, observed <code>{h(value(f.observed))}</code>"
            if f.expected or f.observed
            else ""
        )
        + "</li>"
        for f in group.findings
    )
    return (
        f'<details class="box"><summary class="xfail">{h(group.reason)} ({len(group.cases)} {noun})</summary>'
        f"<p>{names}</p><ul>{findings}</ul></details>"
    )


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


# Each name of SECTIONS is rendered by the function `_<name>` above (a missing one fails at import).
_SECTIONS: dict[str, Callable[[Digest], str]] = {name: globals()[f"_{name}"] for name in SECTIONS}
