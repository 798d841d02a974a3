"""The report files: every section present, hostile text inert, keys masked."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from chatconform.checks.finding import Finding
from chatconform.report.model import PolicyObservation, RunResults
from chatconform.report.text import md_code, money
from chatconform.report.writers import FILE_NAMES, render_reports, write_reports
from tests.report.sample import CANARY, HAIKU, HAIKU_ALIAS, OPAQUE, SONNET, UNREGISTERED, case, finding, sample_results


@pytest.fixture(scope="module")
def texts() -> dict[str, str]:
    return render_reports(sample_results())


def test_write_reports_creates_the_directory_and_the_three_files(tmp_path: Path) -> None:
    target = tmp_path / "nested" / "run"
    paths = write_reports(sample_results(), target)
    assert [p.name for p in paths] == ["compat.json", "compat.md", "compat.html"]
    assert all(p.parent == target and p.stat().st_size > 500 for p in paths)


def test_json_is_the_run_plus_causes_and_a_matrix(texts: dict[str, str]) -> None:
    data = json.loads(texts["compat.json"])
    results = sample_results()
    assert data["verdict"] == "fail"
    assert data["format"] == "chatconform-compat/2"
    assert len(data["cases"]) == len(results.cases)
    assert data["counts"]["fail"] == sum(c.outcome == "fail" for c in results.cases)
    assert data["cost_usd"] == pytest.approx(results.cost_usd)
    assert data["estimated_cost_usd"] == pytest.approx(0.0123)
    assert data["matrix"]["models"] == [HAIKU, HAIKU_ALIAS, SONNET, "(any model)"]
    assert data["matrix"]["cells"][SONNET]["streaming"]["outcome"] == "error"
    assert data["verdict_line"].startswith("FAIL: ")
    tests = [c["tests"] for c in data["causes"]]
    assert tests == sorted(tests, reverse=True)
    for cause in data["causes"]:
        assert set(cause) >= {"id", "check", "title", "severity", "tests", "models", "example", "test_ids"}
        assert set(cause["example"]) >= {"test", "request_id", "expected", "observed", "path", "curl"}


def test_json_has_the_field_fates(texts: dict[str, str]) -> None:
    fields = json.loads(texts["compat.json"])["fields"]
    assert set(fields) == {"seed", "user"}
    assert fields["seed"] == {
        "field": "seed",
        "fate": "dropped",
        "expected": "dropped",
        "evidence": "no effect",
        "matches": True,
    }
    assert fields["user"]["fate"] == "rejected" and not fields["user"]["matches"]


def test_json_is_stable_and_key_sorted(texts: dict[str, str]) -> None:
    assert render_reports(sample_results())["compat.json"] == texts["compat.json"]
    keys = list(json.loads(texts["compat.json"]))
    assert keys == sorted(keys)


def test_markdown_has_every_section_in_order(texts: dict[str, str]) -> None:
    text = texts["compat.md"]
    headings = re.findall(r"^## (.+)$", text, flags=re.MULTILINE)
    assert headings == [
        "Causes",
        "Model × feature matrix",
        "Run",
        "Field fates",
        "Known deviations",
        "Policy discovery",
    ]
    assert text.splitlines()[2].startswith("**FAIL: ")  # the verdict line, right under the title
    for label in ("Target", "Profile", "Verdict", "Cases", "Cost of the run", "Estimated before the run"):
        assert f"| {label} |" in text
    assert "| Verdict | FAIL |" in text
    assert "$0.0123" in text


def test_markdown_matrix_uses_symbols_and_counts(texts: dict[str, str]) -> None:
    row = next(line for line in texts["compat.md"].splitlines() if line.startswith(f"| `{SONNET}`"))
    cells = [c.strip() for c in row.strip("|").split("|")]
    header = next(line for line in texts["compat.md"].splitlines() if line.startswith("| model |"))
    columns = [c.strip().replace("\\", "") for c in header.strip("|").split("|")]
    by_feature = dict(zip(columns, cells, strict=True))
    assert by_feature["streaming"] == "! 1/2"
    assert by_feature["basic"] == "✗ 1/2"
    assert by_feature["vision"] == "– 1"
    assert by_feature["json_mode"] == "x 1"
    assert by_feature["auth"] == "·"


def test_every_failing_case_belongs_to_a_cause_shown_in_markdown(texts: dict[str, str]) -> None:
    data = json.loads(texts["compat.json"])
    grouped = {t for c in data["causes"] for t in c["test_ids"]}
    failing = {c.nodeid for c in sample_results().cases if c.outcome in ("fail", "error")}
    assert grouped == failing
    section = texts["compat.md"].split("## Causes", 1)[1].split("## Model", 1)[0]
    assert section.count("\n### ") == len(data["causes"])
    for cause in data["causes"]:
        assert f"`{cause['id']}`" in section and f"`{cause['check']}`" in section
    assert "- expected: `data: [DONE]`" in section
    assert "- observed: `data: {}`" in section
    assert "ConnectError: refused" in section  # an error's reason is its cause's observed value
    assert "`harness`" in section and "`assertion`" in section


def test_markdown_field_fate_table(texts: dict[str, str]) -> None:
    section = texts["compat.md"].split("## Field fates", 1)[1].split("## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    assert rows[0].startswith("| `user` | `rejected` | `honoured` |") and rows[0].endswith("| ✗ differs |")
    assert rows[1] == "| `seed` | `dropped` | `dropped` | no effect | ✓ |"
    assert len(re.findall(r"(?<!\\)\|", rows[0])) == 6  # hostile evidence cannot add a cell


def test_markdown_policy_table_has_a_row_per_behaviour(texts: dict[str, str]) -> None:
    section = texts["compat.md"].split("## Policy discovery", 1)[1]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    assert len(rows) == 3
    assert f"| `temperature_above_max` | `reject` | `rejected` | `{HAIKU}`, `{SONNET}` | ✓ as expected |" in rows
    assert any(r.startswith("| `stop_more_than_max` | `reject` | `clamped` |") and "✗ differs" in r for r in rows)


def test_hostile_text_cannot_break_markdown_tables(texts: dict[str, str]) -> None:
    row = next(line for line in texts["compat.md"].splitlines() if line.startswith("| `tool_role`"))
    assert len(re.findall(r"(?<!\\)\|", row)) == 6  # five cells: the hostile "|" is escaped


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs += attrs


def test_html_is_self_contained_and_hostile_text_stays_text(texts: dict[str, str]) -> None:
    page = texts["compat.html"]
    parser = _Tags()
    parser.feed(page)
    assert "script" not in parser.tags
    assert set(parser.tags) <= {
        "html",
        "head",
        "meta",
        "title",
        "style",
        "body",
        "h1",
        "h2",
        "table",
        "tr",
        "th",
        "td",
        "p",
        "code",
        "pre",
        "details",
        "summary",
        "strong",
        "div",
        "h3",
        "span",
        "ul",
        "li",
        "a",
    }
    allowed = {"lang", "charset", "name", "content", "class", "title", "open", "id", "href"}
    assert {name for name, _ in parser.attrs} <= allowed
    assert all((link or "").startswith("#cause-") for name, link in parser.attrs if name == "href")  # in-page only
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert page.count("<table>") + page.count("<table class=") == page.count("</table>")


def test_html_has_the_same_sections_and_coloured_cells(texts: dict[str, str]) -> None:
    page = texts["compat.html"]
    sections = ["Causes", "Model × feature matrix", "Run", "Field fates", "Known deviations", "Policy discovery"]
    assert re.findall(r"<h2>(.+?)</h2>", page) == sections
    causes = json.loads(texts["compat.json"])["causes"]
    assert page.count('<div class="cause ') == len(causes)
    assert page.count("<summary>curl</summary>") == sum(bool(c["example"]["curl"]) for c in causes)
    assert '<p class="verdict fail">FAIL: ' in page
    assert '<td class="cell error" title="1 error, 1 pass">! 1/2</td>' in page
    assert re.search(r"\.fail\{background:#[0-9a-f]{6}", page)
    assert "stream.done_last" in page and "chatcmpl-abc123" in page


def test_no_key_survives_in_any_report(texts: dict[str, str]) -> None:
    for name in FILE_NAMES:
        assert CANARY not in texts[name], name
        assert UNREGISTERED not in texts[name], name
        assert OPAQUE not in texts[name], name
        assert "***" in texts[name], name
    json.loads(texts["compat.json"])  # masking did not break the JSON


def test_a_passing_run_says_so(tmp_path: Path) -> None:
    results = RunResults(run_id="r", target="built-in mock", profile="tokenhub", started="t", is_mock=True)
    texts = render_reports(results)
    assert json.loads(texts["compat.json"])["verdict"] == "pass"
    assert "No cases ran." in texts["compat.md"]
    assert "## Causes\n\nNone: no test failed" in texts["compat.md"]
    assert json.loads(texts["compat.json"])["causes"] == []
    assert "not estimated (built-in mock" in texts["compat.md"]


def test_a_declared_deviation_that_no_longer_occurs_fails_the_verdict() -> None:
    cases = [case("test_basic", "basic", HAIKU, "pass")]
    results = RunResults(run_id="r", target="http://gw", profile="tokenhub", started="t", cases=cases)
    results.meta["known_deviations"] = {"file": "d.toml", "xfailed": {}, "no_longer_occurring": ["old-gap"]}
    texts = render_reports(results)
    assert json.loads(texts["compat.json"])["verdict"] == "fail"
    assert "| Known deviations that no longer occur | old-gap |" in texts["compat.md"]
    assert "FAIL" in texts["compat.md"].splitlines()[0]


@pytest.mark.parametrize(
    ("usd", "shown"),
    [(0.0, "$0.00"), (0.000123, "$0.000123"), (0.0019, "$0.0019"), (1.5, "$1.50"), (1234.567, "$1234.57")],
    ids=["zero", "micro", "milli", "dollars", "large"],
)
def test_money(usd: float, shown: str) -> None:
    assert money(usd) == shown


@pytest.mark.parametrize(
    ("raw", "span"),
    [("plain", "`plain`"), ("a`b", "``a`b``"), ("`edge", "`` `edge ``"), ("two\nlines", "`two lines`")],
    ids=["plain", "inner-backtick", "leading-backtick", "newline"],
)
def test_md_code_holds_any_text(raw: str, span: str) -> None:
    assert md_code(raw) == span


def test_summary_shows_plain_meta_values_but_not_bookkeeping(tmp_path: Path) -> None:
    results = sample_results()
    results.meta.update({"run_id": results.run_id, "estimated": True, "models": [HAIKU], "seed": 7})
    summary = render_reports(results)["compat.md"].split("## Run", 1)[1].split("## ", 1)[0]
    assert "| seed | 7 |" in summary
    assert "| estimated |" not in summary and "| models |" not in summary and "| run\\_id |" not in summary
    assert json.loads(render_reports(results)["compat.json"])["meta"]["models"] == [HAIKU]


def test_a_report_grows_with_its_causes_not_its_failing_tests() -> None:
    many = sample_results()
    models = [f"claude-model-{i}" for i in range(25)]
    many.meta["models"] = models
    many.cases += [
        case(f"test_extra_{i % 20}", "errors", models[i % 25], "fail", findings=(finding(request_id=f"req_{i:06d}"),))
        for i in range(600)
    ]
    before = render_reports(sample_results())
    after = render_reports(many)
    assert len(json.loads(after["compat.json"])["causes"]) == len(json.loads(before["compat.json"])["causes"])

    def causes_lines(text: str) -> int:
        return len(text.split("## Causes", 1)[1].split("## Model", 1)[0].splitlines())

    added = causes_lines(after["compat.md"]) - causes_lines(before["compat.md"])
    assert 0 < added <= 20  # one line per test function under the cause, not 600 sections
    page = after["compat.html"]
    assert page.count('<div class="cause ') == len(json.loads(after["compat.json"])["causes"])


def test_policy_row_says_all_models_when_every_model_behaved_alike() -> None:
    results = sample_results()
    for model in ("m-one", "m-two", "m-three"):
        results.cases.append(
            case(
                "test_n",
                "sampling",
                model,
                "policy",
                policy=PolicyObservation("n_above_one", "reject", "rejected", True),
            )
        )
    text = render_reports(results)
    assert "| `n_above_one` | `reject` | `rejected` | all 3 models tested | ✓ as expected |" in text["compat.md"]
    assert "<td>all 3 models tested</td>" in text["compat.html"]
    # Behaviour that differs between models keeps the model names on each row.
    assert f"`{HAIKU}`, `{SONNET}` | ✓ as expected |" in text["compat.md"]


def test_known_deviations_are_listed_by_reason_with_their_findings() -> None:
    results = sample_results()
    finding = Finding(
        "the upstream's Retry-After: 7 was dropped", "retry-after", "7", "(absent)", check="upstream.retry_after"
    )
    reason = "known deviation late: Retry After is dropped"
    results.cases += [
        case(f"test_429[{mode}]", "errors", "", "xfail", detail=reason, findings=(finding,))
        for mode in ("nonstream", "stream")
    ]
    text = render_reports(results)["compat.md"]
    section = text.split("## Known deviations", 1)[1].split("## Policy discovery", 1)[0]
    assert "### known deviation late: Retry After is dropped" in section
    assert "2 cases: `test_429[nonstream]`, `test_429[stream]`" in section
    assert section.count("`upstream.retry_after`") == 1  # one line per distinct finding
    assert "### documented gap" in section
    plain = sample_results()
    plain.cases = [c for c in plain.cases if c.outcome != "xfail"]
    assert "Known deviations" not in render_reports(plain)["compat.md"]


def test_every_outcome_is_rendered_and_an_interrupted_run_never_passes() -> None:
    cases = [
        case("test_a", "basic", HAIKU, "pass"),
        case("test_b", "basic", HAIKU, "not_run", detail="the run was stopped: --max-cost"),
        case("test_c", "tools", HAIKU, "inconclusive", detail="the model chose not to call the tool (auto)"),
    ]
    results = RunResults(run_id="r", target="http://gw", profile="tokenhub", started="t", cases=cases, interrupted=True)
    texts = render_reports(results)
    data = json.loads(texts["compat.json"])
    assert data["verdict"] == "interrupted"
    assert data["verdict_line"].startswith("INTERRUPTED: 1 not run, 1 inconclusive, 1 passed (1 cause)")
    assert "stopped by the user" in data["verdict_line"]
    assert [(c["check"], c["severity"]) for c in data["causes"]] == [("inconclusive", "inconclusive")]
    assert texts["compat.md"].splitlines()[2].startswith("**INTERRUPTED: ")
    assert '<p class="verdict interrupted">INTERRUPTED: ' in texts["compat.html"]
    row = next(line for line in texts["compat.md"].splitlines() if line.startswith(f"| `{HAIKU}`"))
    assert "○ 1/2" in row and "? 1" in row  # not run and inconclusive have their own symbols


def test_a_pass_with_unsupported_tests_says_how_many_and_for_what() -> None:
    cases = [case("test_a", "basic", HAIKU, "pass")] + [
        case(f"test_v{i}", "vision", HAIKU, "unsupported", detail="profile tokenhub does not claim vision")
        for i in range(3)
    ]
    cases.append(case("test_g", "translation", "", "unsupported", detail="gateway mode only: give --upstream-url"))
    results = RunResults(run_id="r", target="http://gw", profile="tokenhub", started="t", cases=cases)
    line = json.loads(render_reports(results)["compat.json"])["verdict_line"]
    assert line == "PASS: 1 passed; 4 of 5 selected tests unsupported (vision 3, gateway mode 1)"


def test_measured_figures_have_their_own_table_in_every_format() -> None:
    results = sample_results()
    figures = {"gateway_ttft_added_ms": 25.4, "gateway_coalesced_ratio": 0.0}
    results.cases.append(case("test_stream_relayed_as_sent", "translation", "", "pass", measured=figures))
    texts = render_reports(results)
    section = texts["compat.md"].split("## Measured", 1)[1].split("## ", 1)[0]
    assert "| `test_stream_relayed_as_sent` | `gateway_coalesced_ratio` 0, `gateway_ttft_added_ms` 25.4 |" in section
    assert "<h2>Measured</h2>" in texts["compat.html"] and "gateway_ttft_added_ms 25.4" in texts["compat.html"]
    [measured] = [c for c in json.loads(texts["compat.json"])["cases"] if c["measured"]]
    assert measured["measured"] == figures
    assert "## Measured" not in render_reports(sample_results())["compat.md"]  # no figures, no section
