"""The counters a Recorder (recorder.py) is made of: per second, per scenario, per conversation turn.

Each one adds up exactly (`merge`) and travels from a Locust worker to the
master in a JSON- and msgpack-safe form (`to_wire`, `from_wire`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from chatconform.load.metrics import Sketch

SERIES_METRICS = ("ttft_ms", "e2e_ms")  # per second; not ITL: a sample per chunk would double its cost


@dataclass
class TurnFigures:
    """The succeeded turns at one position of a conversation: how long their prompts were, how fast they began."""

    requests: int = 0
    prompt_tokens: int = 0
    ttft: Sketch = field(default_factory=Sketch)

    def merge(self, other: TurnFigures) -> None:
        self.requests += other.requests
        self.prompt_tokens += other.prompt_tokens
        self.ttft.merge(other.ttft)

    def to_wire(self) -> list[Any]:
        return [self.requests, self.prompt_tokens, self.ttft.to_wire()]

    @classmethod
    def from_wire(cls, data: list[Any]) -> TurnFigures:
        requests, prompt_tokens, ttft = data
        return cls(int(requests), int(prompt_tokens), Sketch.from_wire(ttft))


@dataclass
class Tally:
    """One scenario's requests by outcome."""

    sent: int = 0
    succeeded: int = 0
    interrupted: int = 0
    failed: Counter[str] = field(default_factory=Counter)

    def merge(self, other: Tally) -> None:
        self.sent += other.sent
        self.succeeded += other.succeeded
        self.interrupted += other.interrupted
        self.failed.update(other.failed)

    def to_wire(self) -> dict[str, Any]:
        return {
            "sent": self.sent,
            "succeeded": self.succeeded,
            "interrupted": self.interrupted,
            "failed": dict(self.failed),
        }

    @classmethod
    def from_wire(cls, data: dict[str, Any]) -> Tally:
        failed = Counter({str(k): int(n) for k, n in data["failed"].items()})
        return cls(int(data["sent"]), int(data["succeeded"]), int(data["interrupted"]), failed)


@dataclass
class Second:
    """The requests that finished in one wall-clock second."""

    requests: int = 0
    failed: int = 0
    output_tokens: int = 0
    sketches: dict[str, Sketch] = field(default_factory=lambda: {m: Sketch() for m in SERIES_METRICS})
    good: int = 0

    def merge(self, other: Second) -> None:
        self.requests += other.requests
        self.failed += other.failed
        self.output_tokens += other.output_tokens
        self.good += other.good
        for name, sketch in other.sketches.items():
            self.sketches[name].merge(sketch)

    def to_wire(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "failed": self.failed,
            "output_tokens": self.output_tokens,
            "good": self.good,
            "sketches": {k: v.to_wire() for k, v in self.sketches.items()},
        }

    @classmethod
    def from_wire(cls, data: dict[str, Any]) -> Second:
        sketches = {k: Sketch.from_wire(v) for k, v in data["sketches"].items()}
        return cls(int(data["requests"]), int(data["failed"]), int(data["output_tokens"]), sketches, int(data["good"]))
