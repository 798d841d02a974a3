"""What a run costs: the estimate before it starts, and the spend as it goes.

The estimate prices each selected test by what that test measured on the built-in mock, whose answers
have the length a real model gives the same prompt ("Write 1000 words" writes 1000 words): the number
of requests and the prompt and completion tokens per test function, averaged over its parameters, kept
in `token_table.json` and refreshed with `python -m chatconform.pytest.calibrate` (a test fails when a
suite test has no entry). A test the table does not know (a user's own) is priced as one short request.
The spend is summed from the usage the target reports, so a target that reports no usage costs nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from chatconform.profile import Profile
from chatconform.wire import billable

TABLE = "token_table.json"
# A test the table does not know: one short request.
UNKNOWN_TEST = {"requests": 1.0, "prompt_tokens": 300.0, "completion_tokens": 150.0}


def usage_cost(profile: Profile, model: str, usage: Any) -> float:
    """USD for one request; 0 for an unknown model or missing usage."""
    tokens = billable(usage)
    entry = profile.resolve(model)
    if tokens is None or entry is None:
        return 0.0
    return entry.cost(*tokens)


def model_in(text: str, profile: Profile) -> str:
    """The longest profile model ID named in a test id (its parameters), else ''."""
    params = text.partition("[")[2]
    found = [m.id for m in profile.models if m.id in params]
    return max(found, key=len) if found else ""


def test_key(nodeid: str) -> str:
    """`test_basic.py::test_basic` for `suites/test_basic.py::test_basic[claude-x]`: the table's key."""
    path, _, name = nodeid.partition("::")
    return f"{path.rsplit('/', 1)[-1]}::{name.split('[', 1)[0]}"


@cache
def token_table() -> dict[str, dict[str, float]]:
    data: dict[str, dict[str, float]] = json.loads(resources.files("chatconform").joinpath(TABLE).read_text())
    return data


def estimate(tests: Iterable[tuple[str, str]], profile: Profile) -> float:
    """USD for these (node id, model) pairs; '' as the model means the profile's default model."""
    total = 0.0
    for nodeid, name in tests:
        entry = (profile.resolve(name) if name else None) or profile.default_model
        typical = token_table().get(test_key(nodeid), UNKNOWN_TEST)
        total += entry.cost(round(typical["prompt_tokens"]), round(typical["completion_tokens"]))
    return total


@dataclass
class SpendLimit:
    """The spend so far against an optional limit."""

    limit: float | None = None
    spent: float = 0.0

    def add(self, usd: float) -> None:
        self.spent += usd

    @property
    def exceeded(self) -> bool:
        return self.limit is not None and self.spent > self.limit

    def message(self) -> str:
        return f"chatconform: spend ${self.spent:.4f} passed --max-cost ${self.limit:.4f}; stopping the run"


def format_usd(value: float) -> str:
    return f"${value:.4f}" if value < 1 else f"${value:.2f}"
