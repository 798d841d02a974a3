"""LangChain's `ChatOpenAI` (`langchain-openai`) against the mock's OpenAI face, as its users write it.

Tools go through `bind_tools` (with LangChain's own `tool_choice` spellings), the second turn through a
`ToolMessage`, streams through `.stream()` with chunks summed, JSON mode and structured output through
`with_structured_output(method="json_mode")` and its default (`json_schema`). The finish reason is
`response_metadata["finish_reason"]`, usage is `usage_metadata`.
"""

from __future__ import annotations

from typing import Any

from chat_completions import openai_tools
from common import CASES, SETUP, Feature, Observation, bad_tool, image_data_uri, run, usage
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage
from langchain_openai import ChatOpenAI
from models import Person, Place
from pydantic import BaseModel


def chat(**options: Any) -> ChatOpenAI:
    # stream_usage: ChatOpenAI asks for usage in streams by default only at OpenAI's own address.
    settings: dict[str, Any] = {"max_tokens": CASES["max_tokens"], "api_key": SETUP.key, "stream_usage": True} | options
    return ChatOpenAI(
        model=SETUP.model, base_url=SETUP.root + "/v1", max_retries=0, timeout=SETUP.timeout_s, **settings
    )


def observe(message: BaseMessage) -> Observation:
    meta = message.usage_metadata if isinstance(message, AIMessage) else None
    return {
        "text": message.content,
        "finish": message.response_metadata.get("finish_reason"),
        "tool_calls": [
            {"id": c["id"], "name": c["name"], "arguments": c["args"]} for c in getattr(message, "tool_calls", [])
        ],
        "usage": usage(meta["input_tokens"], meta["output_tokens"], meta["total_tokens"]) if meta else None,
    }


def tools_model(choice: str | None = None, tools: list[dict[str, Any]] | None = None) -> Any:
    return chat().bind_tools(tools or openai_tools(), tool_choice=choice)


def streamed(model: Any, prompt: str) -> Observation:
    total = None
    deltas = 0
    for chunk in model.stream(prompt):
        deltas += bool(chunk.content)
        total = chunk if total is None else total + chunk
    assert total is not None, "the stream yielded no chunk"
    return observe(total) | {"deltas": deltas, "whole": observe(model.invoke(prompt))}


def second_turn() -> Observation:
    model = tools_model()
    history: list[BaseMessage] = [HumanMessage(CASES["tools_second_turn"]["prompt"])]
    first = model.invoke(history)
    assert isinstance(first, AIMessage) and first.tool_calls, f"no tool call in the first turn: {first!r}"
    result = ToolMessage(CASES["tools_second_turn"]["result"], tool_call_id=first.tool_calls[0]["id"])
    return observe(model.invoke([*history, first, result])) | {"first": observe(first)}


def vision() -> Observation:
    parts = [
        {"type": "text", "text": CASES["vision"]["prompt"]},
        {"type": "image_url", "image_url": {"url": image_data_uri()}},
    ]
    return observe(chat().invoke([HumanMessage(content=parts)]))  # type: ignore[arg-type]


def structured(schema: type[BaseModel], method: str, prompt: str) -> Observation:
    result = chat().with_structured_output(schema, method=method, include_raw=True).invoke(prompt)  # type: ignore[arg-type]
    if result["parsing_error"] is not None:
        raise result["parsing_error"]
    return observe(result["raw"]) | {"parsed": result["parsed"].model_dump()}


def features() -> dict[str, Feature]:
    named = CASES["tools_named"]
    return {
        "plain": lambda: observe(chat().invoke(CASES["plain"])),
        "streamed": lambda: streamed(chat(), CASES["streamed"]),
        "tools-auto": lambda: observe(tools_model("auto").invoke(CASES["tools_auto"])),
        "tools-required": lambda: observe(tools_model("required").invoke(CASES["tools_required"])),
        "tools-named": lambda: observe(tools_model(named["tool"]).invoke(named["prompt"])),
        "tools-second-turn": second_turn,
        "tools-streamed": lambda: streamed(tools_model(), CASES["tools_streamed"]),
        "vision": vision,
        "json-mode": lambda: structured(Place, "json_mode", CASES["json_mode"]),
        "structured-output": lambda: structured(Person, "json_schema", CASES["structured"]["prompt"]),
        "stop": lambda: observe(chat().invoke(CASES["stop"]["prompt"], stop=CASES["stop"]["sequences"])),
        "max-tokens": lambda: observe(chat(max_tokens=CASES["length"]["max_tokens"]).invoke(CASES["length"]["prompt"])),
        "error-401": lambda: observe(chat(api_key=CASES["wrong_key"]).invoke(CASES["plain"])),
        "error-400": lambda: observe(
            tools_model(tools=openai_tools([bad_tool()])).invoke(CASES["bad_request"]["prompt"])
        ),
    }


if __name__ == "__main__":
    run(features())
