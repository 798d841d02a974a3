"""Variations a correct gateway may show: the suites must pass against each of them.

Everything here is allowed by the SSE specification, by HTTP, or by the
OpenAI schema (which lets objects carry fields it does not list). A failure
means a check is stricter than the contract.
"""

from __future__ import annotations

import copy
import gzip
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

from tests.selftest import edits as e
from tests.selftest.rewrite import Reply, Rewrite

# Every suite but the slow oversized-body case (skipped anyway: these targets are not the built-in mock).
EVERYTHING = "not oversized"
# Everything that streams: test_streaming.py and every `stream` mode of the other suites.
STREAMS = "stream and not nonstream and not sdk"
TOOLS = "tool"


@dataclass(frozen=True)
class Variation:
    name: str
    what: str
    select: str
    rewrite: Rewrite


def _lines(end: str) -> Any:
    def frame(payloads: list[str]) -> bytes:
        return "".join(f"data: {p}{end}{end}" for p in payloads).encode()

    return frame


def _keepalives(payloads: list[str]) -> bytes:
    """A processing comment first (as OpenRouter sends), a ping between events, an empty comment line."""
    events = "".join(f"data: {p}\n\n: ping\n\n" for p in payloads)
    return (": OPENROUTER PROCESSING\n\n:\n" + events).encode()


def _no_space(payloads: list[str]) -> bytes:
    return "".join(f"data:{p}\n\n" for p in payloads).encode()


def _ids_and_retry(payloads: list[str]) -> bytes:
    return ("retry: 3000\n\n" + "".join(f"id: {n}\ndata: {p}\n\n" for n, p in enumerate(payloads))).encode()


def _bom(payloads: list[str]) -> bytes:
    return b"\xef\xbb\xbf" + "".join(f"data: {p}\n\n" for p in payloads).encode()


def _extra_fields(target: dict[str, Any]) -> None:
    """Unknown fields at every level a gateway decorates: top level, choice, message or delta, usage."""
    target["provider"] = "anthropic"
    target["x_gateway"] = {"route": "primary", "attempts": 1}
    for choice in target.get("choices") or []:
        choice["native_finish_reason"] = "end_turn"
        for key in ("message", "delta"):
            if isinstance(choice.get(key), dict):
                choice[key]["annotations"] = []
    if isinstance(target.get("usage"), dict):
        target["usage"]["cost"] = 0.0001


def _reverse(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _reverse(v) for k, v in reversed(value.items())}
    if isinstance(value, list):
        return [_reverse(v) for v in value]
    return value


def _reorder(reply: Reply) -> None:
    if reply.events is not None:
        reply.events = [_reverse(x) for x in reply.events]
    elif reply.body is not None:
        reply.body = _reverse(reply.body)


def _usage_details(target: dict[str, Any]) -> None:
    usage = target.get("usage")
    if isinstance(usage, dict):
        usage["prompt_tokens_details"] = {"cached_tokens": 0, "audio_tokens": 0}
        usage["completion_tokens_details"] = {
            "reasoning_tokens": 0,
            "audio_tokens": 0,
            "accepted_prediction_tokens": 0,
            "rejected_prediction_tokens": 0,
        }
        usage["cache_creation_input_tokens"] = 0


def _headers(reply: Reply) -> None:
    reply.headers.update(
        {
            "openai-processing-ms": "123",
            "x-ratelimit-remaining-requests": "99",
            "via": "1.1 gateway",
            "cf-ray": "8a1b2c3d4e5f-AMS",
            "cache-control": "no-store",
        }
    )
    if reply.headers.get("content-type", "").startswith("application/json"):
        reply.headers["content-type"] = "application/json; charset=utf-8"


def _finish_with_last_text(reply: Reply, events: list[Any]) -> list[Any]:
    """The last text delta and the finish_reason in one chunk (vLLM and others send it so)."""
    texts = e.content_positions(events)
    finish = next(
        (i for i, x in enumerate(events) if isinstance(x, dict) and (x.get("choices") or [{}])[0].get("finish_reason")),
        None,
    )
    if not texts or finish is None or finish != texts[-1] + 1:
        return events
    merged = events[finish]
    merged["choices"][0]["delta"] = events[texts[-1]]["choices"][0]["delta"]
    return events[: texts[-1]] + events[finish:]


