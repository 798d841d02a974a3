"""The `claude` profile (Anthropic's OpenAI-compatible endpoint) loads, and the suites pass against the mock
serving it: the field fates it documents, its capped temperature and its single choice included."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from chatconform.profile import BUILTIN_PROFILES, builtin_profile

REPO = Path(__file__).resolve().parents[2]


def test_the_claude_profile_is_built_in() -> None:
    assert "claude" in BUILTIN_PROFILES
    claude = builtin_profile("claude")
    assert claude.alias_prefix == "" and claude.resolve("claude-sonnet-4-6") is claude.default_model
    assert claude.policy("temperature_above_max") == "clamp" and claude.params["temperature"].max == 1.0
    assert claude.policy("n_above_one") == "reject"
    assert not claude.claims("json_object") and claude.field_fate("response_format") == "dropped"


def test_the_suites_pass_against_the_mock_serving_the_claude_profile(tmp_path: Path) -> None:
    suites = [str(REPO / "suites" / f"test_{name}.py") for name in ("fields", "sampling", "basic", "errors")]
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "-p", "no:cacheprovider", *suites]
    command += ["--profile", "claude", "--report-dir", str(tmp_path)]
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHATCONFORM_")}
    done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:]
    report = json.loads((tmp_path / "compat.json").read_text())
    fates = {c["fate"]["field"]: c["fate"] for c in report["cases"] if c.get("fate")}
    assert fates["seed"]["expected"] == "dropped" and fates["n"]["fate"] == "rejected"
    assert fates["response_format"]["fate"] == "dropped"  # the endpoint ignores it; the mock serving it too
