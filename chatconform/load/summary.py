"""The load summary: a stable JSON document, described by schemas/load.summary.json.

Shape (see the schema for every field):

  run          id, start time, target, profile, models, scenario, load mode,
               the bounds the run had and what stopped it, worker count
  metrics      ttft_ms, itl_ms, tpot_ms, e2e_ms, output_tokens_per_s (per
               request), send_lag_ms: each count, mean, p50, p90, p95, p99, max, min
  requests     sent, succeeded, failed (by kind), failed_total, interrupted, error_rate,
               and by_scenario: the same counts for each scenario
  throughput   duration_s, requests_per_s, output_tokens_per_s (aggregate)
  goodput      null without --goodput, else the objectives, good requests, their
               share of the finished ones, their rate, and how many missed each objective
  conversation null, or per turn of the conversation scenario: succeeded turns, their
               mean prompt tokens (the history grows) and TTFT
  gateway      null outside gateway mode (--upstream-url), else what the gateway added
               (overhead.py): ttft_added_ms, chunk_added_ms (p50, p95, max), coalesced_ratio,
               paired and unpaired requests (unpaired by reason), reshaped streams
  tokens       prompt, completion, estimated_requests; cost_usd
  alarm        null, or why the target failed the run (circuit breaker, nothing succeeded)
  slo          passed, thresholds, objectives (each met or missed, with its value), violations

Throughput is measured over the window from the first request sent to the
last one finished, across all workers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from chatconform import schemas
from chatconform.load import breaker, slo
from chatconform.load.metrics import RELATIVE_ERROR
from chatconform.load.recorder import METRICS, Recorder

SCHEMA_ID = "https://chatconform.dev/schemas/load.summary.json"
VERSION = 1


@dataclass
class RunInfo:
    """What the run was asked to do; filled by the process that writes the summary."""

    id: str
    started_at: str
    target: str
    is_mock: bool
    profile: str
    models: list[str]
    scenario: str
    load: dict[str, Any]
    bounds: dict[str, Any]
    stopped_by: str
    workers: int = 0
    locust_version: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def build(
    recorder: Recorder,
    run: RunInfo,
    limits: dict[str, float],
    breaker_tripped: str | None = None,
    objectives: dict[str, float] | None = None,
    gateway: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The summary of a finished run, with its SLO verdict; `breaker_tripped` is the circuit breaker's reason,
    `objectives` the --goodput ones, `gateway` the overhead figures of gateway mode (gateway.measure)."""
    summary: dict[str, Any] = {
        "$schema": SCHEMA_ID,
        "version": VERSION,
        "run": _run(run),
        "metrics": {name: recorder.sketches[name].stats() for name in METRICS},
        "percentiles": {"method": "log-bucket histogram, nearest rank", "relative_error": RELATIVE_ERROR},
        "requests": _requests(recorder),
        "throughput": _throughput(recorder),
        "goodput": _goodput(recorder, objectives or {}),
        "conversation": _conversation(recorder),
        "gateway": gateway,
        "tokens": {
            "prompt": recorder.prompt_tokens,
            "completion": recorder.completion_tokens,
            "estimated_requests": recorder.estimated_outputs,
        },
        "cost_usd": round(recorder.cost_usd, 9),
        "alarm": alarm(recorder, breaker_tripped),
    }
    summary["slo"] = slo.evaluate(limits, summary).to_json()
    return summary


def alarm(recorder: Recorder, breaker_tripped: str | None) -> dict[str, str] | None:
    """Why the target failed the run, if it did: the circuit breaker tripped, or not one request succeeded."""
    if breaker_tripped is not None:
        kind, message = "circuit_breaker", f"circuit breaker: {breaker_tripped}; the run was stopped early"
    elif recorder.succeeded == 0 and recorder.failed_total > 0:
        kind, message = "all_failed", f"not one of the {recorder.failed_total} finished requests succeeded"
    else:
        return None
    return {"kind": kind, "message": message, "advice": breaker.advice(dict(recorder.failed))}


def _run(run: RunInfo) -> dict[str, Any]:
    return {
        "id": run.id,
        "started_at": run.started_at,
        "target": run.target,
        "is_mock": run.is_mock,
        "profile": run.profile,
        "models": run.models,
        "scenario": run.scenario,
        "load": run.load,
        "bounds": run.bounds,
        "stopped_by": run.stopped_by,
        "workers": run.workers,
        "locust_version": run.locust_version,
        **run.extra,
    }


def _requests(rec: Recorder) -> dict[str, Any]:
    done = rec.succeeded + rec.failed_total
    return {
        "sent": rec.sent,
        "succeeded": rec.succeeded,
        "failed": dict(sorted(rec.failed.items())),
        "failed_total": rec.failed_total,
        "interrupted": rec.interrupted,
        "error_rate": round(rec.failed_total / done, 6) if done else None,
        "by_scenario": {
            name: {
                "sent": t.sent,
                "succeeded": t.succeeded,
                "failed": dict(sorted(t.failed.items())),
                "interrupted": t.interrupted,
            }
            for name, t in sorted(rec.tallies.items())
        },
    }


def _goodput(rec: Recorder, objectives: dict[str, float]) -> dict[str, Any] | None:
    if not objectives:
        return None
    done = rec.succeeded + rec.failed_total
    duration = _window(rec)
    return {
        "objectives": dict(objectives),
        "good": rec.good,
        "share": round(rec.good / done, 6) if done else None,
        "requests_per_s": round(rec.good / duration, 3) if duration else None,
        "output_tokens_per_s": round(rec.good_tokens / duration, 3) if duration else None,
        "missed": {name: rec.missed.get(name, 0) for name in objectives} | {"failed": rec.failed_total},
    }


def _conversation(rec: Recorder) -> dict[str, Any] | None:
    if not rec.turns:
        return None
    by_turn = []
    for number, figures in sorted(rec.turns.items()):
        ttft = figures.ttft.stats()
        mean = figures.prompt_tokens / figures.requests if figures.requests else None
        by_turn.append(
            {
                "turn": number,
                "requests": figures.requests,
                "prompt_tokens_mean": None if mean is None else round(mean, 2),
                "ttft_p50_ms": ttft["p50"],
                "ttft_p95_ms": ttft["p95"],
            }
        )
    return {"by_turn": by_turn}


def _window(rec: Recorder) -> float | None:
    """Seconds from the first request sent to the last one finished, or None for an empty window."""
    if rec.first_send is None or rec.last_end is None or rec.last_end <= rec.first_send:
        return None
    return rec.last_end - rec.first_send


def _throughput(rec: Recorder) -> dict[str, Any]:
    duration = _window(rec)
    if duration is None:
        return {"duration_s": 0.0, "requests_per_s": None, "output_tokens_per_s": None}
    return {
        "duration_s": round(duration, 3),
        "requests_per_s": round(rec.succeeded / duration, 3),
        "output_tokens_per_s": round(rec.completion_tokens / duration, 3),
    }


def validate(summary: dict[str, Any]) -> str | None:
    """None when the summary matches its schema, else one sentence saying where it does not."""
    return schemas.explain("load.summary", summary)
