"""Locust event listeners: options, per-process setup, aggregation across workers.

Lifecycle (events, not monkey-patching):
  init_command_line_parser  registers the load options (options.py)
  init                      on the master or the only process: starts the built-in
                            mock when no host is given, runs the pre-flight (unless
                            --skip-preflight: `chatconform load` ran it already);
                            registers custom messages
  test_start                each load process builds its Runtime from the options
                            (a worker gets the master's options and its worker index)
  report_to_master          a worker ships what it recorded since its last report
  worker_report             the master merges it
  test_stop (master)        asks every worker to stop its users and send its final
                            figures, and waits for them (bounded): Locust's own
                            quit gives workers only 0.5 s, which would lose
                            requests still finishing within --stop-timeout
  quitting                  the master or the only process writes the summary and
                            report and sets the exit code (finish.py, exits.py);
                            workers skip it
  SIGINT, SIGTERM           mark the run interrupted (in-flight requests get
                            INTERRUPT_GRACE_S); Ctrl-C reaches Locust's main greenlet only

A load process whose circuit breaker trips (breaker.py) stops the run: a
worker tells the master, which stops every worker.
"""

from __future__ import annotations

import atexit
import logging
import signal
import time
from argparse import Namespace
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Any

import gevent
from gevent.event import Event
from locust import events
from locust.runners import MasterRunner, WorkerRunner

from chatconform import headers
from chatconform.load import exits, finish, overhead, scenarios, start
from chatconform.load.options import add_options
from chatconform.load.recorder import Recorder
from chatconform.load.runtime import Runtime, Settings, SettingsError
from chatconform.redact import register_secret

log = logging.getLogger("chatconform.load")
STOP, FINAL, DONE, TRIPPED = "chatconform_stop", "chatconform_final", "chatconform_done", "chatconform_tripped"
REPORT_KEY = "chatconform"
FINAL_GRACE_S = 15.0  # beyond --stop-timeout, for the final messages to arrive
DEFAULT_RUN_TIME_S = 30  # for plain `locust --headless` without -t (chatconform load always passes -t)
INTERRUPT_GRACE_S = 2.0  # on Ctrl-C, in-flight requests get this long (at most --stop-timeout) to finish


@dataclass
class _Process:
    runtime: Runtime | None = None
    total: Recorder | None = None  # the whole run's figures: the local recorder, or the master's merge
    awaiting: set[str] = field(default_factory=set)
    finals: Event = field(default_factory=Event)
    done: set[str] = field(default_factory=set)
    share_done: bool = False
    stopping: bool = False
    stopped_by: str | None = None
    tripped: str | None = None  # why the circuit breaker stopped the run
    interrupted: bool = False  # a Ctrl-C or SIGTERM arrived
    quitting: bool = False
    started: float = 0.0  # time.time() at test start
    mock: ExitStack = field(default_factory=ExitStack)
    installed: bool = False


_p = _Process()


def runtime() -> Runtime:
    if _p.runtime is None:
        raise RuntimeError("the load test has not started in this process")
    return _p.runtime


def stopping() -> bool:
    """Is this process's run stopping (the run time is up, or it was stopped)?"""
    return _p.stopping


def install() -> None:
    """Register the listeners on Locust's global events, once per process."""
    if _p.installed:
        return
    _p.installed = True
    events.init_command_line_parser.add_listener(lambda parser, **_: add_options(parser, locust=True))
    events.init.add_listener(_on_init)
    events.test_start.add_listener(_on_test_start)
    events.test_stopping.add_listener(_on_test_stopping)
    events.test_stop.add_listener(_on_test_stop)
    events.report_to_master.add_listener(_on_report_to_master)
    events.worker_report.add_listener(_on_worker_report)
    events.quitting.add_listener(_on_quitting)


