"""The pytest plugin (entry point `pytest11: chatconform`): options, markers, fixtures, the report.

Suites ask for `target`, `profile`, `raw`, `sdk`, `async_sdk` (with `aio`, the
session's event loop), `conform`, `mock_admin`, `upstream` (gateway mode) and
the parameters `model_id` (every accepted ID, both forms) or `model`
(canonical IDs). Without a base URL the session serves the built-in mock on a
free loopback port; it never falls back to a public endpoint. Tests marked
`gateway` run only in gateway mode (`--upstream-url`), else they are reported
unsupported. With `--known-deviations`, failures the file explains become
xfail (see `chatconform.deviations`). Nothing here imports locust: its gevent
patching would change the whole process.
"""

from __future__ import annotations

import inspect
from collections.abc import Generator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from chatconform import cost, preflight
from chatconform.deviations import DeviationVerdict
from chatconform.features import FEATURES, GATEWAY_MARKER, POLICY_MARKER
from chatconform.profile import Profile
from chatconform.pytest.bounds import RunBounds
from chatconform.pytest.conform import CaseRecord, Inconclusive
from chatconform.pytest.results import (
    WIRE,
    Collector,
    feature_of,
    mark_could_not_test,
    model_of,
    settle_exception,
    teststatus,
    wire,
)
from chatconform.pytest.settings import OPTIONS, CheckSettings, add_options, read_settings, shared_flags
from chatconform.pytest.stopping import INTERRUPTED, GracefulInterrupt, ignore_in_worker
from chatconform.redact import redact
from chatconform.report.model import RunResults

pytest_plugins = ["chatconform.pytest.fixtures"]

RECORD = pytest.StashKey[CaseRecord]()
STATE = pytest.StashKey["PluginState"]()


@dataclass
class PluginState:
    settings: CheckSettings
    bounds: RunBounds
    collector: Collector | None = None  # controlling process only
    current: CaseRecord | None = None  # the running test's record, for pricing raw exchanges
    estimated: bool = False  # under xdist, the first worker's collection is priced, once
    reports: list[Path] = field(default_factory=list)
    report_error: str = ""
    deferred_error: str = ""  # a settings mistake from the environment alone (see _settings)
    parametrized: bool = False  # some collected test asked for model_id or model
    preflown: bool = False  # the pre-flight ran (once per run)
    # Known deviations, controlling process only: entry ids that matched a test, and that explained a failure.
    deviations_matched: set[str] = field(default_factory=set)
    deviations_used: dict[str, int] = field(default_factory=dict)
    deviations_stale: list[str] = field(default_factory=list)


def state_of(config: pytest.Config) -> PluginState:
    return config.stash[STATE]


def _is_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


# -- options, markers, parametrisation ---------------------------------------------------------------------------


def pytest_addoption(parser: pytest.Parser, pluginmanager: pytest.PytestPluginManager) -> None:
    add_options(parser, shared=shared_flags(pluginmanager))


def pytest_configure(config: pytest.Config) -> None:
    for name, description in FEATURES.items():
        config.addinivalue_line("markers", f"{name}: feature column '{name}' of the report: {description}")
    config.addinivalue_line("markers", "{}: {}".format(*POLICY_MARKER))
    config.addinivalue_line("markers", "{}: {}".format(*GATEWAY_MARKER))
    settings, deferred = _settings(config)
    bounds = RunBounds(cost.SpendLimit(settings.max_cost), max_time_s=settings.max_time, priced=bool(settings.base_url))
    state = PluginState(settings, bounds, deferred_error=deferred)
    if not _is_worker(config):
        label = settings.base_url or "built-in mock"
        results = RunResults(settings.run_id, label, settings.profile.name, _now(), is_mock=not settings.base_url)
        # The report orders its matrix rows by the profile's canonical IDs.
        chosen = settings.models or tuple(m.id for m in settings.profile.models)
        results.meta["models"] = [m.id for m in settings.profile.models if m.id in chosen]
        # How concurrent the run was: pytest-xdist workers, one test (and so one request) at a time each.
        results.meta["concurrency"] = int(getattr(config.option, "numprocesses", None) or 1)
        state.collector = Collector(results)
    config.stash[STATE] = state
    config.pluginmanager.register(_Listener(state), "chatconform-listener")


