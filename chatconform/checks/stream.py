"""Checks of a streamed answer: SSE framing, chunk schema, `[DONE]`, and the invariants across chunks.

`stream.content_type` is the gate of the others: when the answer is not a
200 event stream at all, it alone reports it. A stream that was cut short is
`stream.done`'s finding; the checks of what comes at the end of a stream
(the finish_reason, the usage chunk) stay silent about it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from chatconform.answer import chunk_objects, requested_model, stream_choices, text
from chatconform.checks.common import finish_reason_findings, request_field, schema_finding, text_finding, wanted_finish
from chatconform.checks.expect import Expect
from chatconform.checks.finding import Finding, raw_head, show
from chatconform.checks.registry import check
from chatconform.checks.response import created_findings, model_findings
from chatconform.exchange import Exchange
from chatconform.wire import DONE

Chunks = list[tuple[int, dict[str, Any]]]
CONSTANT_FIELDS = ("id", "object", "created", "model")
MAX_SCHEMA_FINDINGS = 3
GATE = "stream.content_type"


def _truncated(ex: Exchange) -> bool:
    """Cut short: what is missing at the end is `stream.done`'s finding, not a second one."""
    return bool(ex.error) or ex.done_count == 0


@check(
    "stream.content_type",
    feature="streaming",
    summary="a 200 answer with content-type text/event-stream",
    tags=("stream",),
    tolerates="a charset parameter on the content type",
)
def content_type(ex: Exchange, expect: Expect) -> Iterator[Finding]:
    if ex.status is None:
        yield Finding(f"no response: {ex.error}", "$", "a 200 event stream", str(ex.error))
    elif ex.status != 200:
        yield Finding(
            f"the stream request failed with status {ex.status}", "$", "200", f"{ex.status} {raw_head(ex.raw)}"
        )
    elif not ex.is_stream:
        yield Finding(
            "the answer is not an event stream",
            "content-type",
            "text/event-stream",
            ex.headers.get("content-type", "(none)"),
        )


@check(
    "stream.framing",
    feature="streaming",
    summary="SSE framing: data: events only, each JSON or [DONE]",
    tags=("stream",),
    gate=GATE,
    tolerates="everything the SSE grammar allows: CRLF or CR line ends, comments and keep-alives, data: without "
    "a space, id: and retry: fields, a byte order mark, events split anywhere across reads",
)
def framing(ex: Exchange, expect: Expect) -> Iterator[Finding]:
    for problem in ex.sse_problems:
        yield Finding(f"SSE: {problem}", "$", "a well-formed event stream", problem)
    for event in ex.events:
        if event.event != "message":
            yield Finding(
                f"a named SSE event {event.event!r} (OpenAI streams send data: lines only)",
                "$",
                "event type message",
                event.event,
            )
    events = ex.data_events()
    if not events:
        yield Finding("the stream carried no data events", "$", "data: chunks then data: [DONE]", raw_head(ex.raw, 200))
    for i, chunk in enumerate(ex.chunks()):
        if not isinstance(chunk, dict):
            yield Finding(f"chunk {i} is not a JSON object", f"$.chunks[{i}]", "a JSON object", events[i].data)


@check(
    "stream.done",
    feature="streaming",
    summary="the stream ends with exactly one data: [DONE], nothing after",
    tags=("stream",),
    gate=GATE,
)
def done(ex: Exchange, expect: Expect) -> Iterator[Finding]:
    events = ex.data_events()
    count = ex.done_count
    if ex.error:
        yield Finding(
            f"the stream broke off ({ex.error}): a truncated answer",
            "$",
            "a complete stream ending in data: [DONE]",
            ex.error,
        )
    elif count == 0:
        tail = events[-1].data if events else "(no events)"
        yield Finding(
            "the stream ended without data: [DONE] (truncated, or passed off as complete)",
            "$",
            "data: [DONE] as the last event",
            tail,
        )
    elif count > 1:
        yield Finding(f"data: [DONE] was sent {count} times", "$", "exactly once", str(count))
    elif events[-1].data != DONE:
        after = len(events) - 1 - next(i for i, e in enumerate(events) if e.data == DONE)
        yield Finding(f"{after} event(s) after data: [DONE]", "$", "nothing after [DONE]", events[-1].data)


