"""`anthropic-version`: which versions the Anthropic face knows, and what each refuses.

Anthropic has published three versions (platform.claude.com, "Versions"):
2023-01-01 (the first), 2023-06-01 (named streaming events; what gateways and
the SDKs before the 2026 majors send) and 2026-10-21 (what the current
official SDKs send: Python 2.x, TypeScript 1.x). Within a version fields are
only ever added; a version changes what is refused. Under 2026-10-21 the
sampling parameters are gone (`temperature`, `top_p`, `top_k` are extra
inputs, even at their defaults), and text blocks of user messages may not
carry citations (the mock refuses document blocks on every version, so the
third change, documents in assistant messages, needs no rule here).

A version the API does not know is refused as the API refuses it: a gateway
that invents one fails here as it would upstream. The one exception is a date
after the newest version listed here: that is a version published after this
mock was written (a new SDK sends it from its first release), served as the
newest known one, so that a user's CI does not break the day an SDK ships. The mock streams the same
named events under 2023-01-01 as under 2023-06-01 (the older data-only stream
is not modelled).
"""

from __future__ import annotations

import re
from typing import Any

from chatconform.mock.anthropic_messages import bad
from chatconform.mock.errors import MockError

VERSIONS = ("2023-01-01", "2023-06-01", "2026-10-21")
SAMPLING_REMOVED = "2026-10-21"  # from this version on, the sampling parameters are refused
SAMPLING = ("temperature", "top_p", "top_k")
_DATE = re.compile(r"20\d\d-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])")


def check_version(version: str | None) -> str:
    """The version a request asks for, or the API's refusal of a missing or unknown one."""
    if not version:
        raise MockError(400, "anthropic-version: header is required", code="missing_version")
    if _DATE.fullmatch(version) and version > VERSIONS[-1]:
        return VERSIONS[-1]  # published after this mock: its rules are the newest ones known here
    if version not in VERSIONS:
        known = ", ".join(VERSIONS)
        raise MockError(
            400, f"anthropic-version: invalid version {version[:40]!r}; known versions: {known}", code="invalid_version"
        )
    return version


def refuse_for_version(body: Any, version: str) -> None:
    """Refuse what `version` no longer accepts in a request body (the body's shape is checked later)."""
    if version < SAMPLING_REMOVED or not isinstance(body, dict):
        return
    for name in SAMPLING:
        if name in body:
            raise bad(name, "Extra inputs are not permitted")
    messages = body.get("messages")
    for i, message in enumerate(messages if isinstance(messages, list) else []):
        if not isinstance(message, dict) or message.get("role") != "user":
            continue
        content = message.get("content")
        if not isinstance(content, list):
            continue
        for j, block in enumerate(content):
            if isinstance(block, dict) and block.get("type") == "text" and block.get("citations"):
                raise bad(
                    f"messages.{i}.content.{j}.citations",
                    f"citations are not accepted on text blocks of user messages with anthropic-version {version}",
                )
