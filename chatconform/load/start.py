"""The start of a run, before any Locust user: the built-in mock when no target is given, and the pre-flight.

`chatconform load` runs the pre-flight itself, once, before it starts Locust
(and once for a whole sweep), then tells Locust `--skip-preflight`; a plain
`locust -f loadtests/locustfile.py` run does it in its `init` hook instead.
Either way, a target that cannot be tested costs a few requests and one
clear message, not a run of identical errors. Nothing here imports Locust.
"""

from __future__ import annotations

import os
from contextlib import ExitStack
from typing import Any

from chatconform import preflight
from chatconform.load.options import MOCK_ENV
from chatconform.load.runtime import Settings
from chatconform.profile import load_profile
from chatconform.target import mock_subprocess, session_key

PROG = "chatconform load"


def start_mock(environment: Any, stack: ExitStack) -> None:
    """No target given to a plain Locust run: serve the built-in mock for it, with a fresh key."""
    options = environment.parsed_options
    profile = load_profile(options.target_profile)
    if not options.api_key:
        options.api_key = session_key(profile)
    args = ["--latency", options.mock_latency, "--profile", options.target_profile]
    root, _ = stack.enter_context(mock_subprocess(args, api_keys=[options.api_key]))
    environment.host = root + "/v1"
    os.environ[MOCK_ENV] = "1"
    print(f"{PROG}: no --host given; serving the built-in mock at {environment.host}", flush=True)


def passes_preflight(base_url: str, settings: Settings, timeout_s: float) -> bool:
    """Probe the target with the run's key, first model and headers; print the outcome; True when testable."""
    result = preflight.run(base_url, settings.api_key, settings.models[0].id, settings.headers, timeout_s)
    print("\n".join(result.lines(PROG)), flush=True)
    return result.ok
