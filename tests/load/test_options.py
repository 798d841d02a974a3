"""Option parsing shared by `chatconform load` and the locustfile, and the request bodies."""

from __future__ import annotations

import argparse

import pytest

from chatconform.load import payloads, scenarios
from chatconform.load.launch import forwarded
from chatconform.load.options import add_options, edits, misspelt, parse_stages, parse_timespan
from chatconform.load.runtime import Settings, SettingsError


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("90", 90), ("30s", 30), ("5m", 300), ("1h30m", 5400), ("1m30s", 90), ("0.5s", 0.5)],
    ids=["bare", "seconds", "minutes", "hours-minutes", "minutes-seconds", "fraction"],
)
def test_timespans(text: str, seconds: float) -> None:
    assert parse_timespan(text) == seconds


@pytest.mark.parametrize("text", ["", "soon", "5 minutes", "m"], ids=["empty", "word", "spaced", "unit-only"])
def test_bad_timespans(text: str) -> None:
    with pytest.raises(ValueError, match="30s"):
        parse_timespan(text)


def test_stages() -> None:
    assert parse_stages("10:30s, 50:1m:5") == [(10, 30.0, 10.0), (50, 60.0, 5.0)]


@pytest.mark.parametrize(
    "text",
    ["10", "10:0s", "x:5s", "10:5s:0", ","],
    ids=["no-duration", "zero-duration", "not-users", "zero-rate", "empty"],
)
def test_bad_stages(text: str) -> None:
    with pytest.raises(ValueError, match="--stages"):
        parse_stages(text)


def test_mix_weights() -> None:
    assert payloads.parse_mix("stream=3, tools") == {"stream": 3.0, "tools": 1.0}
    with pytest.raises(ValueError, match="unknown scenario"):
        payloads.parse_mix("stream=1,video=2")


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_options(parser, locust=False)
    return parser.parse_args(["--api-key", "th-test-key-123456", *argv])


def test_settings_validate_models_against_the_profile() -> None:
    with pytest.raises(SettingsError, match="not in profile"):
        Settings.from_options(parse("--models", "gpt-4o"))
    settings = Settings.from_options(parse("--models", "anthropic/claude-haiku-4-5,claude-opus-4-7"))
    assert [m.id for m in settings.models] == ["claude-haiku-4-5", "claude-opus-4-7"]


def test_open_loop_needs_a_rate() -> None:
    with pytest.raises(SettingsError, match="--rate"):
        Settings.from_options(parse("--arrival", "poisson"))


def test_options_forwarded_to_locust_use_its_names_and_never_the_key() -> None:
    args = forwarded(vars(parse("--profile", "tokenhub", "--slo", "ttft_p95_ms=800", "--slo", "error_rate=0.1")))
    assert "--target-profile" in args and "--profile" not in args
    assert args.count("--slo") == 2
    assert "th-test-key-123456" not in args


@pytest.mark.parametrize("scenario", scenarios.BODIES)
def test_bodies_ask_for_usage_when_streamed_and_for_the_output_length(scenario: str) -> None:
    body = payloads.build(scenario, "claude-haiku-4-5", prompt_words=30, output_words=77)
    assert body["stream"] is (scenario != "chat")
    if body["stream"]:
        assert body["stream_options"] == {"include_usage": True}
    text = str(body["messages"])
    assert ("Write 77 words" in text) is (scenario != "tools")


def test_prompt_length_is_the_asked_number_of_words() -> None:
    assert len(payloads.filler(40, seed=5).split()) == 40
    assert payloads.filler(40, seed=5) != payloads.filler(40, seed=6)


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("--modles", "--models"),
        ("--usrs", "--users"),
        ("--slo-fle", "--slo-file"),
        ("--max-request=5", "--max-requests"),
    ],
    ids=["swap", "missing-letter", "missing-letter-2", "with-value"],
)
def test_a_typo_of_our_options_names_the_one_meant(typed: str, meant: str) -> None:
    known = ["--models", "--users", "-u", "--slo-file", "--max-requests"]
    assert misspelt(["--csv", "out", typed], known) == f"unknown option {typed.split('=')[0]}; did you mean {meant}?"


def test_options_far_from_ours_are_left_to_locust() -> None:
    assert misspelt(["--tags", "x", "--csv", "out", "-L", "DEBUG"], ["--stages", "--models", "--users"]) is None
    assert edits("--tags", "--stages") == 2 and edits("abcd", "abdc") == 1 and edits("", "ab") == 2


def test_secret_options_never_go_on_a_command_line_and_flags_go_bare() -> None:
    values = vars(parse("--header", "X-Tenant: blue-canary-77", "--skip-preflight", "--prompt-words", "0"))
    args = forwarded(values)
    assert args[args.index("--prompt-words") + 1] == "0"  # a zero is a value, not an absent flag
    assert "--header" not in args and "blue-canary-77" not in " ".join(args)
    assert args.count("--skip-preflight") == 1 and "True" not in args
    assert "--no-circuit-breaker" not in args  # False flags are left out
