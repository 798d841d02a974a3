"""Pre-flight: can this target be tested at all?

Before a conformance run or a load run starts, a handful of requests
(at most four) decide whether the target is worth testing, so that a wrong
key, a host that is down or a base URL without `/v1` is one clear line and
not hundreds of failures:

  1. `GET {base}/models`, which costs nothing: is the host reachable (DNS,
     TCP connect, TLS handshake: the failure says which), does it speak HTTP?
  2. `POST {base}/chat/completions` with `max_tokens: 1` and the run's model:
     does it speak the chat completions path (a 404/405, a redirect, an
     HTML page or a 2xx in neither JSON nor SSE there is "not an
     OpenAI-compatible path"), does it accept the
     key (401/403: "the key was refused", with the gateway's own message),
     does it serve the model? A transport error here, after step 1 reached
     the host, is tried once more (a flaky connection is not a dead target).
  3. Only when the path was not found and the base URL has no version
     segment: `GET {base}/v1/models`, so that the suggestion "append /v1"
     is a finding, not a guess.

A 5xx without a JSON body (a proxy's error page for a gateway that is down)
fails too. Anything else (a 400, a 429, a 5xx with a JSON error) means the
target can be tested, and the tests will judge it. The whole pre-flight is bounded by
`timeout_s` (default DEFAULT_TIMEOUT_S), every request by what is left, and
reads at most BODY_LIMIT bytes of any body.
Custom headers (`chatconform.headers`) go on every request. Everything shown
passes through `redact`.

Exit codes. A failed pre-flight exits with EXIT_CODE = 6 in both commands:
`chatconform check`, whose 0-5 are pytest's (0 passed, 1 failed,
2 interrupted, 3 internal error, 4 usage error, 5 no tests), and
`chatconform load`, whose own are 0 passed, 1 error in the load generator,
2 bad options, 3 SLO missed, 5 the target failed the run (circuit breaker,
or no request succeeded), 130 interrupted. One code for "the target could
not be tested" lets a CI script tell it apart from a verdict in either.

httpx (a dependency already) rather than the load generator's client: this
runs before Locust, outside gevent, and must name DNS, connect and TLS
failures apart, which httpx's exception chain makes possible.
"""

from __future__ import annotations

import json
import re
import socket
import ssl
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx

from chatconform.redact import redact

EXIT_CODE = 6
DEFAULT_TIMEOUT_S = 8.0
BODY_LIMIT = 4096  # enough to tell JSON, HTML and SSE apart and to quote a gateway's error message
CONNECT_TIMEOUT_S = 4.0  # a TCP or TLS handshake that takes longer is a firewall or a wrong address
BODY_HEAD = 160  # characters of a response body shown as evidence
PROMPT = "Reply with exactly: pong"
Send = Callable[[str, str, "dict[str, Any] | None"], "Probe"]
_VERSION = re.compile(r"/v\d+(?:beta|alpha)?\d*(?:/|$)")


@dataclass(frozen=True)
class Probe:
    """One pre-flight request and what came back (or the transport error)."""

    method: str
    url: str
    status: int | None = None
    content_type: str = ""
    body: bytes = b""
    error: BaseException | None = None
    headers: Mapping[str, str] = field(default_factory=dict)

    @property
    def is_html(self) -> bool:
        return "html" in self.content_type or self.body.lstrip()[:1] == b"<"

    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except ValueError:
            return None

    def evidence(self) -> list[str]:
        if self.error is not None:
            return [f"{self.method} {self.url} -> {_describe_error(self.error)}"]
        lines = [f"{self.method} {self.url} -> {self.status} {self.content_type or '(no content-type)'}"]
        text = " ".join(self.body[: BODY_HEAD * 4].decode("utf-8", "replace").split())
        if text and (self.status is None or self.status >= 300 or self.is_html or self.json() is None):
            lines.append("  " + (text[:BODY_HEAD] + ("..." if len(text) > BODY_HEAD else "")))
        if self.status is not None and 300 <= self.status < 400 and self.headers.get("location"):
            lines.append(f"  location: {self.headers['location']}")
        return [redact(line) for line in lines]


@dataclass(frozen=True)
class Result:
    """ok, or the one-line problem, the evidence and a suggestion."""

    ok: bool
    probes: list[Probe]
    problem: str = ""
    suggestion: str = ""
    elapsed_s: float = 0.0

    @property
    def requests(self) -> int:
        return len(self.probes)

    def lines(self, prog: str) -> list[str]:
        """What a command prints: one line when ok; else the problem, the evidence and the fix."""
        if self.ok:
            return [f"{prog}: pre-flight ok ({self.requests} requests, {self.elapsed_s:.2f} s)"]
        out = [redact(f"{prog}: pre-flight failed: {self.problem}")]
        out += ["  " + line for probe in self.probes for line in probe.evidence()]
        out.append(redact(f"  fix: {self.suggestion}"))
        sent = f"{self.requests} request{'s' if self.requests != 1 else ''}"
        out.append(f"  ({sent} sent, nothing else; exit code {EXIT_CODE}; --skip-preflight bypasses this check)")
        return out


