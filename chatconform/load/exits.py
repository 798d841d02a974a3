"""The exit codes of `chatconform load` (and of a plain `locust -f` run of its scenarios), in one place.

  0    the run completed and every SLO passed (failed requests are judged by the
       `error_rate` objective; with no SLO, a run passes unless the target failed it)
  1    an error in the load generator itself
  2    bad options (nothing was started)
  3    an SLO was missed
  5    the target failed the run: the circuit breaker stopped it (breaker.py), or
       not one request succeeded; never 0, whatever the SLO says
  6    the pre-flight failed: the target could not be tested at all (chatconform.preflight;
       the same code as `chatconform check`'s)
  130  interrupted (Ctrl-C or SIGTERM); the report is written, with `stopped_by: interrupted`

When several apply, the first in this order wins: 5, 130, 3.
"""

from __future__ import annotations

from chatconform import preflight

OK = 0
ERROR = 1
USAGE = 2
SLO_FAILED = 3
TARGET_FAILED = 5
PREFLIGHT_FAILED = preflight.EXIT_CODE
INTERRUPTED = 130


def of_run(target_failed: bool, interrupted: bool, slo_passed: bool) -> int:
    if target_failed:
        return TARGET_FAILED
    if interrupted:
        return INTERRUPTED
    return OK if slo_passed else SLO_FAILED
