"""Hand-made streams for the load unit tests: SSE bytes and their arrival times."""

from __future__ import annotations

import json
from typing import Any

ROLE = {"role": "assistant", "content": ""}


def event(payload: Any) -> bytes:
    data = payload if isinstance(payload, str) else json.dumps(payload)
    return f"data: {data}\n\n".encode()


def chunk(delta: dict[str, Any], finish: str | None = None) -> bytes:
    choice = {"index": 0, "delta": delta, "finish_reason": finish}
    return event({"object": "chat.completion.chunk", "choices": [choice]})


def usage(prompt: int, completion: int) -> bytes:
    return event(
        {
            "object": "chat.completion.chunk",
            "choices": [],
            "usage": {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion},
        }
    )
