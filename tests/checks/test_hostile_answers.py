"""The tool, vision, JSON, stop, length, usage, billing and sampling checks report, never raise, on garbage."""

from __future__ import annotations

from typing import Any

import pytest

from chatconform.checks import registry
from chatconform.checks.expect import Expect
from chatconform.exchange import Exchange
from chatconform.profile import load_profile
from tests.checks.handmade import chunk, request, stream, whole

MINE = ("tools.", "vision.", "json.", "stop.", "length.", "usage.", "billing.", "sampling.")
# Built directly, not through `build`: `after` is deliberately not the dict it should be.
EXPECT: dict[str, Any] = {
    "colours": ["red"],
    "unstopped": "1, 2, 3",
    "usage": {"prompt_tokens": 1},
    "before": {},
    "after": [],
    "profile": load_profile(),
    "arguments": [{}],
    "schema": {"type": "object"},
    "n": 1,
    "mentions": ["21"],
}
DEEP = "[" * 5000 + "]" * 5000


def garbage() -> dict[str, Exchange]:
    out = {
        "choices-not-a-list": whole(),
        "tool-calls-of-strings": whole({"content": None, "tool_calls": ["call", None, 3]}),
        "function-a-string": whole({"tool_calls": [{"id": 1, "type": None, "function": "get_weather"}]}),
        "deeply-nested-arguments": whole({"tool_calls": [{"function": {"name": "f", "arguments": DEEP}}]}),
        "deeply-nested-content": whole({"content": DEEP}),
        "usage-a-list": whole(usage=[1, 2, 3]),
        "chunks-of-garbage": stream(
            [
                {"choices": "x"},
                chunk({"tool_calls": "x"}),
                chunk({"tool_calls": [None, 1]}),
                chunk({"tool_calls": [{"index": [], "id": {}, "function": []}]}),
                "x",  # type: ignore[list-item]
            ]
        ),
        "tools-not-a-list": whole(req=request(tools="x", stop=7, response_format="y")),
    }
    out["choices-not-a-list"].body["choices"] = {"0": {}}
    out["no-body"] = Exchange("POST", "http://x/v1/chat/completions", {}, None, error="timeout")
    return out


@pytest.mark.parametrize("case", list(garbage()))
def test_checks_never_raise(case: str) -> None:
    ex = garbage()[case]
    for check in registry.all_checks():
        if check.name.startswith(MINE) and not check.is_comparison:
            found = check(ex, Expect(**EXPECT, exchanges=[ex]))
            assert {f.check for f in found} <= {check.name, check.gate_for(ex)}
