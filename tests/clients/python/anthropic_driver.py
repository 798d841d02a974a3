"""The official `anthropic` Python SDK against the mock's Anthropic face (`/v1/messages`), as its users write it.

Streams go through the SDK's `messages.stream()` helper, structured output through `messages.parse()` with a
Pydantic model. The SDK-specific extras
(`count-tokens`, `models-list`) are the calls issue 12 found the mock answering differently from the real API.
"""

from __future__ import annotations

from typing import Any

import anthropic
from common import CASES, SETUP, Feature, Observation, bad_tool, run, usage
from models import Person


def anthropic_tools(specs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"name": t["name"], "description": t["description"], "input_schema": t["parameters"]} for t in specs]


TOOLS = anthropic_tools(CASES["tools"])


def user(content: Any) -> list[dict[str, Any]]:
    return [{"role": "user", "content": content}]


def observe(message: Any) -> Observation:
    texts = [b.text for b in message.content if b.type == "text"]
    return {
        "text": "".join(texts) if texts else None,
        "finish": message.stop_reason,
        "stop_sequence": message.stop_sequence,
        "tool_calls": [
            {"id": b.id, "name": b.name, "arguments": b.input} for b in message.content if b.type == "tool_use"
        ],
        "parts": [b.type for b in message.content],
        "usage": usage(message.usage.input_tokens, message.usage.output_tokens),
    }


def request(feature: str) -> dict[str, Any]:
    base: dict[str, Any] = {"model": SETUP.model, "max_tokens": CASES["max_tokens"]}
    image = {
        "type": "image",
        "source": {"type": "base64", "media_type": CASES["vision"]["media_type"], "data": CASES["vision"]["base64"]},
    }
    specific = {
        "plain": {"messages": user(CASES["plain"])},
        "streamed": {"messages": user(CASES["streamed"])},
        "tools-auto": {"messages": user(CASES["tools_auto"]), "tools": TOOLS, "tool_choice": {"type": "auto"}},
        "tools-required": {
            "messages": user(CASES["tools_required"]),
            "tools": TOOLS,
            "tool_choice": {"type": "any"},
        },
        "tools-named": {
            "messages": user(CASES["tools_named"]["prompt"]),
            "tools": TOOLS,
            "tool_choice": {"type": "tool", "name": CASES["tools_named"]["tool"]},
        },
        "tools-second-turn": {"messages": user(CASES["tools_second_turn"]["prompt"]), "tools": TOOLS},
        "tools-streamed": {"messages": user(CASES["tools_streamed"]), "tools": TOOLS},
        "vision": {"messages": user([image, {"type": "text", "text": CASES["vision"]["prompt"]}])},
        "structured-output": {"messages": user(CASES["structured"]["prompt"])},
        "stop": {"messages": user(CASES["stop"]["prompt"]), "stop_sequences": CASES["stop"]["sequences"]},
        "max-tokens": {"messages": user(CASES["length"]["prompt"]), "max_tokens": CASES["length"]["max_tokens"]},
        "error-400": {"messages": user(CASES["bad_request"]["prompt"]), "tools": anthropic_tools([bad_tool()])},
        "error-401": {"messages": user(CASES["plain"])},
        "count-tokens": {"messages": user(CASES["plain"])},
    }
    return base | specific[feature]


def features() -> dict[str, Feature]:
    client = anthropic.Anthropic(base_url=SETUP.root, api_key=SETUP.key, max_retries=0, timeout=SETUP.timeout_s)

    def once(feature: str, sdk: anthropic.Anthropic = client) -> Feature:
        return lambda: observe(sdk.messages.create(**request(feature)))

    def streamed(feature: str) -> Feature:
        def go() -> Observation:
            kwargs = request(feature)
            deltas = 0
            with client.messages.stream(**kwargs) as stream:
                for _ in stream.text_stream:
                    deltas += 1
                final = stream.get_final_message()
            return observe(final) | {"deltas": deltas, "whole": observe(client.messages.create(**kwargs))}

        return go

    def second_turn() -> Observation:
        kwargs = request("tools-second-turn")
        first = client.messages.create(**kwargs)
        call = next(b for b in first.content if b.type == "tool_use")
        result = {"type": "tool_result", "tool_use_id": call.id, "content": CASES["tools_second_turn"]["result"]}
        history = [*kwargs["messages"], {"role": "assistant", "content": first.content}, *user([result])]
        return observe(client.messages.create(**kwargs | {"messages": history})) | {"first": observe(first)}

    def structured() -> Observation:
        message = client.messages.parse(**request("structured-output"), output_format=Person)
        parsed = message.parsed_output
        return observe(message) | {"parsed": parsed.model_dump() if parsed else None}

    def count_tokens() -> Observation:
        kwargs = request("count-tokens")
        counted = client.messages.count_tokens(model=kwargs["model"], messages=kwargs["messages"])
        return {"counted": counted.input_tokens, "whole": observe(client.messages.create(**kwargs))}

    def models_list() -> Observation:
        return {"models": [{"id": m.id, "type": m.type, "display_name": m.display_name} for m in client.models.list()]}

    wrong = client.with_options(api_key=CASES["wrong_key"])
    simple = ("plain", "tools-auto", "tools-required", "tools-named", "vision", "stop", "max-tokens", "error-400")
    return {name: once(name) for name in simple} | {
        "streamed": streamed("streamed"),
        "tools-second-turn": second_turn,
        "tools-streamed": streamed("tools-streamed"),
        "structured-output": structured,
        "error-401": once("error-401", wrong),
        "count-tokens": count_tokens,
        "models-list": models_list,
    }


if __name__ == "__main__":
    run(features())
