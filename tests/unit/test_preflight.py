"""Pre-flight against the real mock and small stub servers: each way a target can be untestable."""

from __future__ import annotations

import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from chatconform import preflight
from chatconform.redact import register_secret
from chatconform.server import serve_in_thread
from tests.conftest import RunningMock
from tests.selftest.hostile import HOSTILE, Hostile, HostileServer, serve_hostile

MODEL = "claude-haiku-4-5"
WRONG_KEY = "th-preflight-wrong-0123456789"
HEADER_SECRET = "route-canary-77aa01bc"
register_secret(WRONG_KEY)


def text(result: preflight.Result) -> str:
    return "\n".join(result.lines("chatconform test"))


def test_the_mock_passes_in_two_requests(mock: RunningMock) -> None:
    result = preflight.run(mock.base_url, mock.key, MODEL)
    assert result.ok, text(result)
    assert [(p.method, p.url.removeprefix(mock.base_url), p.status) for p in result.probes] == [
        ("GET", "/models", 200),
        ("POST", "/chat/completions", 200),
    ]
    assert text(result) == f"chatconform test: pre-flight ok (2 requests, {result.elapsed_s:.2f} s)"


def test_a_wrong_key_is_refused_with_the_gateways_message_and_never_shown(mock: RunningMock) -> None:
    result = preflight.run(mock.base_url, WRONG_KEY, MODEL)
    assert not result.ok
    assert result.problem == "the key was refused (HTTP 401): the gateway said 'Incorrect API key provided.'"
    assert "--api-key" in result.suggestion
    assert WRONG_KEY not in text(result) and result.requests == 2


def test_a_base_url_without_v1_is_named_and_the_fix_is_checked(mock: RunningMock) -> None:
    result = preflight.run(mock.root, mock.key, MODEL)
    assert not result.ok
    assert result.problem == f"not an OpenAI-compatible path: POST {mock.root}/chat/completions answered HTTP 404"
    assert result.suggestion.endswith(f"use --base-url {mock.root}/v1")
    assert result.requests == 3  # the third asked {root}/v1/models, so the suggestion is a finding


def test_a_base_url_ending_in_chat_completions_is_named(mock: RunningMock) -> None:
    result = preflight.run(mock.base_url + "/chat/completions", mock.key, MODEL)
    assert not result.ok and result.suggestion.endswith(f"without /chat/completions: use {mock.base_url}")


def test_a_model_the_target_does_not_serve_lists_what_it_serves(mock: RunningMock) -> None:
    result = preflight.run(mock.base_url, mock.key, "gpt-4o")
    assert result.problem == "the target does not serve model gpt-4o (HTTP 404)"
    assert "--models" in result.suggestion and MODEL in result.suggestion


def test_custom_headers_reach_the_target_and_stay_secret(mock: RunningMock) -> None:
    register_secret(HEADER_SECRET)
    result = preflight.run(mock.base_url, mock.key, MODEL, headers={"X-Route": HEADER_SECRET})
    with mock.client() as client:
        entries = client.get("/mock/journal").json()["data"]
    assert result.ok
    last = [e for e in entries if e["path"] == "/v1/chat/completions"][-1]
    assert last["body"]["max_tokens"] == 1
    # The mock journals headers as they arrived, masking only those shaped like credentials (docs/mock.md):
    # this one reached the target with exactly its value, and appears nowhere in what the pre-flight says.
    assert last["headers"].get("x-route") == HEADER_SECRET
    assert HEADER_SECRET not in text(result)


def _app(answer: Response) -> Starlette:
    async def anything(request: Request) -> Response:
        return answer

    return Starlette(routes=[Route("/{path:path}", anything, methods=["GET", "POST"])])


@pytest.mark.parametrize(
    ("answer", "problem"),
    [
        (HTMLResponse("<html><body>Welcome to our portal</body></html>"), "answered an HTML page"),
        (Response("Not Found", status_code=404, media_type="text/plain"), "answered HTTP 404"),
        (Response("", status_code=405), "answered HTTP 405"),
        (Response("", status_code=302, headers={"location": "https://sso.example/login"}), "a redirect (HTTP 302)"),
        (Response("ok", media_type="text/plain"), "answered HTTP 200"),
    ],
    ids=["html", "404-text", "405", "redirect", "200-not-json"],
)
def test_a_server_that_is_not_an_openai_api_is_not_an_openai_compatible_path(answer: Response, problem: str) -> None:
    with serve_in_thread(_app(answer)) as root:
        result = preflight.run(root + "/v1", "th-anything-0123456789", MODEL)
    assert not result.ok
    assert result.problem.startswith(f"not an OpenAI-compatible path: POST {root}/v1/chat/completions")
    assert problem in result.problem
    assert result.requests == 2
    assert "base URL" in result.suggestion or "--base-url" in result.suggestion


def test_a_json_5xx_means_testable_the_tests_will_judge_it() -> None:
    answer = JSONResponse({"error": {"message": "upstream overloaded", "type": "server_error"}}, status_code=503)
    with serve_in_thread(_app(answer)) as root:
        assert preflight.run(root + "/v1", "th-anything-0123456789", MODEL).ok