def _on_init(environment: Any, **_: Any) -> None:
    hub = gevent.get_hub()
    # gevent's loop caches "now"; after a slow start (imports on a busy machine) it is stale, and Locust's
    # --run-time timer, armed next from that stale time, would fire at once. Refresh it.
    hub.loop.update_now()
    runner = environment.runner
    if isinstance(runner, WorkerRunner):
        runner.register_message(STOP, _on_stop_request, concurrent=True)
        return
    for signum in (signal.SIGINT, signal.SIGTERM):
        gevent.signal_handler(signum, _on_interrupt, environment, signum)
    if isinstance(runner, MasterRunner):
        runner.register_message(FINAL, _on_final)
        runner.register_message(DONE, _on_done)
        runner.register_message(TRIPPED, lambda env, msg, **_: _stop(env, "circuit_breaker", msg.data["reason"]))
    options = environment.parsed_options
    if options is None:
        return
    class_hosts = [cls.host for cls in environment.user_classes if getattr(cls, "host", None)]
    needs_mock = not environment.host and not class_hosts
    try:  # fail before the first request (and before a mock starts), not in every worker
        settings = Settings.from_options(
            Namespace(**{**vars(options), "api_key": options.api_key or "mock"}) if needs_mock else options
        )
    except SettingsError as exc:
        raise SystemExit(f"chatconform load: {exc}") from None
    wrong = [c.__name__ for c in environment.user_classes if not scenarios.replays(getattr(c, "scenario", ""))]
    if settings.trace and wrong:
        raise SystemExit(f"chatconform load: --trace replays text requests; {', '.join(wrong)} cannot replay them")
    if needs_mock:
        atexit.register(_p.mock.close)  # the mock must not outlive this process, however it ends
        start.start_mock(environment, _p.mock)
        settings = Settings.from_options(options)
    # Workers on other hosts get the headers with the master's options (Locust's channel), not a command line.
    options.header = headers.as_flags(settings.headers)
    if settings.upstream_url:  # gateway mode: one mark for the whole run, sent to the workers the same way
        register_secret(settings.upstream_key)
        options.gateway_mark = options.gateway_mark or overhead.run_mark()
    host = str(environment.host or class_hosts[0])
    if not options.skip_preflight and not start.passes_preflight(host, settings, options.preflight_timeout):
        _p.mock.close()
        raise SystemExit(exits.PREFLIGHT_FAILED)
    if options.headless and not options.run_time:  # every run is bounded: Locust would run until Ctrl-C
        options.run_time = DEFAULT_RUN_TIME_S
        log.warning("no --run-time given: the run stops after %d s", DEFAULT_RUN_TIME_S)


def _on_test_start(environment: Any, **_: Any) -> None:
    runner = environment.runner
    _p.stopping, _p.share_done, _p.done = False, False, set()
    if isinstance(runner, MasterRunner):
        _p.total, _p.started = Recorder(), time.time()
        return
    settings = Settings.from_options(environment.parsed_options)
    register_secret(settings.api_key)
    if isinstance(runner, WorkerRunner):
        count = max(1, int(getattr(environment.parsed_options, "expect_workers", 1) or 1))
        if not 0 <= runner.worker_index < count:
            log.warning(
                "worker index %d but --expect-workers %d: open-loop slots and --max-requests shares "
                "overlap; start the master with the real number of workers",
                runner.worker_index,
                count,
            )
        _p.runtime = Runtime(settings, min(max(runner.worker_index, 0), count - 1), count)
    else:
        _p.runtime = Runtime(settings)
        _p.total, _p.started = _p.runtime.recorder, time.time()


def _swap() -> dict[str, Any]:
    """What this worker recorded since the last call; recording goes on in a fresh recorder."""
    if _p.runtime is None:
        return Recorder().to_wire()
    old, _p.runtime.recorder = _p.runtime.recorder, Recorder()
    return old.to_wire()


def _on_report_to_master(client_id: str, data: dict[str, Any], **_: Any) -> None:
    data[REPORT_KEY] = _swap()


def _on_worker_report(client_id: str, data: dict[str, Any], **_: Any) -> None:
    if REPORT_KEY in data and _p.total is not None:
        _p.total.merge(Recorder.from_wire(data[REPORT_KEY]))


def _on_test_stopping(environment: Any, **_: Any) -> None:
    _p.stopping = True


