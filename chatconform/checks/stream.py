"""Checks of a streamed answer: SSE framing, chunk schema, `[DONE]`, and the invariants across chunks.

Every check but `stream.content_type` stays silent when the answer is not a
stream at all, so that one cause gives one finding.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from chatconform.checks.common import finish_reason_findings, request_field, schema_finding, show, text_finding
from chatconform.checks.registry import Expect, Finding, check
from chatconform.checks.response import created_findings, model_findings
from chatconform.exchange import DONE, Exchange

STREAM_CHECKS = (
    "stream.content_type",
    "stream.framing",
    "stream.done",
    "stream.chunk_schema",
    "stream.constant_fields",
    "stream.role",
    "stream.finish_reason",
    "stream.usage_chunk",
    "error.not_in_200",
    "stream.text",
)
CONSTANT_FIELDS = ("id", "object", "created", "model")
MAX_SCHEMA_FINDINGS = 3


def _streamed(ex: Exchange) -> bool:
    return ex.status == 200 and ex.is_stream


def _truncated(ex: Exchange) -> bool:
    """Cut short: what is missing at the end is `stream.done`'s finding, not a second one."""
    return bool(ex.error) or ex.done_count == 0


def _objects(ex: Exchange) -> list[tuple[int, dict[str, Any]]]:
    """(position, chunk) for every chunk that parsed as a JSON object and is not an error event."""
    return [(i, c) for i, c in enumerate(ex.chunks()) if isinstance(c, dict) and "error" not in c]


def _choice_chunks(ex: Exchange) -> list[tuple[int, dict[str, Any]]]:
    """(position, first choice) of every chunk that carries a choice."""
    out = []
    for i, chunk in _objects(ex):
        choices = chunk.get("choices")
        if isinstance(choices, list) and choices and isinstance(choices[0], dict):
            out.append((i, choices[0]))
    return out


@check("stream.content_type", feature="streaming", summary="a 200 answer with content-type text/event-stream")
def content_type(ex: Exchange, expect: Expect) -> Iterator[Finding]:
    name = "stream.content_type"
    if ex.status is None:
        yield Finding(name, f"no response: {ex.error}", "$", "a 200 event stream", str(ex.error))
    elif ex.status != 200:
        yield Finding(
            name,
            f"the stream request failed with status {ex.status}",
            "$",
            "200",
            f"{ex.status} {ex.raw[:300].decode('utf-8', 'replace')}",
        )
    elif not ex.is_stream:
        yield Finding(
            name,
            "the answer is not an event stream",
            "content-type",
            "text/event-stream",
            ex.headers.get("content-type", "(none)"),
        )


@check("stream.framing", feature="streaming", summary="SSE framing: data: events only, each JSON or [DONE]")
def framing(ex: Exchange, expect: Expect) -> Iterator[Finding]:
    if not _streamed(ex):
        return
    name = "stream.framing"
    for problem in ex.sse_problems:
        yield Finding(name, f"SSE: {problem}", "$", "a well-formed event stream", problem)
    for event in ex.events:
        if event.event != "message":
            yield Finding(
                name,
                f"a named SSE event {event.event!r} (OpenAI streams send data: lines only)",
                "$",
                "event type message",
                event.event,
            )
    events = ex.data_events()
    if not events:
        yield Finding(
            name,
            "the stream carried no data events",
            "$",
            "data: chunks then data: [DONE]",
            ex.raw[:200].decode("utf-8", "replace"),
        )
    for i, chunk in enumerate(ex.chunks()):
        if not isinstance(chunk, dict):
            data = events[i].data
            yield Finding(name, f"chunk {i} is not a JSON object", f"$.chunks[{i}]", "a JSON object", data)


