"""The LiteLLM config and environment written from a profile (no LiteLLM needed)."""

from __future__ import annotations

import json

import pytest

from chatconform.profile import load_profile
from chatconform.redact import redact
from tests.e2e.litellm_gateway import child_env, gateway_key, litellm_config

PROFILE = load_profile("tokenhub")
ROOT, UPSTREAM_KEY = "http://127.0.0.1:9999", "th-upstream-0123456789"


def test_every_model_id_in_both_forms_routes_to_the_anthropic_face() -> None:
    config = litellm_config(PROFILE, ROOT, UPSTREAM_KEY, "th-gateway-0123456789")
    routes = {d["model_name"]: d["litellm_params"] for d in config["model_list"]}
    assert set(routes) == set(PROFILE.model_ids())
    assert len(config["model_list"]) == 2 * len(PROFILE.models)
    for name, params in routes.items():
        canonical = name.removeprefix(PROFILE.alias_prefix)
        assert params == {"model": f"anthropic/{canonical}", "api_base": ROOT, "api_key": UPSTREAM_KEY}


def test_settings_let_faults_through_and_bound_a_stall() -> None:
    config = litellm_config(PROFILE, ROOT, UPSTREAM_KEY, "th-gateway-0123456789", timeout_s=12)
    assert config["litellm_settings"]["num_retries"] == 0 and config["router_settings"]["num_retries"] == 0
    assert config["litellm_settings"]["request_timeout"] == 12
    assert config["general_settings"] == {
        "master_key": "th-gateway-0123456789",
        "forward_client_headers_to_llm_api": True,
    }
    assert json.loads(json.dumps(config)) == config  # written as JSON, which LiteLLM reads as YAML


def test_gateway_key_is_profile_shaped_fresh_and_redacted() -> None:
    first, second = gateway_key(PROFILE), gateway_key(PROFILE)
    assert first.startswith(PROFILE.api_key_prefix + "gateway-") and first != second
    assert redact(f"key={first}") == "key=***"


def test_child_environment_is_offline_and_clean(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://somewhere/db")
    monkeypatch.setenv("ANTHROPIC_BASE_URL", "https://api.anthropic.com")
    env = child_env()
    assert env["LITELLM_LOCAL_MODEL_COST_MAP"] == "True"
    assert env["LITELLM_MODE"] == "PRODUCTION" and env["HF_HUB_OFFLINE"] == "1"
    assert "DATABASE_URL" not in env and "ANTHROPIC_BASE_URL" not in env
