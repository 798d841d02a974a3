"""A small, correct OpenAI-to-Anthropic gateway (ASGI): what the gateway-mode suites must pass against.

`POST /v1/chat/completions` with `Authorization: Bearer <key>` is translated
(reference_translate.py) and sent to `POST {upstream}/v1/messages`. Upstream
errors before any byte are relayed with a fitting status (429 with its
Retry-After, 529 as 503, other 5xx as 502), a broken or stalled stream ends
in an error frame without `[DONE]`, a stalled upstream is given up after
`timeout_s`, and a client that leaves mid-stream cancels the upstream request.

It lives with the self-tests, not in the library: it is a yardstick for the
suites, not a gateway anyone should run, and mutations.py breaks it on purpose.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from chatconform.fields import field_names
from chatconform.profile import Profile
from chatconform.sse import SSEReader
from tests.selftest_gateway.reference_stream import StreamState, error_chunk, sse
from tests.selftest_gateway.reference_translate import Json, Translator

ANTHROPIC_VERSION = "2023-06-01"
ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    404: "invalid_request_error",
    408: "timeout",
    429: "rate_limit_error",
}


def error(
    status: int,
    message: str,
    *,
    code: str | None = None,
    param: str | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    kind = ERROR_TYPES.get(status, "server_error" if status >= 500 else "invalid_request_error")
    body = {"error": {"message": message, "type": kind, "param": param, "code": code}}
    return JSONResponse(body, status_code=status, headers=headers)


class ReferenceGateway:
    translator_class: type[Translator] = Translator
    stream_class: type[StreamState] = StreamState

    def __init__(
        self,
        profile: Profile,
        upstream_root: str,
        upstream_key: str,
        keys: tuple[str, ...],
        timeout_s: float | None = 2.0,
    ) -> None:
        self.profile, self.keys = profile, keys
        self.translator = self.translator_class(profile)
        self.upstream_url, self.upstream_key = upstream_root.rstrip("/") + "/v1/messages", upstream_key
        self.timeout = httpx.Timeout(timeout_s, connect=5.0)

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/v1/chat/completions", self.chat, methods=["POST"])])

    # -- one request ------------------------------------------------------------------------------------------

    async def chat(self, request: Request) -> Response:
        if request.headers.get("authorization", "").removeprefix("Bearer ") not in self.keys:
            return error(401, "Incorrect API key provided.", code="invalid_api_key")
        try:
            body = json.loads(await request.body())
        except ValueError:
            return error(400, "The request body is not valid JSON.", code="invalid_json")
        refused = self.refuse(body)
        if refused is not None:
            return refused
        model = self.profile.resolve(body["model"])
        assert model is not None
        upstream_body = self.translator.request(body, model.id)
        # A client per request: its connection is closed with the request, so nothing outlives a test.
        client = httpx.AsyncClient(timeout=self.timeout)
        headers = {"x-api-key": self.upstream_key, "anthropic-version": ANTHROPIC_VERSION}
        upstream = client.build_request("POST", self.upstream_url, json=upstream_body, headers=headers)
        try:
            response = await client.send(upstream, stream=True)
        except httpx.TimeoutException:
            await client.aclose()
            return self.timed_out()
        except httpx.TransportError as exc:
            await client.aclose()
            return error(502, f"The upstream failed: {type(exc).__name__}.", code="upstream_error")
        if response.status_code != 200:
            return await self.upstream_error(client, response)
        if body.get("stream"):
            options = body.get("stream_options") or {}
            state = self.stream_class(self.translator, body["model"], bool(options.get("include_usage")))
            return Relay(self, self.relay(client, response, state))  # type: ignore[return-value]
        return await self.whole(client, response, body["model"])

    def refuse(self, body: Any) -> Response | None:
        """What the gateway answers itself, per the profile: unknown models, bad messages, out-of-range values."""
        if not isinstance(body, dict) or not isinstance(body.get("messages"), list) or not body["messages"]:
            return error(400, "messages must be a non-empty list.", param="messages", code="invalid_value")
        if not isinstance(body.get("model"), str):
            return error(400, "model must be a string naming a model.", param="model", code="invalid_value")
        if self.profile.resolve(body["model"]) is None:
            return error(404, f"The model `{body.get('model')}` does not exist.", param="model", code="model_not_found")
        refused = self.refuse_field(body)
        if refused is not None:
            return refused
        spec = self.profile.params.get("temperature")
        top = spec.max if spec is not None and spec.max is not None else 1.0
        temperature = body.get("temperature")
        if isinstance(temperature, int | float) and temperature > top:
            return error(400, f"temperature must be at most {top}.", param="temperature", code="invalid_value")
        return None

    def refuse_field(self, body: Json) -> Response | None:
        """A field the profile expects refused (400 naming it): n above one under a reject policy, and every
        OpenAI field it neither documents as a parameter nor lets the gateway drop."""
        if body.get("n") not in (None, 1) and self.profile.policy("n_above_one") == "reject":
            return error(400, "n must be 1: Claude returns one choice.", param="n", code="invalid_value")
        for name in field_names():
            documented = name in self.profile.params
            if body.get(name) is not None and not documented and self.profile.field_fate(name) == "rejected":
                return error(400, f"Unsupported parameter: {name}.", param=name, code="unsupported_parameter")
        return None

    async def upstream_error(self, client: httpx.AsyncClient, response: httpx.Response) -> Response:
        data = await response.aread()
        await response.aclose()
        await client.aclose()
        try:
            message = json.loads(data)["error"]["message"]
        except (ValueError, KeyError, TypeError):
            message = data[:200].decode("utf-8", "replace") or "no detail"
        status = self.error_status(response.status_code)
        code = "rate_limit_exceeded" if status == 429 else "upstream_error"
        return error(
            status,
            f"Upstream error {response.status_code}: {message}",
            code=code,
            headers=self.error_headers(response.headers),
        )

    def error_status(self, upstream_status: int) -> int:
        if upstream_status == 529:
            return 503  # overloaded: a status every OpenAI client knows to retry later
        return 502 if upstream_status >= 500 and upstream_status != 503 else upstream_status

    def error_headers(self, upstream_headers: httpx.Headers) -> dict[str, str]:
        return {"retry-after": upstream_headers["retry-after"]} if "retry-after" in upstream_headers else {}

    def timed_out(self) -> Response:
        return error(504, "The upstream did not answer in time.", code="upstream_timeout")

    async def whole(self, client: httpx.AsyncClient, response: httpx.Response, model: str) -> Response:
        try:
            data = await response.aread()
        except httpx.TimeoutException:
            return self.timed_out()
        except httpx.TransportError as exc:
            return error(502, f"The upstream answer broke off: {type(exc).__name__}.", code="upstream_error")
        finally:
            await response.aclose()
            await client.aclose()
        try:
            message = json.loads(data)
        except ValueError:
            return error(502, "The upstream answer is not valid JSON.", code="upstream_error")
        return JSONResponse(self.translator.completion(message, model))

    # -- streams ----------------------------------------------------------------------------------------------

    async def relay(
        self, client: httpx.AsyncClient, response: httpx.Response, state: StreamState
    ) -> AsyncIterator[bytes]:
        """The upstream's events as OpenAI chunks; the upstream request is closed however this ends."""
        reader = SSEReader()
        try:
            async for data in response.aiter_bytes():
                for event in reader.feed(data):
                    for chunk in state.on(event.event, json.loads(event.data)):
                        yield sse(chunk)
                if state.ended:
                    break
            if not state.ended:
                for chunk in self.broken(state, "the upstream stream ended before message_stop"):
                    yield sse(chunk)
        except httpx.TimeoutException:
            yield sse(error_chunk("The upstream stopped sending: timed out.", "upstream_timeout"))
        except (httpx.TransportError, ValueError) as exc:
            for chunk in self.broken(state, f"the upstream stream broke: {type(exc).__name__}"):
                yield sse(chunk)
        finally:
            await response.aclose()
            await client.aclose()
        if state.finished:
            yield b"data: [DONE]\n\n"

    def broken(self, state: StreamState, why: str) -> list[Json]:
        """What a stream that broke upstream ends with: an error frame, and no [DONE]."""
        return [error_chunk(f"The answer is incomplete: {why}.", "upstream_error")]

    def on_client_gone(self, pump: asyncio.Task[None]) -> None:
        pump.cancel()  # closes the upstream request (relay's finally)


class Relay:
    """An SSE response that notices a client leaving and lets the gateway react (cancel the upstream)."""

    def __init__(self, gateway: ReferenceGateway, chunks: AsyncIterator[bytes]) -> None:
        self.gateway, self.chunks, self.gone = gateway, chunks, False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = [(b"content-type", b"text/event-stream; charset=utf-8"), (b"cache-control", b"no-cache")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        pump = asyncio.ensure_future(self._pump(send))
        watcher = asyncio.ensure_future(_disconnected(receive))
        done, _ = await asyncio.wait({pump, watcher}, return_when=asyncio.FIRST_COMPLETED)
        if pump in done:
            watcher.cancel()
            pump.exception()  # a send that failed as the client left: nothing more to do, and nothing to log
            return
        self.gone = True
        self.gateway.on_client_gone(pump)
        await asyncio.gather(pump, return_exceptions=True)

    async def _pump(self, send: Send) -> None:
        async for chunk in self.chunks:
            if not self.gone:
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
        if not self.gone:
            await send({"type": "http.response.body", "body": b"", "more_body": False})


async def _disconnected(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass
