"""Run chatconform's suites through LiteLLM in front of the upstream mock, as an operator would gate a gateway.

The upstream mock runs as a subprocess, LiteLLM in front of it (litellm_gateway.py), and the suites in a
third process: a representative selection of the conformance suites plus both gateway-mode suites, for a
few models in both ID forms, with LiteLLM's known deviations declared (docs/compat/litellm-deviations.toml).

Refresh the committed compat report with:

    .venv/bin/python -m tests.e2e.litellm_run            # writes docs/compat/litellm.md

(any further arguments go to pytest, e.g. `-k streaming` to look at one area).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chatconform.profile import load_profile
from chatconform.target import mock_subprocess, session_key
from tests.e2e.litellm_gateway import REPO, litellm_gateway

PROFILE = load_profile("tokenhub")
SUITES = REPO / "suites"
# A representative selection: every feature column except shapes (snapshots of the mock's own framing,
# whose LiteLLM differences the schema and stream checks already report) and vision's many formats.
SELECTION = (
    "test_auth",
    "test_models",
    "test_basic",
    "test_streaming",
    "test_tools",
    "test_stop",
    "test_max_tokens",
    "test_sampling",
    "test_errors",
    "test_usage",
    "test_json_mode",
    "test_gateway_translation",
    "test_gateway_faults",
    "test_fields",
)
MODELS = "claude-haiku-4-5,claude-sonnet-4-6"  # each runs as <id> and anthropic/<id>
DEVIATIONS = REPO / "docs" / "compat" / "litellm-deviations.toml"
COMPAT_DOC = REPO / "docs" / "compat" / "litellm.md"
GATEWAY_TIMEOUT_S = 3.0  # LiteLLM's request_timeout in the loop, and --upstream-timeout for the stall tests


@dataclass(frozen=True)
class RunOutcome:
    returncode: int
    output: str
    report_dir: Path


def command(gateway_url: str, upstream_root: str, report_dir: Path, *extra: str) -> list[str]:
    """The suites' command line; the keys go in the environment (see run_through_litellm)."""
    suites = [str(SUITES / f"{name}.py") for name in SELECTION]
    return [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "-p",
        "no:randomly",
        *suites,
        "--base-url",
        gateway_url,
        "--models",
        MODELS,
        "--upstream-url",
        upstream_root,
        "--upstream-timeout",
        f"{GATEWAY_TIMEOUT_S:g}",
        "--known-deviations",
        str(DEVIATIONS.relative_to(REPO)),
        "--report-dir",
        str(report_dir),
        *extra,
    ]


def run_through_litellm(report_dir: Path, *extra: str, timeout_s: float = 600) -> RunOutcome:
    """Mock, LiteLLM, suites; the suites' exit code and output, and where their reports went."""
    key = session_key(PROFILE)
    with (
        mock_subprocess([], api_keys=[key]) as (root, _),
        litellm_gateway(PROFILE, root, key, timeout_s=GATEWAY_TIMEOUT_S) as gateway,
    ):
        argv = command(gateway.base_url, root, report_dir, *extra)
        env = {k: v for k, v in os.environ.items() if not k.startswith("CHATCONFORM_")}
        env.update(CHATCONFORM_API_KEY=gateway.master_key, CHATCONFORM_UPSTREAM_KEY=key)  # never on a command line
        done = subprocess.run(argv, cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout_s)
    return RunOutcome(done.returncode, done.stdout + done.stderr, report_dir)


def main(argv: list[str]) -> int:
    with tempfile.TemporaryDirectory(prefix="chatconform-litellm-") as tmp:
        outcome = run_through_litellm(Path(tmp), *argv)
        print(outcome.output[-4000:])
        compat = outcome.report_dir / "compat.md"
        if compat.is_file() and not argv:
            text = compat.read_text(encoding="utf-8")
            if "## Field fates" not in text:  # until the report writers render the table themselves
                text = (
                    text.rstrip("\n")
                    + "\n\n"
                    + fate_table(json.loads((outcome.report_dir / "compat.json").read_text()))
                )
            COMPAT_DOC.write_text(text, encoding="utf-8")
            print(f"wrote {COMPAT_DOC.relative_to(REPO)}")
    return outcome.returncode


def fate_table(report: dict[str, Any]) -> str:
    """The field-fate table of a run's compat.json, as Markdown."""
    cases = report.get("cases") or []
    fates = sorted((c["fate"] for c in cases if isinstance(c, dict) and c.get("fate")), key=lambda f: f["field"])
    lines = [
        "## Field fates",
        "",
        "Each request field of CreateChatCompletionRequest sent alone (docs/fields.md), seen through LiteLLM "
        "with the upstream mock's journal.",
        "",
        "| field | fate | expected | as expected | evidence |",
        "|---|---|---|---|---|",
    ]
    for fate in fates:
        evidence = str(fate["evidence"]).replace("|", "\\|").replace("\n", " ")[:160]
        mark = "yes" if fate["matches"] else "**no**"
        lines.append(f"| `{fate['field']}` | {fate['fate']} | {fate['expected']} | {mark} | {evidence} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
