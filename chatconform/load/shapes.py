"""Ramps and steps: a Locust `LoadTestShape` driven by `--stages`.

`--stages 10:30s,50:1m:5,0:10s` holds 10 users for 30 s (started at once: a
step), then moves to 50 users at 5 new users per second (a ramp) and holds
them until 1 m 30 s, then lets them go. The run still ends at `--run-time`
if that comes first, so a shaped run is bounded like any other.

Locust uses a shape class whenever a locustfile defines one, so this lives
in its own locustfile (stages_locustfile.py), added with `-f` only when
`--stages` is given; `chatconform load --stages ...` does that.
"""

from __future__ import annotations

import time

from locust import LoadTestShape

from chatconform.load.options import parse_stages


class StagesShape(LoadTestShape):
    use_common_options = True  # --run-time still bounds the run
    _stages: list[tuple[int, float, float]] | None = None

    def tick(self) -> tuple[int, float] | None:
        options = self.runner.environment.parsed_options if self.runner else None
        if options is None or not options.stages:
            return None
        if self._stages is None:
            self._stages = parse_stages(options.stages)
        elapsed = time.perf_counter() - self.start_time  # what LoadTestShape.get_run_time returns
        if options.run_time and elapsed >= options.run_time:
            return None
        end = 0.0
        for users, seconds, rate in self._stages:
            end += seconds
            if elapsed < end:
                return users, rate
        return None
