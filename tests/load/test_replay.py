"""Whole runs of a trace replay and of the conversation scenario, against the bare mock."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from chatconform.target import mock_subprocess
from tests.load.runs import KEY, accounted, read_summary, run_load

LINES = [  # (offset_s, prompt tokens, output tokens): a burst, a pause, a burst
    (0.0, 40, 8),
    (0.0, 200, 3),
    (0.2, 64, 30),
    (0.25, 500, 12),
    (1.5, 25, 2),
    (1.6, 1200, 40),
    (1.6, 80, 5),
]


@pytest.fixture(scope="module")
def bare_mock() -> Iterator[str]:
    with mock_subprocess(["--latency", "none"], api_keys=[KEY]) as (root, _):
        yield root + "/v1"


def test_a_trace_is_replayed_at_its_offsets_with_its_sizes(tmp_path: Path, bare_mock: str) -> None:
    path = tmp_path / "trace.jsonl"
    lines = [{"offset_s": t, "prompt_tokens": p, "output_tokens": o} for t, p, o in LINES]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    done = run_load(tmp_path / "r", "--base-url", bare_mock, "--trace", str(path), "--skip-preflight", timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    summary = read_summary(tmp_path / "r")
    accounted(summary)
    assert summary["run"]["stopped_by"] == "trace_end"  # not -t: it defaults to the span plus the request timeout
    assert summary["run"]["load"]["arrival"] == "trace"
    assert summary["run"]["load"]["trace"] == {"file": "trace.jsonl", "requests": 7, "span_s": 1.6}
    assert summary["requests"]["succeeded"] == 7
    # The mock counts the sized prompts and answers exactly.
    assert summary["tokens"]["prompt"] == sum(p for _, p, _ in LINES)
    assert summary["tokens"]["completion"] == sum(o for _, _, o in LINES)
    # Sent at their offsets: every send's lag is recorded, and the run lasted at least the trace's span.
    lag = summary["metrics"]["send_lag_ms"]
    assert lag["count"] == 7 and lag["p50"] < 250  # wide: a busy machine wakes greenlets late
    assert summary["throughput"]["duration_s"] >= 1.6
    assert "open-loop send lag p50" in done.stdout


def test_a_trace_with_a_scenario_that_cannot_replay_it_fails_before_sending(tmp_path: Path) -> None:
    path = tmp_path / "trace.jsonl"
    path.write_text('{"offset_s": 0, "prompt_tokens": 1, "output_tokens": 1}\n', encoding="utf-8")
    done = run_load(tmp_path / "r", "--base-url", "http://127.0.0.1:9/v1", "--trace", str(path), "--scenario", "tools")
    assert done.returncode == 2 and "--trace replays text requests" in done.stdout
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"offset_s": 0, "prompt_tokens": 1}\n', encoding="utf-8")
    done = run_load(tmp_path / "r", "--base-url", "http://127.0.0.1:9/v1", "--trace", str(bad))
    assert done.returncode == 2 and f"{bad}:1: output_tokens must be" in done.stdout


def test_a_conversation_resends_its_history_so_each_turn_is_longer(tmp_path: Path, bare_mock: str) -> None:
    done = run_load(
        tmp_path / "r",
        "--base-url",
        bare_mock,
        "--scenario",
        "conversation",
        "--turns",
        "3",
        "-u",
        "1",  # one user: 12 requests are 4 whole conversations of 3 turns
        "--max-requests",
        "12",
        "-t",
        "30s",
        "--prompt-words",
        "30",
        "--output-words",
        "10",
        "--skip-preflight",
        timeout=60,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    summary = read_summary(tmp_path / "r")
    turns = summary["conversation"]["by_turn"]
    assert [t["turn"] for t in turns] == [1, 2, 3] and [t["requests"] for t in turns] == [4, 4, 4]
    # Turn n resends n - 1 questions and answers: each turn adds one question (30 words, the instruction and
    # the message overhead) and one answer (10 words = 11 tokens, and its overhead).
    first, second, third = (t["prompt_tokens_mean"] for t in turns)
    assert second - first == third - second == (11 + 4) + first
    assert summary["requests"]["by_scenario"]["conversation"]["succeeded"] == 12
    assert summary["run"]["load"]["turns"] == 3
    assert "conversation turns: 1: " in done.stdout
