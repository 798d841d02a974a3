"""`chatconform load`: a bounded Locust run, its report, and an SLO gate.

    chatconform load -u 20 -t 30s --slo ttft_p95_ms=800          (against the built-in mock)
    chatconform load --base-url https://gw.example/v1 --api-key ... --scenario mix -u 50 -t 5m
    chatconform load --arrival poisson --sweep 2,4,8,16 -t 20s --slo ttft_p95_ms=800
    chatconform load --find-max-rate --rate 2 -t 20s --slo ttft_p95_ms=800 --slo error_rate=0.01
    chatconform load --workers 4 -u 200 -t 2m
    chatconform load --base-url ... --master --expect-workers 2 -u 200 -t 2m   (then, on each other host:)
    chatconform load --worker --master-host 10.0.0.5

Locust's own flags keep their names (-u, -r, -t, --headless); anything this
command does not know is passed to Locust as given, unless it is one edit
away from one of this command's own options (`--modles`): that is a typo,
and the error names the option meant. Without --base-url the built-in mock is
started with its realistic latency preset.

Before Locust starts, the pre-flight (chatconform.preflight) checks, once for
a whole sweep, that the target can be tested at all. Exit codes: exits.py.
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import math
import os
import time
from pathlib import Path
from typing import Any

from chatconform.load import exits, scenarios, search, start, sweep, trace
from chatconform.load.launch import Launch, worker
from chatconform.load.options import (
    API_KEY_ENV,
    UPSTREAM_KEY_ENV,
    UPSTREAM_URL_ENV,
    add_options,
    misspelt,
    parse_stages,
    parse_timespan,
)
from chatconform.load.runtime import Settings, SettingsError
from chatconform.profile import load_profile
from chatconform.redact import register_secret
from chatconform.target import mock_subprocess, session_key

ACCEPTS_EXTRA = True  # unknown flags are Locust's
DEFAULT_RUN_TIME = "30s"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    flags: list[str] = []

    def add(*names: str, **kwargs: Any) -> None:
        flags.extend(names)
        parser.add_argument(*names, **kwargs)

    add("--base-url", help="target API base, e.g. https://gw.example/v1 (default: the built-in mock)")
    add("-u", "--users", type=int, help="concurrent users (default 10; open loop: enough for 4 s of latency at --rate)")
    add("-r", "--spawn-rate", type=float, help="users started per second (default: all within 1 s)")
    add(
        "-t",
        "--run-time",
        default=None,
        help=f"run time, e.g. 30s, 5m (default {DEFAULT_RUN_TIME}; with --trace, the trace's span plus "
        "--request-timeout); every run is bounded",
    )
    add("--headless", action="store_true", help="no web UI (the default; accepted for Locust habits)")
    add("--headful", action="store_true", help="show Locust's web UI on 127.0.0.1 during the run")
    add("--scenario", choices=tuple(scenarios.SCENARIOS), default=scenarios.DEFAULT, help=scenarios.choices_help())
    add("--workers", type=int, default=0, help="N local Locust worker processes and a master")
    add("--worker", action="store_true", help="be a worker for a master on another host (with Locust's --master-host)")
    add(
        "--sweep",
        help="loads to step through, e.g. 2,4,8,16: requests/s for an open-loop "
        "--arrival, else users; stops at the first step that misses the SLO",
    )
    add(
        "--find-max-rate",
        action="store_true",
        help="search for the highest open-loop rate (from --rate, default 1/s) whose step meets every SLO: "
        "doubling, then bisection; each step is one -t long run",
    )
    add(
        "--search-steps",
        type=int,
        default=search.DEFAULT_STEPS,
        help=f"at most this many steps for --find-max-rate (default {search.DEFAULT_STEPS})",
    )
    add(
        "--search-precision",
        type=float,
        default=search.DEFAULT_PRECISION,
        help="--find-max-rate stops when the passing and failing rates are this close, relative "
        f"(default {search.DEFAULT_PRECISION:g})",
    )
    add(
        "--stop-timeout",
        type=float,
        help="seconds that in-flight requests get to finish at the end (default: --request-timeout)",
    )
    flags += add_options(parser, locust=False)
    parser.set_defaults(known_flags=flags)  # for the typo check of what goes on to Locust


def run(args: argparse.Namespace) -> int:
    extra = list(getattr(args, "extra", []))
    typo = misspelt(extra, args.known_flags)
    if typo:
        print(f"chatconform load: {typo}")
        return exits.USAGE
    if args.worker:  # the master sends the options, the target and the key; a worker only runs users
        return worker(extra)
    try:
        settings, plan = _validate(args)
    except (SettingsError, ValueError) as exc:
        print(f"chatconform load: {exc}")
        return exits.USAGE
    report_dir = (
        Path(args.report_dir)
        if args.report_dir
        else Path(
            "reports",
            "load",
            time.strftime("%Y%m%d-%H%M%S")
            + "-"
            + (f"{'search' if args.find_max_rate else 'sweep'}-{args.scenario}" if plan else args.scenario),
        )
    )
    try:
        if args.base_url:
            return _checked_start(args, settings, args.base_url, args.api_key, False, report_dir, plan)
        key = args.api_key or session_key(load_profile(args.target_profile))
        mock_args = ["--latency", args.mock_latency, "--profile", args.target_profile]
        with mock_subprocess(mock_args, api_keys=[key]) as (root, _):
            print(
                f"chatconform load: target is the built-in mock ({args.mock_latency} latency) at {root}/v1", flush=True
            )
            return _checked_start(args, settings, root + "/v1", key, True, report_dir, plan)
    except KeyboardInterrupt:  # no Locust run in progress (a running one gets the signal: launch.supervise)
        print("\nchatconform load: interrupted", flush=True)
        return exits.INTERRUPTED


def _validate(args: argparse.Namespace) -> tuple[Settings, search.Plan | None]:
    """Fail on bad options before anything starts; return the settings and the plan of a series of runs, if any."""
    args.api_key = args.api_key or os.environ.get(API_KEY_ENV)
    if args.api_key:
        register_secret(args.api_key)
    args.upstream_url = args.upstream_url or os.environ.get(UPSTREAM_URL_ENV)
    args.upstream_key = args.upstream_key or os.environ.get(UPSTREAM_KEY_ENV)
    if args.upstream_key:
        register_secret(args.upstream_key)
    probe = argparse.Namespace(**{**vars(args), "api_key": args.api_key or "placeholder-for-validation"})
    if args.base_url and not args.api_key:
        raise SettingsError(f"--base-url needs --api-key (or {API_KEY_ENV})")
    if args.upstream_url and not args.base_url:
        raise SettingsError("--upstream-url needs --base-url: the gateway whose upstream that mock is")
    if args.run_time is not None and parse_timespan(args.run_time) <= 0:
        raise ValueError("--run-time must be positive")
    if args.stages:
        parse_stages(args.stages)
    if args.workers < 0 or (args.users is not None and args.users < 1):
        raise ValueError("--workers must be >= 0 and --users >= 1")
    plan: search.Plan | None = None
    if args.sweep and args.find_max_rate:
        raise ValueError("--sweep and --find-max-rate: choose one (the search picks its own loads)")
    if args.sweep:
        loads = sweep.parse_values(args.sweep)
        probe.rate = loads[0] if args.arrival != "closed" else args.rate
        plan = search.Sweep(loads)
    if args.find_max_rate:
        plan = _rate_search(args)
        probe.rate, probe.arrival = plan.start, args.arrival
    settings = Settings.from_options(probe)
    if settings.trace:
        _check_trace(args, settings, plan)
    args.run_time = args.run_time or DEFAULT_RUN_TIME
    if plan is not None and not settings.slo:
        flag = "--sweep" if args.sweep else "--find-max-rate"
        raise ValueError(f"{flag} needs at least one --slo (or --slo-file): the answer is the highest passing load")
    return settings, plan


def _check_trace(args: argparse.Namespace, settings: Settings, plan: search.Plan | None) -> None:
    """A trace sets its own times and sizes: it needs a text scenario and no other schedule. Without -t, the run
    lasts the trace's span and the last request's --request-timeout (a trace cut short would say so: run_time)."""
    if plan is not None:
        raise ValueError("--trace sets its own rate: drop --sweep or --find-max-rate")
    if not scenarios.replays(args.scenario):
        replays = ", ".join(name for name, s in scenarios.SCENARIOS.items() if s.replays)
        raise ValueError(f"--trace replays text requests: use --scenario {replays} (not {args.scenario})")
    if args.run_time is None:
        args.run_time = f"{math.ceil(trace.span_s(settings.trace) + settings.request_timeout_s + 5)}s"


def _rate_search(args: argparse.Namespace) -> search.RateSearch:
    """The search is over open-loop rates: a closed loop (the default arrival) becomes a constant rate."""
    if args.arrival == "closed":
        args.arrival = "constant"
    if args.search_steps < 2 or not 0 < args.search_precision < 1:
        raise ValueError("--search-steps must be at least 2 and --search-precision between 0 and 1")
    return search.RateSearch(args.rate if args.rate > 0 else 1.0, args.search_steps, args.search_precision)


def _checked_start(
    args: argparse.Namespace,
    settings: Settings,
    base_url: str,
    key: str,
    is_mock: bool,
    folder: Path,
    plan: search.Plan | None,
) -> int:
    """The pre-flight, once (a sweep included), then the run with the pre-flight off in Locust."""
    if not args.skip_preflight:
        if not start.passes_preflight(base_url, dataclasses.replace(settings, api_key=key), args.preflight_timeout):
            return exits.PREFLIGHT_FAILED
        args.skip_preflight = True
    peak = trace.peak(settings.trace) if settings.trace else None
    launch = functools.partial(_launch, args, base_url, key, is_mock, settings.headers, peak)
    if plan is None:
        return launch(folder, args.rate, args.users).run()
    open_loop = args.arrival != "closed"
    label = "offered rate (requests/s)" if open_loop else "users"

    def step(load: float, step_dir: Path) -> int:
        rate, users = (load, args.users) if open_loop else (args.rate, max(1, round(load)))
        return launch(step_dir, rate, users).run()

    return sweep.run(plan, step, folder, label, "search" if isinstance(plan, search.RateSearch) else "sweep")


def _launch(
    args: argparse.Namespace,
    base_url: str,
    key: str,
    is_mock: bool,
    extra_headers: dict[str, str],
    trace_peak: int | None,
    folder: Path,
    rate: float,
    users: int | None,
) -> Launch:
    if users is None and trace_peak is not None:  # a trace: enough users for its busiest 4 s
        users = max(10, trace_peak)
    if users is None:  # open loop: enough users to hold 4 s of latency at the rate
        users = max(10, math.ceil(rate * 4)) if args.arrival != "closed" else 10
    options = {k: v for k, v in vars(args).items() if k not in ("extra", "known_flags")}
    options["rate"] = rate
    return Launch(
        base_url=base_url,
        api_key=key,
        is_mock=is_mock,
        users=users,
        spawn_rate=args.spawn_rate or float(users),
        run_time=args.run_time,
        stop_timeout=args.stop_timeout if args.stop_timeout is not None else args.request_timeout,
        scenario=args.scenario,
        report_dir=folder,
        workers=args.workers,
        headful=args.headful,
        headers=extra_headers,
        options=options,
        extra=list(getattr(args, "extra", [])),
    )
