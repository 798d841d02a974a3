"""Gateway overhead: pairing the upstream's send times with the client's arrivals (overhead.py, gateway.py)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import orjson
import pytest

from chatconform.load import gateway, overhead, payloads, slo
from chatconform.load.overhead import attribute
from chatconform.load.recorder import Recorder, Result
from chatconform.load.timing import Timing
from chatconform.pacing import KEEP, Arrivals, Sent, pairs
from chatconform.server import serve_in_thread
from tests.load.gateway_stub import FakeUpstream

MARK = "cc-0123456789ab"
STEP = 0.005  # the fake stream's events, 5 ms apart


def sends(count: int, start: float = 100.0) -> list[float]:
    return [start + i * STEP for i in range(count)]


def entry(ref: str, times: list[float] | None, outcome: str = "completed", clock: str = "CLOCK_MONOTONIC") -> Any:
    body = {"messages": [{"role": "user", "content": f"Write 5 words.\n(ref {ref})"}]}
    sent = None
    if times is not None:
        sent = {"clock": clock, "received": times[0] - 0.01, "head": times[0] - 0.005, "end": times[-1]}
        sent |= {"content_events": len(times), "first": times[:8], "last": times[-8:]}
    return {"face": "anthropic", "body": body, "outcome": outcome, "sent": sent}


def test_a_relay_one_chunk_per_event_pairs_every_kept_position() -> None:
    times = sends(20)
    arrived = Arrivals.of(f"{MARK}-0-1", [t + 0.002 for t in times], offset=0.0)
    matched = pairs(arrived, Sent(tuple(times[:8]), tuple(times[-8:]), 20))
    assert [i for i, _, _ in matched] == [*range(8), *range(12, 20)]  # both windows, nothing in between guessed
    result = attribute([arrived], [entry(f"{MARK}-0-1", times)], MARK)
    assert (result.paired, result.reshaped, dict(result.unpaired)) == (1, 0, {})
    summary = result.to_json()
    assert summary["ttft_added_ms"]["p50"] == pytest.approx(2.0, rel=0.02)
    assert summary["chunk_added_ms"]["max"] == pytest.approx(2.0, rel=0.02)
    assert summary["gaps"] == 14 and summary["coalesced_ratio"] == 0.0  # 7 gaps per window, all sent 5 ms apart


def test_a_fixed_delay_before_the_first_chunk_is_the_added_ttft() -> None:
    times = sends(10)
    # The gateway holds the stream 25 ms, then relays what queued meanwhile at once, then keeps pace.
    late = [max(t, times[0] + 0.025) + 0.00002 * i for i, t in enumerate(times)]
    result = attribute([Arrivals.of(f"{MARK}-0-1", late, 0.0)], [entry(f"{MARK}-0-1", times)], MARK).to_json()
    assert result["ttft_added_ms"]["p50"] == pytest.approx(25.0, rel=0.02)
    assert (result["coalesced_gaps"], result["gaps"]) == (5, 9)  # events 0 to 5 (sent 0 to 25 ms) arrived together


def test_a_buffered_stream_is_all_coalesced_and_its_early_chunks_late() -> None:
    times = sends(20)
    flushed = [times[-1] + 0.001] * 20  # one read, after the last send
    result = attribute([Arrivals.of(f"{MARK}-0-1", flushed, 0.0)], [entry(f"{MARK}-0-1", times)], MARK).to_json()
    assert result["coalesced_ratio"] == 1.0
    assert result["chunk_added_ms"]["max"] == pytest.approx(19 * STEP * 1000 + 1, rel=0.02)
    assert result["chunk_added_ms"]["p50"] > 10


def test_merged_chunks_pair_only_the_first_and_the_last_event() -> None:
    times = sends(20)
    merged = [times[1] + 0.001, times[3] + 0.001, times[19] + 0.001]  # three client chunks for twenty events
    arrived = Arrivals.of(f"{MARK}-0-1", merged, 0.0)
    assert [i for i, _, _ in pairs(arrived, Sent(tuple(times[:8]), tuple(times[-8:]), 20))] == [0, 19]
    result = attribute([arrived], [entry(f"{MARK}-0-1", times)], MARK)
    assert (result.paired, result.reshaped, result.gaps) == (1, 1, 0)
    assert result.to_json()["ttft_added_ms"]["p50"] == pytest.approx((merged[0] - times[0]) * 1000, rel=0.02)


def test_requests_the_journal_cannot_account_for_are_unpaired_by_reason() -> None:
    times = sends(5)
    arrivals = [Arrivals.of(f"{MARK}-0-{n}", [t + 0.001 for t in times], 0.0) for n in range(1, 6)]
    entries = [
        entry(f"{MARK}-0-1", times),
        entry(f"{MARK}-0-2", None),  # an entry without send times
        entry(f"{MARK}-0-3", times, clock="CLOCK_REALTIME"),  # another clock: not comparable
        entry(f"{MARK}-0-4", [t + 1.0 for t in times]),  # sent after it arrived: not one clock
    ]  # -0-5: the journal no longer holds it
    result = attribute(arrivals, entries, MARK, dropped=2)
    assert result.paired == 1
    assert dict(result.unpaired) == {
        "no_send_times": 2,
        "arrived_before_sent": 1,
        "not_in_journal": 1,
        "not_kept": 2,
    }


def test_a_retried_request_pairs_with_its_completed_attempt_and_a_conversation_with_its_last_turn() -> None:
    times = sends(4)
    failed = entry(f"{MARK}-0-1", sends(4, 50.0), outcome="error")
    history = entry(f"{MARK}-0-2", times)
    history["body"]["messages"][:0] = [{"role": "user", "content": f"earlier\n(ref {MARK}-0-1)"}]
    arrivals = [Arrivals.of(f"{MARK}-0-{n}", [t + 0.003 for t in times], 0.0) for n in (1, 2)]
    result = attribute(arrivals, [failed, entry(f"{MARK}-0-1", times), history], MARK)
    assert result.paired == 2 and not result.unpaired
    assert result.to_json()["ttft_added_ms"]["max"] == pytest.approx(3.0, rel=0.02)


def test_a_run_marks_each_prompt_with_its_own_reference() -> None:
    body = payloads.build("vision", "claude-haiku-4-5", 3, 5)
    tagged = payloads.tag(body, MARK)
    assert body["messages"][0]["content"][0]["text"].count("(ref") == 0  # the pooled original is untouched
    raw = orjson.dumps(tagged)
    refs: set[str | None] = set()
    for _ in range(3):
        stamped = raw.replace(overhead.PLACEHOLDER.encode(), f"{MARK}-0-{len(refs) + 1}".encode())
        refs |= {overhead.reference({"body": orjson.loads(stamped)}, overhead.ref_pattern(MARK))}
    assert refs == {f"{MARK}-0-1", f"{MARK}-0-2", f"{MARK}-0-3"}


def test_the_recorder_keeps_arrivals_bounded_and_ships_them(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("chatconform.load.recorder.MAX_ARRIVALS", 2)
    worker = Recorder()
    for n in range(3):
        timing = Timing(1.0, 2.0, [1.1 + 0.01 * i for i in range(20)], usage_output_tokens=20)
        worker.on_result(Result("stream", "m", True, timing, None, time.time(), ref=f"{MARK}-0-{n}"))
    worker.on_result(Result("chat", "m", False, Timing(1.0, 2.0), None, time.time(), ref=f"{MARK}-0-9"))
    assert [a.ref for a in worker.arrivals] == [f"{MARK}-0-0", f"{MARK}-0-1"] and worker.arrivals_dropped == 1
    assert len(worker.arrivals[0].first) == len(worker.arrivals[0].last) == KEEP
    master = Recorder()
    master.merge(Recorder.from_wire(orjson.loads(orjson.dumps(worker.to_wire()))))
    assert master.arrivals == worker.arrivals and master.arrivals_dropped == 1


def test_gateway_slos_judge_the_gateway_section() -> None:
    section = attribute([], [], MARK).to_json() | {"ttft_added_ms": {"p50": 20.0, "p95": 26.0, "max": 30.0}}
    summary = {"gateway": section | {"coalesced_ratio": 0.5}}
    assert slo.judge("gateway_ttft_added_p95_ms", 25, summary).passed is False
    assert slo.judge("gateway_ttft_added_p95_ms", 27, summary).passed is True
    assert slo.judge("gateway_coalesced_ratio_max", 0.2, summary).passed is False
    assert slo.judge("gateway_chunk_added_p95_ms", 5, summary).passed is False  # no samples: never a pass
    assert slo.judge("gateway_ttft_added_p95_ms", 25, {"gateway": None}).observed is None
    with pytest.raises(slo.SLOError):
        slo.parse_flag("gateway_ttft_added_p99_ms=5")


@pytest.fixture
def upstream() -> Iterator[tuple[str, FakeUpstream]]:
    fake = FakeUpstream("th-upstream-key-0123456789", chunks=3, interval_s=0.002)
    fake.journal.append(entry(f"{MARK}-0-1", sends(3)))
    fake.journal.append(entry("cc-other-0-1", sends(3)))
    with serve_in_thread(fake) as root:
        yield root, fake


def test_the_journal_is_read_with_the_runs_mark_and_a_wrong_key_is_an_error(upstream: tuple[str, Any]) -> None:
    root, fake = upstream
    found = gateway.read_journal(root, fake.key, MARK, settle_s=0.2)
    assert [e["body"]["messages"][0]["content"] for e in found] == [f"Write 5 words.\n(ref {MARK}-0-1)"]
    with pytest.raises(gateway.JournalError) as caught:
        gateway.read_journal(root, "th-wrong-key-0123456789", MARK, settle_s=0.2)
    assert "401" in str(caught.value) and "th-wrong" not in str(caught.value)
    arrivals = [Arrivals.of(f"{MARK}-0-1", [t + 0.001 for t in sends(3)], 0.0)]
    unread = gateway.measure(root, "th-wrong-key-0123456789", MARK, arrivals, 0)
    assert unread["unpaired_by_reason"] == {"journal_unreadable": 1} and unread["journal_error"]
    read = gateway.measure(root, fake.key, MARK, arrivals, 0)
    assert read["paired"] == 1 and read["journal_error"] is None