def _settings(config: pytest.Config) -> tuple[CheckSettings, str]:
    """The run's settings. A mistake that comes from the environment alone (CHATCONFORM_* set in a shell) is
    deferred: a pytest run that uses nothing of chatconform must not fail for it; one that selects a
    chatconform test reports it at collection, before anything is sent."""
    try:
        return read_settings(config), ""
    except pytest.UsageError as exc:
        if any(config.getoption(o.dest, default=None) not in (None, "", False, []) for o in OPTIONS):
            raise  # an option on the command line: the user asked for chatconform
        return read_settings(config, environ={}), str(exc)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    settings = state_of(metafunc.config).settings
    profile, chosen = settings.profile, set(settings.models)
    marks = metafunc.definition.iter_markers("parametrize")
    explicit = {n for m in marks for n in _argnames(m.args[0] if m.args else m.kwargs.get("argnames", ()))}
    for name, aliases in (("model_id", True), ("model", False)):
        if name in metafunc.fixturenames and name not in explicit:
            state_of(metafunc.config).parametrized = True  # a test we parametrise is a chatconform test
            ids = [i for i in profile.model_ids(aliases) if not chosen or _canonical(profile, i) in chosen]
            metafunc.parametrize(name, ids, ids=ids)


def _argnames(names: Any) -> list[str]:
    return [n.strip() for n in names.split(",")] if isinstance(names, str) else list(names)


def _canonical(profile: Profile, model_id: str) -> str:
    model = profile.resolve(model_id)
    return model.id if model else model_id


# -- cost: the estimate before the run, the spend during it -------------------------------------------------------


def pytest_collection_finish(session: pytest.Session) -> None:
    selected = [item for item in session.items if feature_of(item)]
    state = state_of(session.config)
    if state.deferred_error and (selected or state.parametrized):
        pytest.exit(f"ERROR: {state.deferred_error}", returncode=pytest.ExitCode.USAGE_ERROR)
    if _is_worker(session.config):
        return
    if state.collector is not None:
        state.collector.expect(
            [(i.nodeid, getattr(i, "originalname", i.name), feature_of(i), model_of(i)) for i in selected]
        )
    _gate_on_estimate(session.config, [(item.nodeid, model_of(item)) for item in selected])
    if selected:
        _preflight(session.config)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_node_collection_finished(node: Any, ids: list[str]) -> None:
    config: pytest.Config = node.config
    state = state_of(config)
    if state.collector is not None and not state.estimated:
        state.estimated = True
        tests = [(i, cost.model_in(i, state.settings.profile)) for i in ids]
        # Workers send node ids only: the shipped suites' tests (those the token table knows) are the ones
        # that can be reported as not run if the run stops early; a user's own tests are not known here.
        shipped = [(i, model) for i, model in tests if cost.test_key(i) in cost.token_table()]
        state.collector.expect([(i, i.rsplit("::", 1)[-1].split("[", 1)[0], "", m) for i, m in shipped])
        _gate_on_estimate(config, tests)
        _preflight(config)


