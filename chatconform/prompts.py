"""Request bodies for the suites, built from prompts a real Claude answers the way the mock does.

The mock's rules (docs/mock-answers.md) are the ones a real model follows
when asked plainly: "Reply with exactly: X" gives X. Temperature 0 keeps a
real model as deterministic as it gets.
"""

from __future__ import annotations

from typing import Any

Message = dict[str, Any]
SHORT_MAX_TOKENS = 64


def system(text: str) -> Message:
    return {"role": "system", "content": text}


def user(text: str) -> Message:
    return {"role": "user", "content": text}


def assistant(text: str) -> Message:
    return {"role": "assistant", "content": text}


def reply_exactly(text: str) -> str:
    """A prompt whose answer is `text`, verbatim."""
    return f"Reply with exactly: {text}"


def chat(model: str, *messages: Message, **params: Any) -> dict[str, Any]:
    """A request body: short and deterministic unless the caller says otherwise."""
    body: dict[str, Any] = {"model": model, "messages": list(messages)}
    body.setdefault("max_tokens", SHORT_MAX_TOKENS)
    body.setdefault("temperature", 0)
    body.update(params)
    return {k: v for k, v in body.items() if v is not None}


def exact(model: str, text: str, **params: Any) -> dict[str, Any]:
    """The body of a request whose answer must be exactly `text`."""
    return chat(model, user(reply_exactly(text)), **params)
