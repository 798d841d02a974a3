"""Injected mistranslations: the reference gateway with one rule broken, each caught by a named check.

Every mutation overrides one method of the reference (its translator, its stream translation or its
relaying of upstream failures), names the tests that must catch it (`select`, a -k expression) and the check
whose finding must say so (`check`).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
from starlette.responses import JSONResponse, Response

from tests.selftest_gateway.reference_gateway import ReferenceGateway
from tests.selftest_gateway.reference_stream import StreamState
from tests.selftest_gateway.reference_translate import Json, Translator, completion_id

CHUNK_DELAY_S = 0.1  # twice the default bound (gateway_chunk_added_p95_ms = 50)


@dataclass(frozen=True)
class Mutation:
    name: str
    gateway: type[ReferenceGateway]
    select: str  # -k expression: the gateway-suite tests that must catch it
    check: str  # the check that must report it
    says: str = ""  # what one of that check's finding titles must name (the field, keyword, model, ...)
    suites: tuple[str, ...] = ()  # suites beyond the gateway suites the selection needs


def translating(translator: type[Translator]) -> type[ReferenceGateway]:
    return type("GatewayWith" + translator.__name__, (ReferenceGateway,), {"translator_class": translator})


def streaming(state: type[StreamState]) -> type[ReferenceGateway]:
    return type("GatewayWith" + state.__name__, (ReferenceGateway,), {"stream_class": state})


# -- the request ----------------------------------------------------------------------------------------------


class SystemNotHoisted(Translator):
    def split_system(self, messages: list[Json]) -> tuple[list[Json], list[Json]]:
        return [], messages  # system messages travel on as (user) messages


class LaterSystemDropped(Translator):
    def split_system(self, messages: list[Json]) -> tuple[list[Json], list[Json]]:
        first = next((n for n, m in enumerate(messages) if m.get("role") not in ("system", "developer")), 0)
        hoisted, _ = super().split_system(messages[:first])
        return hoisted, [m for m in messages[first:] if m.get("role") not in ("system", "developer")]


class StopDropped(Translator):
    def stop(self, stop: Any) -> list[str]:
        return []


class DefaultMaxTokens4096(Translator):
    def max_tokens(self, body: Json, canonical: str) -> int:
        return super().max_tokens(body, canonical) if "max_tokens" in body else 4096


class TemperatureDropped(Translator):
    def request(self, body: Json, canonical: str) -> Json:
        out = super().request(body, canonical)
        out.pop("temperature", None)
        return out


class ToolsInOpenAIShape(Translator):
    def tools(self, tools: list[Json]) -> list[Json]:
        return [{"name": t["function"]["name"], "parameters": t["function"].get("parameters")} for t in tools]


class RequiredAsAuto(Translator):
    def tool_choice(self, choice: Any, parallel: Any) -> Json | None:
        return super().tool_choice("auto" if choice == "required" else choice, parallel)


class ToolResultAfterText(Translator):
    def messages(self, messages: list[Json]) -> list[Json]:
        out = super().messages(messages)
        for message in out:
            if any(b.get("type") == "tool_result" for b in message["content"]):
                message["content"].insert(0, {"type": "text", "text": "Here are the tool results."})
        return out


class SchemaRebuilt(Translator):
    """What a real gateway did: every input_schema rebuilt from four keywords (an empty $defs added)."""

    def tools(self, tools: list[Json]) -> list[Json]:
        out = super().tools(tools)
        for tool in out:
            schema = tool["input_schema"]
            tool["input_schema"] = {k: schema.get(k, {}) for k in ("type", "properties", "$defs")}
            tool["input_schema"]["required"] = schema.get("required", [])
        return out


class ImageAlwaysJpeg(Translator):
    def image(self, url: str) -> Json:
        block = super().image(url)
        if block["source"]["type"] == "base64":
            block["source"]["media_type"] = "image/jpeg"
        return block


# -- the answer -----------------------------------------------------------------------------------------------


class EndTurnLeaked(Translator):
    def finish_reason(self, stop_reason: Any) -> str:
        return "end_turn" if stop_reason == "end_turn" else super().finish_reason(stop_reason)


class MaxTokensAsStop(Translator):
    def finish_reason(self, stop_reason: Any) -> str:
        return "stop" if stop_reason == "max_tokens" else super().finish_reason(stop_reason)


class ToolIndexOverBlocks(Translator):
    def tool_index(self, block_index: int, tools_before: int) -> int:
        return block_index


class UsageSwapped(Translator):
    def usage(self, usage: Json) -> Json:
        counts = super().usage(usage)
        return {**counts, "prompt_tokens": counts["completion_tokens"], "completion_tokens": counts["prompt_tokens"]}


class MidstreamErrorSwallowed(StreamState):
    def _error(self, data: Json) -> list[Json]:
        self.finished = self.ended = True
        return [self.chunk({}, "stop")]


# -- upstream failures ----------------------------------------------------------------------------------------


class SeedDropped(ReferenceGateway):
    """Accepts seed, which the profile expects refused, and sends nothing of it upstream."""

    def refuse_field(self, body: Json) -> Response | None:
        return super().refuse_field({k: v for k, v in body.items() if k != "seed"})


class DefaultModelSubstituted(ReferenceGateway):
    """Serves the profile's default model when the client names none, or one it does not know."""

    def refuse(self, body: Any) -> Response | None:
        if isinstance(body, dict) and self.profile.resolve(str(body.get("model"))) is None:
            body["model"] = self.profile.default_model.id
        return super().refuse(body)


