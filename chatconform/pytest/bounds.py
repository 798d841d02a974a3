"""What may end a conformance run early, and what becomes of the tests it did not reach.

Three bounds, each named in the verdict when it fires:

- the spend: `--max-cost` against what the target's usage says the run cost (a real target only: the
  built-in mock charges nothing, and the run says so in one line);
- the clock: `--max-time` seconds for the whole run (default MAX_TIME_S, generous: the full matrix
  against a slow gateway finishes well within it); a test already running finishes first, so a run
  ends within the bound plus one test (itself bounded by --request-timeout per request);
- the breaker: BREAKER_AFTER consecutive requests that got no response at all (a refused connection,
  DNS, TLS, a timeout before any byte) mean the target has gone away; testing on would only repeat
  "could not test" hundreds of times.

Every selected test that did not run because of a bound (or of Ctrl-C, or `-x`) is reported as
`not_run`, never dropped: a run cut short cannot read as a smaller, passing one.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from chatconform.cost import SpendLimit, format_usd
from chatconform.exchange import Exchange

MAX_TIME_S = 3600.0
BREAKER_AFTER = 10


@dataclass
class RunBounds:
    spend: SpendLimit
    max_time_s: float = MAX_TIME_S
    breaker_after: int = BREAKER_AFTER
    priced: bool = True  # False for the built-in mock, whose runs cost nothing
    started: float = field(default_factory=time.monotonic)
    unanswered: int = 0  # consecutive exchanges without any response
    reason: str = ""  # why the run stopped early, once it did

    def after_exchange(self, ex: Exchange) -> None:
        """Count requests that reached no server; any answer, even an error, resets the count."""
        self.unanswered = self.unanswered + 1 if unreached(ex) else 0
        if self.unanswered >= self.breaker_after and not self.reason:
            self.reason = (
                f"chatconform: {self.unanswered} requests in a row got no response ({unreached(ex)}); "
                "the target is unreachable, stopping the run (the rest is reported as not run)"
            )

    def after_test(self, cost_usd: float) -> None:
        self.spend.add(cost_usd)
        if self.reason:
            return
        if self.priced and self.spend.exceeded:
            self.reason = self.spend.message()
        elif time.monotonic() - self.started > self.max_time_s:
            self.reason = (
                f"chatconform: the run passed --max-time {self.max_time_s:g} s; stopping (the rest is not run)"
            )

    def mock_note(self) -> str:
        """The line that says why --max-cost does not bound a run against the built-in mock."""
        if self.spend.limit is None or self.priced:
            return ""
        return (
            f"chatconform: --max-cost {format_usd(self.spend.limit)} does not apply to the built-in mock, which "
            "charges nothing; the report still prices the run at the profile's prices"
        )


def unreached(ex: Exchange) -> str:
    """What the transport saw when no response arrived at all, else "" (the server answered something)."""
    if ex.status is not None or ex.t_headers is not None or not ex.error:
        return ""
    return ex.error