def _gate_on_estimate(config: pytest.Config, tests: list[tuple[str, str]]) -> None:
    state = state_of(config)
    settings = state.settings
    estimate = cost.estimate(tests, settings.profile)
    if state.collector is not None:
        state.collector.results.estimated_cost_usd = round(estimate, 6)
    if not settings.base_url or not tests:
        if tests and (note := state.bounds.mock_note()):
            _say(config, note)
        return  # the built-in mock costs nothing
    _say(
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


def _say(config: pytest.Config, line: str) -> None:
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(line)


# -- per-test records ----------------------------------------------------------------------------------------------


def record_of(item: pytest.Item) -> CaseRecord:
    return item.stash.setdefault(RECORD, CaseRecord())


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    state = state_of(item.config)
    state.current = record_of(item)
    if state.bounds.reason and feature_of(item):  # the run was stopped: the rest is reported as not run
        state.current.not_run = state.bounds.reason
        pytest.skip(f"not run: {state.bounds.reason}")
    if item.get_closest_marker(GATEWAY_MARKER[0]) and not state.settings.gateway_mode:
        state.current.unsupported = "gateway mode only: give --upstream-url and --upstream-key"
        pytest.skip(f"unsupported: {state.current.unsupported}")


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """Call a chatconform test, and call it again while it is inconclusive, up to --retries-inconclusive times.
    Only an inconclusive attempt is repeated: a failure or a pass ends the test at once."""
    retries = state_of(pyfuncitem.config).settings.retries_inconclusive
    if not retries or not feature_of(pyfuncitem) or inspect.iscoroutinefunction(pyfuncitem.obj):
        return None  # pytest calls it the usual way
    names = inspect.signature(pyfuncitem.obj).parameters
    arguments = {name: pyfuncitem.funcargs[name] for name in names if name in pyfuncitem.funcargs}
    record = record_of(pyfuncitem)
    for attempt in range(retries + 1):
        try:
            pyfuncitem.obj(**arguments)
            return True
        except Inconclusive:
            if attempt == retries:
                raise
            record.retry()
    return True


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, Any]:
    report: pytest.TestReport = yield
    record = record_of(item)
    settle_exception(report, call, record)  # an SDK exception: one line, a finding or "could not test"
    data = wire(item, record)
    if report.when == "call" and state_of(item.config).settings.deviations:
        data["deviations"] = _judge_deviations(item, report, record)
    setattr(report, WIRE, data)
    mark_could_not_test(item, report, record)
    if report.failed and report.longrepr is not None:
        text = str(report.longrepr)
        if redact(text) != text:  # a secret in a traceback: keep it out of the terminal and JUnit
            report.longrepr = redact(text)
    if report.when == "teardown":
        state_of(item.config).current = None
        record.release()
    return report


def pytest_report_teststatus(report: pytest.TestReport, config: pytest.Config) -> tuple[str, str, str] | None:
    return teststatus(report)  # "could not test" is not "failed"


def _judge_deviations(item: pytest.Item, report: pytest.TestReport, record: CaseRecord) -> dict[str, list[str]]:
    """Turn a failure the known deviations explain into xfail, and a passing test they name into XPASS(strict)."""
    deviations = state_of(item.config).settings.deviations
    if report.skipped:
        return {}
    verdict: DeviationVerdict = deviations.judge(item.nodeid, report.failed, [f.check for f in record.findings])
    entries = deviations.by_id
    if report.failed and verdict.used:
        report.outcome = "skipped"
        report.wasxfail = verdict.reason(entries, verdict.used)
    elif report.passed and verdict.xpassed:
        report.outcome = "failed"
        report.longrepr = "[XPASS(strict)] " + verdict.reason(entries, verdict.xpassed) + " (it passed: remove it)"
    return {"matched": list(verdict.matched), "used": list(verdict.used)}


def _preflight(config: pytest.Config) -> None:
    """The pre-flight, once per run, after the cost estimate and before any test (`chatconform check` runs it
    itself, before pytest, and passes --skip-preflight)."""
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
            _say(config, line)
        pytest.exit("chatconform: the target could not be tested (pre-flight)", returncode=preflight.EXIT_CODE)