@check(
    "stream.chunk_schema",
    feature="streaming",
    summary="every chunk validates against chat.completion.chunk",
    tags=("stream",),
    gate=GATE,
    tolerates="unknown fields; how the answer is split across chunks",
)
def chunk_schema(ex: Exchange, expect: Expect) -> Iterator[Finding]:
    found = [f for i, c in chunk_objects(ex) if (f := schema_finding("chat.completion.chunk", c, f"$.chunks[{i}]"))]
    yield from found[:MAX_SCHEMA_FINDINGS]
    if len(found) > MAX_SCHEMA_FINDINGS:
        yield Finding(f"... and {len(found) - MAX_SCHEMA_FINDINGS} more invalid chunks", "$.chunks[*]")


@check(
    "stream.constant_fields",
    feature="streaming",
    summary="id, object, created and model equal in every chunk",
    reads=("model",),
    tags=("stream",),
    gate=GATE,
    tolerates="the model in either ID form, or a dated version of the requested one",
)
def constant_fields(ex: Exchange, expect: Expect) -> Iterator[Finding]:
    chunks = chunk_objects(ex)
    if not chunks:
        return
    first = chunks[0][1]
    for field in CONSTANT_FIELDS:
        changed = next(((i, c.get(field)) for i, c in chunks if c.get(field) != first.get(field)), None)
        if changed is not None:
            yield Finding(
                f"{field} changes between chunks",
                f"$.chunks[{changed[0]}].{field}",
                show(first.get(field)),
                show(changed[1]),
            )
    if first.get("object") != "chat.completion.chunk":
        yield Finding(
            "object is not 'chat.completion.chunk'",
            "$.chunks[0].object",
            '"chat.completion.chunk"',
            show(first.get("object")),
        )
    yield from created_findings(first.get("created"), "$.chunks[0].created")
    yield from model_findings(expect.model or requested_model(ex), first.get("model"), expect, "$.chunks[0].model")


@check(
    "stream.role",
    feature="streaming",
    summary="role 'assistant' exactly once, in the first delta",
    tags=("stream",),
    gate=GATE,
    tolerates="the role alone in the first chunk or together with the first text or tool call",
)
def role(ex: Exchange, expect: Expect) -> Iterator[Finding]:
    choices = stream_choices(ex)
    if not choices:
        return
    deltas = [(i, c.get("delta")) for i, c in choices]
    with_role = [(i, d["role"]) for i, d in deltas if isinstance(d, dict) and "role" in d]
    first = choices[0][0]
    if not with_role:
        yield Finding(
            "no delta carries the role",
            f"$.chunks[{first}].choices[0].delta",
            '"role": "assistant"',
            show(choices[0][1].get("delta")),
        )
        return
    if with_role[0][0] != first:
        yield Finding(
            "the role is not in the first delta",
            f"$.chunks[{first}].choices[0].delta.role",
            '"assistant" in the first chunk',
            f"first in chunk {with_role[0][0]}",
        )
    if len(with_role) > 1:
        yield Finding(
            f"the role is sent {len(with_role)} times",
            f"$.chunks[{with_role[1][0]}].choices[0].delta.role",
            "once",
            show([r for _, r in with_role]),
        )
    if with_role[0][1] != "assistant":
        yield Finding(
            "the streamed role is not 'assistant'",
            f"$.chunks[{with_role[0][0]}].choices[0].delta.role",
            '"assistant"',
            show(with_role[0][1]),
        )