class CutStreamEndsSilently(ReferenceGateway):
    def broken(self, state: StreamState, why: str) -> list[Json]:
        return []  # no error frame, no [DONE]: the stream just ends


class OverloadedAs200(ReferenceGateway):
    async def upstream_error(self, client: httpx.AsyncClient, response: httpx.Response) -> Response:
        if response.status_code != 529:
            return await super().upstream_error(client, response)
        await response.aclose()
        await client.aclose()
        message = {"role": "assistant", "content": "", "refusal": None}
        return JSONResponse(
            {
                "id": completion_id(),
                "object": "chat.completion",
                "created": 0,
                "model": "m",
                "choices": [{"index": 0, "message": message, "finish_reason": "stop", "logprobs": None}],
            }
        )


class RetryAfterDropped(ReferenceGateway):
    def error_headers(self, upstream_headers: httpx.Headers) -> dict[str, str]:
        return {}


class TruncatedAsStop(ReferenceGateway):
    def broken(self, state: StreamState, why: str) -> list[Json]:
        state.finished = True  # the relay then sends [DONE]
        return [state.chunk({}, "stop")]


class NoUpstreamCancel(ReferenceGateway):
    def on_client_gone(self, pump: asyncio.Task[None]) -> None:
        pass  # the relay keeps reading the upstream to its end


class FirstCallOnly(Translator):
    """Keeps only the first of the upstream's parallel tool calls: from one answer indistinguishable from a
    model that chose one call (the plain suites can only call it inconclusive); the journal tells."""

    def completion(self, message: Json, model: str) -> Json:
        out = super().completion(message, model)
        reply = out["choices"][0]["message"]
        if reply.get("tool_calls"):
            reply["tool_calls"] = reply["tool_calls"][:1]
        return out


class CacheReadsUnreported(Translator):
    def usage(self, usage: Json) -> Json:
        out = super().usage(usage)
        out.pop("prompt_tokens_details")
        return out


class BufferedStream(ReferenceGateway):
    """Reads the whole upstream stream, then sends it: a stream that arrives as one late flush."""

    async def relay(
        self, client: httpx.AsyncClient, response: httpx.Response, state: StreamState
    ) -> AsyncIterator[bytes]:
        held = [chunk async for chunk in super().relay(client, response, state)]
        for chunk in held:
            yield chunk


class DelayedChunks(ReferenceGateway):
    """Sleeps before every chunk it relays, as a gateway that inspects each one slowly."""

    async def relay(
        self, client: httpx.AsyncClient, response: httpx.Response, state: StreamState
    ) -> AsyncIterator[bytes]:
        async for chunk in super().relay(client, response, state):
            await asyncio.sleep(CHUNK_DELAY_S)
            yield chunk


class NoUpstreamTimeout(ReferenceGateway):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **{**kwargs, "timeout_s": None})