@check("stream.done", feature="streaming", summary="the stream ends with exactly one data: [DONE], nothing after")
def done(ex: Exchange, expect: Expect) -> Iterator[Finding]:
    if not _streamed(ex):
        return
    name = "stream.done"
    events = ex.data_events()
    count = ex.done_count
    if ex.error:
        yield Finding(
            name,
            f"the stream broke off ({ex.error}): a truncated answer",
            "$",
            "a complete stream ending in data: [DONE]",
            ex.error,
        )
    elif count == 0:
        tail = events[-1].data if events else "(no events)"
        yield Finding(
            name,
            "the stream ended without data: [DONE] (truncated, or passed off as complete)",
            "$",
            "data: [DONE] as the last event",
            tail,
        )
    elif count > 1:
        yield Finding(name, f"data: [DONE] was sent {count} times", "$", "exactly once", str(count))
    elif events[-1].data != DONE:
        after = len(events) - 1 - next(i for i, e in enumerate(events) if e.data == DONE)
        yield Finding(name, f"{after} event(s) after data: [DONE]", "$", "nothing after [DONE]", events[-1].data)


@check("stream.chunk_schema", feature="streaming", summary="every chunk validates against chat.completion.chunk")
def chunk_schema(ex: Exchange, expect: Expect) -> Iterator[Finding]:
    if not _streamed(ex):
        return
    found = [
        f
        for i, c in _objects(ex)
        if (f := schema_finding("stream.chunk_schema", "chat.completion.chunk", c, f"$.chunks[{i}]"))
    ]
    yield from found[:MAX_SCHEMA_FINDINGS]
    if len(found) > MAX_SCHEMA_FINDINGS:
        yield Finding("stream.chunk_schema", f"... and {len(found) - MAX_SCHEMA_FINDINGS} more invalid chunks")


@check("stream.constant_fields", feature="streaming", summary="id, object, created and model equal in every chunk")
def constant_fields(ex: Exchange, expect: Expect) -> Iterator[Finding]:
    chunks = _objects(ex) if _streamed(ex) else []
    if not chunks:
        return
    name = "stream.constant_fields"
    first = chunks[0][1]
    for field in CONSTANT_FIELDS:
        changed = next(((i, c.get(field)) for i, c in chunks if c.get(field) != first.get(field)), None)
        if changed is not None:
            yield Finding(
                name,
                f"{field} changes between chunks",
                f"$.chunks[{changed[0]}].{field}",
                show(first.get(field)),
                show(changed[1]),
            )
    if first.get("object") != "chat.completion.chunk":
        yield Finding(
            name,
            "object is not 'chat.completion.chunk'",
            "$.chunks[0].object",
            '"chat.completion.chunk"',
            show(first.get("object")),
        )
    yield from created_findings(name, first.get("created"), "$.chunks[0].created")
    yield from model_findings(
        name, request_field(ex.request_body, "model"), first.get("model"), expect, "$.chunks[0].model"
    )


@check("stream.role", feature="streaming", summary="role 'assistant' exactly once, in the first delta")
def role(ex: Exchange, expect: Expect) -> Iterator[Finding]:
    choices = _choice_chunks(ex) if _streamed(ex) else []
    if not choices:
        return
    name = "stream.role"
    deltas = [(i, c.get("delta")) for i, c in choices]
    with_role = [(i, d["role"]) for i, d in deltas if isinstance(d, dict) and "role" in d]
    first = choices[0][0]
    if not with_role:
        yield Finding(
            name,
            "no delta carries the role",
            f"$.chunks[{first}].choices[0].delta",
            '"role": "assistant"',
            show(choices[0][1].get("delta")),
        )
        return
    if with_role[0][0] != first:
        yield Finding(
            name,
            "the role is not in the first delta",
            f"$.chunks[{first}].choices[0].delta.role",
            '"assistant" in the first chunk',
            f"first in chunk {with_role[0][0]}",
        )
    if len(with_role) > 1:
        yield Finding(
            name,
            f"the role is sent {len(with_role)} times",
            f"$.chunks[{with_role[1][0]}].choices[0].delta.role",
            "once",
            show([r for _, r in with_role]),
        )
    if with_role[0][1] != "assistant":
        yield Finding(
            name,
            "the streamed role is not 'assistant'",
            f"$.chunks[{with_role[0][0]}].choices[0].delta.role",
            '"assistant"',
            show(with_role[0][1]),
        )


