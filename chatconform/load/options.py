"""The load options, defined once for both parsers that read them.

They are registered as Locust custom arguments by the locustfile (so plain
`locust -f loadtests/locustfile.py --slo ttft_p95_ms=800` works and Locust
forwards them to its workers) and repeated by `chatconform load`, which
passes them on. This module imports nothing from Locust.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from chatconform import headers, preflight
from chatconform.load.schedule import ARRIVALS

API_KEY_ENV = "CHATCONFORM_API_KEY"
UPSTREAM_URL_ENV = "CHATCONFORM_UPSTREAM_URL"  # the names `check` reads too
UPSTREAM_KEY_ENV = "CHATCONFORM_UPSTREAM_KEY"
MOCK_ENV = "CHATCONFORM_LOAD_MOCK"  # "1" when the target is the built-in mock started for the run
DEFAULT_MIX = "stream=6,chat=2,tools=1,vision=1"
DEFAULT_MAX_REQUESTS = 100_000
DEFAULT_REQUEST_TIMEOUT_S = 60.0
_SPAN = re.compile(r"^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+(?:\.\d+)?)s?)?$")


@dataclass(frozen=True)
class Option:
    flags: tuple[str, ...]
    kwargs: dict[str, Any] = field(default_factory=dict)
    env: str | None = None  # Locust reads it from this environment variable too
    secret: bool = False  # never forwarded on a command line; the environment carries it
    locust_flag: str | None = None  # the name in Locust's parser, where Locust already owns flags[0]
    web_ui: bool = False  # shown in Locust's web UI form

    @property
    def dest(self) -> str:
        return str(self.kwargs.get("dest") or self.flags[0].lstrip("-").replace("-", "_"))

    def flag(self, locust: bool) -> str:
        return self.locust_flag if locust and self.locust_flag else self.flags[0]


OPTIONS = (
    Option(
        ("--api-key",),
        {"default": None, "help": f"API key (or set {API_KEY_ENV}); never written anywhere"},
        env=API_KEY_ENV,
        secret=True,
        web_ui=True,
    ),
    Option(
        ("--header",),
        {
            "action": "append",
            "default": [],
            "metavar": "'NAME: VALUE'",
            "help": f"header sent on every request, repeatable (or {headers.ENV}, one per line); values are secret",
        },
        secret=True,
    ),
    # Locust's own --profile (a label for test runs) is taken: Locust sees this one as --target-profile.
    Option(
        ("--profile",),
        {
            "default": "tokenhub",
            "dest": "target_profile",
            "metavar": "PROFILE",
            "help": "built-in profile name or TOML file (default tokenhub)",
        },
        locust_flag="--target-profile",
    ),
    Option(
        ("--models",),
        {"default": "", "help": "comma-separated model IDs, used in turn (default: the profile's default model)"},
        web_ui=True,
    ),
    Option(
        ("--mix",),
        {"default": DEFAULT_MIX, "help": f"scenario weights of the mix scenario (default {DEFAULT_MIX})"},
        web_ui=True,
    ),
    Option(("--prompt-words",), {"type": int, "default": 50, "help": "words of filler in each prompt (default 50)"}),
    Option(
        ("--output-words",),
        {"type": int, "default": 100, "help": "asked output length in words: 'Write N words' (default 100)"},
    ),
    Option(
        ("--arrival",),
        {
            "choices": ARRIVALS,
            "default": "closed",
            "help": "closed: each user sends when its last request ended; constant or poisson: "
            "open-loop arrivals at --rate requests/s (default closed)",
        },
    ),
    Option(("--rate",), {"type": float, "default": 0.0, "help": "open-loop arrival rate, requests/s"}),
    Option(
        ("--trace",),
        {
            "default": None,
            "metavar": "FILE",
            "help": "replay a JSONL trace open loop: one {offset_s, prompt_tokens, output_tokens[, model]} "
            "per line (scenario stream or chat)",
        },
    ),
    Option(
        ("--turns",),
        {"type": int, "default": 4, "help": "turns per conversation of the conversation scenario (default 4)"},
    ),
    Option(
        ("--stages",),
        {
            "default": "",
            "help": "load stages USERS:DURATION[:SPAWN_RATE],... e.g. "
            "'10:30s,50:1m:5' (ramps and steps; with plain locust, add "
            "loadtests/stages.py to -f)",
        },
    ),
    Option(
        ("--max-requests",),
        {
            "type": int,
            "default": DEFAULT_MAX_REQUESTS,
            "help": f"stop after this many requests in all (default {DEFAULT_MAX_REQUESTS})",
        },
    ),
    Option(
        ("--request-timeout",),
        {
            "type": float,
            "default": DEFAULT_REQUEST_TIMEOUT_S,
            "help": "seconds allowed for one whole request (default 60)",
        },
    ),
    Option(
        ("--slo",),
        {
            "action": "append",
            "default": [],
            "metavar": "NAME=VALUE",
            "help": "objective, repeatable: ttft_p95_ms=800, itl_p99_ms=50, error_rate=0.01, "
            "min_output_tokens_per_s=100",
        },
    ),
    Option(("--slo-file",), {"default": None, "help": "TOML file of objectives ([slo] table)"}),
    Option(
        ("--goodput",),
        {
            "default": "",
            "metavar": "NAME=MS,...",
            "help": "per-request objectives, e.g. ttft_ms=500,tpot_ms=50 (also e2e_ms, itl_max_ms): "
            "goodput is the share and rate of requests that meet all of them",
        },
    ),
    Option(("--report-dir",), {"default": None, "help": "where to write the report (default reports/load/<run>)"}),
    Option(("--seed",), {"type": int, "default": 0, "help": "seed for Poisson arrivals and prompt text"}),
    Option(
        ("--skip-preflight",),
        {"action": "store_true", "help": "start without first checking that the target can be tested at all"},
    ),
    Option(
        ("--preflight-timeout",),
        {
            "type": float,
            "default": preflight.DEFAULT_TIMEOUT_S,
            "help": f"seconds for the whole pre-flight (default {preflight.DEFAULT_TIMEOUT_S:g})",
        },
    ),
    Option(
        ("--no-circuit-breaker",),
        {
            "action": "store_true",
            "help": "keep going when (nearly) every request fails (see the README for the thresholds)",
        },
    ),
    Option(
        ("--upstream-url",),
        {
            "default": None,
            "help": "gateway mode: the root of the chatconform mock the target gateway uses as its upstream; "
            "the summary then attributes latency to the gateway (docs/load.md)",
        },
        env=UPSTREAM_URL_ENV,
    ),
    Option(
        ("--upstream-key",),
        {"default": None, "help": f"a key the upstream mock accepts, for its journal (or {UPSTREAM_KEY_ENV})"},
        env=UPSTREAM_KEY_ENV,
        secret=True,
    ),
    # Set by the master (or the only process) at start, sent to workers with the options: the run's mark.
    Option(("--gateway-mark",), {"default": "", "help": argparse.SUPPRESS}),
    Option(
        ("--mock-latency",),
        {
            "choices": ("realistic", "none"),
            "default": "realistic",
            "help": "latency of the built-in mock started when no target is given",
        },
    ),
)


def add_options(parser: Any, locust: bool) -> list[str]:
    """Register OPTIONS on an argparse parser, or on Locust's (which takes extra keywords); return their flags."""
    flags: list[str] = []
    for option in OPTIONS:
        kwargs = dict(option.kwargs)
        if locust:
            kwargs["include_in_web_ui"] = option.web_ui
            kwargs["is_secret"] = option.secret
            if option.env:
                kwargs["env_var"] = option.env
        action = parser.add_argument(option.flag(locust), *option.flags[1:], **kwargs)
        flags += getattr(action, "option_strings", [])
    return flags


