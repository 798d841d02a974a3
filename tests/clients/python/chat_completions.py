"""Chat Completions shapes for the Python drivers of the OpenAI face: tools in, observations out.

Duck-typed over the response objects, so the same code reads the `openai` SDK's models and litellm's
look-alikes. Standard library only, like `common` (the litellm driver runs in `.venv-litellm`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from common import CASES, Observation, arguments, usage


def openai_tools(specs: list[dict[str, Any]] | None = None, strict: bool = False) -> list[dict[str, Any]]:
    """Tools (default: the matrix's) in the Chat Completions shape (`strict` for the SDK helpers that insist)."""
    tools = []
    for spec in CASES["tools"] if specs is None else specs:
        function = dict(spec)
        if strict:
            function["strict"] = True
        tools.append({"type": "function", "function": function})
    return tools


def openai_usage(value: Any) -> dict[str, Any] | None:
    if value is None:
        return None
    return usage(value.prompt_tokens, value.completion_tokens, value.total_tokens)


def openai_message(message: Any, finish: Any, use: Any) -> Observation:
    """A Chat Completions message (SDK object, or litellm's look-alike) as an observation."""
    calls = [
        {"id": c.id, "name": c.function.name, "arguments": arguments(c.function.arguments)}
        for c in (message.tool_calls or [])
    ]
    return {"text": message.content, "finish": finish, "tool_calls": calls, "usage": openai_usage(use)}


def openai_completion(completion: Any) -> Observation:
    choice = completion.choices[0]
    return openai_message(choice.message, choice.finish_reason, completion.usage)


def openai_stream(chunks: Iterable[Any]) -> Observation:
    """Reassemble Chat Completions chunks the way the SDK's own stream helper does.

    The text is None until a chunk carries non-null content, so a stream observes the same value as the
    non-streamed answer (None for a pure tool call) when the upstream streams as OpenAI does.
    """
    text: str | None = None
    finish = None
    use = None
    deltas = 0
    calls: dict[int, dict[str, Any]] = {}
    for chunk in chunks:
        use = getattr(chunk, "usage", None) or use  # litellm's chunks have no usage attribute until the last
        for choice in chunk.choices or []:
            finish = choice.finish_reason or finish
            delta = choice.delta
            if delta.content is not None:
                text = (text or "") + delta.content
                deltas += 1 if delta.content else 0
            for part in delta.tool_calls or []:
                entry = calls.setdefault(part.index, {"id": "", "name": "", "arguments": ""})
                entry["id"] = part.id or entry["id"]
                if part.function is not None:
                    entry["name"] += part.function.name or ""
                    entry["arguments"] += part.function.arguments or ""
    tool_calls = [{**c, "arguments": arguments(c["arguments"])} for _, c in sorted(calls.items())]
    return {"text": text, "finish": finish, "tool_calls": tool_calls, "usage": openai_usage(use), "deltas": deltas}