@check("stream.finish_reason", feature="streaming", summary="one non-null finish_reason, on the last choice chunk")
def finish_reason(ex: Exchange, expect: Expect) -> Iterator[Finding]:
    choices = _choice_chunks(ex) if _streamed(ex) else []
    if not choices:
        return
    name = "stream.finish_reason"
    final = [(i, c.get("finish_reason")) for i, c in choices if c.get("finish_reason") is not None]
    last = choices[-1][0]
    if not final:
        if _truncated(ex):
            return
        yield Finding(
            name,
            "no chunk carries a finish_reason",
            f"$.chunks[{last}].choices[0].finish_reason",
            "one non-null finish_reason",
            "null in every chunk",
        )
        return
    if len(final) > 1:
        yield Finding(
            name,
            f"{len(final)} chunks carry a finish_reason",
            f"$.chunks[{final[1][0]}].choices[0].finish_reason",
            "exactly one",
            show([r for _, r in final]),
        )
    elif final[0][0] != last:
        yield Finding(
            name,
            "the finish_reason is not on the last choice chunk",
            f"$.chunks[{final[0][0]}].choices[0].finish_reason",
            f"on chunk {last}",
            f"on chunk {final[0][0]}",
        )
    position, value = final[-1]
    yield from finish_reason_findings(
        name, value, f"$.chunks[{position}].choices[0].finish_reason", expect.get("finish_reason")
    )


@check(
    "stream.usage_chunk",
    feature="streaming",
    summary="a choices: [] usage chunk exactly once when include_usage is asked, none otherwise",
)
def usage_chunk(ex: Exchange, expect: Expect) -> Iterator[Finding]:
    chunks = _objects(ex) if _streamed(ex) else []
    if not chunks:
        return
    name = "stream.usage_chunk"
    options = request_field(ex.request_body, "stream_options")
    asked = bool(expect.get("include_usage", isinstance(options, dict) and options.get("include_usage")))
    with_usage = [(i, c) for i, c in chunks if c.get("usage") is not None]
    empty = [i for i, c in chunks if c.get("choices") == []]
    if not asked:
        for i, c in with_usage:
            yield Finding(
                name,
                "a usage chunk although include_usage was not asked",
                f"$.chunks[{i}].usage",
                "no usage (or usage: null)",
                show(c.get("usage")),
            )
        for i in empty:
            if all(i != j for j, _ in with_usage):
                yield Finding(
                    name,
                    "a chunk with choices: [] although include_usage was not asked",
                    f"$.chunks[{i}].choices",
                    "at least one choice",
                    "[]",
                )
        return
    if not with_usage:
        if _truncated(ex):
            return
        yield Finding(
            name, "include_usage was asked but no chunk carries usage", "$", "one choices: [] usage chunk", "none"
        )
        return
    if len(with_usage) > 1:
        yield Finding(
            name,
            f"{len(with_usage)} chunks carry usage",
            f"$.chunks[{with_usage[1][0]}].usage",
            "exactly one usage chunk",
            show([i for i, _ in with_usage]),
        )
    position, chunk = with_usage[-1]
    if chunk.get("choices") != []:
        yield Finding(
            name, "the usage chunk has choices", f"$.chunks[{position}].choices", "[]", show(chunk.get("choices"))
        )
    if position != chunks[-1][0]:
        yield Finding(
            name,
            "the usage chunk is not the last chunk before [DONE]",
            f"$.chunks[{position}]",
            f"chunk {chunks[-1][0]}",
            f"chunk {position}",
        )


@check("stream.text", feature="streaming", summary="the streamed text equals expect['text'] when given")
def text(ex: Exchange, expect: Expect) -> Iterator[Finding]:
    wanted = expect.get("text")
    if wanted is None or not _streamed(ex):
        return
    found = text_finding("stream.text", str(wanted), ex.text(), "$.chunks[*].choices[0].delta.content")
    if found:
        yield found
