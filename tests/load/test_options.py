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


def test_goodput_objectives_in_an_slo_need_goodput() -> None:
    with pytest.raises(SettingsError, match="min_goodput_share needs --goodput"):
        Settings.from_options(parse("--slo", "min_goodput_share=0.9"))
    settings = Settings.from_options(parse("--slo", "min_goodput_share=0.9", "--goodput", "ttft_ms=500"))
    assert settings.goodput == {"ttft_ms": 500.0}
    with pytest.raises(SettingsError, match="--goodput 'ttft=5'"):
        Settings.from_options(parse("--goodput", "ttft=5"))


def load_command(*argv: str) -> argparse.Namespace:
    from chatconform.load import cli

    parser = argparse.ArgumentParser()
    cli.add_arguments(parser)
    return parser.parse_args(["--api-key", "th-test-key-123456", *argv])


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--find-max-rate"], "--find-max-rate needs at least one --slo"),
        (["--find-max-rate", "--sweep", "1,2", "--slo", "error_rate=0"], "choose one"),
        (["--find-max-rate", "--search-steps", "1", "--slo", "error_rate=0"], "--search-steps must be at least 2"),
        (["--find-max-rate", "--search-precision", "0", "--slo", "error_rate=0"], "--search-precision"),
    ],
    ids=["no-slo", "with-sweep", "one-step", "zero-precision"],
)
def test_the_rate_search_refuses_options_that_cannot_make_one(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from chatconform.load import cli, exits

    assert cli.run(load_command(*argv)) == exits.USAGE
    assert message in capsys.readouterr().out


def test_the_rate_search_is_open_loop_from_the_given_rate() -> None:
    from chatconform.load import cli, search

    args = load_command("--find-max-rate", "--rate", "3", "--slo", "ttft_p95_ms=800")
    _, plan = cli._validate(args)
    assert plan == search.RateSearch(3.0, search.DEFAULT_STEPS, search.DEFAULT_PRECISION)
    assert args.arrival == "constant"  # the default closed loop has no rate to search
    _, plan = cli._validate(load_command("--find-max-rate", "--arrival", "poisson", "--slo", "ttft_p95_ms=800"))
    assert isinstance(plan, search.RateSearch) and plan.start == 1.0
