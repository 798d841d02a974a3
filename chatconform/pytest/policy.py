"""Policy discovery as the suites run it: record what the target did, then hold the answer to its contract."""

from __future__ import annotations

from collections.abc import Sequence

from chatconform.checks import ERROR_CHECKS, RESPONSE_CHECKS
from chatconform.checks.sampling import ACCEPTED, observed_policy
from chatconform.exchange import Exchange
from chatconform.pytest.conform import Conform


def observe(conform: Conform, name: str, ex: Exchange, consistent: Sequence[str] = ACCEPTED) -> str:
    """Record the behaviour for policy `name` (a mismatch with the profile fails the test); a refusal must
    still be a proper 400 envelope, an acceptance a proper answer. Returns the observation."""
    observed = observed_policy(ex, conform.profile.policy(name), consistent)
    conform.observe_policy(name, observed)
    if observed == "rejected":
        conform.check(ex, *ERROR_CHECKS, status=400)
    elif ex.status == 200:
        conform.check(ex, *RESPONSE_CHECKS)
    return observed
