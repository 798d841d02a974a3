"""What one pytest run of chatconform holds: its settings, its bounds, its results; and each test's record.

Kept in the config's stash (one per process: the controller and every xdist worker has its own), so the
plugin's hooks, its fixtures and its helpers all read the same state without globals.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from chatconform.pytest.bounds import RunBounds
from chatconform.pytest.conform import CaseRecord
from chatconform.pytest.known import KnownDeviations
from chatconform.pytest.results import Collector
from chatconform.pytest.settings import CheckSettings

RECORD = pytest.StashKey[CaseRecord]()
STATE = pytest.StashKey["PluginState"]()


@dataclass
class PluginState:
    settings: CheckSettings
    bounds: RunBounds
    known: KnownDeviations
    collector: Collector | None = None  # controlling process only
    current: CaseRecord | None = None  # the running test's record, for pricing raw exchanges
    estimated: bool = False  # under xdist, the first worker's collection is priced, once
    reports: list[Path] = field(default_factory=list)
    report_error: str = ""
    deferred_error: str = ""  # a settings mistake from the environment alone (see plugin._settings)
    parametrized: bool = False  # some collected test asked for model_id or model
    preflown: bool = False  # the pre-flight ran (once per run)


def state_of(config: pytest.Config) -> PluginState:
    return config.stash[STATE]


def record_of(item: pytest.Item) -> CaseRecord:
    return item.stash.setdefault(RECORD, CaseRecord())


def is_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


def say(config: pytest.Config, line: str) -> None:
    """One line on the terminal, through pytest's reporter (so -q, capture and xdist behave)."""
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(line)
