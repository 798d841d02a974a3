"""Billing: a ledger's charges match the usage of the requests made, and failed requests cost nothing.

A check over several exchanges: `expect` carries the ledger read before and
after (`before`, `after`: the mock's GET /mock/ledger shape, `totals` with
requests, prompt_tokens, completion_tokens, cost_usd), the `exchanges` sent
in between and the `profile` whose prices apply. Deltas, not absolute
values, so tests run in any order.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from chatconform.answer import requested_model, usage
from chatconform.checks.expect import Expect
from chatconform.checks.finding import Finding
from chatconform.checks.registry import check
from chatconform.cost import usage_cost
from chatconform.exchange import Exchange
from chatconform.profile import Profile
from chatconform.wire import billable

# The mock keeps cents to nine decimals: a millionth of a dollar leaves room for rounding, and none for a
# wrong price.
TOLERANCE_USD = 1e-6


def succeeded(ex: Exchange) -> bool:
    """A completed 200 answer: the only kind the documented billing rule charges."""
    if ex.status != 200 or ex.error is not None:
        return False
    return not ex.is_stream or (ex.done_count == 1 and not ex.sse_problems)


def expected_charge(exchanges: list[Exchange], profile: Profile) -> dict[str, float]:
    """Requests, tokens and cost the successful exchanges should have been charged."""
    out = {"requests": 0.0, "prompt_tokens": 0.0, "completion_tokens": 0.0, "cost_usd": 0.0}
    for ex in filter(succeeded, exchanges):
        found = usage(ex)
        prompt, completion = billable(found) or (0, 0)
        out["requests"] += 1
        out["prompt_tokens"] += prompt
        out["completion_tokens"] += completion
        out["cost_usd"] += usage_cost(profile, requested_model(ex), found)
    return out


def journal_charges(entries: list[Any]) -> dict[str, float]:
    """What the mock charged, read from the journal entries of the test's own requests: unlike two readings
    of the ledger, this holds while other tests are charged at the same time (chatconform check is
    concurrent)."""
    charged = [e for e in entries if isinstance(e, dict) and float(e.get("charged_usd") or 0) > 0]
    usage: list[dict[str, Any]] = [e["usage"] if isinstance(e.get("usage"), dict) else {} for e in charged]
    return {
        "requests": float(len(charged)),
        "prompt_tokens": float(sum(int(u.get("prompt_tokens") or 0) for u in usage)),
        "completion_tokens": float(sum(int(u.get("completion_tokens") or 0) for u in usage)),
        "cost_usd": sum(float(e.get("charged_usd") or 0) for e in charged),
    }


def ledger_delta(before: Any, after: Any) -> dict[str, float]:
    def totals(report: Any) -> dict[str, Any]:
        value = report.get("totals") if isinstance(report, dict) else None
        return value if isinstance(value, dict) else {}

    old, new = totals(before), totals(after)
    keys = ("requests", "prompt_tokens", "completion_tokens", "cost_usd")
    return {k: float(new.get(k) or 0) - float(old.get(k) or 0) for k in keys}


@check(
    "billing.ledger",
    feature="billing",
    summary="ledger charges equal the usage of the successful requests at "
    "the profile's prices, to a millionth of a dollar; failed requests are not charged (expect the "
    "journal entries of the requests as `charges`, or the ledger read `before` and `after` them)",
    reads=("charges", "before", "after"),
    needs=("exchanges",),
    tolerates="other tests charged at the same time, when the per-request `charges` are given",
)
def ledger(ex: Exchange, expect: Expect) -> Iterator[Finding]:
    exchanges: list[Exchange] = list(expect.exchanges or ())
    wanted = expected_charge(exchanges, expect.profile)
    delta = journal_charges(expect.charges) if expect.charges is not None else ledger_delta(expect.before, expect.after)
    failed = len(exchanges) - int(wanted["requests"])
    if delta["requests"] != wanted["requests"]:
        title = (
            "more requests were charged than succeeded (failed requests must cost nothing)"
            if delta["requests"] > wanted["requests"] and failed
            else "the ledger counts another number of requests"
        )
        yield Finding(
            title,
            "ledger.totals.requests",
            f"{wanted['requests']:g} ({failed} failed request(s) not charged)",
            f"{delta['requests']:g}",
        )
    for name in ("prompt_tokens", "completion_tokens"):
        if delta[name] != wanted[name]:
            yield Finding(
                f"the ledger charged other {name} than the usage reported",
                f"ledger.totals.{name}",
                f"{wanted[name]:g}",
                f"{delta[name]:g}",
            )
    if abs(delta["cost_usd"] - wanted["cost_usd"]) >= TOLERANCE_USD:
        yield Finding(
            "the ledger's charge differs from usage × the profile's prices",
            "ledger.totals.cost_usd",
            f"${wanted['cost_usd']:.6f}",
            f"${delta['cost_usd']:.6f}",
        )
