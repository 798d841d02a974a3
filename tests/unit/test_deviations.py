"""Known deviations: pattern matching and the verdict for one test (pure, no pytest session)."""

from __future__ import annotations

from pathlib import Path

from chatconform.deviations import Deviation, Deviations, load_deviations, short_id

NODE = "suites/test_gateway_faults.py::test_upstream_error_before_headers[429-stream]"


def entries(*items: Deviation) -> Deviations:
    return Deviations(items, "test")


def test_patterns_match_ids_without_directories_and_brackets_are_literal() -> None:
    assert short_id(NODE) == "test_gateway_faults.py::test_upstream_error_before_headers[429-stream]"
    exact = Deviation.build("a", "r", ("test_gateway_faults.py::test_upstream_error_before_headers[429-*",), ())
    assert exact.matches_test(short_id(NODE))
    assert not exact.matches_test("test_gateway_faults.py::test_upstream_error_before_headers[4-stream]")
    everything = Deviation.build("b", "r", (), ("upstream.*",))
    assert everything.matches_test("anything.py::at_all") and everything.declares("upstream.retry_after")
    assert not everything.declares("error.status")


def test_a_failure_is_explained_only_when_every_check_is_declared() -> None:
    retry = Deviation.build("retry", "r", ("*[429-*",), ("upstream.retry_after",))
    status = Deviation.build("status", "s", (), ("error.status",))
    both = entries(retry, status)
    verdict = both.judge(NODE, True, ["upstream.retry_after", "error.status"])
    assert verdict.used == ("retry", "status") and verdict.matched == ("retry", "status")
    assert both.judge(NODE, True, ["upstream.retry_after", "error.envelope"]).used == ()
    assert both.judge(NODE, True, []).used == ()  # a failure without findings needs an entry without checks
    assert verdict.reason(both.by_id, verdict.used) == "known deviation retry: r; known deviation status: s"


def test_an_entry_without_checks_is_a_strict_xfail_on_its_tests() -> None:
    blanket = entries(Deviation.build("flaky", "r", ("*::test_upstream_error_before_headers[*",), ()))
    assert blanket.judge(NODE, True, ["anything"]).used == ("flaky",)
    assert blanket.judge(NODE, False, []).xpassed == ("flaky",)
    assert blanket.judge("x.py::other", False, []).xpassed == ()


def test_stale_entries_are_those_with_checks_that_matched_but_explained_nothing() -> None:
    with_checks = Deviation.build("c", "r", (), ("x.y",))
    without = Deviation.build("t", "r", ("a",), ())
    deviations = entries(with_checks, without)
    assert deviations.stale({"c", "t"}, set()) == [with_checks]
    assert deviations.stale({"c"}, {"c"}) == []
    assert deviations.stale(set(), set()) == []  # nothing it names ran


def test_the_committed_litellm_file_loads() -> None:
    path = Path(__file__).resolve().parents[2] / "docs" / "compat" / "litellm-deviations.toml"
    loaded = load_deviations(path)
    assert len(loaded.entries) >= 10 and all(d.reason and (d.tests or d.checks) for d in loaded.entries)
