"""The end of a run (on the master or the only process): summary, report, verdict, exit code.

The exit codes are listed in exits.py: 0 passed, 3 an SLO missed, 5 the
target failed the run (circuit breaker, or nothing succeeded), 130
interrupted, and Locust's own otherwise (1 for an error in the generator).
When the target failed the run, the terminal and the report open with it,
in red, and with what the most frequent failure usually means.
"""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import locust
from locust.runners import MasterRunner

from chatconform.load import exits, gateway, goodput, slo, summary
from chatconform.load.client import MAX_RESPONSE_BYTES
from chatconform.load.options import MOCK_ENV
from chatconform.load.recorder import Recorder
from chatconform.load.report import LATE_MS, write
from chatconform.load.runtime import Settings
from chatconform.load.trace import span_s

RED, RESET = "\033[1;31m", "\033[0m"


def conclude(
    environment: Any, total: Recorder, stopped_by: str | None, started: float, tripped: str | None = None
) -> None:
    """`started`: time.time() when the test started; `tripped`: the circuit breaker's reason, if it tripped."""
    options = environment.parsed_options
    settings = Settings.from_options(options)
    run = _run_info(environment, settings, stopped_by, started)
    result = summary.build(total, run, settings.slo, tripped, settings.goodput, _gateway(settings, total))
    folder = Path(options.report_dir) if options.report_dir else Path("reports", "load", run.id)
    page = write(folder, result, total)
    # Printed on Locust's `quit` event, after its own statistics table, so the verdict is the last word.
    environment.events.quit.add_listener(lambda **_: print(_terminal(result, page), flush=True))
    code = exits.of_run(result["alarm"] is not None, run.stopped_by == "interrupted", result["slo"]["passed"])
    if code != exits.OK or not environment.runner.exceptions:  # else Locust's own code for errors in users
        environment.process_exit_code = code


def _gateway(settings: Settings, total: Recorder) -> dict[str, Any] | None:
    """Gateway mode: the upstream journal read once, now that the run is over, and paired with the arrivals."""
    if not settings.upstream_url:
        return None
    print("chatconform load: reading the upstream mock's journal to attribute the latency", flush=True)
    return gateway.measure(
        settings.upstream_url, settings.upstream_key, settings.gateway_mark, total.arrivals, total.arrivals_dropped
    )


