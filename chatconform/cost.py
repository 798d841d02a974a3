"""What a run costs: the estimate before it starts, and the spend as it goes.

The estimate is deliberately simple and pessimistic: every collected test is
priced as a few short requests to the model it names (or the profile's
default model) at the profile's prices. The spend is summed from the usage
the target reports, so a target that reports no usage costs nothing here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from chatconform.profile import Profile
from chatconform.wire import billable

# A conformance test sends one to three short requests; round up.
REQUESTS_PER_TEST = 3
PROMPT_TOKENS_PER_REQUEST = 300
COMPLETION_TOKENS_PER_REQUEST = 150


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


def estimate(models: Iterable[str], profile: Profile) -> float:
    """USD for tests naming these models ('' = the profile's default model)."""
    total = 0.0
    for name in models:
        entry = profile.resolve(name) if name else None
        entry = entry or profile.default_model
        per_request = entry.cost(PROMPT_TOKENS_PER_REQUEST, COMPLETION_TOKENS_PER_REQUEST)
        total += REQUESTS_PER_TEST * per_request
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
