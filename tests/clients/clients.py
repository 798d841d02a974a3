"""The clients of the matrix: how each is started, which features it runs, and the words it speaks.

A client is one driver script (tests/clients/python/*.py or tests/clients/node/*.mjs) with, for the drivers
that have several, a variant. Its dialect is the vocabulary its users see: finish reasons (`stop`,
`end_turn`, `tool-calls`...) and error classes, so the matrix asserts each client's own words rather
than a translation of them.
"""

from __future__ import annotations

import importlib.util
import shutil
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
NODE_DIR = HERE / "node"
PYTHON_DIR = HERE / "python"
# Clients with a virtualenv of their own (created by install.sh), by language: litellm needs openai<3, and
# langchain-openai brings langsmith, whose pytest plugin would load into every pytest run in .venv.
OWN_VENVS = {
    "python-litellm": (REPO / ".venv-litellm", "CHATCONFORM_SKIP_LITELLM"),
    "python-langchain": (REPO / ".venv-langchain", "CHATCONFORM_SKIP_LANGCHAIN"),
}
NODE_PACKAGES = (
    "openai",
    "@anthropic-ai/sdk",
    "ai",
    "@ai-sdk/openai-compatible",
    "@ai-sdk/openai",
    "@ai-sdk/anthropic",
)
# Importing litellm fetches its price map from the network unless told to use the bundled one.
LITELLM_ENV = {"LITELLM_LOCAL_MODEL_COST_MAP": "True", "LITELLM_MODE": "PRODUCTION", "HF_HUB_OFFLINE": "1"}

FEATURES = (
    "plain",
    "streamed",
    "tools-auto",
    "tools-required",
    "tools-named",
    "tools-second-turn",
    "tools-streamed",
    "vision",
    "json-mode",
    "structured-output",
    "stop",
    "max-tokens",
    "error-401",
    "error-400",
)
# The Messages API has no schema-less JSON mode; its SDKs add the calls issue 12 found answered wrongly.
ANTHROPIC_FEATURES = (*(f for f in FEATURES if f != "json-mode"), "count-tokens", "models-list")


@dataclass(frozen=True)
class Dialect:
    """What a client calls a finish (keys: end, stop, length, tools) and its error classes by status."""

    name: str
    finish: Mapping[str, str]
    errors: Mapping[int, str]


OPENAI = Dialect(
    "openai",
    {"end": "stop", "stop": "stop", "length": "length", "tools": "tool_calls"},
    {401: "AuthenticationError", 400: "BadRequestError"},
)
ANTHROPIC = Dialect(
    "anthropic",
    {"end": "end_turn", "stop": "stop_sequence", "length": "max_tokens", "tools": "tool_use"},
    {401: "AuthenticationError", 400: "BadRequestError"},
)
AI_SDK = Dialect(
    "ai-sdk",
    {"end": "stop", "stop": "stop", "length": "length", "tools": "tool-calls"},
    {401: "APICallError", 400: "APICallError"},
)


@dataclass(frozen=True)
class Client:
    id: str
    language: str  # "python", "node", or a key of OWN_VENVS (Python in a venv of its own)
    script: str  # file name under python/ or node/
    dialect: Dialect
    features: tuple[str, ...] = FEATURES
    variant: str = ""
    env: Mapping[str, str] = field(default_factory=dict)

    def command(self) -> list[str]:
        if self.language == "node":
            return [shutil.which("node") or "node", str(NODE_DIR / self.script)]
        python = OWN_VENVS[self.language][0] / "bin" / "python" if self.language in OWN_VENVS else sys.executable
        return [str(python), str(PYTHON_DIR / self.script)]

    def missing(self) -> str | None:
        """Why this client cannot run here (the test then skips with that reason), or None."""
        if self.language == "node":
            return node_missing()
        if self.language in OWN_VENVS:
            venv, skip = OWN_VENVS[self.language]
            if not (venv / "bin" / "python").exists():
                return f"{self.id} lives in {venv.name}, which is missing: run ./install.sh without {skip}=1"
            return None
        module = self.script.removesuffix("_driver.py")
        if importlib.util.find_spec(module) is None:
            return f"{module} is not installed: pip install -e '.[dev]'"
        return None


def node_missing() -> str | None:
    if shutil.which("node") is None:
        return "Node is not installed: the Node clients need node (20 or later) and ./install.sh (npm ci)"
    absent = [p for p in NODE_PACKAGES if not (NODE_DIR / "node_modules" / p / "package.json").exists()]
    if absent:
        return f"tests/clients/node/node_modules lacks {', '.join(absent)}: run ./install.sh (npm ci)"
    return None


CLIENTS: dict[str, Client] = {
    c.id: c
    for c in (
        Client("openai-py", "python", "openai_driver.py", OPENAI, variant="sync"),
        Client("openai-py-async", "python", "openai_driver.py", OPENAI, variant="async"),
        Client("anthropic-py", "python", "anthropic_driver.py", ANTHROPIC, ANTHROPIC_FEATURES),
        Client("langchain-openai", "python-langchain", "langchain_driver.py", OPENAI),
        Client("litellm", "python-litellm", "litellm_driver.py", OPENAI, env=LITELLM_ENV),
        Client("openai-node", "node", "openai.mjs", OPENAI),
        Client("anthropic-node", "node", "anthropic.mjs", ANTHROPIC, ANTHROPIC_FEATURES),
        Client("ai-sdk-openai-compatible", "node", "ai-sdk.mjs", AI_SDK, variant="openai-compatible"),
        Client("ai-sdk-openai", "node", "ai-sdk.mjs", AI_SDK, variant="openai"),
        Client("ai-sdk-anthropic", "node", "ai-sdk.mjs", AI_SDK, variant="anthropic"),
    )
}
