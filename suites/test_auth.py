"""Auth: a request without a valid key gets a 401 with the OpenAI error envelope, never an answer."""

from __future__ import annotations

import secrets

import pytest

from chatconform.checks import ERROR_CHECKS
from chatconform.prompts import exact
from chatconform.redact import register_secret

pytestmark = pytest.mark.auth


def _wrong_key(prefix: str) -> str:
    key = prefix + "wrong-" + secrets.token_hex(16)
    register_secret(key)
    return key


# (id, Authorization header or None for none at all); the wrong key is made per session.
CASES = [
    ("missing-key", None),
    ("empty-bearer", "Bearer"),
    ("basic-scheme", "Basic dXNlcjpwYXNz"),
    ("wrong-key", "Bearer WRONG"),
    ("truncated-key", "Bearer TRUNCATED"),
]


@pytest.fixture(params=[c[1] for c in CASES], ids=[c[0] for c in CASES])
def authorization(request, profile, target):
    value = request.param
    if value is None:
        return None
    if value.endswith("WRONG"):
        return "Bearer " + _wrong_key(profile.api_key_prefix)
    if value.endswith("TRUNCATED"):
        return "Bearer " + target.api_key[:-4]
    return value


def _send(raw, path, authorization, body=None):
    headers = {"authorization": authorization} if authorization is not None else None
    if path == "/models":
        return raw.request("GET", path, headers=headers, api_key=None)
    return raw.chat(body, headers=headers, api_key=None)


@pytest.mark.parametrize("endpoint", ["chat", "models"])
def test_auth_rejected(raw, conform, profile, authorization, endpoint):
    if endpoint == "models":
        conform.requires("models_endpoint")
    path = "/models" if endpoint == "models" else "/chat/completions"
    ex = _send(raw, path, authorization, exact(profile.default_model_id, "AUTH-LEAK"))
    conform.check(ex, *ERROR_CHECKS, status=401)
