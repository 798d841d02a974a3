"""Errors the mock answers with, in the OpenAI envelope.

Every refusal is raised as `MockError` and turned into
`{"error": {"message", "type", "param", "code"}}` with the right status by
one handler, so no path can leak a 500 or a bare string.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# OpenAI's error `type` per HTTP status, as its API sends them.
_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "invalid_request_error",
    405: "invalid_request_error",
    413: "invalid_request_error",
    415: "invalid_request_error",
    422: "invalid_request_error",
    429: "rate_limit_error",
    500: "server_error",
    502: "server_error",
    503: "server_error",
    504: "server_error",
    529: "overloaded_error",
}


@dataclass
class MockError(Exception):
    status: int
    message: str
    param: str | None = None
    code: str | None = None
    type: str = ""
    headers: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.type:
            self.type = _TYPES.get(self.status, "invalid_request_error" if self.status < 500 else "server_error")

    def envelope(self) -> dict[str, Any]:
        return {"error": {"message": self.message, "type": self.type, "param": self.param, "code": self.code}}


def invalid(message: str, param: str | None, code: str | None = "invalid_value") -> MockError:
    """A 400 naming the offending field."""
    return MockError(400, message, param=param, code=code)
