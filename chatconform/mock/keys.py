"""Who is calling: the accepted keys, the admin key, and how the faces send them.

Every key is a tenant: the ledger, the journal and armed faults of `/mock/*`
belong to the key that made them, and a key reads, arms and resets only its
own. The admin key (`--admin-key`, `CHATCONFORM_MOCK_ADMIN_KEY`) is accepted
on `/mock/*` only, where it sees and resets every tenant and arms faults that
apply to any key's requests. Keys are compared in constant time and never
echoed; tenants are named by fingerprint.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from starlette.requests import Request

from chatconform.mock.errors import MockError
from chatconform.mock.ledger import fingerprint

ADMIN = None  # the tenant of the admin key: every tenant


@dataclass(frozen=True)
class Keys:
    accepted: tuple[str, ...]  # empty: any key with `prefix`
    prefix: str
    admin: str | None = None

    def accepts(self, key: str) -> bool:
        if self.accepted:
            return any(hmac.compare_digest(key.encode(), k.encode()) for k in self.accepted)
        return key.startswith(self.prefix) and not self.is_admin(key)

    def is_admin(self, key: str) -> bool:
        return self.admin is not None and hmac.compare_digest(key.encode(), self.admin.encode())

    @property
    def secrets(self) -> tuple[str, ...]:
        """Every configured key, for the journal to mask wherever one appears."""
        return (*self.accepted, *((self.admin,) if self.admin else ()))


def bearer_key(request: Request, keys: Keys) -> str:
    """The caller's key from `Authorization: Bearer <key>`, or a 401 as OpenAI words it."""
    return _checked(_bearer(request), keys, "invalid_request_error")


def header_key(request: Request, keys: Keys) -> str:
    """The caller's key from `x-api-key` (the Anthropic convention)."""
    return _checked(request.headers.get("x-api-key", "").strip(), keys, "authentication_error")


def tenant(request: Request, keys: Keys) -> str | None:
    """For `/mock/*`: the caller's fingerprint, or ADMIN for the admin key."""
    key = _bearer(request)
    if keys.is_admin(key):
        return ADMIN
    return fingerprint(_checked(key, keys, "invalid_request_error"))


def _bearer(request: Request) -> str:
    header = request.headers.get("authorization", "")
    if not header:
        raise MockError(
            401,
            "You didn't provide an API key. Send it as 'Authorization: Bearer <key>'.",
            type="invalid_request_error",
            code="missing_api_key",
        )
    scheme, _, key = header.partition(" ")
    return key.strip() if scheme.lower() == "bearer" else ""


def _checked(key: str, keys: Keys, error_type: str) -> str:
    if not key or not keys.accepts(key):
        # Never echo the key: it would end up in logs and reports.
        raise MockError(401, "Incorrect API key provided.", type=error_type, code="invalid_api_key")
    return key
