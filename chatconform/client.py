"""The raw client: what the SDK hides (status codes, headers, SSE bytes), as `Exchange` objects.

One keep-alive `httpx.Client` serves a whole session; every request is
bounded by the request timeout and never raises for what the server does
(see `chatconform.exchange.send`); `abandon` is a client that leaves a stream
half-way. `MockAdmin` reads the mock's ledger and journal and arms its
faults, for the target itself or, in gateway mode, for the upstream mock
behind the gateway.
"""

from __future__ import annotations

import enum
import json
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import httpx

from chatconform.exchange import DEFAULT_TIMEOUT_S, Exchange, send
from chatconform.redact import redact_headers
from chatconform.sse import SSEReader
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

    def abandon(self, body: Any, *, events: int = 2, headers: dict[str, str] | None = None) -> Exchange:
        """POST a streamed chat request, read `events` SSE events, then close the connection: a client that
        goes away mid-stream. `error` is "abandoned" when it left early; the exchange holds what arrived."""
        url = self.target.base_url + "/chat/completions"
        sent = {**self._headers(headers, MISSING), "content-type": "application/json"}
        ex = Exchange("POST", url, redact_headers(sent), body)
        reader, received = SSEReader(), bytearray()
        ex.t_start = time.perf_counter()
        try:
            with self._http.stream("POST", url, content=json.dumps(body).encode(), headers=sent) as resp:
                ex.t_headers, ex.status = time.perf_counter(), resp.status_code
                ex.headers = {k.lower(): v for k, v in resp.headers.items()}
                for chunk in resp.iter_bytes():
                    received += chunk
                    reader.feed(chunk, time.perf_counter())
                    if len(reader.events) >= events:
                        ex.error = "abandoned"
                        break  # leaving the block closes the connection: the body is not read to its end
        except httpx.HTTPError as exc:
            ex.error = f"disconnect: {type(exc).__name__}"
        ex.t_end, ex.raw = time.perf_counter(), bytes(received)
        ex.events, ex.sse_problems = reader.events, reader.problems
        if not ex.is_stream and ex.raw:
            ex.body = _json(ex.raw)
        if self.on_exchange is not None:
            self.on_exchange(ex)
        return ex

    def _headers(self, headers: dict[str, str] | None, api_key: ApiKey) -> dict[str, str]:
        key = self.target.api_key if api_key is MISSING else api_key
        out = {"accept": "application/json, text/event-stream"}
        out.update({name.lower(): value for name, value in self.target.headers.items()})
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


def _json(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return None


class MockAdmin:
    """The mock's admin routes: billing ledger, request journal, armed faults, reset.

    By default those of the target; with `root` and `api_key`, those of another mock (in gateway mode,
    the upstream behind the gateway)."""

    def __init__(self, raw: RawClient, root: str | None = None, api_key: ApiKey = MISSING) -> None:
        self._raw = raw
        self._root = (root or raw.target.root_url).rstrip("/")
        self._key = api_key

    @classmethod
    def probe(cls, raw: RawClient, root: str | None = None, api_key: ApiKey = MISSING) -> MockAdmin | None:
        """A MockAdmin when GET {root}/mock/ledger answers like the mock, else None."""
        admin = cls(raw, root, api_key)
        ex = raw.request("GET", admin._root + "/mock/ledger", api_key=api_key)
        if ex.status == 200 and isinstance(ex.body, dict) and isinstance(ex.body.get("totals"), dict):
            return admin
        return None

    @property
    def root(self) -> str:
        return self._root

    def ledger(self) -> dict[str, Any]:
        body = self._get("/mock/ledger")
        if not isinstance(body, dict):
            raise RuntimeError("the mock ledger did not answer with a JSON object")
        return body

    def journal(self, limit: int | None = None, contains: str | None = None) -> list[dict[str, Any]]:
        """The latest requests, oldest first; with `contains`, only those whose body holds that text."""
        query = {k: v for k, v in (("limit", limit), ("contains", contains)) if v is not None}
        body = self._call("GET", "/mock/journal" + (f"?{urlencode(query)}" if query else ""))
        data = body.get("data") if isinstance(body, dict) else None
        if not isinstance(data, list):
            raise RuntimeError("the mock journal did not answer with a list")
        return data

    def forwarded(self, marker: str, *, face: str = "anthropic", settle_s: float = 2.0) -> list[dict[str, Any]]:
        """The requests on `face` whose body holds `marker`, read once none of them is still pending
        (or after `settle_s`, whichever comes first): how each ended is known by then. A request is
        journalled before the mock answers, so one that is not there when this is called never came."""
        deadline = time.monotonic() + settle_s
        while True:
            entries = [e for e in self.journal(contains=marker) if e.get("face") == face]
            if all(e.get("outcome") != "pending" for e in entries) or time.monotonic() >= deadline:
                return entries
            time.sleep(0.05)

    def arm_fault(self, fault: str, *, count: int = 1, match: str | None = None) -> None:
        """Arm `fault` (the X-Chatconform-Fault syntax) for the next `count` requests whose body holds `match`."""
        self._call("POST", "/mock/faults", {"fault": fault, "count": count, "match": match})

    def disarm(self, match: str | None = None) -> None:
        self._call("DELETE", "/mock/faults" + (f"?{urlencode({'match': match})}" if match else ""))

    def reset(self) -> None:
        self._call("POST", "/mock/reset")

    def _get(self, path: str) -> Any:
        return self._call("GET", path)

    def _call(self, method: str, path: str, body: Any = None) -> Any:
        ex = self._raw.request(method, self._root + path, json_body=body, api_key=self._key)
        if ex.status != 200:
            detail = ex.error or ex.raw[:200].decode("utf-8", "replace") or "no body"
            raise RuntimeError(f"{method} {self._root}{path} answered {ex.status} ({detail})")
        return ex.body