def run(
    base_url: str,
    api_key: str,
    model: str,
    headers: Mapping[str, str] | None = None,
    timeout_s: float = DEFAULT_TIMEOUT_S,
) -> Result:
    """Probe the target at `base_url` (the API base, e.g. https://gw.example/v1) with `model`."""
    base = base_url.rstrip("/")
    sent = {
        **(headers or {}),
        "authorization": f"Bearer {api_key}",
        "accept": "application/json",
        "user-agent": "chatconform-preflight",
    }
    start = time.monotonic()
    deadline = start + timeout_s
    probes: list[Probe] = []
    with httpx.Client(headers=sent, follow_redirects=False) as client:

        def send(method: str, url: str, body: dict[str, Any] | None) -> Probe:
            probe = _send(client, method, url, body, deadline)
            probes.append(probe)
            return probe

        verdict = _judge(base, model, send)
    problem, suggestion = verdict or ("", "")
    return Result(verdict is None, probes, problem, suggestion, round(time.monotonic() - start, 3))


def _judge(base: str, model: str, send: Send) -> tuple[str, str] | None:
    """The probes in order; None when the target can be tested, else (problem, suggestion)."""
    models = send("GET", base + "/models", None)
    if models.error is not None:
        return _transport(models, base)
    body = {"model": model, "messages": [{"role": "user", "content": PROMPT}], "max_tokens": 1}
    chat = send("POST", base + "/chat/completions", body)
    if chat.error is not None:
        chat = send("POST", base + "/chat/completions", body)  # the host answered once: try again before failing
        if chat.error is not None:
            return _transport(chat, base)
    status = chat.status or 0
    if status in (401, 403):
        return _refused(chat, model)
    if _is_model_missing(chat):
        served = _served_models(models)
        listed = f" (GET /models lists: {', '.join(served[:6])})" if served else ""
        return (
            f"the target does not serve model {model} (HTTP {status})",
            f"choose a model it serves with --models{listed}, or the profile that describes it with --profile",
        )
    if status in (404, 405) or 300 <= status < 400 or chat.is_html or (status < 300 and not _speaks_api(chat)):
        return _not_openai(chat, base, send)
    if status >= 500 and chat.json() is None:
        return (
            f"the target answered a 1-token chat completion with HTTP {status} and no JSON error",
            "it is not working (a proxy in front of a gateway that is down?): see the target's logs",
        )
    return None


def _send(client: httpx.Client, method: str, url: str, body: dict[str, Any] | None, deadline: float) -> Probe:
    left = max(0.05, deadline - time.monotonic())
    timeout = httpx.Timeout(left, connect=min(left, CONNECT_TIMEOUT_S))
    try:
        with client.stream(method, url, json=body, timeout=timeout) as response:
            head = _read_head(response, deadline)
    except httpx.HTTPError as exc:
        return Probe(method, url, error=exc)
    return Probe(
        method,
        url,
        response.status_code,
        response.headers.get("content-type", ""),
        head,
        headers={k.lower(): v for k, v in response.headers.items()},
    )


def _read_head(response: httpx.Response, deadline: float) -> bytes:
    """At most BODY_LIMIT bytes of the body, and no longer than the deadline: an endless stream, a huge
    body or a trickle of one byte a second must not hold the pre-flight (httpx's read timeout is per read,
    so a trickle would never trip it)."""
    head = b""
    for piece in response.iter_bytes():  # decoded: gateways gzip their JSON
        head += piece
        if len(head) >= BODY_LIMIT or time.monotonic() > deadline:
            break
    return head[:BODY_LIMIT]


def _speaks_api(chat: Probe) -> bool:
    """A 2xx answer in JSON or SSE is an API answering, however wrongly (a body cut at BODY_LIMIT, a stream
    for a request that asked for none): the tests will judge it. Plain text or no body is a catch-all."""
    kind = chat.content_type.split(";")[0].strip().lower()
    return chat.json() is not None or kind in ("application/json", "text/event-stream")


def _refused(chat: Probe, model: str) -> tuple[str, str]:
    said = _gateway_message(chat)
    problem = f"the key was refused (HTTP {chat.status})" + (f": the gateway said {said!r}" if said else "")
    if chat.status == 401:
        return problem, "check the key given with --api-key (or CHATCONFORM_API_KEY)"
    return problem, (
        f"the key is known but not allowed here: check its permissions (model {model}), "
        "or a header the gateway requires (--header 'Name: value')"
    )


