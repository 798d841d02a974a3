"""Every bad input is a 4xx in the face's envelope, and the journal and ledger keep answering afterwards."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from chatconform.mock.config import MockConfig
from tests.conftest import RunningMock
from tests.mock.running import (
    ANTHROPIC_HEADERS,
    CHAT,
    MESSAGES,
    ask,
    is_anthropic_error,
    is_openai_error,
    message,
    running,
)

KEY = "th-hostile-0123456789"
LONE = '"\\ud800 and \\udfff"'  # JSON text: escapes of two lone surrogates


def _text(face: str, content_json: str) -> bytes:
    """A body whose user content is the given JSON text, spliced in raw (json.dumps would refuse it)."""
    base = ask("PLACEHOLDER") if face == "openai" else message("PLACEHOLDER")
    return json.dumps(base).replace('"PLACEHOLDER"', content_json).encode()


def _schema(face: str, schema_json: str) -> bytes:
    """A body asking for JSON output with the given schema, spliced in raw."""
    if face == "openai":
        fmt = {"type": "json_schema", "json_schema": {"name": "x", "schema": "SCHEMA"}}
        base: dict[str, Any] = ask("Answer in JSON", response_format=fmt)
    else:
        base = message("Answer in JSON", output_format={"type": "json_schema", "schema": "SCHEMA"})
    return json.dumps(base).replace('"SCHEMA"', schema_json).encode()


def _tool(face: str, prop_json: str) -> bytes:
    """A body whose named tool has one required property with the given schema, spliced in raw."""
    params = {"type": "object", "required": ["x"], "properties": {"x": "PROP"}}
    if face == "openai":
        tools: list[dict[str, Any]] = [{"type": "function", "function": {"name": "lookup", "parameters": params}}]
        base: dict[str, Any] = ask("Use lookup", tools=tools)
    else:
        base = message("Use lookup", tools=[{"name": "lookup", "input_schema": params}])
    return json.dumps(base).replace('"PROP"', prop_json).encode()


def _huge(face: str) -> bytes:
    """A 40-digit integer where the face wants a small one (orjson reads it as a float)."""
    return (b'"max_tokens": ' if face == "openai" else b'"top_k": ') + b"9" * 40


# (id, body builder, expected status); each runs on both faces.
CASES: list[tuple[str, Any, int]] = [
    ("lone-surrogates", lambda f: _text(f, LONE), 400),
    ("lone-surrogate-in-a-key", lambda f: _text(f, '"hi"').replace(b'"model"', b'"\\udc00": 1, "model"'), 400),
    ("surrogate-as-raw-utf8", lambda f: _text(f, '"ab"').replace(b"ab", b"\xed\xa0\x80"), 400),
    ("overflowing-number", lambda f: _text(f, '"hi"').replace(b'"model"', b'"temperature": 1e999, "model"'), 400),
    ("negative-overflow", lambda f: _text(f, '"hi"').replace(b'"model"', b'"top_p": -1e999, "model"'), 400),
    ("nan-literal", lambda f: _text(f, '"hi"').replace(b'"model"', b'"temperature": NaN, "model"'), 400),
    ("infinity-literal", lambda f: _text(f, '"hi"').replace(b'"model"', b'"temperature": Infinity, "model"'), 400),
    ("schema-bound-1e999", lambda f: _schema(f, '{"type": "number", "maximum": 1e999}'), 400),
    ("schema-bound-1e300", lambda f: _schema(f, '{"type": "number", "minimum": -1e300, "maximum": 1e300}'), 400),
    ("schema-minLength-1e7", lambda f: _schema(f, '{"type": "string", "minLength": 10000000}'), 400),
    ("tool-minItems-1e6", lambda f: _tool(f, '{"type": "array", "minItems": 1000000}'), 400),
    ("tool-minLength-not-a-number", lambda f: _tool(f, '{"type": "string", "minLength": "many"}'), 400),
    ("tool-enum-empty", lambda f: _tool(f, '{"enum": []}'), 400),
    (
        "nested-arrays-past-the-budget",
        lambda f: _tool(f, '{"type": "array", "minItems": 1000, "items": {"type": "array", "minItems": 1000}}'),
        400,
    ),
    ("huge-integer", lambda f: _text(f, '"hi"').replace(b'"model"', _huge(f) + b', "model"'), 400),
    ("deep-nesting", lambda f: _text(f, "[" * 100 + "]" * 100), 400),
    ("too-many-objects", lambda f: _text(f, "[" + ",".join(["{}"] * 210_000) + "]"), 400),
]
FAULTS = ["spike_ms=inf", "stall_s=nan", "pace_ms=1e999", "status=-1", "disconnect=" + "9" * 400, "status=1e999"]


@pytest.fixture(scope="module")
def hostile() -> Iterator[RunningMock]:
    with running(MockConfig(api_keys=(KEY,))) as mock:
        yield mock


@pytest.fixture(scope="module")
def client(hostile: RunningMock) -> Iterator[httpx.Client]:
    with hostile.client() as http:
        yield http


@pytest.fixture(scope="module")
def before(client: httpx.Client) -> dict[str, Any]:
    """What was journaled and charged before any hostile request: it must survive them all."""
    assert client.post(CHAT, json=ask("Reply with exactly: before-openai")).status_code == 200
    assert (
        client.post(
            MESSAGES, json=message("Reply with exactly: before-anthropic"), headers=ANTHROPIC_HEADERS
        ).status_code
        == 200
    )
    return {"journal": client.get("/mock/journal").json()["data"], "ledger": client.get("/mock/ledger").json()}


def _post(client: httpx.Client, face: str, body: bytes, headers: dict[str, str] | None = None) -> httpx.Response:
    extra = {
        "content-type": "application/json",
        **(ANTHROPIC_HEADERS if face == "anthropic" else {}),
        **(headers or {}),
    }
    return client.post(CHAT if face == "openai" else MESSAGES, content=body, headers=extra)


def _enveloped(face: str, response: httpx.Response) -> bool:
    return is_openai_error(response) if face == "openai" else is_anthropic_error(response)


@pytest.mark.parametrize("face", ["openai", "anthropic"])
@pytest.mark.parametrize(("build", "status"), [(b, s) for _, b, s in CASES], ids=[c[0] for c in CASES])
def test_bad_body_is_a_4xx_envelope(
    client: httpx.Client, before: dict[str, Any], face: str, build: Any, status: int
) -> None:
    response = _post(client, face, build(face))
    assert response.status_code == status, response.text[:300]
    assert _enveloped(face, response), response.text[:300]


@pytest.mark.parametrize("face", ["openai", "anthropic"])
def test_refusals_of_an_oversized_schema_name_the_field(client: httpx.Client, face: str) -> None:
    response = _post(client, face, _tool(face, '{"type": "string", "minLength": 10000000}'))
    text = response.json()["error"]["message"]
    where = (
        "tools[0].function.parameters.properties.x.minLength"
        if face == "openai"
        else "tools.0.input_schema.properties.x.minLength"
    )
    assert where in text
    if face == "openai":
        assert response.json()["error"]["param"] == where


@pytest.mark.parametrize("face", ["openai", "anthropic"])
@pytest.mark.parametrize("fault", FAULTS)
def test_bad_fault_values_are_a_400(client: httpx.Client, before: dict[str, Any], face: str, fault: str) -> None:
    body = json.dumps(ask() if face == "openai" else message()).encode()
    response = _post(client, face, body, {"x-chatconform-fault": fault})
    assert response.status_code == 400, response.text[:300]
    assert _enveloped(face, response)


@pytest.mark.parametrize("fault", FAULTS)
def test_bad_armed_fault_values_are_a_400(client: httpx.Client, fault: str) -> None:
    response = client.post("/mock/faults", json={"fault": fault})
    assert response.status_code == 400 and is_openai_error(response)


def test_large_fault_values_are_clamped_to_their_bounds(client: httpx.Client) -> None:
    armed = client.post("/mock/faults", json={"fault": "spike_ms=1e12; retry_after=1e9", "match": "never-sent-0"})
    assert armed.status_code == 200
    from chatconform.mock.faults import MAX_RETRY_AFTER_S, MAX_SPIKE_MS, parse_header

    fault = parse_header("spike_ms=1e12; retry_after=1e9; stall_s=1e9; pace_ms=1e9")
    assert (fault.spike_ms, fault.retry_after) == (MAX_SPIKE_MS, MAX_RETRY_AFTER_S)
    assert fault.stall_s == 600 and fault.pace_ms == 10_000
    client.delete("/mock/faults")


def test_journal_and_ledger_survive_everything(client: httpx.Client, before: dict[str, Any]) -> None:
    for face in ("openai", "anthropic"):
        for _, build, _ in CASES:
            _post(client, face, build(face))
    journal = client.get("/mock/journal")
    ledger = client.get("/mock/ledger")
    assert journal.status_code == 200 and ledger.status_code == 200
    seqs = {e["seq"] for e in journal.json()["data"]}
    assert {e["seq"] for e in before["journal"]} <= seqs
    assert ledger.json()["totals"] == before["ledger"]["totals"]  # nothing hostile was charged
    assert client.get("/mock/journal", params={"contains": "before-openai"}).json()["data"]
