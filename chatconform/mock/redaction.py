"""What the journal keeps of a request: a bounded copy of the body, secrets masked everywhere.

Bodies: an unbroken string longer than `BLOB_MIN` (image data) keeps its
first `BLOB_KEEP` characters and its length (`iVBORw0...(5120 chars)`, which
gateway-mode checks read); the rest is copied until `limit` characters of
text are kept, after which strings are cut the same way and containers end
with a `"...(N more items)"` element or a `"...": "(N more keys)"` member. The
copy costs what it keeps, not what was sent. Strings shaped like provider keys
(`sk-...`, `th-...`) and the mock's own configured keys are masked.

Headers: a header whose name says credential (`authorization`, `x-api-key`,
`X-Custom-Auth`, `cookie`, anything with token, secret, key, password ...) or
whose value looks like one (`Bearer ...`, `Basic ...`, a provider key, a JWT)
is masked whole.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any, NamedTuple

MASK = "***"
BLOB_MIN = 1024  # an unbroken string this long is image data, not words worth keeping
BLOB_KEEP = 48
_KEY_SHAPE = r"\b(?:sk|th|sk-ant|pk|rk)-[A-Za-z0-9_\-]{8,}"
_KEY_TEXT = re.compile(_KEY_SHAPE)
_KEY_BYTES = re.compile(_KEY_SHAPE.encode())
_SECRET_NAME = re.compile(r"(?i)auth|key|token|secret|passw|credential|cookie|session|signature")
_SECRET_VALUE = re.compile(
    r"(?i)^\s*(?:bearer|basic|digest|token)\s+\S|" + _KEY_SHAPE + r"|\beyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}"
)


class Kept(NamedTuple):
    value: Any  # what the journal shows as the body
    size: int  # characters it holds, roughly: what it costs the journal's total


def keep_body(body: Any, raw: bytes, limit: int, secrets: tuple[str, ...]) -> Kept:
    """The journal's copy of a parsed body; `raw` is the body as received."""
    if len(raw) <= min(BLOB_MIN, limit) and not _KEY_BYTES.search(raw) and not _holds(raw, secrets):
        return Kept(body, len(raw))  # small and clean: the parsed body itself, shared, no copy
    keeper = _Keeper(limit, secrets)
    value = keeper.copy(body)
    return Kept(value, limit - keeper.left)


def mask_headers(headers: Iterable[tuple[str, str]]) -> dict[str, str]:
    return {name: _masked(name, value) for name, value in headers}


@lru_cache(maxsize=1024)  # clients repeat the same headers on every request
def _masked(name: str, value: str) -> str:
    return MASK if _SECRET_NAME.search(name) or _SECRET_VALUE.search(value) else value


def mask_text(text: str, secrets: tuple[str, ...] = ()) -> str:
    for secret in secrets:
        text = text.replace(secret, MASK)
    return _KEY_TEXT.sub(MASK, text)


def _holds(raw: bytes, secrets: tuple[str, ...]) -> bool:
    return any(s.encode() in raw for s in secrets)


class _Keeper:
    def __init__(self, limit: int, secrets: tuple[str, ...]) -> None:
        self.left = limit
        self.secrets = secrets

    def copy(self, value: Any) -> Any:
        # Recursion is safe: the body was refused if it nested deeper than 64 levels.
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return self.members(value)
        if isinstance(value, list):
            return self.items(value)
        self.left -= 4
        return value

    def text(self, value: str) -> str:
        if len(value) > BLOB_MIN and " " not in value[:BLOB_MIN]:
            value = f"{value[:BLOB_KEEP]}...({len(value)} chars)"
        elif len(value) > self.left:
            value = f"{value[: max(self.left, 0)]}...({len(value)} chars)"
        self.left -= len(value) + 2
        return mask_text(value, self.secrets)

    def members(self, value: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for n, (key, item) in enumerate(value.items()):
            if self.left <= 0:
                out["..."] = f"({len(value) - n} more keys)"
                break
            self.left -= len(key) + 4
            out[key] = self.copy(item)
        return out

    def items(self, value: list[Any]) -> list[Any]:
        out: list[Any] = []
        for n, item in enumerate(value):
            if self.left <= 0:
                out.append(f"...({len(value) - n} more items)")
                break
            out.append(self.copy(item))
        return out