def _gzip(body: bytes, headers: dict[str, str]) -> bytes:
    packed = gzip.compress(body)
    headers["content-encoding"] = "gzip"
    if "content-length" in headers:
        headers["content-length"] = str(len(packed))
    return packed


def _chunked(body: bytes, headers: dict[str, str]) -> bytes:
    headers.pop("content-length", None)  # uvicorn then frames the body with chunked transfer encoding
    return body


def _dated_model(target: dict[str, Any]) -> None:
    target["model"] = "claude-haiku-4-5-20251001"


def _minimal(target: dict[str, Any]) -> None:
    """Only what the OpenAPI requires, nulls left out where a field is optional."""
    for key in ("system_fingerprint", "service_tier"):
        target.pop(key, None)
    if target.get("usage", 0) is None:
        del target["usage"]
    for choice in target.get("choices") or []:
        if "delta" in choice:
            choice.pop("logprobs", None)
            choice["delta"].pop("refusal", None)
        if isinstance(choice.get("message"), dict):
            choice["message"].pop("refusal", None)


def _role_with_first_text(reply: Reply, events: list[Any]) -> list[Any]:
    texts = e.content_positions(events)
    if not texts or texts[0] == 0:
        return events
    role_chunk = events[texts[0] - 1]
    events[texts[0]]["choices"][0]["delta"]["role"] = role_chunk["choices"][0]["delta"].get("role")
    return events[: texts[0] - 1] + events[texts[0] :]


def _entries(event: Any) -> list[dict[str, Any]]:
    if not isinstance(event, dict):
        return []
    delta = ((event.get("choices") or [{}])[0] or {}).get("delta") or {}
    return [c for c in delta.get("tool_calls") or [] if isinstance(c, dict)]


def _char_by_char(reply: Reply, events: list[Any]) -> list[Any]:
    """Argument fragments of one character each, each in its own chunk (legal, and what slow upstreams do)."""
    out: list[Any] = []
    for event in events:
        entries = _entries(event)
        arguments = entries[0].get("function", {}).get("arguments") if len(entries) == 1 else None
        if not isinstance(arguments, str) or len(arguments) < 2:
            out.append(event)
            continue
        for n, char in enumerate(arguments):
            piece = copy.deepcopy(event)
            entry = piece["choices"][0]["delta"]["tool_calls"][0]
            if n:
                entry = {"index": entry["index"], "function": {"arguments": char}}
            entry.setdefault("function", {})["arguments"] = char
            piece["choices"][0]["delta"]["tool_calls"] = [entry]
            out.append(piece)
    return out


def _interleaved(reply: Reply, events: list[Any]) -> list[Any]:
    """Every call's header first, then the argument fragments: calls overlap, told apart by index alone."""
    spots = [i for i, x in enumerate(events) if _entries(x)]
    moved = sorted((events[i] for i in spots), key=lambda x: 0 if _entries(x)[0].get("id") else 1)
    out = list(events)
    for i, event in zip(spots, moved, strict=True):
        out[i] = event
    return out


def _header_without_arguments(reply: Reply) -> None:
    for entry in e.tool_deltas(reply):
        if entry.get("id") and entry.get("function", {}).get("arguments") == "":
            del entry["function"]["arguments"]


def _empty_content_with_calls(body: dict[str, Any]) -> None:
    message = body["choices"][0]["message"]
    if message.get("tool_calls") and message.get("content") is None:
        message["content"] = ""


def _error_extras(reply: Reply) -> None:
    if isinstance(reply.body, dict) and isinstance(reply.body.get("error"), dict):
        reply.body["error"]["provider"] = "anthropic"
        reply.body["request_id"] = "req_123"


def _retry_date(reply: Reply) -> None:
    when = datetime.now(UTC) + timedelta(seconds=2)
    reply.headers["retry-after"] = format_datetime(when, usegmt=True)


