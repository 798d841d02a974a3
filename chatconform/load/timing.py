"""One request's timing and outcome, from the arrival times of what came back.

The definitions, also given in the README's metrics table:

  TTFT  request start -> arrival of the first chunk that carries content or a
        tool-call delta. Not the response headers, not the role-only first chunk.
  ITL   the gaps between consecutive token-bearing chunks, one sample per gap.
  TPOT  (end - first token) / (output tokens - 1), with output tokens taken from
        `usage` (requested with `stream_options.include_usage`); only when the
        target sends no usage, estimated as ceil(characters / 4).
  E2E   request start -> the end of the response (`[DONE]` or the last byte).

Times are `time.perf_counter()` seconds; results are milliseconds as floats, so
nothing is rounded away. The observer is fed raw bytes as they arrive and
parses them with the suites' own SSE reader; what `[DONE]` is and which
delta carries output are chatconform.wire's definitions.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from typing import Any

import orjson

from chatconform.sse import Event, SSEReader
from chatconform.wire import DONE, delta_chars, token_chars

CHARS_PER_TOKEN = 4  # OpenAI's rule of thumb for English text; used only without `usage`


@dataclass
class Timing:
    start: float
    end: float = 0.0
    token_times: list[float] = field(default_factory=list)
    output_chars: int = 0
    usage_output_tokens: int | None = None
    usage_prompt_tokens: int | None = None

    @property
    def ttft_ms(self) -> float | None:
        return (self.token_times[0] - self.start) * 1000 if self.token_times else None

    def itl_ms(self) -> list[float]:
        times = self.token_times
        return [(b - a) * 1000 for a, b in itertools.pairwise(times)]

    @property
    def e2e_ms(self) -> float:
        return (self.end - self.start) * 1000

    @property
    def output_tokens_estimated(self) -> bool:
        return self.usage_output_tokens is None

    @property
    def output_tokens(self) -> int:
        if self.usage_output_tokens is not None:
            return self.usage_output_tokens
        return math.ceil(self.output_chars / CHARS_PER_TOKEN)

    @property
    def tpot_ms(self) -> float | None:
        """Undefined for fewer than two output tokens or a stream without a token chunk."""
        tokens = self.output_tokens
        if not self.token_times or tokens < 2:
            return None
        return (self.end - self.token_times[0]) * 1000 / (tokens - 1)


class StreamObserver:
    """Reads one streamed answer as it arrives; `finish` says whether it failed, and how.

    Failure kinds: `malformed` (a data event that is not a JSON object, or a
    stream the SSE grammar rejects), `stream_error` (an error object sent
    mid-stream), `disconnect` and `timeout` (what the transport saw), and
    `truncated` (the stream ended cleanly but without `[DONE]`). The first
    failure seen is the one reported.
    """

    def __init__(self, start: float, keep_text: bool = False) -> None:
        self.timing = Timing(start)
        self.reader = SSEReader()
        self.done = False
        self.failure: str | None = None
        self.text: list[str] | None = [] if keep_text else None  # the answer's text, when a caller needs it

    def feed(self, data: bytes, t: float) -> None:
        self._take(self.reader.feed(data, t))

    def _take(self, events: list[Event]) -> None:
        # The load generator's per-chunk path (tens of thousands a second): kept lean on purpose.
        for event in events:
            if self.done or event.event != "message":
                continue
            if event.data == DONE:
                self.done = True
                continue
            try:
                chunk = orjson.loads(event.data)  # several times faster than json, once per chunk
            except orjson.JSONDecodeError:
                chunk = None
            if type(chunk) is not dict:
                self._fail("malformed")
            elif "error" in chunk:
                self._fail("stream_error")
            else:
                self._chunk(chunk, event.t)

    def _chunk(self, chunk: dict[str, Any], t: float) -> None:
        timing = self.timing
        usage = chunk.get("usage")
        if usage and type(usage) is dict:
            read_usage(timing, usage)
        choices = chunk.get("choices")
        first = choices[0] if type(choices) is list and len(choices) == 1 else None
        delta = first.get("delta") if type(first) is dict else None
        content = calls = None
        if type(delta) is dict:
            content, calls = delta.get("content"), delta.get("tool_calls")
        if type(content) is str and content and not calls:
            chars: int | None = len(content)  # the common text chunk, without the general walk
            if self.text is not None:
                self.text.append(content)
        else:
            chars = token_chars(choices)
        if chars is not None:  # one arrival per chunk, whatever the number of choices
            timing.token_times.append(t)
            timing.output_chars += chars

    def finish(self, t: float, transport_error: str | None = None) -> str | None:
        self.timing.end = t
        if transport_error is None:
            self._take(self.reader.close(t))
        if self.reader.problems:
            self._fail("malformed")
        if transport_error is not None:
            self._fail(transport_error)
        if not self.done:
            self._fail("truncated")
        return self.failure

    def _fail(self, kind: str) -> None:
        if self.failure is None:
            self.failure = kind


def read_usage(timing: Timing, usage: dict[str, Any]) -> None:
    completion, prompt = usage.get("completion_tokens"), usage.get("prompt_tokens")
    if isinstance(completion, int) and not isinstance(completion, bool):
        timing.usage_output_tokens = completion
    if isinstance(prompt, int) and not isinstance(prompt, bool):
        timing.usage_prompt_tokens = prompt


def observe_body(start: float, end: float, raw: bytes) -> tuple[Timing, str | None]:
    """A whole (non-streamed) answer: its timing and failure kind (`malformed` or None)."""
    timing = Timing(start, end)
    try:
        body = orjson.loads(raw)
        message = body["choices"][0]["message"]
    except (orjson.JSONDecodeError, KeyError, IndexError, TypeError):
        return timing, "malformed"
    if not isinstance(message, dict):
        return timing, "malformed"
    timing.output_chars = delta_chars(message) or 0
    if isinstance(body.get("usage"), dict):
        read_usage(timing, body["usage"])
    return timing, None
