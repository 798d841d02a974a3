"""Deviations drawn from real gateway bugs, one table entry each: what it changes, which checks must catch it,
and the suite selection (`-k`) that exercises it, kept tight so each run takes about a second."""

from __future__ import annotations

import json
from dataclasses import dataclass

from tests.selftest import bugs as b
from tests.selftest import edits as e
from tests.selftest.benign import Variation
from tests.selftest.rewrite import DONE, Rewrite

# Selections reused by several entries (names as `-k` reads them: substrings of test ids).
BASIC = "test_basic and not sdk"
STREAM = "test_stream and not sdk and not usage and not matches"
AUTO_WHOLE = "test_tool_choice and auto-nonstream"
AUTO_STREAM = "test_tool_choice and auto-stream"
PARALLEL_STREAM = "test_parallel_calls and not nonstream"


@dataclass(frozen=True)
class Mutation:
    name: str
    what: str  # the bug, as a gateway would ship it
    catches: tuple[str, ...]  # check names that must be among the failing findings
    select: str  # -k expression for the suites
    rewrite: Rewrite


M = Mutation
MUTATIONS = [
    # -- finish_reason: Anthropic's stop reasons leaking, or misplaced
    M(
        "finish-end-turn",
        "Anthropic's end_turn leaks into finish_reason",
        ("response.finish_reason",),
        BASIC,
        Rewrite(reply=e.map_finish("stop", "end_turn")),
    ),
    M(
        "finish-tool-use",
        "Anthropic's tool_use leaks into finish_reason",
        ("response.finish_reason",),
        AUTO_WHOLE,
        Rewrite(reply=e.map_finish("tool_calls", "tool_use")),
    ),
    M(
        "finish-max-tokens",
        "Anthropic's max_tokens leaks into finish_reason",
        ("response.finish_reason",),
        "test_cut_at_bound and max_tokens-nonstream",
        Rewrite(reply=e.map_finish("length", "max_tokens")),
    ),
    M(
        "finish-stop-sequence",
        "Anthropic's stop_sequence leaks into a streamed finish_reason",
        ("stream.finish_reason",),
        "test_stop and string-stream",
        Rewrite(reply=e.map_finish("stop", "stop_sequence", when=b.has_stop)),
    ),
    M(
        "finish-empty-string",
        'finish_reason "" on the last chunk',
        ("stream.finish_reason",),
        STREAM,
        Rewrite(reply=e.map_finish("stop", "")),
    ),
    M(
        "finish-on-every-chunk",
        "every chunk carries finish_reason stop",
        ("stream.finish_reason",),
        STREAM,
        Rewrite(reply=b.finish_everywhere),
    ),
    M(
        "finish-stop-after-tool-calls",
        'finish_reason "stop" after tool calls',
        ("tools.finish_reason",),
        AUTO_WHOLE,
        Rewrite(reply=e.map_finish("tool_calls", "stop")),
    ),
    # -- stream framing and [DONE]
    M(
        "done-missing",
        "the stream ends without data: [DONE]",
        ("stream.done",),
        STREAM,
        Rewrite(reply=e.on_events(lambda r, ev: e.without_done(ev))),
    ),
    M(
        "done-twice",
        "data: [DONE] is sent twice",
        ("stream.done",),
        STREAM,
        Rewrite(reply=e.on_events(lambda r, ev: [*ev, DONE])),
    ),
    M(
        "done-unterminated",
        "the stream ends inside the [DONE] event",
        ("stream.done",),
        STREAM,
        Rewrite(frame=b.unterminated),
    ),
    M(
        "truncated-as-stop",
        "a stream cut before [DONE] is closed with finish_reason stop",
        ("stream.done", "stream.text"),
        STREAM,
        Rewrite(reply=e.on_events(b.truncated_as_stop)),
    ),
    M(
        "content-type-json",
        "a stream is declared application/json",
        ("stream.content_type",),
        STREAM,
        Rewrite(reply=lambda r: r.headers.update({"content-type": "application/json"})),
    ),
    M(
        "named-sse-events",
        "Anthropic-style named SSE events",
        ("stream.framing",),
        STREAM,
        Rewrite(frame=b.named_events),
    ),
    M(
        "empty-json-keepalive",
        "data: {} between chunks as a keep-alive",
        ("stream.chunk_schema",),
        STREAM,
        Rewrite(reply=e.on_events(b.empty_keepalive)),
    ),
    M(
        "error-event-in-200",
        "an upstream error becomes an error event inside a 200 stream",
        ("error.not_in_200",),
        STREAM,
        Rewrite(reply=e.on_events(b.error_event)),
    ),
    # -- chunk invariants and streamed text
    M(
        "chunk-id-changes",
        "the chunk id changes mid-stream",
        ("stream.constant_fields",),
        STREAM,
        Rewrite(reply=e.on_chunks(b.chunk_id_changes)),
    ),
    M(
        "chunk-object-wrong",
        'chunks say object "chat.completion"',
        ("stream.constant_fields",),
        STREAM,
        Rewrite(reply=e.on_chunks(b.object_wrong)),
    ),
    M("role-missing", "no delta carries the role", ("stream.role",), STREAM, Rewrite(reply=b.role_missing)),
    M(
        "role-in-every-delta",
        "the role is repeated in every delta",
        ("stream.role",),
        STREAM,
        Rewrite(reply=b.role_everywhere),
    ),
    M(
        "first-delta-dropped",
        "the first content delta is lost",
        ("stream.text",),
        STREAM,
        Rewrite(reply=e.on_events(b.first_text_dropped)),
    ),
    M(
        "delta-whitespace-stripped",
        "each streamed text delta is stripped of spaces",
        ("stream.text",),
        STREAM,
        Rewrite(reply=b.strip_deltas),
    ),
    # -- the non-stream envelope
    M(
        "created-string",
        "created is a string",
        ("response.envelope",),
        BASIC,
        Rewrite(reply=e.on_body(lambda body: body.update(created=str(body["created"])))),
    ),
    M(
        "created-milliseconds",
        "created is in milliseconds",
        ("response.envelope",),
        BASIC,
        Rewrite(reply=e.on_body(lambda body: body.update(created=body["created"] * 1000))),
    ),
    M(
        "model-renamed",
        "the answer names another model",
        ("response.envelope",),
        BASIC,
        Rewrite(reply=e.on_body(lambda body: body.update(model="gpt-4o-mini"))),
    ),
    M(
        "id-missing",
        "the answer has no id",
        ("response.envelope",),
        BASIC,
        Rewrite(reply=e.on_body(lambda body: body.pop("id", None))),
    ),
    M(
        "content-as-blocks",
        "content is an array of Anthropic text blocks",
        ("response.message",),
        BASIC,
        Rewrite(reply=e.on_body(b.as_blocks)),
    ),
    M(
        "upstream-error-as-200",
        "an upstream error answered as 200 {error: ...}",
        ("error.not_in_200",),
        BASIC,
        Rewrite(reply=e.on_body(b.upstream_error_200)),
    ),
    # -- tool calls, whole and streamed
    M(
        "arguments-object",
        "tool arguments as a JSON object, not a string",
        ("tools.call_shape",),
        AUTO_WHOLE,
        Rewrite(reply=b.arguments(json.loads)),
    ),
    M(
        "arguments-empty-string",
        'a no-argument call gets arguments ""',
        ("tools.call_shape",),
        "test_no_argument_tool and nonstream",
        Rewrite(reply=b.arguments(lambda a: "")),
    ),
    M(
        "parallel-calls-truncated",
        "only the first of parallel tool calls is kept",
        ("tools.expected_calls",),
        "test_parallel_calls and nonstream",
        Rewrite(reply=e.on_body(b.first_call_only)),
    ),
    M(
        "tool-index-missing",
        "tool-call deltas without index",
        ("tools.stream_index",),
        PARALLEL_STREAM,
        Rewrite(reply=b.index_missing),
    ),
    M(
        "tool-index-all-zero",
        "parallel calls all streamed at index 0",
        ("tools.stream_index",),
        PARALLEL_STREAM,
        Rewrite(reply=b.index_zero),
    ),
    M(
        "tool-index-from-one",
        "Anthropic's content-block index as the tool-call index",
        ("tools.stream_index",),
        AUTO_STREAM,
        Rewrite(reply=b.index_from_one),
    ),
    M(
        "tool-fields-repeated",
        "id, type and name repeated in every tool delta",
        ("tools.stream_once",),
        AUTO_STREAM,
        Rewrite(reply=b.fields_repeated),
    ),
    M(
        "tool-call-header-missing",
        "tool-call deltas without id and type",
        ("tools.stream_once",),
        AUTO_STREAM,
        Rewrite(reply=b.call_header_missing),
    ),
    M(
        "tool-arguments-duplicated",
        "the whole arguments again after the fragments",
        ("tools.stream_arguments",),
        AUTO_STREAM,
        Rewrite(reply=b.arguments_duplicated),
    ),
    # -- usage
    M(
        "usage-missing",
        "the non-stream answer has no usage",
        ("usage.present",),
        "test_usage and not ledger",
        Rewrite(reply=e.on_body(lambda body: body.pop("usage", None))),
    ),
    M(
        "usage-total-wrong",
        "total_tokens is not prompt + completion",
        ("usage.total",),
        "test_usage and not ledger",
        Rewrite(reply=e.everywhere(b.total_wrong)),
    ),
    M(
        "usage-chunk-missing",
        "no usage chunk although include_usage was asked",
        ("stream.usage_chunk",),
        "test_stream_usage_chunk and not unasked",
        Rewrite(reply=e.on_events(b.usage_chunk_missing)),
    ),
    M(
        "usage-chunk-unasked",
        "a usage chunk although include_usage was not asked",
        ("stream.usage_chunk",),
        "test_stream_usage_chunk and unasked",
        Rewrite(reply=e.on_events(b.usage_chunk_unasked)),
    ),
    M(
        "usage-on-finish-chunk",
        "usage on the finish_reason chunk, not a choices: [] chunk",
        ("stream.usage_chunk",),
        "test_stream_usage_chunk and not unasked",
        Rewrite(reply=e.on_events(b.usage_on_finish_chunk)),
    ),
    M(
        "stream-usage-counts-chunks",
        "streamed completion_tokens count chunks, not tokens",
        ("usage.same_as",),
        "test_usage and not ledger",
        Rewrite(reply=b.completion_counts_chunks),
    ),
    # -- errors
    M(
        "error-detail",
        'errors as {"detail": ...} (a web framework\'s default)',
        ("error.envelope",),
        "test_bad_request and (empty-messages or invalid-role)",
        Rewrite(reply=e.on_error(b.detail)),
    ),
    M(
        "error-as-string",
        '{"error": "message"}',
        ("error.envelope",),
        "test_bad_request and invalid-role",
        Rewrite(reply=e.on_error(b.error_string)),
    ),
    M(
        "error-without-param-code",
        "the error envelope lacks param and code",
        ("error.envelope",),
        "test_bad_request and invalid-role",
        Rewrite(reply=e.on_error(b.error_fields_missing)),
    ),
    M(
        "error-as-text",
        "an error as text/plain",
        ("error.content_type", "error.envelope"),
        "test_bad_request and invalid-role",
        Rewrite(reply=e.on_error(b.error_as_text)),
    ),
    M(
        "error-as-200",
        "errors served with HTTP 200",
        ("error.status",),
        "test_bad_request and invalid-role",
        Rewrite(reply=e.on_error(b.status(200))),
    ),
    M(
        "bad-input-500",
        "bad input answered with 500",
        ("error.status",),
        "test_bad_request and non-json-body",
        Rewrite(reply=e.on_error(b.status(500), (400,))),
    ),
    M(
        "auth-401-as-200",
        "a rejected key answered 200 with an error body",
        ("error.status",),
        "test_auth_rejected and missing-key-chat",
        Rewrite(reply=e.on_error(b.status(200), (401,))),
    ),
    M(
        "unknown-model-200",
        "an unknown model is served by a default model",
        ("error.status", "error.model_substituted"),
        "test_unknown_model",
        Rewrite(request=b.known_model),
    ),
    M(
        "missing-model-default",
        "a request without a model is served by a default model",
        ("error.status", "error.model_substituted"),
        "test_bad_request and missing-model",
        Rewrite(request=b.known_model),
    ),
    # -- field fates: a field accepted and silently lost
    M(
        "seed-swallowed",
        "seed, which the profile expects refused, is accepted and dropped",
        ("fields.fate",),
        "test_field_fate and seed",
        Rewrite(request=e.drop_fields("seed")),
    ),
    M(
        "logprobs-swallowed",
        "logprobs: true is accepted and the answer carries none",
        ("fields.fate",),
        "test_field_fate and logprobs and not top",
        Rewrite(request=e.drop_fields("logprobs")),
    ),
    M(
        "stop-swallowed",
        "stop is accepted and ignored: the count runs past it",
        ("fields.fate",),
        "test_field_fate and stop",
        Rewrite(request=e.drop_fields("stop")),
    ),
    M(
        "retry-after-malformed",
        'Retry-After "2s" on a 429',
        ("error.retry_after",),
        "test_rate_limit_retry_after",
        Rewrite(reply=b.retry_after("2s")),
    ),
    M(
        "retry-after-missing",
        "a 429 without Retry-After",
        ("error.retry_after",),
        "test_rate_limit_retry_after",
        Rewrite(reply=e.on_error(b.retry_after_dropped, (429,))),
    ),
    # -- request fields lost or changed on the way upstream
    M(
        "system-dropped",
        "system messages are dropped",
        ("response.text",),
        "test_system",
        Rewrite(request=e.drop_role("system")),
    ),
    M(
        "later-system-dropped",
        "only a leading system message is kept",
        ("response.text",),
        "test_system_later_in_conversation",
        Rewrite(request=b.later_systems_dropped),
    ),
    M(
        "stop-ignored",
        "stop is not forwarded",
        ("stop.absent",),
        "test_stop and string-nonstream",
        Rewrite(request=e.drop_fields("stop")),
    ),
    M(
        "stop-ignored-in-stream",
        "stop is forwarded only for non-stream requests",
        ("stop.absent",),
        "test_stop and string-stream",
        Rewrite(request=b.stop_only_whole),
    ),
    M(
        "stop-sequence-appended",
        "the matched stop sequence glued back onto the text",
        ("stop.absent",),
        "test_stop and string-nonstream",
        Rewrite(reply=b.stop_appended),
    ),
    M(
        "max-tokens-ignored",
        "max_tokens / max_completion_tokens are not forwarded",
        ("length.finish_reason",),
        "test_cut_at_bound and nonstream",
        Rewrite(request=e.drop_fields("max_tokens", "max_completion_tokens")),
    ),
    M(
        "tools-dropped",
        "tools are not forwarded",
        ("tools.expected_calls",),
        AUTO_WHOLE,
        Rewrite(request=e.drop_fields("tools", "tool_choice", "parallel_tool_calls")),
    ),
    M(
        "images-dropped",
        "image parts are dropped",
        ("vision.colour",),
        "test_image_format and png",
        Rewrite(request=e.drop_parts("image_url")),
    ),
    M(
        "images-after-first-dropped",
        "only the first image of a message is kept",
        ("vision.colour",),
        "test_several_images and nonstream",
        Rewrite(request=b.first_image_only),
    ),
    M(
        "response-format-dropped",
        "response_format is not forwarded",
        ("json.object",),
        "test_json_object and nonstream",
        Rewrite(request=e.drop_fields("response_format")),
    ),
    M(
        "json-schema-as-object",
        "json_schema downgraded to json_object",
        ("json.schema_valid",),
        "test_json_schema and nonstream",
        Rewrite(request=b.schema_as_object),
    ),
]
BY_NAME = {m.name: m for m in MUTATIONS}

# The control: the same selections through the same layer with nothing changed must pass.
CONTROL = Variation(
    "unmutated", "the rewriting layer with no rewrite", " or ".join(f"({m.select})" for m in MUTATIONS), Rewrite()
)
