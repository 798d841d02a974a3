"""Gateway mode, the way back: how the gateway turned the upstream's answer into the client's.

The mock journals what it answered (`reply`: stop_reason, content blocks,
text, usage) next to the request, so each check compares the client's answer
with what the upstream really said: the answer arrived whole, the text is the
same, stop_reason maps to finish_reason (end_turn and stop_sequence to stop,
max_tokens to length, tool_use to tool_calls, refusal to content_filter),
tool calls are the upstream's tool_use blocks in order and are numbered from
0 over tool blocks only (a text block before them does not count), and usage
is the upstream's (prompt = input tokens including cache reads and writes,
completion = output tokens).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from chatconform.answer import (
    MISSING,
    error_frames,
    finish_path,
    finish_reason,
    streamed_calls,
    text,
    text_path,
    tool_calls,
    usage,
)
from chatconform.checks.common import ANTHROPIC_LEAKS, finish_reason_findings
from chatconform.checks.expect import Expect
from chatconform.checks.finding import Finding, raw_head, show
from chatconform.checks.registry import check
from chatconform.checks.translation import sent
from chatconform.exchange import Exchange


def reply(expect: Expect) -> dict[str, Any] | None:
    """What the upstream answered, when it answered."""
    entry = expect.upstream
    found = entry.get("reply") if isinstance(entry, dict) and entry.get("status") == 200 else None
    return found if isinstance(found, dict) and found else None


@check(
    "translation.answered",
    feature="translation",
    summary="an answer the upstream gave whole reaches the client "
    "whole: status 200, and a stream ends with [DONE] without an error frame",
    reads=("upstream",),
    tags=("translation",),
)
def answered(ex: Exchange, expect: Expect) -> Iterator[Finding]:
    if reply(expect) is None:
        return
    if ex.status != 200:
        yield Finding(
            "the upstream answered, the client got an error",
            "$",
            "200",
            f"{ex.status} {raw_head(ex.raw, 200)}" if ex.status else str(ex.error),
        )
    elif ex.is_stream and (ex.error or ex.done_count == 0 or error_frames(ex)):
        frames = error_frames(ex)
        seen = ex.error or (show(frames[0][1]["error"]) if frames else "no data: [DONE]")
        yield Finding(
            "the upstream's stream was complete, the client's was not",
            "$",
            "a complete stream ending in data: [DONE]",
            seen,
        )


@check(
    "translation.text",
    feature="translation",
    summary="the answer text is the upstream's text, unchanged",
    reads=("upstream",),
    tags=("translation",),
    gate="translation.answered",
)
def same_text(ex: Exchange, expect: Expect) -> Iterator[Finding]:
    found = reply(expect)
    if found is None or ex.status != 200:
        return
    wanted, observed = str(found.get("text", "")), text(ex)
    if observed != wanted:
        yield Finding("the answer text is not the upstream's", text_path(ex), show(wanted), show(observed))


@check(
    "translation.finish_reason",
    feature="translation",
    summary="finish_reason is the upstream stop_reason "
    "mapped: end_turn/stop_sequence→stop, max_tokens→length, tool_use→tool_calls, refusal→content_filter",
    reads=("upstream",),
    tags=("translation",),
    gate="translation.answered",
)
def finish(ex: Exchange, expect: Expect) -> Iterator[Finding]:
    found = reply(expect)
    if found is None or ex.status != 200:
        return
    stop_reason = found.get("stop_reason")
    wanted = ANTHROPIC_LEAKS.get(str(stop_reason))
    if stop_reason == "tool_use" and isinstance(sent(ex).get("tool_choice"), dict):
        wanted = expect.profile.expect.named_tool_choice_finish
    observed = finish_reason(ex)
    if observed is MISSING:
        yield Finding(
            f"no finish_reason for upstream stop_reason {stop_reason!r}",
            finish_path(ex),
            show(wanted),
            "(absent)",
        )
        return
    for finding in finish_reason_findings(observed, finish_path(ex), wanted):
        yield replace(finding, title=f"{finding.title} (upstream stop_reason {stop_reason!r})")


@check(
    "translation.tool_index",
    feature="translation",
    summary="tool calls are the upstream tool_use blocks in order; streamed indexes count from 0 over tool blocks only",
    reads=("upstream",),
    tags=("translation",),
    gate="translation.answered",
)
def tool_index(ex: Exchange, expect: Expect) -> Iterator[Finding]:
    found = reply(expect)
    if found is None or ex.status != 200:
        return
    content = [b for b in found.get("content") or [] if isinstance(b, dict)]
    uses = [b for b in content if b.get("type") == "tool_use"]
    names = [(c.get("function") or {}).get("name") if isinstance(c, dict) else None for c in tool_calls(ex)]
    if names != [b.get("name") for b in uses]:
        yield Finding(
            "the tool calls are not the upstream's tool_use blocks in order",
            "$.tool_calls",
            show([b.get("name") for b in uses]),
            show(names),
        )
        return
    if not ex.is_stream or not uses:
        return
    indexes = [call.index for call in streamed_calls(ex)]
    if indexes != list(range(len(uses))):
        block_positions = [n for n, b in enumerate(content) if b.get("type") == "tool_use"]
        title = (
            "tool-call indexes count every content block, not tool blocks only"
            if indexes == block_positions
            else "tool-call indexes do not count 0, 1, ... over the tool calls"
        )
        yield Finding(
            title, "$.chunks[*].choices[0].delta.tool_calls[*].index", show(list(range(len(uses)))), show(indexes)
        )


@check(
    "translation.usage",
    feature="translation",
    summary="usage is the upstream's: prompt = input (+ cache) tokens, completion = output tokens, total = their sum",
    reads=("upstream",),
    tags=("translation",),
    gate="translation.answered",
)
def usage_sums(ex: Exchange, expect: Expect) -> Iterator[Finding]:
    found = reply(expect)
    if found is None or ex.status != 200:
        return
    counted = found.get("usage") or {}
    prompt = sum(
        int(counted.get(k) or 0) for k in ("input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens")
    )
    wanted = {"prompt_tokens": prompt, "completion_tokens": int(counted.get("output_tokens") or 0)}
    wanted["total_tokens"] = wanted["prompt_tokens"] + wanted["completion_tokens"]
    observed = usage(ex)
    options = sent(ex).get("stream_options")
    if observed is None and ex.is_stream and not (isinstance(options, dict) and options.get("include_usage")):
        return  # a stream reports usage only when asked
    got = {k: observed.get(k) for k in wanted} if isinstance(observed, dict) else None
    if got != wanted:
        swapped = got == {
            "prompt_tokens": wanted["completion_tokens"],
            "completion_tokens": wanted["prompt_tokens"],
            "total_tokens": wanted["total_tokens"],
        }
        title = "prompt and completion tokens are swapped" if swapped else "usage is not the upstream's"
        yield Finding(title, "$.usage", show(wanted), show(got))


@check(
    "translation.cached_tokens",
    feature="translation",
    summary="prompt tokens the upstream read from its cache reach the client as "
    "usage.prompt_tokens_details.cached_tokens",
    reads=("upstream",),
    tags=("translation",),
    gate="translation.answered",
    tolerates="no prompt_tokens_details when the upstream read nothing from its cache",
)
def cached_tokens(ex: Exchange, expect: Expect) -> Iterator[Finding]:
    found = reply(expect)
    read = int((found or {}).get("usage", {}).get("cache_read_input_tokens") or 0)
    observed = usage(ex)
    if not read or ex.status != 200 or not isinstance(observed, dict):
        return  # nothing was read from the cache, or no usage to judge (translation.usage reports a missing one)
    details = observed.get("prompt_tokens_details")
    got = details.get("cached_tokens") if isinstance(details, dict) else None
    if got != read:
        title = (
            "the upstream's cache reads are not reported (no prompt_tokens_details.cached_tokens)"
            if got is None
            else "prompt_tokens_details.cached_tokens is not the upstream's cache_read_input_tokens"
        )
        yield Finding(title, "$.usage.prompt_tokens_details.cached_tokens", str(read), show(got))
