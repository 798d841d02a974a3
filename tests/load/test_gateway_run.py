"""Gateway mode end to end: `chatconform load --upstream-url` through a loopback gateway (tests/load/gateway_stub.py).

The upstream is the fake that journals send times in the mock's `sent` shape
(the built-in mock's own `sent` field is not on this branch yet). Bounds are
wide: a gateway cannot relay a chunk before it has it, so the fixed delay is
a floor; the tight figures are bench/gateway_overhead.py's.
"""

from __future__ import annotations

from pathlib import Path

from chatconform.server import serve_in_thread
from tests.load.gateway_stub import FakeUpstream, serve_child
from tests.load.runs import accounted, read_summary, run_load

UPSTREAM_KEY = "th-upstream-key-0123456789abcdef"


def test_a_fixed_delay_shows_as_added_ttft_and_gates_on_its_slo(tmp_path: Path) -> None:
    upstream = FakeUpstream(UPSTREAM_KEY, chunks=10, interval_s=0.004)
    with serve_in_thread(upstream) as up, serve_child("gateway", "--upstream", up, "--delay-ms", "25") as gw:
        done = run_load(
            tmp_path / "r",
            *("--base-url", gw + "/v1", "--upstream-url", up, "--skip-preflight", "--scenario", "stream"),
            *("-u", "4", "-t", "20s", "--max-requests", "20", "--slo", "gateway_ttft_added_p50_ms=5"),
            env={"CHATCONFORM_UPSTREAM_KEY": UPSTREAM_KEY},
        )
    out = done.stdout + done.stderr
    assert done.returncode == 3, out  # the SLO on the gateway's own delay is missed
    summary = read_summary(tmp_path / "r")
    accounted(summary)
    section = summary["gateway"]
    assert section["paired"] == summary["requests"]["succeeded"] == 20 and section["unpaired"] == 0
    assert 24.0 <= section["ttft_added_ms"]["p50"] < 25.0 + 200  # the delay is a floor; the rest is the machine
    assert section["ttft_added_ms"]["p50"] < summary["metrics"]["ttft_ms"]["p50"]
    assert "gateway added: TTFT p50" in out and "gateway_ttft_added_p50_ms" in out
    assert UPSTREAM_KEY not in out
    page = (tmp_path / "r" / "report.html").read_text(encoding="utf-8")
    assert "Gateway overhead" in page and UPSTREAM_KEY not in page


def test_a_buffering_gateway_shows_as_coalesced_and_old_entries_as_unpaired_across_workers(tmp_path: Path) -> None:
    upstream = FakeUpstream(UPSTREAM_KEY, chunks=10, interval_s=0.004, journal_size=10)
    with serve_in_thread(upstream) as up, serve_child("gateway", "--upstream", up, "--mode", "buffer") as gw:
        done = run_load(
            tmp_path / "r",
            *("--base-url", gw + "/v1", "--upstream-url", up, "--skip-preflight", "--scenario", "stream"),
            *("-u", "2", "-t", "20s", "--max-requests", "20", "--workers", "2"),  # the mark reaches the workers
            env={"CHATCONFORM_UPSTREAM_KEY": UPSTREAM_KEY},
        )
    assert done.returncode == 0, done.stdout + done.stderr
    section = read_summary(tmp_path / "r")["gateway"]
    assert (section["paired"], section["unpaired_by_reason"]) == (10, {"not_in_journal": 10})
    assert section["coalesced_ratio"] > 0.9  # events sent 4 ms apart arrived in one read
    assert section["chunk_added_ms"]["max"] >= 9 * 4  # the first event waited for the whole stream
