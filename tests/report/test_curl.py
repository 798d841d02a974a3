"""The curl of a cause's example: every header and the exact body, no secret, and it repeats the request."""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest

from chatconform.client import MockAdmin, RawClient
from chatconform.mock.app import create_app
from chatconform.mock.config import MockConfig
from chatconform.profile import load_profile
from chatconform.pytest.evidence import request_record
from chatconform.redact import MASK, register_secret
from chatconform.report.curl import curl_command
from chatconform.report.model import RequestRecord
from chatconform.server import serve_in_thread
from chatconform.target import Target

KEY = "th-curl-test-key-0123456789abcdef"
register_secret(KEY)
TENANT = "tenant-value-not-registered"  # a custom header's value: the record must drop it all the same
BASH = shutil.which("bash")
needs_curl = pytest.mark.skipif(not (BASH and shutil.which("curl")), reason="bash and curl are needed")


def record(body: str, *headers: tuple[str, str], encoding: str = "text", truncated: bool = False) -> RequestRecord:
    return RequestRecord("POST", "http://gw.example/v1/chat/completions", headers, body, encoding, truncated)  # type: ignore[arg-type]


def test_a_json_request_becomes_a_here_document_with_every_header() -> None:
    body = json.dumps({"model": "m", "messages": [{"role": "user", "content": "it's $HOME `x`"}]})
    curl = curl_command(record(body, ("accept", "application/json"), ("authorization", MASK), ("x-tenant", MASK)))
    lines = curl.splitlines()
    assert lines[0] == "curl -sS -i \\"
    assert "  -X POST http://gw.example/v1/chat/completions \\" in lines
    assert "  -H 'accept: application/json' \\" in lines
    assert '  --oauth2-bearer "$CHATCONFORM_API_KEY" \\' in lines
    assert '  -H "x-tenant: $CHATCONFORM_HEADER_X_TENANT" \\' in lines
    assert lines[-3:] == ["  --data-binary @- <<'CHATCONFORM_BODY'", body, "CHATCONFORM_BODY"]


def test_a_stream_is_read_as_it_arrives_and_bytes_go_through_base64() -> None:
    assert curl_command(record('{"stream": true}')).startswith("curl -sS -i -N ")
    raw = b'{"model": \xff, "messages": [\n'
    curl = curl_command(record(base64.b64encode(raw).decode(), encoding="base64"))
    assert curl.startswith("base64 -d <<'CHATCONFORM_BODY' |\n")
    assert curl.splitlines()[1] == base64.b64encode(raw).decode()
    assert curl.endswith("--data-binary @-")
    cut = curl_command(record('{"a": 1}', truncated=True))
    assert cut.startswith("# the body was cut at its recorded size")


def test_a_body_holding_the_delimiter_line_goes_through_base64() -> None:
    assert curl_command(record("a\nCHATCONFORM_BODY\nb")).startswith("base64 -d <<'CHATCONFORM_BODY' |")


@pytest.fixture(scope="module")
def mock() -> Iterator[RawClient]:
    profile = load_profile()
    app = create_app(MockConfig(profile=profile, api_keys=(KEY,)))
    with serve_in_thread(app) as root, RawClient(Target(root + "/v1", KEY, profile, is_mock=True)) as raw:
        yield raw


def run_curl(curl: str, **env: str) -> tuple[int, dict[str, str], str]:
    """Run a curl command with bash; (status, headers, body) of its `-i` output."""
    assert BASH is not None
    done = subprocess.run(
        [BASH, "-c", curl], capture_output=True, text=True, env={**os.environ, **env}, timeout=30, check=False
    )
    assert done.returncode == 0, done.stderr
    head, _, body = done.stdout.replace("\r\n", "\n").partition("\n\n")
    status_line, *header_lines = head.splitlines()
    headers = {k.strip().lower(): v.strip() for k, _, v in (h.partition(":") for h in header_lines)}
    return int(status_line.split()[1]), headers, body


def answer_without_ids(body: str) -> Any:
    data = json.loads(body)
    for key in ("id", "created"):
        data.pop(key, None)
    return data


@needs_curl
def test_the_curl_repeats_a_failing_request_against_the_mock(mock: RawClient) -> None:
    request = {"model": "claude-haiku-4-5", "messages": [{"role": "user", "content": "Reply with exactly: CURL-OK"}]}
    headers = {"x-chatconform-fault": "status=503", "x-tenant": TENANT}
    ex = mock.chat(request, headers=headers)
    assert ex.status == 503
    curl = curl_command(request_record(ex, secret_names=["x-tenant"]))
    assert KEY not in curl and TENANT not in curl
    status, got, body = run_curl(curl, CHATCONFORM_API_KEY=KEY, CHATCONFORM_HEADER_X_TENANT=TENANT)
    assert status == 503  # the same failure
    assert json.loads(body) == ex.body
    assert got["x-request-id"] != ex.request_id  # a new request, with its own id to quote
    [journalled] = MockAdmin(mock).journal(limit=1)
    assert journalled["headers"]["x-tenant"] == TENANT  # the variable carried the value
    assert journalled["body"] == request


@needs_curl
def test_the_curl_repeats_bytes_exactly(mock: RawClient) -> None:
    malformed = b'{"model": "claude-haiku-4-5", "messages": [}'
    ex = mock.request("POST", "/chat/completions", content=malformed, headers={"content-type": "application/json"})
    assert ex.status == 400
    status, _, body = run_curl(curl_command(request_record(ex)), CHATCONFORM_API_KEY=KEY)
    assert status == 400
    assert answer_without_ids(body) == answer_without_ids(ex.raw.decode())


@needs_curl
def test_a_stream_request_is_repeated_as_a_stream(mock: RawClient) -> None:
    request = {"model": "claude-haiku-4-5", "messages": [{"role": "user", "content": "Reply with exactly: A B C"}]}
    ex = mock.chat({**request, "stream": True})
    status, headers, body = run_curl(curl_command(request_record(ex)), CHATCONFORM_API_KEY=KEY)
    assert status == 200 and headers["content-type"].startswith("text/event-stream")
    assert body.rstrip().endswith("data: [DONE]")
