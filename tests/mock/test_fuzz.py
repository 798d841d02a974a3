"""Fuzz: hostile values in every field of both faces never get a 5xx, and a 4xx is always the face's envelope.

Each example takes a valid request, replaces one field (or one keyword of a tool's or an output
schema) with a hostile value, sometimes adds a hostile header, and sends it to one mock over real
HTTP. Hostile values: wrong types, extremes (2**63, 1e308, 5e-324), control and bidi characters,
nested containers, and raw JSON that `json.dumps` cannot write (lone surrogates, 1e999, NaN,
Infinity, 400-digit numbers, deep nesting), spliced into the body text. The run is derandomized,
so CI sees the same requests every time; CHATCONFORM_FUZZ_EXAMPLES sets the count per face. The mock
runs as `chatconform mock` in its own process (key by environment), as a user would run it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chatconform.mock.faults import FAULT_HEADER
from tests.conftest import RunningMock
from tests.mock.running import ANTHROPIC_HEADERS, CHAT, MESSAGES, is_anthropic_error, is_openai_error, mock_process

KEY = "th-fuzz-0123456789"
EXAMPLES = int(os.environ.get("CHATCONFORM_FUZZ_EXAMPLES", "1250"))
SPLICE = "__SPLICE__"
RAW_JSON = [
    '"\\ud800"',
    '"a\\udfff\\ud800b"',
    '{"\\udc00": 1}',
    "1e999",
    "-1e999",
    "NaN",
    "Infinity",
    "9" * 400,
    "-" + "9" * 30,
    '"\\u0000\\u001f"',
    "[" * 80 + "]" * 80,
    '{"a":' * 70 + "1" + "}" * 70,
]
SCALARS = st.one_of(
    st.sampled_from([None, True, False, 0, -1, 2**63, -(2**63), 10**30, 1e308, -1e308, 5e-324, "", " ", "\u202e"]),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=40),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=6,
)
HOSTILE = st.one_of(VALUES, st.sampled_from(RAW_JSON).map(lambda raw: (SPLICE, raw)))
SCHEMA_KEYWORDS = [
    "type", "minLength", "maxLength", "minItems", "maxItems", "minimum", "maximum", "exclusiveMinimum",
    "exclusiveMaximum", "multipleOf", "enum", "const", "properties", "required", "items", "anyOf", "oneOf",
    "allOf", "$ref", "format", "pattern", "additionalProperties",
]  # fmt: skip
SIZES = st.sampled_from([0, 1, 5, 10**4, 10**5, 10**6, 10**7, 2**53, 2**63, -1, 1.5, 1e300])
SCHEMA_VALUES = st.one_of(SIZES, HOSTILE)
BAD_FAULTS = ["inf", "nan", "-1", "1e999", "abc", "", "9" * 400, "-1e999"]
FAULT_NAMES = ["status", "retry_after", "spike_ms", "stall_s", "disconnect", "malformed", "midstream_error", "pace_ms"]


def _openai() -> dict[str, Any]:
    schema = {"type": "object", "required": ["city"], "properties": {"city": {"type": "string"}}}
    return {
        "model": "claude-haiku-4-5",
        "messages": [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": [{"type": "text", "text": "Use get_weather for city='Paris'"}]},
        ],
        "max_tokens": 50,
        "temperature": 0.5,
        "stop": ["zzz"],
        "tools": [{"type": "function", "function": {"name": "get_weather", "parameters": schema}}],
        "tool_choice": "auto",
        "user": "fuzz",
    }


def _anthropic() -> dict[str, Any]:
    schema = {"type": "object", "required": ["city"], "properties": {"city": {"type": "string"}}}
    return {
        "model": "claude-haiku-4-5",
        "max_tokens": 50,
        "system": "Be brief.",
        "messages": [{"role": "user", "content": [{"type": "text", "text": "Use get_weather for city='Paris'"}]}],
        "temperature": 0.5,
        "stop_sequences": ["zzz"],
        "tools": [{"name": "get_weather", "input_schema": schema}],
        "tool_choice": {"type": "auto"},
        "metadata": {"user_id": "fuzz"},
    }


OPENAI_PATHS: list[tuple[Any, ...]] = [
    ("model",), ("messages",), ("messages", 0), ("messages", 1, "role"), ("messages", 1, "content"),
    ("messages", 1, "content", 0), ("messages", 1, "content", 0, "type"), ("messages", 1, "content", 0, "text"),
    ("max_tokens",), ("max_completion_tokens",), ("temperature",), ("top_p",), ("n",), ("stream",),
    ("stream_options",), ("stop",), ("tools",), ("tools", 0, "function"), ("tools", 0, "function", "name"),
    ("tools", 0, "function", "parameters"), ("tool_choice",), ("parallel_tool_calls",), ("response_format",),
    ("user",), ("seed",), ("presence_penalty",), ("metadata",), ("logit_bias",), ("unknown_field",),
]  # fmt: skip
ANTHROPIC_PATHS: list[tuple[Any, ...]] = [
    ("model",), ("max_tokens",), ("messages",), ("messages", 0), ("messages", 0, "role"),
    ("messages", 0, "content"), ("messages", 0, "content", 0), ("messages", 0, "content", 0, "type"),
    ("messages", 0, "content", 0, "text"), ("system",), ("stop_sequences",), ("stream",), ("temperature",),
    ("top_p",), ("top_k",), ("tools",), ("tools", 0, "name"), ("tools", 0, "input_schema"), ("tool_choice",),
    ("metadata",), ("output_format",), ("thinking",), ("unknown_field",),
]  # fmt: skip
SCHEMA_AT = {"openai": ("tools", 0, "function", "parameters"), "anthropic": ("tools", 0, "input_schema")}
OUTPUT_AT = {"openai": ("response_format",), "anthropic": ("output_format",)}


def _place(body: Any, path: tuple[Any, ...], value: Any) -> None:
    node = body
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value


def _encode(body: dict[str, Any], raw: str | None) -> bytes:
    text = json.dumps(body)
    return (text.replace(json.dumps(SPLICE), raw) if raw is not None else text).encode()


@st.composite
def requests(draw: st.DrawFn, face: str) -> tuple[bytes, dict[str, str]]:
    body = _openai() if face == "openai" else _anthropic()
    value = draw(HOSTILE)
    kind = draw(st.sampled_from(["field", "field", "schema", "output"]))
    if kind == "field":
        path = draw(st.sampled_from(OPENAI_PATHS if face == "openai" else ANTHROPIC_PATHS))
    elif kind == "schema":
        path = (*SCHEMA_AT[face], "properties", "city", draw(st.sampled_from(SCHEMA_KEYWORDS)))
        value = draw(SCHEMA_VALUES)
    else:
        schema = {"type": "object", "properties": {"x": {}}, "required": ["x"]}
        fmt: dict[str, Any] = {"type": "json_schema", "schema": schema}
        _place(
            body,
            OUTPUT_AT[face],
            fmt if face == "anthropic" else {"type": "json_schema", "json_schema": {**fmt, "name": "o"}},
        )
        path = (*OUTPUT_AT[face], *(("json_schema",) if face == "openai" else ()), "schema", "properties", "x")
        value = {draw(st.sampled_from(SCHEMA_KEYWORDS)): draw(SCHEMA_VALUES)}
    raw = value[1] if isinstance(value, tuple) and value[:1] == (SPLICE,) else None
    _place(body, path, SPLICE if raw is not None else value)
    headers = {"authorization": f"Bearer {KEY}", "content-type": "application/json"}
    if face == "anthropic":
        headers |= ANTHROPIC_HEADERS
        headers["anthropic-version"] = draw(st.sampled_from(["2023-06-01", "2023-06-01", "", "2023-13-45", "x" * 300]))
    if draw(st.booleans()) and draw(st.booleans()):
        headers[FAULT_HEADER] = f"{draw(st.sampled_from(FAULT_NAMES))}={draw(st.sampled_from(BAD_FAULTS))}"
    return _encode(body, raw), headers


@pytest.fixture(scope="module")
def target() -> Iterator[RunningMock]:
    with mock_process(KEY) as mock:
        yield mock


@pytest.fixture(scope="module")
def client(target: RunningMock) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=target.root, timeout=30) as http:
        yield http


FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
)


def _check(client: httpx.Client, face: str, request: tuple[bytes, dict[str, str]]) -> None:
    body, headers = request
    response = client.post(CHAT if face == "openai" else MESSAGES, content=body, headers=headers)
    assert response.status_code < 500, (response.status_code, response.text[:300], body[:300])
    if response.status_code >= 400:
        enveloped = is_openai_error(response) if face == "openai" else is_anthropic_error(response)
        assert enveloped, (response.status_code, response.text[:300])


@FUZZ
@given(request=requests("openai"))
def test_fuzz_the_openai_face(client: httpx.Client, request: tuple[bytes, dict[str, str]]) -> None:
    _check(client, "openai", request)


@FUZZ
@given(request=requests("anthropic"))
def test_fuzz_the_anthropic_face(client: httpx.Client, request: tuple[bytes, dict[str, str]]) -> None:
    _check(client, "anthropic", request)


def test_the_books_still_answer_after_the_fuzz(client: httpx.Client) -> None:
    auth = {"authorization": f"Bearer {KEY}"}
    journal = client.get("/mock/journal", headers=auth)
    assert journal.status_code == 200 and journal.json()["data"]
    assert client.get("/mock/ledger", headers=auth).status_code == 200
