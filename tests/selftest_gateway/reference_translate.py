"""The reference gateway's translation: OpenAI chat requests to Anthropic Messages requests, and answers back.

One method per rule, so that a mutation (tests/selftest_gateway/mutations.py) can break exactly one rule by
overriding one method. The rules are the ones chatconform's translation checks hold a gateway to (the
docstrings of chatconform/checks/translation*.py state them), written here independently of the checks, so
that a check and the reference cannot share a mistake.
"""

from __future__ import annotations

import json
import re
import secrets
import time
from typing import Any

from chatconform.profile import Profile

Json = dict[str, Any]
DATA_URI = re.compile(r"^data:([\w/+.-]+);base64,(.*)$", re.DOTALL)
STOP_REASONS = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "max_tokens": "length",
    "tool_use": "tool_calls",
    "refusal": "content_filter",
}


def text_of(content: Any) -> str:
    if isinstance(content, str):
        return content
    return "\n".join(part["text"] for part in content or [] if part.get("type") == "text")


def text_blocks(content: Any) -> list[Json]:
    """Text as Anthropic blocks; a part's `cache_control` goes on with it (prompt caching passed through,
    as gateways that support it do)."""
    if isinstance(content, str):
        return [{"type": "text", "text": content}]
    parts = [p for p in content or [] if p.get("type") == "text"]
    return [
        {"type": "text", "text": p["text"], **({"cache_control": p["cache_control"]} if "cache_control" in p else {})}
        for p in parts
    ]


