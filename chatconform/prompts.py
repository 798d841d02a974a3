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


# A schema with every kind of constraint a gateway can lose on the way (schema fidelity): nested objects,
# an array of objects, a $ref into $defs, pattern, format, const, bounds, descriptions.
TRIP_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "A trip to book.",
    "required": ["route", "travellers"],
    "additionalProperties": False,
    "$defs": {"airport": {"type": "string", "pattern": "^[A-Z]{3}$", "description": "An IATA airport code"}},
    "properties": {
        "route": {
            "type": "object",
            "required": ["origin", "destination"],
            "additionalProperties": False,
            "properties": {"origin": {"$ref": "#/$defs/airport"}, "destination": {"$ref": "#/$defs/airport"}},
        },
        "date": {"type": "string", "format": "date"},
        "travellers": {
            "type": "array",
            "minItems": 1,
            "maxItems": 9,
            "items": {
                "type": "object",
                "required": ["name"],
                "properties": {"name": {"type": "string", "minLength": 1}, "age": {"type": "integer", "minimum": 0}},
            },
        },
        "currency": {"const": "EUR"},
    },
}
TRIP: dict[str, Any] = {
    "type": "function",
    "function": {"name": "book_trip", "description": "Book a trip for some travellers.", "parameters": TRIP_SCHEMA},
}
