"""The mock's view of one validated chat request, shared by both faces.

The OpenAI face and the Anthropic face parse different wire formats into this
one shape, so answers, latency, faults and billing never see the framing.
Messages are kept in OpenAI form (role/content/tool_calls/tool_call_id);
the Anthropic face translates into it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from chatconform.profile import Model

READ_WINDOW = 32 * 1024


@dataclass(frozen=True)
class ImageInput:
    """One image from the request, decoded or referenced by URL."""

    url: str  # the data URI or https URL as sent (data URIs are not logged in full)
    media_type: str  # image/png, image/jpeg, image/gif, image/webp, or "" for remote URLs
    width: int = 0
    height: int = 0
    rgb: tuple[int, int, int] | None = None  # dominant colour, None for remote URLs
    detail: str = "auto"


@dataclass
class ChatRequest:
    model: Model
    model_name: str  # exactly as the client sent it (canonical or alias)
    messages: list[dict[str, Any]]
    max_tokens: int
    stop: list[str] = field(default_factory=list)
    stream: bool = False
    include_usage: bool = False
    tools: list[dict[str, Any]] = field(default_factory=list)
    tool_choice: str | dict[str, Any] = "auto"
    parallel_tool_calls: bool = True
    response_format: dict[str, Any] | None = None
    temperature: float | None = None
    top_p: float | None = None
    user: str | None = None
    seed: int | None = None
    images: list[ImageInput] = field(default_factory=list)

    def texts(self, role: str) -> list[str]:
        """What the answer engine reads of every message with `role`, in order (see `read_window`)."""
        return [read_window(message_text(m)) for m in self.messages if m.get("role") == role]

    @cached_property
    def last_user_text(self) -> str:
        """What the answer engine reads of the last user message; read by several rules, computed once."""
        last = next((m for m in reversed(self.messages) if m.get("role") == "user"), None)
        return read_window(message_text(last)) if last is not None else ""


def read_window(text: str) -> str:
    """The part of a message the answer engine reads: its first and last `READ_WINDOW` characters.

    Directives ("Reply with exactly: ...", "Write 200 words"), tool mentions and argument hints
    are found there, so a megabyte of prompt costs the rules no more than 64 KiB; token counts
    still cover all of it."""
    if len(text) <= 2 * READ_WINDOW:
        return text
    return text[:READ_WINDOW] + "\n" + text[-READ_WINDOW:]


def message_text(message: dict[str, Any]) -> str:
    """The text of a message whose content is a string or a list of parts."""
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(p.get("text", "") for p in content if isinstance(p, dict) and p.get("type") == "text")
    return ""
