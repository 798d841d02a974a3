"""litellm as a client library (`litellm.completion`) against the mock's OpenAI face, as its users write it.

The model is `openai/<id>` with `api_base`, litellm's way to reach any OpenAI-compatible gateway; structured
output passes a Pydantic model as `response_format`, which litellm turns into a `json_schema`. This script runs
in `.venv-litellm` (litellm needs openai<3), started by the test with `LITELLM_LOCAL_MODEL_COST_MAP=True` so
that importing litellm does not fetch its price map from the network.
"""

from __future__ import annotations

from typing import Any

import litellm
from chat_completions import openai_completion, openai_stream, openai_tools
from common import CASES, SETUP, Feature, Observation, bad_tool, image_data_uri, run
from models import Person


def user(content: Any) -> list[dict[str, Any]]:
    return [{"role": "user", "content": content}]


litellm.suppress_debug_info = True  # its "Give Feedback" banner would land among the JSON lines


def complete(messages: list[Any], **options: Any) -> Any:
    settings: dict[str, Any] = {"max_tokens": CASES["max_tokens"], "api_key": SETUP.key} | options
    return litellm.completion(
        model="openai/" + SETUP.model,
        api_base=SETUP.root + "/v1",
        messages=messages,
        timeout=SETUP.timeout_s,
        num_retries=0,
        **settings,
    )


def once(prompt: Any, **options: Any) -> Feature:
    return lambda: openai_completion(complete(user(prompt), **options))


def streamed(prompt: str, **options: Any) -> Feature:
    def go() -> Observation:
        chunks = complete(user(prompt), stream=True, stream_options={"include_usage": True}, **options)
        return openai_stream(chunks) | {"whole": openai_completion(complete(user(prompt), **options))}

    return go


def second_turn() -> Observation:
    history = user(CASES["tools_second_turn"]["prompt"])
    first = complete(history, tools=openai_tools())
    message = first.choices[0].message
    result = {"role": "tool", "tool_call_id": message.tool_calls[0].id, "content": CASES["tools_second_turn"]["result"]}
    second = complete([*history, message, result], tools=openai_tools())
    return openai_completion(second) | {"first": openai_completion(first)}


def features() -> dict[str, Feature]:
    tools = openai_tools()
    named = CASES["tools_named"]
    vision = [
        {"type": "text", "text": CASES["vision"]["prompt"]},
        {"type": "image_url", "image_url": {"url": image_data_uri()}},
    ]
    return {
        "plain": once(CASES["plain"]),
        "streamed": streamed(CASES["streamed"]),
        "tools-auto": once(CASES["tools_auto"], tools=tools, tool_choice="auto"),
        "tools-required": once(CASES["tools_required"], tools=tools, tool_choice="required"),
        "tools-named": once(
            named["prompt"], tools=tools, tool_choice={"type": "function", "function": {"name": named["tool"]}}
        ),
        "tools-second-turn": second_turn,
        "tools-streamed": streamed(CASES["tools_streamed"], tools=tools),
        "vision": once(vision),
        "json-mode": once(CASES["json_mode"], response_format={"type": "json_object"}),
        "structured-output": once(CASES["structured"]["prompt"], response_format=Person),
        "stop": once(CASES["stop"]["prompt"], stop=CASES["stop"]["sequences"]),
        "max-tokens": once(CASES["length"]["prompt"], max_tokens=CASES["length"]["max_tokens"]),
        "error-401": once(CASES["plain"], api_key=CASES["wrong_key"]),
        "error-400": once(CASES["bad_request"]["prompt"], tools=openai_tools([bad_tool()])),
    }


if __name__ == "__main__":
    run(features())