def _not_openai(chat: Probe, base: str, send: Send) -> tuple[str, str]:
    what = "an HTML page" if chat.is_html else f"HTTP {chat.status}"
    if chat.status is not None and 300 <= chat.status < 400:
        what = f"a redirect (HTTP {chat.status})"
    problem = f"not an OpenAI-compatible path: POST {chat.url} answered {what}"
    path = urlsplit(base).path
    if path.endswith("/chat/completions"):
        return (
            problem,
            f"--base-url is the API base, without /chat/completions: use {base[: -len('/chat/completions')]}",
        )
    if not _VERSION.search(path + "/"):
        candidate = base + "/v1"
        probe = send("GET", candidate + "/models", None)
        if probe.error is None and probe.json() is not None and not probe.is_html:
            return problem, f"{candidate} answers as an OpenAI API (HTTP {probe.status}): use --base-url {candidate}"
        return problem, (
            f"the base URL lacks a version segment; OpenAI-compatible APIs usually end in /v1 "
            f"({candidate} did not answer either): check the gateway's documentation"
        )
    return problem, (
        f"check --base-url: {base}/chat/completions is not served; the OpenAI-compatible base URL may be "
        "another path (e.g. /api/v1, /openai/v1)"
    )


def _transport(probe: Probe, base: str) -> tuple[str, str]:
    parts = urlsplit(base)
    host, port = parts.hostname or "?", parts.port or (443 if parts.scheme == "https" else 80)
    where = f"{host}:{port}"
    exc = probe.error
    assert exc is not None
    causes = _chain(exc)
    if any(isinstance(c, socket.gaierror) for c in causes):
        return f"cannot resolve host {host} (DNS)", "check the host name in --base-url"
    tls = next((c for c in causes if isinstance(c, ssl.SSLError)), None)
    if tls is not None:
        if "WRONG_VERSION_NUMBER" in str(tls) or "record layer failure" in str(tls):
            return f"TLS handshake with {where} failed: it does not speak TLS", "use http:// instead of https://"
        reason = getattr(tls, "verify_message", None) or getattr(tls, "reason", None) or str(tls)
        return (
            f"TLS handshake with {where} failed: {reason}",
            "fix the server's certificate, or trust its CA with SSL_CERT_FILE=/path/to/ca.pem",
        )
    if any(isinstance(c, ConnectionRefusedError) for c in causes):
        return f"nothing listens at {where} (connection refused)", "is the gateway running, on that port?"
    if isinstance(exc, httpx.ConnectTimeout):
        return (
            f"no connection to {where} within {CONNECT_TIMEOUT_S:g} s (TCP connect)",
            "check the address in --base-url and any firewall in between",
        )
    if isinstance(exc, httpx.TimeoutException):
        return (
            f"{where} accepted the connection but did not answer {probe.method} {probe.url} in time",
            "the target stalls; raise --preflight-timeout if it is only slow",
        )
    if isinstance(exc, httpx.ConnectError):
        return f"cannot connect to {where} (TCP connect): {exc}", "check the address in --base-url"
    hint = "if it speaks HTTPS, use https://" if parts.scheme == "http" else "check the address in --base-url"
    return f"{where} does not answer as an HTTP server ({_describe_error(exc)})", hint


def _chain(exc: BaseException) -> list[BaseException]:
    out: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and len(out) < 10:
        out.append(current)
        current = current.__cause__ or current.__context__
    return out


def _describe_error(exc: BaseException) -> str:
    text = str(exc) or "no detail"
    return f"{type(exc).__name__}: {text}"


def _gateway_message(probe: Probe) -> str:
    """The gateway's own error message, from an OpenAI envelope or the common variants."""
    data = probe.json()
    if not isinstance(data, dict):
        return ""
    error = data.get("error")
    for value in (error.get("message") if isinstance(error, dict) else error, data.get("message"), data.get("detail")):
        if isinstance(value, str) and value.strip():
            text = " ".join(value.split())
            return redact(text[:BODY_HEAD] + ("..." if len(text) > BODY_HEAD else ""))
    return ""


def _is_model_missing(probe: Probe) -> bool:
    """A 404 (or 400) that is about the model, not the path: OpenAI answers an unknown model with a 404."""
    data = probe.json()
    if probe.status not in (400, 404) or not isinstance(data, dict) or not isinstance(data.get("error"), dict):
        return False
    error = data["error"]
    if error.get("code") == "model_not_found" or (probe.status == 404 and error.get("param") == "model"):
        return True
    return probe.status == 404 and "model" in str(error.get("message", "")).lower()


def _served_models(probe: Probe) -> list[str]:
    data = probe.json() if probe.status == 200 else None
    items = data.get("data") if isinstance(data, dict) else None
    return [str(m["id"]) for m in items if isinstance(m, dict) and "id" in m] if isinstance(items, list) else []
