"""The end of a run (on the master or the only process): summary, report, verdict, exit code.

Exit codes: 0 when every SLO passed (failed requests are judged by the
`error_rate` objective, not by the exit code), 3 when an SLO failed, and
Locust's own codes otherwise (1 for an error in the load generator itself).
"""

from __future__ import annotations

import os
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import locust
from locust.runners import MasterRunner

from chatconform.load import slo, summary
from chatconform.load.client import MAX_RESPONSE_BYTES
from chatconform.load.options import MOCK_ENV
from chatconform.load.recorder import Recorder
from chatconform.load.report import LATE_MS, write
from chatconform.load.runtime import Settings
from chatconform.profile import load_profile
from chatconform.target import mock_subprocess, session_key

SLO_FAILED = 3


def start_mock(environment: Any, stack: ExitStack) -> None:
    """No target given: serve the built-in mock for this run, with a fresh key."""
    options = environment.parsed_options
    profile = load_profile(options.target_profile)
    if not options.api_key:
        options.api_key = session_key(profile)
    args = ["--latency", options.mock_latency, "--api-key", options.api_key, "--profile", options.target_profile]
    root, _ = stack.enter_context(mock_subprocess(args))
    environment.host = root + "/v1"
    os.environ[MOCK_ENV] = "1"
    print(f"chatconform load: no --host given; serving the built-in mock at {environment.host}", flush=True)


def conclude(environment: Any, total: Recorder, stopped_by: str | None, started: float) -> None:
    """`started`: time.time() when the test started."""
    options = environment.parsed_options
    settings = Settings.from_options(options)
    run = _run_info(environment, settings, stopped_by, started)
    result = summary.build(total, run, settings.slo)
    folder = Path(options.report_dir) if options.report_dir else Path("reports", "load", run.id)
    page = write(folder, result, total)
    # Printed on Locust's `quit` event, after its own statistics table, so the verdict is the last word.
    environment.events.quit.add_listener(lambda **_: print(_terminal(result, page), flush=True))
    verdict = result["slo"]
    if not verdict["passed"]:
        environment.process_exit_code = SLO_FAILED
    elif not environment.runner.exceptions:
        environment.process_exit_code = 0


def _run_info(environment: Any, settings: Settings, stopped_by: str | None, wall: float) -> summary.RunInfo:
    options = environment.parsed_options
    started = datetime.fromtimestamp(wall, UTC)
    scenarios = sorted({getattr(cls, "scenario", cls.__name__) for cls in environment.user_classes})
    is_master = isinstance(environment.runner, MasterRunner)
    load = {
        "arrival": settings.arrival,
        "users": options.num_users,
        "spawn_rate": options.spawn_rate,
        "rate": settings.rate if settings.arrival != "closed" else None,
        "stages": options.stages or None,
    }
    bounds = {
        "run_time_s": options.run_time,
        "max_requests": settings.max_requests,
        "request_timeout_s": settings.request_timeout_s,
        "stop_timeout_s": environment.stop_timeout,
        "max_response_bytes": MAX_RESPONSE_BYTES,
    }
    default_stop = "stages" if environment.shape_class is not None else "run_time"
    is_mock = os.environ.get(MOCK_ENV) == "1"
    return summary.RunInfo(
        id=started.strftime("%Y%m%d-%H%M%S") + "-" + "+".join(scenarios),
        started_at=started.isoformat(),
        target="built-in mock" if is_mock else str(environment.host),
        is_mock=is_mock,
        profile=settings.profile.name,
        models=[m.id for m in settings.models],
        scenario="+".join(scenarios),
        load=load,
        bounds=bounds,
        stopped_by=stopped_by or default_stop,
        workers=int(options.expect_workers or 0) if is_master else 0,
        locust_version=locust.__version__,
    )


def _terminal(result: dict[str, Any], page: Path) -> str:
    req, thr, m = result["requests"], result["throughput"], result["metrics"]
    failed = ", ".join(f"{k}: {n}" for k, n in req["failed"].items()) or "none"
    lines = [
        f"chatconform load: {req['sent']} sent, {req['succeeded']} succeeded, {req['failed_total']} failed "
        f"({failed}), {req['interrupted']} interrupted"
    ]
    cells = [
        f"{name.upper()} p50 {_ms(m[name + '_ms']['p50'])} p95 {_ms(m[name + '_ms']['p95'])}"
        for name in ("ttft", "itl", "tpot", "e2e")
    ]
    lines.append("  " + " | ".join(cells))
    lines.append(
        f"  {_num(thr['requests_per_s'])} requests/s, {_num(thr['output_tokens_per_s'])} output tokens/s "
        f"over {thr['duration_s']:.1f} s"
    )
    lag = m["send_lag_ms"]
    if lag["count"] and (lag["p99"] or 0) > LATE_MS:
        lines.append(
            f"  warning: open-loop sends ran late (p99 {lag['p99']:.1f} ms): the generator was saturated; raise --users"
        )
    lines.append(
        slo.describe(
            slo.Verdict(
                result["slo"]["passed"],
                result["slo"]["thresholds"],
                [slo.Violation(**v) for v in result["slo"]["violations"]],
            )
        )
    )
    lines.append(f"report: {page}")
    return "\n".join(lines)


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f} ms"


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"
