"""`chatconform diff`: causes new, fixed and unchanged by id, changed cells, figures, exit codes, bad files."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from chatconform.cli import main
from chatconform.report.json_writer import render_json
from chatconform.report.model import CaseResult, RunResults
from tests.report.sample import HAIKU, SONNET, case, finding

DONE_TWICE = finding(check="stream.done", title="data: [DONE] was sent 2 times", path="$", expected="exactly once")
LEAK = finding(check="response.finish_reason", title="Anthropic stop_reason 'end_turn' leaked", path="$.x")
ROLE = finding(check="stream.role", title="no delta carries the role", path="$.chunks[0]", expected="assistant")


def results(*cases: CaseResult, cost: float = 0.0001) -> RunResults:
    run = RunResults("r", "http://gw/v1", "tokenhub", "2026-01-01T00:00:00+00:00", cases=list(cases))
    run.cases = [replace(c, cost_usd=cost) for c in run.cases]
    return run


def write(tmp_path: Path, name: str, run: RunResults) -> Path:
    path = tmp_path / f"{name}.json"
    path.write_text(render_json(run))
    return path


@pytest.fixture
def pair(tmp_path: Path) -> tuple[Path, Path]:
    old = results(
        case("test_a", "streaming", HAIKU, "fail", findings=(DONE_TWICE,)),
        case("test_b", "streaming", SONNET, "fail", findings=(replace(LEAK, request_id="req_old"),)),
        case("test_c", "basic", HAIKU, "pass"),
    )
    new = results(
        case("test_a", "streaming", HAIKU, "pass"),
        case("test_b", "streaming", SONNET, "fail", findings=(replace(LEAK, request_id="req_new"),)),
        case("test_b", "streaming", HAIKU, "fail", findings=(LEAK,)),
        case("test_c", "basic", HAIKU, "fail", findings=(ROLE,)),
        cost=0.0004,
    )
    return write(tmp_path, "old", old), write(tmp_path, "new", new)


def ids(path: Path) -> dict[str, str]:
    return {c["check"]: c["id"] for c in json.loads(path.read_text())["causes"]}


def test_new_fixed_and_unchanged_causes_in_json(pair: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    old, new = pair
    assert main(["diff", str(old), str(new), "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["format"] == "chatconform-diff/1"
    assert [c["id"] for c in data["causes"]["new"]] == [ids(new)["stream.role"]]
    assert [c["id"] for c in data["causes"]["fixed"]] == [ids(old)["stream.done"]]
    [same] = data["causes"]["unchanged"]
    assert (same["id"], same["tests_before"], same["tests"]) == (ids(old)["response.finish_reason"], 1, 2)
    cells = {(c["model"], c["feature"]): (c["old"] or {}).get("outcome") for c in data["cells"]}
    assert cells == {(HAIKU, "streaming"): "fail", (HAIKU, "basic"): "pass"}
    figures = data["figures"]
    assert figures["cases"] == {"old": 3, "new": 4, "change": 1}
    assert figures["cost_usd"]["change"] == pytest.approx(0.0016 - 0.0003)
    assert data["exit_code"] == 1


def test_markdown_is_a_pull_request_comment(pair: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    old, new = pair
    assert main(["diff", str(old), str(new)]) == 1
    text = capsys.readouterr().out
    assert text.startswith("## chatconform diff\n")
    assert "Causes: **1 new**, 1 fixed, 1 unchanged; verdict FAIL → FAIL." in text
    new_section = text.split("### New causes", 1)[1].split("###", 1)[0]
    assert ids(new)["stream.role"] in new_section and "no delta carries the role" in new_section
    assert ids(old)["stream.done"] in text.split("### Fixed causes", 1)[1].split("###", 1)[0]
    assert f"| `{HAIKU}` | streaming | ✗ 1 | ✗ 1/2 |" in text
    assert "| cost of the run | $0.0003 | $0.0016 | +$0.0013 |" in text


def test_a_run_against_itself_exits_0(pair: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    old, _ = pair
    assert main(["diff", str(old), str(old)]) == 0
    assert "**0 new**, 0 fixed, 2 unchanged" in capsys.readouterr().out


def test_a_fixed_cause_alone_exits_0(pair: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    old, new = pair
    assert main(["diff", str(new), str(old), "--format", "json"]) == 1  # reversed: stream.done is new again
    capsys.readouterr()
    fixed_only = write(new.parent, "fixed", results(case("test_c", "basic", HAIKU, "pass")))
    assert main(["diff", str(old), str(fixed_only)]) == 0


def test_an_unreadable_or_foreign_file_is_one_line_and_exit_2(
    pair: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old, _ = pair
    v1 = tmp_path / "v1.json"
    v1.write_text(json.dumps({"format": "chatconform-compat/1", "cases": []}))
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    for other, says in [
        (tmp_path / "missing.json", "cannot read"),
        (broken, "is not JSON"),
        (v1, "is a chatconform-compat/1 report; this chatconform compares chatconform-compat/2"),
    ]:
        assert main(["diff", str(old), str(other)]) == 2
        captured = capsys.readouterr()
        assert captured.out == ""
        assert captured.err.count("\n") == 1 and says in captured.err
