"""The report's figures, drawn with matplotlib and returned as inline SVG text.

SVG keeps the report one self-contained file that reads offline (no
JavaScript, no CDN), and text glyphs are drawn as paths, so it looks the same
on a machine without the fonts. The Agg backend is chosen before pyplot is
imported: reports are written on CI machines without a display.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # the backend is chosen first
from matplotlib.ticker import NullFormatter

from chatconform.load.metrics import Sketch

LABELS = {"ttft_ms": "TTFT", "itl_ms": "ITL", "tpot_ms": "TPOT", "e2e_ms": "end-to-end"}


def _svg(figure: Any) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight")
    plt.close(figure)
    text = buffer.getvalue()
    return text[text.index("<svg") :]  # drop the XML prolog and DOCTYPE: the SVG sits inside HTML


def latency_cdfs(sketches: dict[str, Sketch]) -> str | None:
    """One CDF panel per latency metric that has samples (log time axis)."""
    present = [name for name in LABELS if sketches.get(name) and sketches[name].count]
    if not present:
        return None
    figure, axes = plt.subplots(1, len(present), figsize=(3.6 * len(present), 3.0), squeeze=False)
    for ax, name in zip(axes[0], present, strict=True):
        points = sketches[name].cdf()
        xs = [x for x, _ in points]
        positive = [x for x in xs if x > 0]
        if positive and max(positive) / min(positive) > 20:  # a log axis only for a spread over decades
            xs = [max(x, min(positive)) for x in xs]
            ax.set_xscale("log")
            ax.xaxis.set_minor_formatter(NullFormatter())
        ax.step(xs, [y for _, y in points], where="post")
        ax.set_title(f"{LABELS[name]} CDF")
        ax.set_xlabel("ms")
        ax.set_ylim(0, 1.02)
        ax.grid(True, alpha=0.3)
    axes[0][0].set_ylabel("fraction of samples")
    return _svg(figure)


def over_time(rows: Sequence[dict[str, Any]]) -> str | None:
    figure = over_time_figure(rows)
    return None if figure is None else _svg(figure)


def over_time_figure(rows: Sequence[dict[str, Any]]) -> Any:
    """Per second, one panel each: TTFT, end-to-end latency, requests, output tokens.

    Each quantity has its own panel and axis, so none hides another (tokens/s
    are a hundred times requests/s). Latency is known only for seconds in
    which a request finished: those points are joined into one line, and the
    seconds in which none finished are shaded, so a quiet second reads as
    quiet instead of breaking the line into fragments.
    """
    if not rows:
        return None
    t = [r["t_s"] for r in rows]
    latency = [p for p in _LATENCY_PANELS if any(r[c] is not None for r in rows for c, _ in p[1])]
    figure, axes = plt.subplots(len(latency) + 2, 1, figsize=(9, 2.1 * (len(latency) + 2)), sharex=True)
    for ax, (title, columns) in zip(axes, latency, strict=False):
        for column, label in columns:
            points = [(x, r[column]) for x, r in zip(t, rows, strict=True) if r[column] is not None]
            ax.plot([x for x, _ in points], [y for _, y in points], marker="o", markersize=3, label=label)
        _shade_quiet(ax, t, rows)
        ax.set_ylabel("ms")
        ax.set_ylim(0, 1.2 * max(max(line.get_ydata(), default=0) for line in ax.lines) or 1)
        ax.set_title(title, fontsize="medium")
        _legend(ax)
    requests, tokens = axes[len(latency)], axes[len(latency) + 1]
    succeeded = [r["requests"] - r["failed"] for r in rows]
    requests.plot(t, succeeded, label="succeeded/s", color="tab:blue")
    requests.plot(t, _moving_mean(succeeded), label=f"succeeded/s, {_SMOOTH_S} s mean", color="tab:blue", alpha=0.45)
    requests.plot(t, [r["failed"] for r in rows], label="failed/s", color="tab:red")
    if any(r.get("good") is not None for r in rows):
        requests.plot(t, [r["good"] or 0 for r in rows], label="good/s (goodput)", color="tab:purple", linestyle="--")
    requests.set_ylabel("requests/s")
    requests.set_title("requests finished, per second", fontsize="medium")
    _legend(requests)
    output = [r["output_tokens"] for r in rows]
    tokens.plot(t, output, color="tab:green", label="output tokens/s")
    tokens.plot(t, _moving_mean(output), color="tab:green", alpha=0.45, label=f"output tokens/s, {_SMOOTH_S} s mean")
    _legend(tokens)
    tokens.set_ylabel("tokens/s")
    tokens.set_title("output tokens of the requests finished, per second", fontsize="medium")
    tokens.set_xlabel("seconds since the first request was sent")
    for ax in axes:
        ax.set_ylim(bottom=0)
        ax.grid(True, alpha=0.3)
    return figure


_LATENCY_PANELS = (
    ("time to first token, per second (requests finished in it)", (("ttft_p50_ms", "p50"), ("ttft_p95_ms", "p95"))),
    ("end-to-end latency, per second (requests finished in it)", (("e2e_p50_ms", "p50"), ("e2e_p95_ms", "p95"))),
)


_SMOOTH_S = 5  # seconds in the moving mean: a closed loop finishes its requests in waves, the mean shows the rate


def _moving_mean(values: Sequence[float]) -> list[float]:
    """The mean over a window of _SMOOTH_S seconds centred on each second (shorter at the ends)."""
    half = _SMOOTH_S // 2
    out = []
    for i in range(len(values)):
        window = values[max(0, i - half) : i + half + 1]
        out.append(sum(window) / len(window))
    return out


def _legend(ax: Any) -> None:
    """Beside the panel, not on it: a legend inside would hide the lines it names."""
    ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)


def _shade_quiet(ax: Any, t: Sequence[int], rows: Sequence[dict[str, Any]]) -> None:
    """Shade the seconds in which no request succeeded (no latency to show), with one legend entry."""
    label: str | None = "no request succeeded"
    for x, r in zip(t, rows, strict=True):
        if r["requests"] - r["failed"] == 0:
            ax.axvspan(x - 0.5, x + 0.5, color="0.85", alpha=0.6, linewidth=0, label=label)
            label = None


def sweep(points: Sequence[dict[str, Any]], knee: float | None, load_label: str) -> str | None:
    """TTFT and throughput against offered load (points sorted by load): steps that missed the SLO are
    ringed in red, the knee (when a higher load failed) marked by a dashed line."""
    if not points:
        return None
    x = [p["load"] for p in points]
    failed = [p for p in points if not p["passed"]]
    figure, (left, middle, right) = plt.subplots(1, 3, figsize=(13, 3.6))
    for key, label in (("ttft_p50_ms", "TTFT p50"), ("ttft_p95_ms", "TTFT p95"), ("e2e_p95_ms", "E2E p95")):
        left.plot(x, [float("nan") if p[key] is None else p[key] for p in points], marker="o", label=label)
    left.set_ylabel("ms")
    left.set_title("latency vs load", fontsize="medium")
    middle.plot(x, [p["requests_per_s"] or 0 for p in points], marker="o", label="requests/s")
    if any(p.get("goodput_per_s") is not None for p in points):
        middle.plot(x, [p.get("goodput_per_s") or 0 for p in points], marker="^", linestyle="--", label="good/s")
    middle.set_ylabel("requests/s")
    middle.set_title("requests/s vs load", fontsize="medium")
    right.plot(x, [p["output_tokens_per_s"] or 0 for p in points], marker="s", color="tab:green", label="tokens/s")
    right.set_ylabel("output tokens/s")
    right.set_title("output tokens/s vs load", fontsize="medium")
    ring = {"s": 120, "facecolors": "none", "edgecolors": "tab:red", "linewidths": 1.5, "zorder": 3}
    left.scatter([p["load"] for p in failed], [p["ttft_p95_ms"] or 0 for p in failed], label="missed the SLO", **ring)
    for ax in (left, middle, right):
        ax.set_xlabel(load_label)
        ax.set_ylim(bottom=0)
        ax.grid(True, alpha=0.3)
        if knee is not None:
            ax.axvline(knee, color="tab:red", linestyle="--", label="knee: highest passing load")
        ax.legend(fontsize="small")
    figure.tight_layout()
    return _svg(figure)