V = Variation
VARIATIONS = [
    V("crlf-line-ends", "CRLF line ends", STREAMS, Rewrite(frame=_lines("\r\n"))),
    V("lone-cr-line-ends", "CR line ends", STREAMS, Rewrite(frame=_lines("\r"))),
    V(
        "sse-comments",
        "a processing comment and `: ping` keep-alives between events",
        STREAMS,
        Rewrite(frame=_keepalives),
    ),
    V("data-without-space", "`data:` without the optional space", STREAMS, Rewrite(frame=_no_space)),
    V("sse-id-and-retry", "`retry:` and `id:` fields", STREAMS, Rewrite(frame=_ids_and_retry)),
    V("utf8-bom", "a byte order mark before the first event", STREAMS, Rewrite(frame=_bom)),
    # Each send is one HTTP chunk, and the client's reader is fed chunk by chunk: every split point is tried.
    V("one-byte-sends", "the answer one byte per send", STREAMS, Rewrite(pieces=(1,))),
    V(
        "crlf-split-reads",
        "CRLF line ends in pieces of 1 to 13 bytes, so some CRLFs are split",
        STREAMS,
        Rewrite(frame=_lines("\r\n"), pieces=(1, 2, 3, 5, 8, 13)),
    ),
    V(
        "finish-with-last-text",
        "the last text delta rides on the finish_reason chunk",
        STREAMS,
        Rewrite(reply=e.on_events(_finish_with_last_text)),
    ),
    V(
        "extra-fields",
        "unknown fields in bodies, choices, messages, deltas and usage",
        EVERYTHING,
        Rewrite(reply=e.everywhere(_extra_fields)),
    ),
    V("reordered-keys", "every object's keys in reverse order", EVERYTHING, Rewrite(reply=_reorder)),
    V(
        "usage-details",
        "usage with token detail objects and cache counts",
        "usage or stream",
        Rewrite(reply=e.everywhere(_usage_details)),
    ),
    V("extra-headers", "rate-limit, tracing and proxy headers; a charset on JSON", EVERYTHING, Rewrite(reply=_headers)),
    V("gzip", "gzip-compressed answers, streams included", EVERYTHING, Rewrite(finish=_gzip)),
    V(
        "json-chunked",
        "whole answers with chunked transfer encoding, no content-length",
        "not stream",
        Rewrite(finish=_chunked),
    ),
    V(
        "dated-model-id",
        "the answer names the dated model version",
        "test_basic or stream",
        Rewrite(reply=e.everywhere(_dated_model)),
    ),
    V(
        "minimal-fields",
        "optional fields left out (system_fingerprint, refusal, chunk logprobs, usage: null)",
        EVERYTHING,
        Rewrite(reply=e.everywhere(_minimal)),
    ),
    V(
        "role-with-first-text",
        "the role arrives with the first text, no role-only chunk",
        STREAMS,
        Rewrite(reply=e.on_events(_role_with_first_text)),
    ),
    V(
        "tool-arguments-char-by-char",
        "tool arguments streamed one character per chunk",
        TOOLS,
        Rewrite(reply=e.on_events(_char_by_char)),
    ),
    V(
        "tool-calls-interleaved",
        "parallel calls' deltas interleaved, told apart by index",
        TOOLS,
        Rewrite(reply=e.on_events(_interleaved)),
    ),
    V(
        "tool-header-without-arguments",
        "a call's first delta has no arguments key",
        TOOLS,
        Rewrite(reply=_header_without_arguments),
    ),
    V(
        "empty-content-with-tool-calls",
        'content "" instead of null beside tool calls',
        TOOLS,
        Rewrite(reply=e.on_body(_empty_content_with_calls)),
    ),
    V(
        "error-extra-fields",
        "error envelopes with extra fields",
        "error or auth or unknown or 400",
        Rewrite(reply=e.on_error(_error_extras)),
    ),
    V("retry-after-date", "Retry-After as an HTTP date", "retry_after", Rewrite(reply=e.on_error(_retry_date, (429,)))),
]
BY_NAME = {v.name: v for v in VARIATIONS}
