"""What every Python driver of the client matrix shares: its inputs, its output and the errors it reports.

A driver is a script run as a subprocess by `tests/clients/test_matrix.py`, with the mock's address and key in
the environment (never on the command line, where `ps` would show the key):

    CHATCONFORM_MOCK_ROOT   http://127.0.0.1:<port>   (the OpenAI face is at /v1, Anthropic's at /v1/messages)
    CHATCONFORM_MOCK_KEY    the key the mock accepts
    CHATCONFORM_FEATURES    comma-separated features to run, in order
    CHATCONFORM_VARIANT     the driver's variant, if it has several (e.g. sync or async)

It prints one JSON line per feature: what the client observed (text, finish reason, tool calls, usage, the
error it raised...), never a verdict: the test decides. Standard library only, because the litellm driver runs
in `.venv-litellm`, where chatconform is not installed.
"""

from __future__ import annotations

import json
import os
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CASES: dict[str, Any] = json.loads((Path(__file__).resolve().parents[1] / "cases.json").read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Setup:
    root: str  # the mock, http://127.0.0.1:<port>
    key: str
    variant: str
    model: str
    timeout_s: float  # per request; the test gives the whole process a wider bound


SETUP = Setup(
    root=os.environ.get("CHATCONFORM_MOCK_ROOT", ""),
    key=os.environ.get("CHATCONFORM_MOCK_KEY", ""),
    variant=os.environ.get("CHATCONFORM_VARIANT", ""),
    model=CASES["model"],
    timeout_s=20.0,
)

Observation = dict[str, Any]
Feature = Callable[[], Observation]


def image_data_uri() -> str:
    image = CASES["vision"]
    return f"data:{image['media_type']};base64,{image['base64']}"


def bad_tool() -> dict[str, Any]:
    """The tool of the 400 feature: the weather tool under a name that both APIs refuse."""
    return {**CASES["tools"][0], "name": CASES["bad_request"]["tool_name"]}


def usage(input_tokens: Any, output_tokens: Any, total: Any = None) -> dict[str, Any]:
    return {"input": input_tokens, "output": output_tokens, "total": total}


def arguments(raw: Any) -> Any:
    """Tool arguments as a value; a string that is not JSON stays a string, so the test shows it."""
    if not isinstance(raw, str):
        return raw
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def error(exc: BaseException) -> dict[str, Any]:
    """What a client raised: its class (and bases, so the test can tell a typed error), status and message."""
    status = getattr(exc, "status_code", None)
    body = getattr(exc, "body", None)
    kind = getattr(exc, "type", None)
    if isinstance(body, dict):  # the Anthropic SDK keeps the envelope; OpenAI's keeps the inner error
        inner = body.get("error", body)
        kind = kind or (inner.get("type") if isinstance(inner, dict) else None)
    return {
        "class": type(exc).__name__,
        "module": type(exc).__module__.split(".")[0],
        "bases": [c.__name__ for c in type(exc).__mro__[1:] if c is not object],
        "status": status if isinstance(status, int) else None,
        "type": kind if isinstance(kind, str) else None,
        "message": redact(str(exc))[:300],
    }


def redact(text: str) -> str:
    return text.replace(SETUP.key, "<key>") if SETUP.key else text


def run(features: dict[str, Feature]) -> None:
    """Run the features named in the environment, one JSON line each; a raised error is an observation."""
    wanted = [f for f in os.environ.get("CHATCONFORM_FEATURES", "").split(",") if f] or list(features)
    for name in wanted:
        started = time.perf_counter()
        observed: Observation
        if name not in features:
            observed = {"driver_error": f"this driver has no feature {name!r}"}
        else:
            try:
                observed = features[name]()
            except Exception as exc:  # the client's own error is what the error features observe
                observed = {"error": error(exc), "trace": redact(traceback.format_exc(limit=-3))[-1500:]}
        observed.update(feature=name, seconds=round(time.perf_counter() - started, 4))
        sys.stdout.write(json.dumps(observed, default=repr) + "\n")
        sys.stdout.flush()