def _on_test_stop(environment: Any, **_: Any) -> None:
    runner = environment.runner
    if not isinstance(runner, MasterRunner):
        return
    _p.awaiting = {client.id for client in runner.clients.all}
    _p.finals.clear()
    for client_id in _p.awaiting:
        runner.send_message(STOP, None, client_id)
    timeout = float(environment.stop_timeout or 0) + FINAL_GRACE_S
    if _p.awaiting and not _p.finals.wait(timeout):
        log.error(
            "%d worker(s) sent no final figures within %.0f s: the summary misses their last requests",
            len(_p.awaiting),
            timeout,
        )


def _on_stop_request(environment: Any, msg: Any, **_: Any) -> None:
    environment.runner.stop()  # users finish their request within --stop-timeout
    environment.runner.send_message(FINAL, _swap())


def _on_final(environment: Any, msg: Any, **_: Any) -> None:
    if _p.total is not None:
        _p.total.merge(Recorder.from_wire(msg.data))
    _p.awaiting.discard(msg.node_id)
    if not _p.awaiting:
        _p.finals.set()


def _on_done(environment: Any, msg: Any, **_: Any) -> None:
    _p.done.add(msg.node_id)
    if {client.id for client in environment.runner.clients.all} <= _p.done:
        _stop(environment, _end_of_requests(environment))


def share_done(environment: Any) -> None:
    """This process has sent its share of --max-requests (called by idle users, acted on once)."""
    if _p.share_done:
        return
    _p.share_done = True
    if isinstance(environment.runner, WorkerRunner):
        environment.runner.send_message(DONE, None)
    else:
        _stop(environment, _end_of_requests(environment))


def _end_of_requests(environment: Any) -> str:
    """What ended a run whose processes have all sent their share: the trace's end, or --max-requests."""
    return "trace_end" if getattr(environment.parsed_options, "trace", None) else "max_requests"


def trip(environment: Any, reason: str) -> None:
    """This process's circuit breaker tripped (called once, by the user that saw it): stop the whole run."""
    log.error("chatconform load: circuit breaker: %s; stopping the run", reason)
    if isinstance(environment.runner, WorkerRunner):
        environment.runner.send_message(TRIPPED, {"reason": reason})
    else:
        _stop(environment, "circuit_breaker", reason)


def _on_interrupt(environment: Any, signum: int) -> None:
    """Ctrl-C or SIGTERM: the run ends as interrupted, in-flight requests get INTERRUPT_GRACE_S.

    On SIGINT this delivers Locust's own way out, a KeyboardInterrupt, to its main greenlet only (it
    quits, the quitting listener writes the report). Python's default raises it in whichever greenlet
    happens to run, often a user in mid-request, which loses that request from the books, and gevent's
    hub prints it. Locust handles SIGTERM itself; this only marks the run. Marked here, not in the
    quitting listener: a master's own quitting listener stops the run before ours runs.
    """
    if _p.interrupted:
        log.warning("chatconform load: already stopping; writing the report")
        return
    _p.interrupted = True
    if not _p.stopping:
        _p.stopped_by = _p.stopped_by or "interrupted"
        environment.stop_timeout = min(float(environment.stop_timeout or 0), INTERRUPT_GRACE_S)
    if signum == signal.SIGINT:
        hub = gevent.get_hub()
        hub.loop.run_callback(hub.parent.throw, KeyboardInterrupt)


def _stop(environment: Any, why: str, tripped: str | None = None) -> None:
    if _p.stopped_by is None:
        _p.stopped_by, _p.tripped = why, tripped
        gevent.spawn(environment.runner.quit)


def _on_quitting(environment: Any, **_: Any) -> None:
    if isinstance(environment.runner, WorkerRunner) or _p.quitting:
        return
    _p.quitting = True  # a second SIGTERM would fire quitting again
    try:
        if not _p.stopping and environment.runner is not None:  # interrupted (_on_interrupt): stop the users
            environment.runner.quit()  # and gather the workers' figures before the summary
        if _p.total is not None:
            finish.conclude(environment, _p.total, _p.stopped_by, _p.started, _p.tripped)
    except Exception:  # a run whose summary could not be made must not pass a gate
        log.exception("chatconform load: the summary or report could not be written")
        environment.process_exit_code = 1
    finally:
        _p.mock.close()
