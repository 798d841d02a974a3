"""Trace replay: the file format, its errors (named by line), the bodies sized in tokens, the users it needs."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import httpx
import pytest

from chatconform.load import payloads, trace
from chatconform.load.options import add_options
from chatconform.load.runtime import Runtime, Settings, SettingsError
from chatconform.mock.app import create_app
from chatconform.mock.config import MockConfig
from chatconform.server import serve_in_thread

KEY = "th-trace-test-0123456789"


def write(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "trace.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_trace_reads_with_offsets_from_its_first_line(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '{"offset_s": 10.0, "prompt_tokens": 100, "output_tokens": 20}',
        "",
        '{"offset_ms": 10250, "prompt_tokens": 0, "output_tokens": 1, "model": "claude-haiku-4-5"}',
        '{"offset_s": 12, "prompt_tokens": 5, "output_tokens": 7}',
    )
    assert trace.load_trace(path, 100) == [
        trace.TraceRequest(0.0, 100, 20),
        trace.TraceRequest(0.25, 0, 1, "claude-haiku-4-5"),
        trace.TraceRequest(2.0, 5, 7),
    ]
    assert len(trace.load_trace(path, 2)) == 2  # --max-requests bounds what is read


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("[1, 2]", "not a JSON object"),
        ("{oops", "not a JSON object"),
        ('{"offset_s": 1, "prompt_tokens": 1, "output_tokens": 1, "tokens": 3}', "unknown key 'tokens'"),
        ('{"prompt_tokens": 1, "output_tokens": 1}', "one of offset_s and offset_ms"),
        ('{"offset_s": 1, "offset_ms": 1, "prompt_tokens": 1, "output_tokens": 1}', "one of offset_s and offset_ms"),
        ('{"offset_s": -1, "prompt_tokens": 1, "output_tokens": 1}', "non-negative"),
        ('{"offset_s": 1, "prompt_tokens": 1.5, "output_tokens": 1}', "prompt_tokens must be a whole number"),
        ('{"offset_s": 1, "prompt_tokens": 1, "output_tokens": 0}', "output_tokens must be a whole number from 1"),
        ('{"offset_s": 1, "prompt_tokens": 1, "output_tokens": true}', "output_tokens must be"),
        ('{"offset_s": 1, "prompt_tokens": 1, "output_tokens": 1, "model": 4}', "model must be"),
        ('{"offset_s": 0.5, "prompt_tokens": 1, "output_tokens": 1}', "before the previous line's"),
    ],
    ids=[
        "array",
        "not-json",
        "unknown-key",
        "no-offset",
        "two-offsets",
        "negative-offset",
        "fractional-count",
        "no-output",
        "boolean-count",
        "model-not-string",
        "offset-goes-back",
    ],
)
def test_a_bad_line_is_named_with_its_number(tmp_path: Path, line: str, message: str) -> None:
    path = write(tmp_path, '{"offset_s": 1, "prompt_tokens": 1, "output_tokens": 1}', line)
    with pytest.raises(trace.TraceError, match=message) as caught:
        trace.load_trace(path, 100)
    assert str(caught.value).startswith(f"{path}:2: ")


def test_an_empty_or_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(trace.TraceError, match="no requests"):
        trace.load_trace(write(tmp_path, ""), 100)
    with pytest.raises(trace.TraceError, match="No such file"):
        trace.load_trace(tmp_path / "absent.jsonl", 100)


def test_the_users_a_trace_needs_are_its_busiest_window() -> None:
    requests = [trace.TraceRequest(t, 1, 1) for t in (0.0, 0.5, 1.0, 1.0, 5.0, 8.5, 8.9, 9.0)]
    assert trace.peak(requests, window_s=4.0) == 4  # 0 to 1 s; 5 to 9 s holds three (9.0 - 5.0 is not within 4 s)
    assert trace.peak(requests, window_s=0.1) == 2


def options(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_options(parser, locust=False)
    return parser.parse_args(["--api-key", KEY, *argv])


def test_a_trace_makes_an_open_loop_schedule_of_its_own(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '{"offset_s": 0, "prompt_tokens": 30, "output_tokens": 4, "model": "claude-opus-4-7"}',
        '{"offset_s": 1.5, "prompt_tokens": 30, "output_tokens": 4}',
    )
    settings = Settings.from_options(options("--trace", str(path), "--models", "claude-haiku-4-5"))
    assert settings.arrival == "trace"
    run = Runtime(settings)
    assert run.schedule is not None and run.schedule.limit == 2
    assert [run.replayed(i, True)[0] for i in (0, 1)] == ["claude-opus-4-7", "claude-haiku-4-5"]
    with pytest.raises(SettingsError, match="drop --arrival constant"):
        Settings.from_options(options("--trace", str(path), "--arrival", "constant", "--rate", "2"))
    bad = write(tmp_path, '{"offset_s": 0, "prompt_tokens": 3, "output_tokens": 4, "model": "gpt-4o"}')
    with pytest.raises(SettingsError, match="'gpt-4o' is not in profile"):
        Settings.from_options(options("--trace", str(bad)))


def usage_of(stream: str) -> dict[str, int]:
    chunks = [json.loads(line[6:]) for line in stream.splitlines() if line.startswith("data: {")]
    usage: dict[str, int] = next(c["usage"] for c in chunks if c.get("usage"))
    return usage


@pytest.mark.parametrize("streamed", [True, False], ids=["stream", "chat"])
def test_a_sized_body_costs_exactly_its_tokens_on_the_mock(streamed: bool) -> None:
    sizes = [(20, 1), (64, 2), (812, 120), (3000, 999)]
    with serve_in_thread(create_app(MockConfig(api_keys=(KEY,)))) as root, httpx.Client(base_url=root) as client:
        for prompt, output in sizes:
            body = payloads.sized(streamed, "claude-haiku-4-5", prompt, output, seed=prompt)
            assert body["max_tokens"] == output
            response = client.post("/v1/chat/completions", json=body, headers={"authorization": f"Bearer {KEY}"})
            assert response.status_code == 200, response.text
            usage = usage_of(response.text) if streamed else response.json()["usage"]
            assert (usage["prompt_tokens"], usage["completion_tokens"]) == (prompt, output)