class _Listener:
    """Hooks bound to one config (a hook like logreport gets no config): results and the spend limit."""

    def __init__(self, state: PluginState) -> None:
        self.state = state
        self.session: pytest.Session | None = None
        self.interrupt = GracefulInterrupt(self._interrupted)
        self.stop_said = False

    def pytest_sessionstart(self, session: pytest.Session) -> None:
        self.session = session
        if _is_worker(session.config):
            ignore_in_worker()
        else:
            self.interrupt.install()

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if self.state.collector is not None:
            self.state.collector.add(report)
            self._count_deviations(report)
        data = getattr(report, WIRE, None)
        if report.when != "teardown" or not isinstance(data, dict):
            return
        self.state.bounds.after_test(float(data.get("cost", 0.0)))
        if self.state.bounds.reason:
            self._stop(self.state.bounds.reason)

    def _count_deviations(self, report: pytest.TestReport) -> None:
        verdict = getattr(report, WIRE, {}).get("deviations") or {}
        self.state.deviations_matched.update(verdict.get("matched", ()))
        for used in verdict.get("used", ()):
            self.state.deviations_used[used] = self.state.deviations_used.get(used, 0) + 1

    def _settle_deviations(self, session: pytest.Session, results: RunResults) -> None:
        """A deviation with checks that matched tests but explained no failure no longer occurs: fail the run."""
        deviations = self.state.settings.deviations
        if not deviations:
            return
        stale = deviations.stale(self.state.deviations_matched, set(self.state.deviations_used))
        self.state.deviations_stale = [d.id for d in stale]
        results.meta["known_deviations"] = {
            "file": deviations.source,
            "xfailed": dict(self.state.deviations_used),
            "no_longer_occurring": self.state.deviations_stale,
        }
        if stale and session.exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def pytest_keyboard_interrupt(self) -> None:
        """A second Ctrl-C (or one outside a test loop we control): still an interrupted run."""
        self._interrupted(INTERRUPTED)

    def _interrupted(self, reason: str) -> None:
        if self.state.collector is not None:
            self.state.collector.results.interrupted = True
        self._stop(reason)

    def _stop(self, message: str) -> None:
        """Stop the run: this process skips the remaining tests as not run (see chatconform.pytest.stopping);
        xdist's controller is asked to schedule no more."""
        if self.session is not None and message != INTERRUPTED and not self.stop_said:
            _say(self.session.config, message)  # Ctrl-C says its own line, at the moment it is pressed
            self.stop_said = True
        self.state.bounds.reason = self.state.bounds.reason or message
        dsession = self.session.config.pluginmanager.get_plugin("dsession") if self.session is not None else None
        if dsession is not None:
            dsession.shouldstop = message

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        self.interrupt.uninstall()
        if self.state.bounds.reason and session.exitstatus in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
            session.exitstatus = pytest.ExitCode.INTERRUPTED  # stopped before the end: never a verdict of 0
        collector = self.state.collector
        if collector is None:
            return
        collector.close(stopped=self.state.bounds.reason)
        results = collector.results
        results.meta["stopped_by"] = self.state.bounds.reason or None
        self._settle_deviations(session, results)
        if not results.cases:
            return  # no conformance test ran (e.g. the harness's own tests): no report
        results.finished = _now()
        results.meta.setdefault("run_id", results.run_id)
        try:
            from chatconform.report.writers import write_reports
        except ImportError as exc:  # the writers are optional while the report package is built
            self.state.report_error = f"report writers unavailable: {exc}"
            return
        self.state.reports = write_reports(results, self.state.settings.report_dir)

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_terminal_summary(self, terminalreporter: Any) -> Generator[None, None, None]:
        # Outermost wrapper, printing after its yield: after pytest's short test summary, so the output
        # ends with the causes and the report's path.
        yield
        collector = self.state.collector
        if collector is None or not collector.results.cases:
            return
        from chatconform.report.summary import summary_lines

        results = collector.results
        terminalreporter.write_sep("-", "chatconform")
        spent = cost.format_usd(results.cost_usd)
        terminalreporter.write_line(
            f"{len(results.cases)} cases against {results.target}, "
            f"cost {spent} (estimated {cost.format_usd(results.estimated_cost_usd)})"
        )
        for name in self.state.deviations_stale:
            entry = self.state.settings.deviations.by_id[name]
            terminalreporter.write_line(
                f"FAILED {entry.label()}: it no longer occurs (no failure it explains); "
                f"remove it from {self.state.settings.deviations.source}"
            )
        for line in summary_lines(results, self.state.reports):
            terminalreporter.write_line(line)
        if self.state.report_error:
            terminalreporter.write_line(f"no report written: {self.state.report_error}")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
