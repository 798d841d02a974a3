"""The plugin's options: one table, the vocabulary of `pytest` and of `chatconform check` alike.

Each option is read from the command line, then its environment variable, then the ini file
(`chatconform_<dest>`), then its default, the way pytest-base-url does it (see `settings.raw_value`).
The table is also what `chatconform check` offers (`run_check.add_arguments`), so the two never disagree
on a name.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from importlib.metadata import entry_points

import pytest

from chatconform import headers, preflight
from chatconform.pytest.bounds import MAX_TIME_S

DEFAULT_TIMEOUT_S = 30.0
RETRIES_INCONCLUSIVE = 2


@dataclass(frozen=True)
class CheckOption:
    flag: str  # "--base-url"
    env: str
    help: str
    default: str | None = None
    kind: str = "value"  # "value"; "flag" (no argument; env "1"/"true"); "append" (repeatable)

    @property
    def dest(self) -> str:
        return self.flag.removeprefix("--").replace("-", "_")

    @property
    def ini(self) -> str:
        return "chatconform_" + self.dest


OPTIONS = (
    CheckOption(
        "--base-url",
        "CHATCONFORM_BASE_URL",
        "target base URL incl. the version segment, e.g. "
        "https://gw.example/api/v1; without it the built-in mock is started on a free loopback port",
    ),
    CheckOption("--api-key", "CHATCONFORM_API_KEY", "API key for the target (never printed or written)"),
    CheckOption("--profile", "CHATCONFORM_PROFILE", "built-in profile name or profile TOML file", "tokenhub"),
    CheckOption("--models", "CHATCONFORM_MODELS", "comma-separated subset of the profile's models, either ID form"),
    CheckOption("--report-dir", "CHATCONFORM_REPORT_DIR", "where compat.json/md/html go (default reports/<run-id>/)"),
    CheckOption(
        "--max-cost", "CHATCONFORM_MAX_COST", "USD budget: refuse to start above the estimate, stop above the spend"
    ),
    CheckOption(
        "--max-time",
        "CHATCONFORM_MAX_TIME",
        "seconds for the whole run; the tests not reached by then are reported as not run",
        str(MAX_TIME_S),
    ),
    CheckOption(
        "--retries-inconclusive",
        "CHATCONFORM_RETRIES_INCONCLUSIVE",
        "times an inconclusive test (a real model's legitimate choice left it undecided) is tried again; "
        "a contract failure is never retried",
        str(RETRIES_INCONCLUSIVE),
    ),
    CheckOption(
        "--request-timeout",
        "CHATCONFORM_REQUEST_TIMEOUT",
        "seconds per request, whole answer included",
        str(DEFAULT_TIMEOUT_S),
    ),
    CheckOption(
        "--body-limit",
        "CHATCONFORM_BODY_LIMIT",
        "the target's request size limit in bytes; setting it also sends the oversized-body case to a non-mock target",
    ),
    CheckOption(
        "--known-deviations",
        "CHATCONFORM_KNOWN_DEVIATIONS",
        "TOML file of the target's known deviations: "
        "failures they explain are reported as xfail; a listed deviation that no longer occurs fails the run",
    ),
    CheckOption(
        "--header",
        headers.ENV,
        "'Name: value' added to every request (repeatable), for gateways that route by header; the environment "
        "form is one 'Name: value' per line. Values are secrets: never printed or written",
        kind="append",
    ),
    CheckOption(
        "--skip-preflight",
        "CHATCONFORM_SKIP_PREFLIGHT",
        "do not probe the target before the run (reachable, an OpenAI path, the key accepted)",
        kind="flag",
    ),
    CheckOption(
        "--preflight-timeout",
        "CHATCONFORM_PREFLIGHT_TIMEOUT",
        "seconds the pre-flight may take in all",
        str(preflight.DEFAULT_TIMEOUT_S),
    ),
    CheckOption(
        "--upstream-url",
        "CHATCONFORM_UPSTREAM_URL",
        "gateway mode: root URL of the chatconform mock that the "
        "gateway under test uses as its Anthropic upstream, e.g. http://127.0.0.1:8081; runs the gateway suites",
    ),
    CheckOption(
        "--upstream-key",
        "CHATCONFORM_UPSTREAM_KEY",
        "gateway mode: a key the upstream mock accepts, for its journal and fault routes (never printed or written)",
    ),
    CheckOption(
        "--upstream-timeout",
        "CHATCONFORM_UPSTREAM_TIMEOUT",
        "gateway mode: seconds the gateway waits on a "
        "silent upstream before it gives up; the stalled-upstream tests need it",
    ),
)


# Flags that another well-known plugin owns: pytest-base-url (which comes with pytest-playwright and
# pytest-selenium) registers --base-url under the same dest. Two plugins adding one flag crash every
# pytest run on the machine, whichever loads second; so when the owner will load, it registers the flag
# and we read its value through the shared dest.
OWNERS = {"--base-url": "base_url"}  # flag -> the owner's pytest11 entry-point name


def shared_flags(pluginmanager: pytest.PytestPluginManager) -> frozenset[str]:
    """Our flags another plugin of this environment registers (so we must not)."""
    if os.environ.get("PYTEST_DISABLE_PLUGIN_AUTOLOAD"):
        return frozenset(f for f, owner in OWNERS.items() if pluginmanager.has_plugin(owner))
    installed = {ep.name for ep in entry_points(group="pytest11")}
    return frozenset(f for f, owner in OWNERS.items() if owner in installed and not pluginmanager.is_blocked(owner))


def add_options(parser: pytest.Parser, shared: frozenset[str] = frozenset()) -> None:
    group = parser.getgroup("chatconform", "chatconform conformance suites")
    for option in OPTIONS:
        if option.flag not in shared:
            # An owner loaded before us: its flag is there already; we read it through the same dest.
            action = {"flag": "store_true", "append": "append"}.get(option.kind, "store")
            with contextlib.suppress(ValueError):
                group.addoption(option.flag, dest=option.dest, default=None, action=action, help=option.help)
        parser.addini(option.ini, option.help + f" (env {option.env})", default=None)