MUTATIONS = [
    Mutation("system-not-hoisted", translating(SystemNotHoisted), "test_system_hoisted", "translation.system"),
    Mutation(
        "later-system-dropped", translating(LaterSystemDropped), "test_system_hoisted and later", "translation.system"
    ),
    Mutation("stop-not-mapped", translating(StopDropped), "test_stop_sequences", "translation.stop"),
    Mutation(
        "max-tokens-default-4096",
        translating(DefaultMaxTokens4096),
        "test_max_tokens_default",
        "translation.max_tokens",
    ),
    Mutation(
        "temperature-dropped",
        translating(TemperatureDropped),
        "test_temperature and in-range",
        "translation.temperature",
    ),
    Mutation(
        "tools-in-openai-shape",
        translating(ToolsInOpenAIShape),
        "test_tools_and_tool_choice and auto",
        "translation.tools",
    ),
    Mutation(
        "required-as-auto",
        translating(RequiredAsAuto),
        "test_tools_and_tool_choice and required",
        "translation.tool_choice",
    ),
    Mutation(
        "tool-result-misplaced",
        translating(ToolResultAfterText),
        "test_tool_results_follow_their_calls",
        "translation.tool_results",
    ),
    Mutation("image-media-type-wrong", translating(ImageAlwaysJpeg), "test_image_source and png", "translation.images"),
    Mutation(
        "end-turn-leaked",
        translating(EndTurnLeaked),
        "test_stop_reason_mapped and end_turn",
        "translation.finish_reason",
    ),
    Mutation(
        "max-tokens-as-stop",
        translating(MaxTokensAsStop),
        "test_stop_reason_mapped and max_tokens",
        "translation.finish_reason",
    ),
    Mutation(
        "tool-index-over-blocks",
        translating(ToolIndexOverBlocks),
        "test_tool_index_after_text",
        "translation.tool_index",
    ),
    Mutation("usage-swapped", translating(UsageSwapped), "test_usage_is_the_upstreams", "translation.usage"),
    Mutation(
        "midstream-error-swallowed", streaming(MidstreamErrorSwallowed), "test_midstream_error", "upstream.error_frame"
    ),
    Mutation(
        "overloaded-as-200", OverloadedAs200, "test_upstream_error_before_headers and 529", "upstream.error_status"
    ),
    Mutation(
        "retry-after-dropped", RetryAfterDropped, "test_upstream_error_before_headers and 429", "upstream.retry_after"
    ),
    Mutation("truncated-as-stop", TruncatedAsStop, "test_broken_upstream_answer", "upstream.no_clean_ending"),
    Mutation("no-upstream-cancel", NoUpstreamCancel, "test_client_disconnect_cancels_upstream", "upstream.cancelled"),
    Mutation("no-upstream-timeout", NoUpstreamTimeout, "test_stalled_upstream", "upstream.timeout"),
    Mutation(
        "parallel-calls-truncated",
        translating(FirstCallOnly),
        "test_tools_and_tool_choice and auto",
        "translation.tool_index",
        says="upstream's tool_use blocks",
    ),
    Mutation(
        "cache-reads-unreported",
        translating(CacheReadsUnreported),
        "test_prompt_cache_counts",
        "translation.cached_tokens",
        says="cache reads",
    ),
    Mutation("stream-buffered", BufferedStream, "test_stream_relayed_as_sent", "gateway.stream_pacing", says="held"),
    Mutation("chunks-delayed", DelayedChunks, "test_stream_relayed_as_sent", "gateway.stream_pacing", says="per chunk"),
    Mutation("seed-dropped", SeedDropped, "test_field_fate and seed", "fields.fate", says="field seed"),
    Mutation(
        "schema-rebuilt",
        translating(SchemaRebuilt),
        "test_tools_and_tool_choice and auto",
        "translation.tools",
        says="additionalProperties lost",
    ),
    Mutation(
        "default-model-substituted",
        DefaultModelSubstituted,
        "missing-model or test_unknown_model",
        "error.model_substituted",
        says="answered by claude-sonnet-4-6",
        suites=("test_errors.py", "test_models.py"),
    ),
    Mutation(
        "cut-stream-ends-silently",
        CutStreamEndsSilently,
        "test_broken_upstream_answer and stream",
        "upstream.no_silent_end",
        says="ended silently",
    ),
]


# Rewrites that keep every schema's meaning: the suites must pass them.
class EmptyDefsAdded(Translator):
    def tools(self, tools: list[Json]) -> list[Json]:
        return [{**t, "input_schema": {"$defs": {}, "required": [], **t["input_schema"]}} for t in super().tools(tools)]

    def output_format(self, response_format: Any) -> Json | None:
        found = super().output_format(response_format)
        return {**found, "schema": {"$defs": {}, **found["schema"]}} if found else None


BENIGN = {"empty-defs-added": translating(EmptyDefsAdded)}
