"""Errors: bad input gets the right 4xx in the OpenAI envelope; never a 200, never a 5xx."""

from __future__ import annotations

import json

import pytest

from chatconform.checks import ERROR_CHECKS
from chatconform.mock.config import DEFAULT_MAX_BODY_BYTES
from chatconform.prompts import exact, user

pytestmark = pytest.mark.errors


def _body(profile, **changes):
    body = exact(profile.default_model_id, "ERROR-LEAK")
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


# (id, how to build the request from the profile, expected status); content=bytes sends a raw body.
CASES = [
    ("non-json-body", lambda p: {"content": b'{"model": "x", "messages": [}'}, 400),
    ("json-array-body", lambda p: {"content": b"[1, 2, 3]"}, 400),
    ("empty-body", lambda p: {"content": b""}, 400),
    ("model-wrong-type", lambda p: {"json_body": _body(p, model=42)}, 400),
    ("messages-wrong-type", lambda p: {"json_body": _body(p, messages="hello")}, 400),
    ("content-wrong-type", lambda p: {"json_body": _body(p, messages=[{"role": "user", "content": 42}])}, 400),
    ("max-tokens-wrong-type", lambda p: {"json_body": _body(p, max_tokens="ten")}, 400),
    ("stream-wrong-type", lambda p: {"json_body": _body(p, stream="yes")}, 400),
    # One departure each: the rest of the request (max_tokens included) is valid, so a gateway that fills
    # in a default for what is missing cannot pass for one that refuses it.
    ("missing-messages", lambda p: {"json_body": _body(p, messages=None)}, 400),
    ("missing-model", lambda p: {"json_body": _body(p, model=None)}, 400),
    ("empty-messages", lambda p: {"json_body": _body(p, messages=[])}, 400),
    ("invalid-role", lambda p: {"json_body": _body(p, messages=[{"role": "wizard", "content": "hello"}])}, 400),
    ("message-without-role", lambda p: {"json_body": _body(p, messages=[{"content": "hello"}])}, 400),
]


@pytest.mark.parametrize(("build", "status"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_request(raw, conform, profile, build, status):
    request = build(profile)
    headers = {"content-type": "application/json"} if "content" in request else None
    ex = raw.request("POST", "/chat/completions", headers=headers, **request)
    conform.check(ex, *ERROR_CHECKS, status=status)


@pytest.mark.parametrize(
    ("method", "path", "statuses"),
    [
        ("POST", "/chat/completion", (404,)),
        ("GET", "/no-such-route", (404,)),
        ("GET", "/chat/completions", (404, 405)),
    ],
    ids=["misspelt-path", "unknown-path", "wrong-method"],
)
def test_unknown_route(raw, conform, profile, method, path, statuses):
    body = _body(profile) if method == "POST" else None
    conform.check(raw.request(method, path, json_body=body), *ERROR_CHECKS, status=statuses)


def test_oversized_body(raw, conform, profile, target, chatconform_settings):
    """A body just over the size limit gets a 413 envelope, not a dropped connection or a 500."""
    limit = chatconform_settings.body_limit
    if limit is None and not target.is_mock:
        pytest.skip("the target's body limit is unknown; pass --body-limit to send an oversized body")
    limit = limit or DEFAULT_MAX_BODY_BYTES
    body = _body(profile, messages=[user("")])
    base = len(json.dumps(body).encode())
    body["messages"] = [user("x" * (limit + 1 - base))]
    content = json.dumps(body).encode()
    assert len(content) == limit + 1
    ex = raw.request("POST", "/chat/completions", content=content, headers={"content-type": "application/json"})
    status = profile.expect.oversized_body_status
    conform.check(ex, *ERROR_CHECKS, status=status)


def test_rate_limit_retry_after(raw, conform, profile, mock_admin):
    """A 429 carries a well-formed Retry-After (forced through the mock's fault header)."""
    if mock_admin is None:
        pytest.skip("only the mock can be asked for a 429")
    ex = raw.chat(_body(profile), headers={"x-chatconform-fault": "status=429; retry_after=2"})
    conform.check(ex, *ERROR_CHECKS, status=429, retry_after_required=True)
