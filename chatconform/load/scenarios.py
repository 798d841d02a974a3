"""The load scenarios: the one table that names them.

Everything else reads this table: `--scenario` (its choices and help), the
Locust user class that `chatconform load` runs, whether a request streams,
which scenarios have a request body of their own (`payloads.build`) and may
appear in `--mix` (not a conversation: its body depends on the answers
before it, so it belongs to one user from its first turn to its last), and
which may replay a `--trace` (text requests: stream and chat). The Locust user classes in `users.py` carry the names
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
    stateful: bool = False  # each request depends on the answers before it (a conversation)
    replays: bool = False  # may replay --trace requests (given in tokens)


SCENARIOS: dict[str, Scenario] = {
    s.name: s
    for s in (
        Scenario("stream", "StreamingChatUser", True, "streamed chat (the default)", replays=True),
        Scenario("chat", "NonStreamingChatUser", False, "non-streamed chat (E2E only)", replays=True),
        Scenario("tools", "ToolCallUser", True, "a streamed tool call (TTFT is the first tool-call delta)"),
        Scenario("vision", "VisionUser", True, "a streamed description of a small PNG"),
        Scenario("mix", "MixUser", True, "a weighted mix drawn per request (--mix)", mixed=True),
        Scenario(
            "conversation",
            "ConversationUser",
            True,
            "a streamed multi-turn conversation: each turn resends the history, answers included (--turns)",
            stateful=True,
        ),
    )
}
DEFAULT = "stream"
BODIES = tuple(name for name, s in SCENARIOS.items() if not s.mixed and not s.stateful)  # a body of its own


def get(name: str) -> Scenario:
    scenario = SCENARIOS.get(name)
    if scenario is None:
        raise ValueError(f"unknown scenario {name!r}; use one of {', '.join(SCENARIOS)}")
    return scenario


def choices_help() -> str:
    return "; ".join(f"{s.name}: {s.help}" for s in SCENARIOS.values())


def replays(name: str) -> bool:
    """May this scenario replay --trace requests?"""
    scenario = SCENARIOS.get(name)
    return scenario is not None and scenario.replays