class Translator:
    def __init__(self, profile: Profile) -> None:
        self.profile = profile

    # -- the request ------------------------------------------------------------------------------------------

    def request(self, body: Json, canonical: str) -> Json:
        system, rest = self.split_system(body["messages"])
        out: Json = {"model": canonical, "messages": self.messages(rest)}
        out["max_tokens"] = self.max_tokens(body, canonical)
        if system:
            out["system"] = system
        stop = self.stop(body.get("stop"))
        if stop:
            out["stop_sequences"] = stop
        for name in ("temperature", "top_p"):
            if body.get(name) is not None:
                out[name] = self.sampling(name, body[name])
        tools = self.tools(body.get("tools") or [])
        if tools:
            out["tools"] = tools
            choice = self.tool_choice(body.get("tool_choice"), body.get("parallel_tool_calls"))
            if choice:
                out["tool_choice"] = choice
        if body.get("stream"):
            out["stream"] = True
        if isinstance(body.get("user"), str):
            out["metadata"] = {"user_id": body["user"]}
        output = self.output_format(body.get("response_format"))
        if output:
            out["output_format"] = output
        return out

    def output_format(self, response_format: Any) -> Json | None:
        """A json_schema response format as Anthropic's structured output, the schema unchanged."""
        spec = response_format.get("json_schema") if isinstance(response_format, dict) else None
        if response_format and response_format.get("type") == "json_schema" and isinstance(spec, dict):
            return {"type": "json_schema", "schema": spec.get("schema")}
        return None

    def split_system(self, messages: list[Json]) -> tuple[list[Json], list[Json]]:
        """Every system/developer message, wherever it is, into `system`, in order."""
        hoisted = [m for m in messages if m.get("role") in ("system", "developer")]
        rest = [m for m in messages if m.get("role") not in ("system", "developer")]
        return [block for m in hoisted for block in text_blocks(m.get("content"))], rest

    def messages(self, messages: list[Json]) -> list[Json]:
        out: list[Json] = []
        for message in messages:
            role = message.get("role")
            if role == "tool":
                block = self.tool_result(message)
                if out and out[-1]["role"] == "user" and out[-1].get("_results"):
                    out[-1]["content"].append(block)  # consecutive results answer one assistant turn together
                else:
                    out.append({"role": "user", "content": [block], "_results": True})
            elif role == "assistant":
                out.append({"role": "assistant", "content": self.assistant_content(message)})
            else:
                out.append({"role": "user", "content": self.user_content(message.get("content"))})
        return [{k: v for k, v in m.items() if k != "_results"} for m in out]

    def user_content(self, content: Any) -> list[Json]:
        if isinstance(content, str):
            return [{"type": "text", "text": content}]
        blocks = []
        for part in content or []:
            if part.get("type") == "text":
                blocks += text_blocks([part])
            elif part.get("type") == "image_url":
                blocks.append(self.image(part["image_url"]["url"]))
        return blocks

    def image(self, url: str) -> Json:
        data_uri = DATA_URI.match(url)
        if data_uri:
            media_type, data = data_uri.groups()
            return {"type": "image", "source": {"type": "base64", "media_type": media_type, "data": data}}
        return {"type": "image", "source": {"type": "url", "url": url}}

    def assistant_content(self, message: Json) -> list[Json]:
        text = text_of(message.get("content"))
        blocks: list[Json] = [{"type": "text", "text": text}] if text else []
        for call in message.get("tool_calls") or []:
            function = call["function"]
            blocks.append(
                {
                    "type": "tool_use",
                    "id": call["id"],
                    "name": function["name"],
                    "input": json.loads(function.get("arguments") or "{}"),
                }
            )
        return blocks

    def tool_result(self, message: Json) -> Json:
        return {"type": "tool_result", "tool_use_id": message["tool_call_id"], "content": text_of(message["content"])}

    def max_tokens(self, body: Json, canonical: str) -> int:
        asked = body.get("max_completion_tokens", body.get("max_tokens"))
        if isinstance(asked, int):
            return asked
        default = self.profile.expect.upstream_max_tokens_default
        if isinstance(default, dict):
            default = default.get(canonical, default.get("*"))
        spec = self.profile.params.get("max_tokens")
        return int(default or (spec.default if spec else None) or 1024)

    def stop(self, stop: Any) -> list[str]:
        return [stop] if isinstance(stop, str) else list(stop or [])

    def sampling(self, name: str, value: float) -> float:
        return value

    def tools(self, tools: list[Json]) -> list[Json]:
        out = []
        for tool in tools:
            function = tool["function"]
            schema = function.get("parameters") or {"type": "object", "properties": {}}
            entry = {"name": function["name"], "input_schema": schema}
            if "description" in function:
                entry["description"] = function["description"]
            out.append(entry)
        return out

    def tool_choice(self, choice: Any, parallel: Any) -> Json | None:
        if isinstance(choice, dict):
            mapped = {"type": "tool", "name": choice["function"]["name"]}
        else:
            mapped = {"type": {"none": "none", "required": "any"}.get(choice, "auto")}
        if parallel is False and mapped["type"] != "none":
            mapped["disable_parallel_tool_use"] = True
        return mapped

    # -- the answer -------------------------------------------------------------------------------------------

    def finish_reason(self, stop_reason: Any) -> str:
        return STOP_REASONS.get(str(stop_reason), "stop")

    def usage(self, usage: Json) -> Json:
        prompt = sum(
            int(usage.get(k) or 0) for k in ("input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens")
        )
        completion = int(usage.get("output_tokens") or 0)
        cached = {"cached_tokens": int(usage.get("cache_read_input_tokens") or 0)}
        totals = {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}
        return {**totals, "prompt_tokens_details": cached}

    def tool_index(self, block_index: int, tools_before: int) -> int:
        """The OpenAI index of a tool_use block: it counts tool blocks only."""
        return tools_before

    def completion(self, message: Json, model: str) -> Json:
        content = message.get("content") or []
        text = "".join(b["text"] for b in content if b.get("type") == "text")
        calls = [
            {"id": b["id"], "type": "function", "function": {"name": b["name"], "arguments": json.dumps(b["input"])}}
            for b in content
            if b.get("type") == "tool_use"
        ]
        reply: Json = {"role": "assistant", "content": text or (None if calls else ""), "refusal": None}
        if calls:
            reply["tool_calls"] = calls
        choice = {
            "index": 0,
            "message": reply,
            "logprobs": None,
            "finish_reason": self.finish_reason(message.get("stop_reason")),
        }
        return {
            "id": completion_id(),
            "object": "chat.completion",
            "created": int(time.time()),
            "model": model,
            "choices": [choice],
            "usage": self.usage(message.get("usage") or {}),
            "system_fingerprint": None,
        }


def completion_id() -> str:
    return "chatcmpl-" + secrets.token_hex(12)
