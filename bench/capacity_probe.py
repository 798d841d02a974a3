"""Added to a load benchmark's `-f`: measures the run from inside the Locust process.

Between test_start and test_stop it counts successful POST requests and the
process's CPU time, and writes them as one JSON object to the file named by
$CAPACITY_PROBE_OUT. Process CPU (not wall time) is the figure that holds on
a busy machine: neighbours slow the clock, not the work per request.
"""

from __future__ import annotations

import json
import os
import time
from typing import Any

from locust import events

_state: dict[str, float] = {"requests": 0, "cpu": 0.0, "wall": 0.0}


@events.test_start.add_listener
def _start(**_: Any) -> None:
    _state.update(requests=0, cpu=time.process_time(), wall=time.perf_counter())


@events.request.add_listener
def _count(request_type: str, exception: Any = None, **_: Any) -> None:
    if request_type == "POST" and exception is None:
        _state["requests"] += 1


@events.test_stop.add_listener
def _stop(**_: Any) -> None:
    result = {
        "requests": _state["requests"],
        "cpu_s": time.process_time() - _state["cpu"],
        "wall_s": time.perf_counter() - _state["wall"],
    }
    with open(os.environ["CAPACITY_PROBE_OUT"], "w", encoding="utf-8") as out:
        json.dump(result, out)
