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
from datetime import UTC, datetime
from typing import Any

import pytest

from chatconform import cost
from chatconform.features import FEATURES, GATEWAY_MARKER, POLICY_MARKER
from chatconform.profile import Profile
from chatconform.pytest.bounds import RunBounds
from chatconform.pytest.conform import Inconclusive
from chatconform.pytest.known import KnownDeviations
from chatconform.pytest.options import OPTIONS, add_options, shared_flags
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
from chatconform.pytest.settings import CheckSettings, read_settings
from chatconform.pytest.start import fly_preflight, gate_on_estimate
from chatconform.pytest.state import STATE, PluginState, is_worker, record_of, say, state_of
from chatconform.pytest.stopping import INTERRUPTED, GracefulInterrupt, ignore_in_worker
from chatconform.redact import redact
from chatconform.report.model import RunResults

pytest_plugins = ["chatconform.pytest.fixtures"]

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
    state = PluginState(settings, bounds, KnownDeviations(settings.deviations), deferred_error=deferred)
    if not is_worker(config):
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
    if is_worker(session.config):
        return
    if state.collector is not None:
        state.collector.expect(
            [(i.nodeid, getattr(i, "originalname", i.name), feature_of(i), model_of(i)) for i in selected]
        )
    gate_on_estimate(session.config, [(item.nodeid, model_of(item)) for item in selected])
    if selected:
        fly_preflight(session.config)


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
        gate_on_estimate(config, tests)
        fly_preflight(config)


# -- per-test records ----------------------------------------------------------------------------------------------


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
    if report.when == "call":
        data["deviations"] = state_of(item.config).known.judge(item.nodeid, report, [f.check for f in record.findings])
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


class _Listener:
    """Hooks bound to one config (a hook like logreport gets no config): results and the spend limit."""

    def __init__(self, state: PluginState) -> None:
        self.state = state
        self.session: pytest.Session | None = None
        self.interrupt = GracefulInterrupt(self._interrupted)
        self.stop_said = False

    def pytest_sessionstart(self, session: pytest.Session) -> None:
        self.session = session
        if is_worker(session.config):
            ignore_in_worker()
        else:
            self.interrupt.install()

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if self.state.collector is not None:
            self.state.collector.add(report)
            self.state.known.count(getattr(report, WIRE, {}).get("deviations") or {})
        data = getattr(report, WIRE, None)
        if report.when != "teardown" or not isinstance(data, dict):
            return
        self.state.bounds.after_test(float(data.get("cost", 0.0)))
        if self.state.bounds.reason:
            self._stop(self.state.bounds.reason)

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
            say(self.session.config, message)  # Ctrl-C says its own line, at the moment it is pressed
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
        self.state.known.settle(session, results)
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
        for line in self.state.known.stale_lines():
            terminalreporter.write_line(line)
        for line in summary_lines(results, self.state.reports):
            terminalreporter.write_line(line)
        if self.state.report_error:
            terminalreporter.write_line(f"no report written: {self.state.report_error}")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
