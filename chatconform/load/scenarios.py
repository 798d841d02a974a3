"""The load scenarios: the one table that names them.

Everything else reads this table: `--scenario` (its choices and help), the
Locust user class that `chatconform load` runs, whether a request streams,
which scenarios have a request body of their own (`payloads.build`) and may
appear in `--mix`. The Locust user classes in `users.py` carry the names
given here (Locust users select them by class name on the command line);
`tests/load/test_scenarios.py` fails if the two drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scenario:
    name: str  # the value of --scenario and of --mix keys
    user_class: str  # the Locust user class in chatconform.load.users
    streamed: bool
    help: str
    mixed: bool = False  # draws another scenario per request (--mix) instead of having a body of its own


SCENARIOS: dict[str, Scenario] = {
    s.name: s
    for s in (
        Scenario("stream", "StreamingChatUser", True, "streamed chat (the default)"),
        Scenario("chat", "NonStreamingChatUser", False, "non-streamed chat (E2E only)"),
        Scenario("tools", "ToolCallUser", True, "a streamed tool call (TTFT is the first tool-call delta)"),
        Scenario("vision", "VisionUser", True, "a streamed description of a small PNG"),
        Scenario("mix", "MixUser", True, "a weighted mix drawn per request (--mix)", mixed=True),
    )
}
DEFAULT = "stream"
BODIES = tuple(name for name, s in SCENARIOS.items() if not s.mixed)  # scenarios with a request body


def get(name: str) -> Scenario:
    scenario = SCENARIOS.get(name)
    if scenario is None:
        raise ValueError(f"unknown scenario {name!r}; use one of {', '.join(SCENARIOS)}")
    return scenario


def choices_help() -> str:
    return "; ".join(f"{s.name}: {s.help}" for s in SCENARIOS.values())
