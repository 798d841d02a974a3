"""The start of a run, after collection and before the first test: what it will cost, and whether the
target can be tested at all (the pre-flight). Either may end the run before anything else is sent.
"""

from __future__ import annotations

import pytest

from chatconform import cost, preflight
from chatconform.pytest.state import say, state_of


def gate_on_estimate(config: pytest.Config, tests: list[tuple[str, str]]) -> None:
    """Price the selected (node id, model) tests; refuse to start above --max-cost."""
    state = state_of(config)
    settings = state.settings
    estimate = cost.estimate(tests, settings.profile)
    if state.collector is not None:
        state.collector.results.estimated_cost_usd = round(estimate, 6)
    if not settings.base_url or not tests:
        if tests and (note := state.bounds.mock_note()):
            say(config, note)
        return  # the built-in mock costs nothing
    say(
        config,
        f"chatconform: {len(tests)} tests against {settings.base_url}, estimated cost "
        f"{cost.format_usd(estimate)} (profile {settings.profile.name} prices)",
    )
    if settings.max_cost is not None and estimate > settings.max_cost and not config.option.collectonly:
        pytest.exit(
            f"chatconform: estimated cost {cost.format_usd(estimate)} exceeds --max-cost "
            f"{cost.format_usd(settings.max_cost)}; no test was run",
            returncode=pytest.ExitCode.USAGE_ERROR,
        )


def fly_preflight(config: pytest.Config) -> None:
    """The pre-flight, once per run (`chatconform check` runs it itself, before pytest, and passes
    --skip-preflight); a target that cannot be tested ends the run with preflight.EXIT_CODE."""
    state = state_of(config)
    settings = state.settings
    if state.preflown or not settings.base_url or settings.skip_preflight or config.option.collectonly:
        return
    state.preflown = True
    model = settings.models[0] if settings.models else settings.profile.default_model.id
    result = preflight.run(
        settings.base_url, settings.api_key or "", model, settings.headers, settings.preflight_timeout
    )
    if not result.ok:
        for line in result.lines("chatconform"):
            say(config, line)
        pytest.exit("chatconform: the target could not be tested (pre-flight)", returncode=preflight.EXIT_CODE)
