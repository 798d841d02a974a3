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
    """Latency percentiles per second (top) and throughput per second (bottom)."""
    if not rows:
        return None
    t = [r["t_s"] for r in rows]
    figure, (top, bottom) = plt.subplots(2, 1, figsize=(9, 5.5), sharex=True)
    for column, label in (
        ("ttft_p50_ms", "TTFT p50"),
        ("ttft_p95_ms", "TTFT p95"),
        ("e2e_p50_ms", "E2E p50"),
        ("e2e_p95_ms", "E2E p95"),
    ):
        values = [r[column] for r in rows]
        if any(v is not None for v in values):
            top.plot(t, [float("nan") if v is None else v for v in values], label=label)
    top.set_ylabel("ms")
    top.set_title("latency percentiles, per second")
    if top.lines:  # a run where nothing succeeded has no latency to draw
        top.legend(fontsize="small", ncol=3)
    top.grid(True, alpha=0.3)
    bottom.plot(t, [r["requests"] for r in rows], label="requests/s")
    bottom.plot(t, [r["failed"] for r in rows], label="failed/s")
    bottom.set_ylabel("requests/s")
    bottom.set_ylim(bottom=0)
    twin = bottom.twinx()
    twin.plot(t, [r["output_tokens"] for r in rows], color="tab:green", label="output tokens/s")
    twin.set_ylabel("output tokens/s")
    twin.set_ylim(bottom=0)
    bottom.set_xlabel("seconds since the first request")
    bottom.set_title("throughput, per second")
    bottom.legend(loc="upper left", fontsize="small")
    twin.legend(loc="upper right", fontsize="small")
    bottom.grid(True, alpha=0.3)
    return _svg(figure)


def sweep(points: Sequence[dict[str, Any]], knee: float | None, load_label: str) -> str | None:
    """TTFT and throughput against offered load, with the knee marked."""
    if not points:
        return None
    x = [p["load"] for p in points]
    figure, (left, right) = plt.subplots(1, 2, figsize=(10, 3.6))
    for key, label in (("ttft_p50_ms", "TTFT p50"), ("ttft_p95_ms", "TTFT p95"), ("e2e_p95_ms", "E2E p95")):
        left.plot(x, [float("nan") if p[key] is None else p[key] for p in points], marker="o", label=label)
    left.set_ylabel("ms")
    left.set_title("latency vs load")
    right.plot(x, [p["requests_per_s"] or 0 for p in points], marker="o", label="requests/s")
    twin = right.twinx()
    twin.plot(
        x, [p["output_tokens_per_s"] or 0 for p in points], marker="s", color="tab:green", label="output tokens/s"
    )
    twin.set_ylabel("output tokens/s")
    twin.set_ylim(bottom=0)
    right.set_ylabel("requests/s")
    right.set_ylim(bottom=0)
    right.set_title("throughput vs load")
    for ax in (left, right):
        ax.set_xlabel(load_label)
        ax.grid(True, alpha=0.3)
        if knee is not None:
            ax.axvline(knee, color="tab:red", linestyle="--", label="knee")
    left.legend(fontsize="small")
    right.legend(loc="upper left", fontsize="small")
    twin.legend(loc="lower right", fontsize="small")
    return _svg(figure)
