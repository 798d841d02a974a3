"""Service-level objectives: thresholds a load run must meet, and the verdict.

Names (each a limit on the run as a whole):

  <metric>_<stat>_ms        upper bound, metric in ttft, itl, tpot, e2e, send_lag and
                            stat in p50, p90, p95, p99, mean, max: `ttft_p95_ms=800`
  error_rate                upper bound on failed / (succeeded + failed): `error_rate=0.01`
  min_output_tokens_per_s   lower bound on aggregate output tokens per second
  min_requests_per_s        lower bound on succeeded requests per second
  min_goodput_share         lower bound on the share of finished requests that met every
                            --goodput objective (0 to 1; needs --goodput)
  min_goodput_per_s         lower bound on good requests per second (needs --goodput)
  gateway_<ttft|chunk>_added_<p50|p95|max>_ms
                            upper bound on what the gateway added (gateway mode, overhead.py):
                            `gateway_ttft_added_p95_ms=30`
  gateway_coalesced_ratio_max  upper bound on the share of coalesced gaps (0 to 1)

They come from repeated `--slo NAME=VALUE` flags or a TOML file (keys at the
top level or in an `[slo]` table); a flag overrides the file. A metric with no
sample at all (no request succeeded) violates its objective: a gate must not
pass on an empty run. The verdict judges every objective, met or missed,
with the value observed, so a report can show by how much each one held.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

LATENCY = re.compile(r"^(ttft|itl|tpot|e2e|send_lag)_(p50|p90|p95|p99|mean|max)_ms$")
RATES = {"min_output_tokens_per_s": "output_tokens_per_s", "min_requests_per_s": "requests_per_s"}
GOODPUT = {"min_goodput_share": "share", "min_goodput_per_s": "requests_per_s"}
# Upper bounds on the summary's `gateway` section (gateway mode): name -> (field, statistic)
GATEWAY: dict[str, tuple[str, str | None]] = {
    f"gateway_{what}_added_{stat}_ms": (f"{what}_added_ms", stat)
    for what in ("ttft", "chunk")
    for stat in ("p50", "p95", "max")
} | {"gateway_coalesced_ratio_max": ("coalesced_ratio", None)}
NAMES_HELP = (
    "<ttft|itl|tpot|e2e|send_lag>_<p50|p90|p95|p99|mean|max>_ms, error_rate, "
    + ", ".join([*RATES, *GOODPUT])
    + ", gateway_<ttft|chunk>_added_<p50|p95|max>_ms, gateway_coalesced_ratio_max"
)


class SLOError(ValueError):
    """An objective that cannot be understood, with the reason."""


@dataclass(frozen=True)
class Violation:
    slo: str
    threshold: float
    observed: float | None
    message: str


@dataclass(frozen=True)
class Judgement:
    """One objective, met or missed, with what was observed."""

    slo: str
    threshold: float
    observed: float | None
    passed: bool
    message: str


@dataclass(frozen=True)
class Verdict:
    passed: bool
    thresholds: dict[str, float]
    violations: list[Violation]
    judgements: list[Judgement] = field(default_factory=list)  # every objective, in the order given

    def to_json(self) -> dict[str, Any]:
        return {
            "passed": self.passed,
            "thresholds": self.thresholds,
            "objectives": [asdict(j) for j in self.judgements],
            "violations": [asdict(v) for v in self.violations],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Verdict:
        return cls(
            data["passed"],
            data["thresholds"],
            [Violation(**v) for v in data["violations"]],
            [Judgement(**j) for j in data.get("objectives", [])],
        )


def check_name(name: str) -> None:
    if not (LATENCY.match(name) or name == "error_rate" or name in RATES or name in GOODPUT or name in GATEWAY):
        raise SLOError(f"unknown SLO {name!r}; use one of {NAMES_HELP}")


def parse_flag(text: str) -> tuple[str, float]:
    """`ttft_p95_ms=800` -> ("ttft_p95_ms", 800.0)."""
    name, sep, raw = text.partition("=")
    name = name.strip()
    if not sep:
        raise SLOError(f"--slo {text!r}: expected NAME=VALUE, e.g. ttft_p95_ms=800")
    check_name(name)
    try:
        value = float(raw)
    except ValueError:
        raise SLOError(f"--slo {text!r}: {raw.strip()!r} is not a number") from None
    if value < 0 or value != value:
        raise SLOError(f"--slo {text!r}: the threshold must be a non-negative number")
    return name, value


def load_file(path: str | Path) -> dict[str, float]:
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise SLOError(f"SLO file {path}: {exc}") from exc
    table = data.get("slo", data)
    if not isinstance(table, dict):
        raise SLOError(f"SLO file {path}: [slo] must be a table")
    out: dict[str, float] = {}
    for name, value in table.items():
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise SLOError(f"SLO file {path}: {name} must be a number")
        out.update([parse_flag(f"{name}={value}")])
    return out


def thresholds(flags: list[str] | None, file: str | None) -> dict[str, float]:
    merged = load_file(file) if file else {}
    merged.update(parse_flag(flag) for flag in flags or ())
    return merged


def evaluate(limits: dict[str, float], summary: dict[str, Any]) -> Verdict:
    """Judge a load summary (see summary.py) against the thresholds."""
    judgements = [judge(name, limit, summary) for name, limit in limits.items()]
    violations = [Violation(j.slo, j.threshold, j.observed, j.message) for j in judgements if not j.passed]
    return Verdict(not violations, dict(limits), violations, judgements)


def judge(name: str, limit: float, summary: dict[str, Any]) -> Judgement:
    match = LATENCY.match(name)
    if match:
        metric, stat = match.groups()
        what = f"{stat} of {metric.upper().replace('_', ' ')}"
        return _upper(name, limit, summary["metrics"][f"{metric}_ms"][stat], what, " ms")
    if name == "error_rate":
        return _upper(name, limit, summary["requests"]["error_rate"], "error rate", "")
    if name in GOODPUT:
        good = summary.get("goodput") or {}
        return _lower(name, limit, good.get(GOODPUT[name]))
    if name in GATEWAY:
        key, stat = GATEWAY[name]
        value = (summary.get("gateway") or {}).get(key)
        if stat is not None:
            value = (value or {}).get(stat)
        added = "TTFT" if key.startswith("ttft") else "delay per chunk"
        what = f"{stat} of the gateway's added {added}" if stat else "gateway's coalesced ratio"
        return _upper(name, limit, value, what, " ms" if stat else "")
    return _lower(name, limit, summary["throughput"][RATES[name]])


def _upper(name: str, limit: float, observed: float | None, what: str, unit: str) -> Judgement:
    if observed is not None and observed <= limit:
        return Judgement(name, limit, observed, True, f"{name}: {observed:.4g}{unit} <= {limit:g}{unit}")
    seen = "no samples" if observed is None else f"{observed:.4g}{unit} > {limit:g}{unit}"
    return Judgement(name, limit, observed, False, f"{name}: {seen} (the {what} must be at most {limit:g}{unit})")


def _lower(name: str, limit: float, observed: float | None) -> Judgement:
    if observed is not None and observed >= limit:
        return Judgement(name, limit, observed, True, f"{name}: {observed:.4g} >= {limit:g}")
    seen = "no samples" if observed is None else f"{observed:.4g} < {limit:g}"
    return Judgement(name, limit, observed, False, f"{name}: {seen} (must be at least {limit:g})")


def describe(verdict: Verdict) -> str:
    """Terminal lines: the verdict, then every objective, the missed ones first, each with its value."""
    if not verdict.thresholds:
        return "SLO: none given"
    total, missed = len(verdict.thresholds), len(verdict.violations)
    head = f"SLO passed ({total} objective(s) met)" if verdict.passed else f"SLO FAILED ({missed} of {total} missed):"
    ordered = sorted(verdict.judgements, key=lambda j: j.passed)
    return "\n".join([head] + [f"  {'met   ' if j.passed else 'MISSED'} {j.message}" for j in ordered])