def test_a_403_says_the_key_is_not_allowed_and_mentions_headers() -> None:
    answer = JSONResponse({"error": {"message": "tenant header missing"}}, status_code=403)
    with serve_in_thread(_app(answer)) as root:
        result = preflight.run(root + "/v1", "th-anything-0123456789", MODEL)
    assert result.problem == "the key was refused (HTTP 403): the gateway said 'tenant header missing'"
    assert "--header" in result.suggestion


def test_nothing_listening_is_a_refused_connection_after_one_request() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # bound, never listening: connections are refused
        result = preflight.run(f"http://127.0.0.1:{port}/v1", "k", MODEL)
    assert result.problem == f"nothing listens at 127.0.0.1:{port} (connection refused)"
    assert result.requests == 1


def test_an_unknown_host_is_a_dns_failure() -> None:
    result = preflight.run("http://no-such-host.invalid/v1", "k", MODEL)  # .invalid never resolves (RFC 6761)
    assert result.problem == "cannot resolve host no-such-host.invalid (DNS)"
    assert "host name" in result.suggestion and result.requests == 1


@pytest.fixture
def raw_server() -> Iterator[tuple[int, list[bytes]]]:
    """A TCP server on a free port; the test puts what it answers (b"" = stall) in the list."""
    script: list[bytes] = []
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        held = []
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            if script and script[0]:
                conn.sendall(script[0])
                conn.close()
            else:
                held.append(conn)  # stall: keep it open, answer nothing
        for conn in held:
            conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield listener.getsockname()[1], script
    stop.set()
    thread.join(timeout=5)
    listener.close()


def test_a_stalling_server_is_bounded_by_the_timeout(raw_server: tuple[int, list[bytes]]) -> None:
    port, _ = raw_server
    start = time.monotonic()
    result = preflight.run(f"http://127.0.0.1:{port}/v1", "k", MODEL, timeout_s=1.0)
    assert time.monotonic() - start < 5  # 1 s asked; a wide bound on a busy machine
    assert result.problem.startswith(f"127.0.0.1:{port} accepted the connection but did not answer GET")
    assert result.requests == 1


def test_a_server_that_does_not_speak_http_is_named(raw_server: tuple[int, list[bytes]]) -> None:
    port, script = raw_server
    script.append(b"\x16\x03\x01 this is not HTTP\r\n\r\n")
    result = preflight.run(f"http://127.0.0.1:{port}/v1", "k", MODEL)
    assert result.problem.startswith(f"127.0.0.1:{port} does not answer as an HTTP server")
    assert "https://" in result.suggestion


def test_https_to_a_plain_http_server_is_a_tls_failure(mock: RunningMock) -> None:
    result = preflight.run(mock.base_url.replace("http://", "https://"), mock.key, MODEL)
    assert result.problem.endswith("failed: it does not speak TLS")
    assert result.suggestion == "use http:// instead of https://"


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a self-signed certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    command = ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1"]
    command += ["-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)]
    subprocess.run(command, check=True, capture_output=True, timeout=60)
    return cert, key


def test_an_untrusted_certificate_is_a_tls_failure_until_its_ca_is_trusted(
    certificate: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    cert, key = certificate
    answer = JSONResponse({"object": "chat.completion", "choices": []})
    with serve_in_thread(_app(answer), ssl_certfile=str(cert), ssl_keyfile=str(key)) as root:
        base = root.replace("http://", "https://") + "/v1"
        refused = preflight.run(base, "k", MODEL)
        monkeypatch.setenv("SSL_CERT_FILE", str(cert))
        trusted = preflight.run(base, "k", MODEL)
    assert refused.problem.startswith("TLS handshake with 127.0.0.1:") and "certificate" in refused.problem
    assert "SSL_CERT_FILE" in refused.suggestion and refused.requests == 1
    assert trusted.ok, text(trusted)


@pytest.fixture(scope="module")
def hostile() -> Iterator[HostileServer]:
    with serve_hostile() as server:
        yield server


@pytest.mark.parametrize("plan", HOSTILE, ids=[h.name for h in HOSTILE])
def test_a_hostile_endpoint_is_judged_within_the_pre_flight_bound(hostile: HostileServer, plan: Hostile) -> None:
    """Endless, huge, trickling, stalled or broken answers: the pre-flight ends in its own time and reads a
    bounded head of any body. Whatever sends JSON or SSE on a 2xx is left for the tests to judge."""
    start = time.monotonic()
    result = preflight.run(hostile.base_url(plan.name), "k", MODEL, timeout_s=2.0)
    assert time.monotonic() - start < 8  # 2 s asked; a wide bound on a busy machine, far below LINGER_S
    assert all(len(p.body) <= preflight.BODY_LIMIT for p in result.probes)
    if plan.name in ("endless-stream", "huge-body", "trickle"):
        assert result.ok or "did not answer" in result.problem, text(result)
    else:
        assert not result.ok and result.problem, text(result)
