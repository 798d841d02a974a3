"""Running inner pytest sessions (pytester) in this process, quickly and correctly.

pytester forgets every module an inner session imported once that session
ends, so each session would import them again. That is slow (hypothesis,
openai, uvicorn) and, for httpcore, wrong: httpx maps httpcore's exceptions
by class, and a re-imported httpcore has new classes, so a timeout would
escape as an unknown exception. Importing them here, once, keeps them.
"""

from __future__ import annotations

import contextlib
import importlib

import pytest

# httpcore2/httpx2: what openai >= 3 sends with (it imports httpcore2 only when a client is built).
KEEP = (
    "httpcore",
    "httpcore2",
    "httpx2",
    "openai",
    "uvicorn",
    "starlette.applications",
    "chatconform.mock.app",
    "hypothesis",
    "syrupy",
)
for _name in KEEP:
    with contextlib.suppress(ImportError):
        importlib.import_module(_name)


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    """An inner session; the plugin is already imported here, so pytest cannot rewrite its asserts (and says so)."""
    return pytester.runpytest("-W", "ignore::pytest.PytestAssertRewriteWarning", *args)