def misspelt(extra: Sequence[str], known: Sequence[str]) -> str | None:
    """An error naming the option meant, when an option passed on to Locust is a typo of one of ours.

    A typo is one edit away from one of our options (a letter left out,
    added, changed, or two swapped: `--modles`, `--usrs`, `--slo-fle`).
    Locust itself only says "unrecognized arguments", after its start-up. An
    unknown option further from ours is left to Locust (it may be one of
    Locust's own). difflib's similarity ratio is not used: it takes Locust's
    `--tags` for a typo of `--stages`; tests/load/test_first_contact.py
    checks that no Locust option is one edit from ours.
    """
    ours = [flag for flag in known if flag.startswith("--")]
    for arg in extra:
        name = arg.split("=", 1)[0]
        if not name.startswith("--") or name in ours:
            continue
        close = [flag for flag in ours if edits(name, flag) == 1]
        if close:
            return f"unknown option {name}; did you mean {close[0]}?"
    return None


def edits(a: str, b: str) -> int:
    """Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        row = [i]
        for j, y in enumerate(b, 1):
            cost = min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (x != y))
            if i > 1 and j > 1 and x == b[j - 2] and a[i - 2] == y:
                cost = min(cost, previous2[j - 2] + 1)
            row.append(cost)
        previous2, previous = previous, row
    return previous[-1]


def parse_timespan(text: str) -> float:
    """Locust's time format: `90`, `30s`, `5m`, `1h30m`, `1m30s` -> seconds."""
    match = _SPAN.match(text.strip().lower()) if text.strip() else None
    if not match or not any(match.groups()):
        raise ValueError(f"time {text!r}: use e.g. 30s, 5m, 1h30m")
    hours, minutes, seconds = (float(g) if g else 0.0 for g in match.groups())
    return hours * 3600 + minutes * 60 + seconds


def split_models(text: str) -> list[str]:
    return [m.strip() for m in text.split(",") if m.strip()]


def parse_stages(text: str) -> list[tuple[int, float, float]]:
    """`10:30s,50:1m:5` -> [(users, seconds, spawn_rate), ...]; without a rate, a stage is a step
    (all users start within one second)."""
    stages = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        fields = part.split(":")
        try:
            if len(fields) not in (2, 3):
                raise ValueError
            users, seconds = int(fields[0]), parse_timespan(fields[1])
            rate = float(fields[2]) if len(fields) == 3 else float(max(users, 1))
        except ValueError:
            raise ValueError(f"--stages {part!r}: use USERS:DURATION[:SPAWN_RATE], e.g. 10:30s or 50:1m:5") from None
        if users < 0 or seconds <= 0 or rate <= 0:
            raise ValueError(f"--stages {part!r}: users must be >= 0, duration and spawn rate positive")
        stages.append((users, seconds, rate))
    if not stages:
        raise ValueError("--stages is empty; use e.g. 10:30s,50:1m:5")
    return stages
