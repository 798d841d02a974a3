"""Stopping a run cleanly: Ctrl-C once lets the running test finish, then every other test is reported as
not run and the report says "interrupted"; Ctrl-C twice stops at once, as pytest would.

Why not pytest's own handling: a KeyboardInterrupt raised inside a test unwinds through the SDK, httpx
and the fixtures, prints their traceback, and can break pytest's own summary of it (a repr that fails on
the way is an INTERNALERROR, exit 3). And the tests that never ran would look like missing snapshots to
syrupy, which then advises `--snapshot-update`: that would delete the snapshots chatconform ships. So a
stop, whatever its cause (Ctrl-C, --max-time, --max-cost, the breaker), turns the remaining tests into
quick skips that the report counts as `not_run`, and the run exits 2.

Under pytest-xdist the controller alone decides: workers ignore SIGINT (the terminal sends it to the
whole process group), and the controller asks xdist to stop scheduling.
"""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Callable
from types import FrameType

INTERRUPTED = "interrupted (Ctrl-C)"
Handler = Callable[[int, FrameType | None], object] | int | None


class GracefulInterrupt:
    """The SIGINT handler of a chatconform run; `on_stop(reason)` is called on the first Ctrl-C."""

    def __init__(self, on_stop: Callable[[str], None]) -> None:
        self.on_stop = on_stop
        self.pressed = 0
        self._previous: Handler = None

    def install(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            return  # only the main thread may set signal handlers
        self._previous = signal.signal(signal.SIGINT, self._handle)

    def uninstall(self) -> None:
        if self._previous is not None and threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGINT, self._previous)
            self._previous = None

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        self.pressed += 1
        if self.pressed > 1:
            self.uninstall()
            raise KeyboardInterrupt
        sys.stderr.write("\nchatconform: stopping after the running test (Ctrl-C again to stop at once)\n")
        sys.stderr.flush()
        self.on_stop(INTERRUPTED)


def ignore_in_worker() -> None:
    """An xdist worker leaves Ctrl-C to the controller."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.SIG_IGN)