@check(
    "stream.finish_reason",
    feature="streaming",
    summary="one non-null finish_reason, on the last choice chunk",
    reads=("finish_reason",),
    tags=("stream",),
    gate=GATE,
    subsumes=("stream.chunk_schema",),
    tolerates="the last text on the same chunk as the finish_reason",
)
def finish_reason(ex: Exchange, expect: Expect) -> Iterator[Finding]:
    choices = stream_choices(ex)
    if not choices:
        return
    final = [(i, c.get("finish_reason")) for i, c in choices if c.get("finish_reason") is not None]
    last = choices[-1][0]
    if not final:
        if not _truncated(ex):
            yield Finding(
                "no chunk carries a finish_reason",
                f"$.chunks[{last}].choices[0].finish_reason",
                "one non-null finish_reason",
                "null in every chunk",
            )
        return
    if len(final) > 1:
        yield Finding(
            f"{len(final)} chunks carry a finish_reason",
            f"$.chunks[{final[1][0]}].choices[0].finish_reason",
            "exactly one",
            show([r for _, r in final]),
        )
    elif final[0][0] != last:
        yield Finding(
            "the finish_reason is not on the last choice chunk",
            f"$.chunks[{final[0][0]}].choices[0].finish_reason",
            f"on chunk {last}",
            f"on chunk {final[0][0]}",
        )
    position, value = final[-1]
    yield from finish_reason_findings(
        value, f"$.chunks[{position}].choices[0].finish_reason", wanted_finish(ex, expect)
    )


@check(
    "stream.usage_chunk",
    feature="streaming",
    summary="a choices: [] usage chunk exactly once when include_usage is asked, none otherwise",
    reads=("include_usage",),
    tags=("stream",),
    gate=GATE,
    tolerates="usage: null on the other chunks",
)
def usage_chunk(ex: Exchange, expect: Expect) -> Iterator[Finding]:
    chunks = chunk_objects(ex)
    if not chunks:
        return
    options = request_field(ex.request_body, "stream_options")
    asked = expect.include_usage
    if asked is None:
        asked = isinstance(options, dict) and options.get("include_usage") is True
    with_usage = [(i, c) for i, c in chunks if c.get("usage") is not None]
    if not asked:
        yield from _unasked_usage(chunks, with_usage)
        return
    if not with_usage:
        if not _truncated(ex):
            yield Finding(
                "include_usage was asked but no chunk carries usage", "$", "one choices: [] usage chunk", "none"
            )
        return
    if len(with_usage) > 1:
        yield Finding(
            f"{len(with_usage)} chunks carry usage",
            f"$.chunks[{with_usage[1][0]}].usage",
            "exactly one usage chunk",
            show([i for i, _ in with_usage]),
        )
    position, chunk = with_usage[-1]
    if chunk.get("choices") != []:
        yield Finding("the usage chunk has choices", f"$.chunks[{position}].choices", "[]", show(chunk.get("choices")))
    if position != chunks[-1][0]:
        yield Finding(
            "the usage chunk is not the last chunk before [DONE]",
            f"$.chunks[{position}]",
            f"chunk {chunks[-1][0]}",
            f"chunk {position}",
        )


def _unasked_usage(chunks: Chunks, with_usage: Chunks) -> Iterator[Finding]:
    for i, c in with_usage:
        yield Finding(
            "a usage chunk although include_usage was not asked",
            f"$.chunks[{i}].usage",
            "no usage (or usage: null)",
            show(c.get("usage")),
        )
    charged = {j for j, _ in with_usage}
    for i, c in chunks:
        if c.get("choices") == [] and i not in charged:
            yield Finding(
                "a chunk with choices: [] although include_usage was not asked",
                f"$.chunks[{i}].choices",
                "at least one choice",
                "[]",
            )


@check(
    "stream.text",
    feature="streaming",
    summary="the streamed text is the one the prompt pins down (expect `text`)",
    reads=("text",),
    tags=("stream",),
    gate=GATE,
    tolerates="case, surrounding quotes or emphasis, trailing punctuation and whitespace around the words",
)
def stream_text(ex: Exchange, expect: Expect) -> Iterator[Finding]:
    if expect.text is not None and (
        found := text_finding(expect.text, text(ex), "$.chunks[*].choices[0].delta.content")
    ):
        yield found
