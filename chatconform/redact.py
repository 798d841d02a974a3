"""Keep API keys out of everything chatconform writes.

Every key the harness is given is registered here; reports, snapshots, logs
and JUnit text pass through `redact` before they are written. Headers that
carry credentials are masked wholesale, whatever their value.
"""

from __future__ import annotations

import re

MASK = "***"
SECRET_HEADERS = frozenset({"authorization", "x-api-key", "api-key", "proxy-authorization"})
_secrets: set[str] = set()
# A bearer token or something shaped like a provider key, even if never registered.
_KEYLIKE = re.compile(r"(?i)(bearer\s+)[^\s\"']+|\b(?:th|sk|sk-ant)-[A-Za-z0-9_\-]{8,}")


def register_secret(value: str | None) -> None:
    """Remember a secret so that `redact` masks it wherever it appears."""
    if value and len(value) >= 4:
        _secrets.add(value)


def redact(text: str) -> str:
    for secret in sorted(_secrets, key=len, reverse=True):
        text = text.replace(secret, MASK)
    return _KEYLIKE.sub(lambda m: (m.group(1) or "") + MASK, text)


def redact_headers(headers: dict[str, str]) -> dict[str, str]:
    return {k: (MASK if k.lower() in SECRET_HEADERS else redact(v)) for k, v in headers.items()}