def _run_info(environment: Any, settings: Settings, stopped_by: str | None, wall: float) -> summary.RunInfo:
    options = environment.parsed_options
    started = datetime.fromtimestamp(wall, UTC)
    scenarios = sorted({getattr(cls, "scenario", cls.__name__) for cls in environment.user_classes})
    is_master = isinstance(environment.runner, MasterRunner)
    load = {
        "arrival": settings.arrival,
        "users": options.num_users,
        "spawn_rate": options.spawn_rate,
        "rate": settings.rate if settings.arrival in ("constant", "poisson") else None,
        "stages": options.stages or None,
        "trace": _trace_info(options.trace, settings) if settings.trace else None,
        "turns": settings.turns if "conversation" in scenarios else None,
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


def _trace_info(path: str, settings: Settings) -> dict[str, Any]:
    return {"file": Path(path).name, "requests": len(settings.trace), "span_s": round(span_s(settings.trace), 3)}


def _terminal(result: dict[str, Any], page: Path) -> str:
    req, thr, m = result["requests"], result["throughput"], result["metrics"]
    failed = ", ".join(f"{k}: {n}" for k, n in req["failed"].items()) or "none"
    lines = [
        f"chatconform load: {req['sent']} sent, {req['succeeded']} succeeded, {req['failed_total']} failed "
        f"({failed}), {req['interrupted']} interrupted"
    ]
    lines += _by_scenario(req)
    if result["run"]["stopped_by"] == "interrupted":
        lines.append("  interrupted: the figures cover the run until Ctrl-C (or SIGTERM)")
    cells = [
        f"{name.upper()} p50 {_ms(m[name + '_ms']['p50'])} p95 {_ms(m[name + '_ms']['p95'])}"
        for name in ("ttft", "itl", "tpot", "e2e")
    ]
    lines.append("  " + " | ".join(cells))
    if result["gateway"] is not None:
        lines += _gateway_lines(result["gateway"])
    lines.append(
        f"  {_num(thr['requests_per_s'])} requests/s, {_num(thr['output_tokens_per_s'])} output tokens/s "
        f"over {thr['duration_s']:.1f} s"
    )
    good = result["goodput"]
    if good is not None:
        share = "-" if good["share"] is None else f"{good['share']:.1%}"
        lines.append(
            f"  goodput ({goodput.describe(good['objectives'])}): {good['good']} good = {share} of finished, "
            f"{_num(good['requests_per_s'])} requests/s; missed: "
            + ", ".join(f"{k} {n}" for k, n in good["missed"].items())
        )
    conversation = result["conversation"]
    if conversation is not None:
        turns = " | ".join(
            f"{t['turn']}: {t['prompt_tokens_mean']:g} prompt tokens, TTFT p50 {_ms(t['ttft_p50_ms'])}"
            for t in conversation["by_turn"]
        )
        lines.append(f"  conversation turns: {turns}")
    lag = m["send_lag_ms"]
    if lag["count"]:
        lines.append(f"  open-loop send lag p50 {_ms(lag['p50'])} p99 {_ms(lag['p99'])} max {_ms(lag['max'])}")
        if (lag["p99"] or 0) > LATE_MS:
            lines.append("  warning: open-loop sends ran late: the generator was saturated; raise --users")
    lines.append(slo.describe(slo.Verdict.from_json(result["slo"])))
    lines.append(f"report: {page}")
    alarm = result["alarm"]
    if alarm is not None:  # the first and the last word: the figures above measure a failing target
        lines.insert(0, _red(f"chatconform load: TARGET FAILED THE RUN: {alarm['message']}"))
        lines.append(_red(f"chatconform load: TARGET FAILED THE RUN; fix: {alarm['advice']}"))
    return "\n".join(lines)


def _gateway_lines(section: dict[str, Any]) -> list[str]:
    """What the gateway added, beside the end-to-end figures, and how many requests that rests on."""
    ttft, chunk, ratio = section["ttft_added_ms"], section["chunk_added_ms"], section["coalesced_ratio"]
    unpaired = ", ".join(f"{k}: {n}" for k, n in section["unpaired_by_reason"].items())
    lines = [
        f"  gateway added: TTFT p50 {_ms(ttft['p50'])} p95 {_ms(ttft['p95'])} max {_ms(ttft['max'])} | "
        f"per chunk p50 {_ms(chunk['p50'])} p95 {_ms(chunk['p95'])} max {_ms(chunk['max'])} | "
        f"coalesced {'-' if ratio is None else f'{ratio:.1%}'} of {section['gaps']} gaps",
        f"    {section['paired']} streams paired with the upstream's send times, {section['unpaired']} unpaired"
        + (f" ({unpaired})" if unpaired else "")
        + (f", {section['reshaped']} with chunks merged or split" if section["reshaped"] else ""),
    ]
    if section["journal_error"]:
        lines.append(f"    the upstream journal could not be read: {section['journal_error']}")
    return lines


def _by_scenario(req: dict[str, Any]) -> list[str]:
    """Failures by scenario and kind, when there are failures (one line per scenario that had some)."""
    if not req["failed_total"]:
        return []
    lines = ["  failures by scenario:"]
    for name, t in req["by_scenario"].items():
        if t["failed"]:
            kinds = ", ".join(f"{k}: {n}" for k, n in t["failed"].items())
            lines.append(f"    {name}: {sum(t['failed'].values())} of {t['sent']} sent ({kinds})")
    return lines


def _red(text: str) -> str:
    return f"{RED}{text}{RESET}" if sys.stdout.isatty() and not os.environ.get("NO_COLOR") else text


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f} ms"


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"
