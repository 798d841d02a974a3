"""The feature vocabulary: the one list of what a test can be about.

A feature is a pytest marker on a suite, a column of the compatibility
report's matrix, a key of a profile's `[features]` table (what the vendor
claims) and an argument of `Conform.requires`. Everything that names a
feature reads it from here, so a name outside this table is an error
wherever it is written. The module sits at the bottom of the house: it
imports nothing of chatconform's.
"""

from __future__ import annotations

from collections.abc import Iterable
from difflib import get_close_matches

# Report columns, in the order the matrix shows them: marker name -> what its tests cover.
FEATURES: dict[str, str] = {
    "auth": "API keys: missing, malformed and wrong keys get a 401 envelope",
    "models": "GET /models and the model IDs (canonical and alias), unknown models",
    "basic": "a plain completion per model, system messages, the SDK sync and async",
    "streaming": "SSE framing, [DONE], chunk invariants, include_usage",
    "tools": "tool calls: choices, parallel calls, streaming deltas, tool results",
    "vision": "image inputs: data URIs, URLs, detail, several images",
    "json_mode": "response_format json_object and json_schema",
    "stop": "stop sequences",
    "max_tokens": "max_tokens and max_completion_tokens",
    "sampling": "temperature, top_p, n, user",
    "errors": "bad input gets the right 4xx with the OpenAI envelope",
    "usage": "token usage arithmetic, stream and non-stream",
    "billing": "charges match usage; failed requests are free",
    "shapes": "snapshots of the response shape",
    "fields": "every request field of CreateChatCompletionRequest sent alone: honoured, mapped, dropped or refused",
    "translation": "gateway mode: what the gateway sent upstream, and how it mapped the answer back",
    "upstream_faults": "gateway mode: upstream errors, broken and stalled streams, client disconnects",
}

# What a vendor may claim in a profile's [features] table: capabilities finer than the report's columns.
# A suite skips a test as "unsupported" when the profile does not claim what it needs.
CLAIMS: dict[str, str] = {
    "streaming": "stream: true answers as server-sent events",
    "include_usage": "stream_options.include_usage adds a usage chunk",
    "tools": "function tools and tool_choice",
    "parallel_tool_calls": "several tool calls in one answer",
    "vision": "image_url content parts with data URIs",
    "vision_https_urls": "image_url content parts with https URLs the target fetches",
    "json_object": "response_format json_object",
    "json_schema": "response_format json_schema (structured output)",
    "stop": "stop sequences",
    "models_endpoint": "GET /models lists the models",
}

GATEWAY_MARKER = ("gateway", "gateway mode: needs --upstream-url; reported unsupported without it")
POLICY_MARKER = ("policy", "a policy-discovery test: records what the target did for an ambiguous point")


def nearest(name: str, known: Iterable[str]) -> str:
    """' (did you mean X?)' for the closest known name, or '' when nothing is close."""
    match = get_close_matches(name, list(known), n=1, cutoff=0.6)
    return f" (did you mean {match[0]!r}?)" if match else ""


def check_claim(name: str) -> None:
    """Raise ValueError for a claim name outside the vocabulary."""
    if name not in CLAIMS:
        raise ValueError(f"unknown feature claim {name!r}{nearest(name, CLAIMS)}; known: {', '.join(CLAIMS)}")
