"""The raw client: what the SDK hides (status codes, headers, SSE bytes), as `Exchange` objects.

One keep-alive `httpx.Client` serves a whole session; every request is
bounded by the request timeout and never raises for what the server does
(see `chatconform.exchange.send`). `MockAdmin` reads the mock's ledger and
journal when the target exposes them.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import Any

import httpx

from chatconform.exchange import DEFAULT_TIMEOUT_S, Exchange, send
from chatconform.target import Target


class _Missing(enum.Enum):
    KEY = "the target's key"


MISSING = _Missing.KEY
ApiKey = str | None | _Missing
ExchangeHook = Callable[[Exchange], None]


class RawClient:
    def __init__(
        self,
        target: Target,
        *,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        on_exchange: ExchangeHook | None = None,
        max_bytes: int | None = None,
    ) -> None:
        self.target = target
        self.timeout_s = timeout_s
        self.on_exchange = on_exchange
        self._max_bytes = max_bytes
        # Keep-alive matters: a suite sends hundreds of small requests to one host.
        limits = httpx.Limits(max_connections=16, max_keepalive_connections=8)
        self._http = httpx.Client(timeout=timeout_s, limits=limits, follow_redirects=False)

    def chat(self, body: Any, *, headers: dict[str, str] | None = None, api_key: ApiKey = MISSING) -> Exchange:
        """POST {base_url}/chat/completions with a JSON body."""
        return self.request("POST", "/chat/completions", json_body=body, headers=headers, api_key=api_key)

    def request(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        content: bytes | None = None,
        headers: dict[str, str] | None = None,
        api_key: ApiKey = MISSING,
    ) -> Exchange:
        """Send one request; `path` is relative to the base URL unless it is a full URL.
        `api_key=None` sends no Authorization header; an explicit `authorization` header wins."""
        url = path if path.startswith(("http://", "https://")) else self.target.base_url + path
        sent = self._headers(headers, api_key)
        options: dict[str, Any] = {"timeout_s": self.timeout_s}
        if self._max_bytes is not None:
            options["max_bytes"] = self._max_bytes
        ex = send(self._http, method, url, json_body=json_body, content=content, headers=sent, **options)
        if self.on_exchange is not None:
            self.on_exchange(ex)
        return ex

    def _headers(self, headers: dict[str, str] | None, api_key: ApiKey) -> dict[str, str]:
        key = self.target.api_key if api_key is MISSING else api_key
        out = {"accept": "application/json, text/event-stream"}
        if key is not None:
            out["authorization"] = f"Bearer {key}"
        for name, value in (headers or {}).items():
            out[name.lower()] = value
        return out

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> RawClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class MockAdmin:
    """The mock's admin routes: its billing ledger, request journal and reset."""

    def __init__(self, raw: RawClient) -> None:
        self._raw = raw
        self._root = raw.target.root_url

    @classmethod
    def probe(cls, raw: RawClient) -> MockAdmin | None:
        """A MockAdmin when GET {root}/mock/ledger answers like the mock, else None."""
        ex = raw.request("GET", raw.target.root_url + "/mock/ledger")
        if ex.status == 200 and isinstance(ex.body, dict) and isinstance(ex.body.get("totals"), dict):
            return cls(raw)
        return None

    def ledger(self) -> dict[str, Any]:
        body = self._get("/mock/ledger")
        if not isinstance(body, dict):
            raise RuntimeError("the mock ledger did not answer with a JSON object")
        return body

    def journal(self, limit: int | None = None) -> list[dict[str, Any]]:
        body = self._get("/mock/journal" + (f"?limit={limit}" if limit is not None else ""))
        data = body.get("data") if isinstance(body, dict) else None
        if not isinstance(data, list):
            raise RuntimeError("the mock journal did not answer with a list")
        return data

    def reset(self) -> None:
        ex = self._raw.request("POST", self._root + "/mock/reset")
        if ex.status != 200:
            raise RuntimeError(f"the mock reset answered {ex.status}")

    def _get(self, path: str) -> Any:
        ex = self._raw.request("GET", self._root + path)
        if ex.status != 200:
            raise RuntimeError(f"GET {path} answered {ex.status} ({ex.error or 'no transport error'})")
        return ex.body
