"""What each feature of the matrix must observe, whatever the client: one check per feature.

The inputs are tests/clients/cases.json; the answers follow from the mock's documented rules
(docs/mock-answers.md): a `Reply with exactly:` directive, `Count from A to B`, a tool called with the
quoted value of the prompt, the tool result reported back verbatim, an image described by size and
colour, a `json_schema` instance taken from `name: 'Ada', age=36`. Each check reads an observation (the
JSON line a driver printed) and the client's dialect, and fails with the observation in the message.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.clients.clients import Dialect

CASES: dict[str, Any] = json.loads((Path(__file__).with_name("cases.json")).read_text(encoding="utf-8"))
PLAIN_ANSWER = CASES["plain"].split("Reply with exactly: ", 1)[1]
COUNT_TO_12 = ", ".join(str(n) for n in range(1, 13))
COUNT_TO_50 = ", ".join(str(n) for n in range(1, 51))
# Parts a client adds to a streamed answer's content that carry no content (the AI SDK's Anthropic provider
# records message_start metadata as a "custom" part); they are left out when streamed and whole are compared.
METADATA_PARTS = {"custom"}

Observation = dict[str, Any]
Check = Callable[[Observation, Dialect], None]


def succeeded(observed: Observation) -> None:
    assert "driver_error" not in observed, observed["driver_error"]
    if "error" in observed:
        error = observed["error"]
        raised = f"the client raised {error['class']} (status {error['status']}): {error['message']}"
        raise AssertionError(f"{raised}\n{observed.get('trace', '')}")


def usage_adds_up(observed: Observation) -> None:
    use = observed["usage"]
    assert use is not None, "the client reported no usage"
    assert use["input"] > 0 and use["output"] > 0, use
    assert use["total"] in (None, use["input"] + use["output"]), use


def calls(observed: Observation) -> list[tuple[str, Any]]:
    return [(c["name"], c["arguments"]) for c in observed["tool_calls"]]


def tool_only(observed: Observation, dialect: Dialect) -> None:
    """A tool-call answer: the right finish reason, no text, and distinct non-empty call IDs."""
    assert observed["finish"] == dialect.finish["tools"], observed
    assert not observed["text"], f"text {observed['text']!r} beside the tool calls"
    ids = [c["id"] for c in observed["tool_calls"]]
    assert all(ids) and len(set(ids)) == len(ids), ids


def parsed(observed: Observation) -> Any:
    """The client's own parsed value where it has one, else the text read as JSON."""
    if observed.get("parsed") is not None:
        return observed["parsed"]
    return json.loads(observed["text"])


def content_parts(observed: Observation) -> list[str] | None:
    parts = observed.get("parts")
    return None if parts is None else [p for p in parts if p not in METADATA_PARTS]


def same_as_whole(observed: Observation) -> None:
    """A stream reports what the non-streamed answer to the same request reports."""
    whole = observed["whole"]
    assert observed["text"] == whole["text"], f"streamed text {observed['text']!r}, non-streamed {whole['text']!r}"
    assert observed["finish"] == whole["finish"], (observed["finish"], whole["finish"])
    assert calls(observed) == calls(whole), (calls(observed), calls(whole))
    assert content_parts(observed) == content_parts(whole), (
        f"streamed parts {observed['parts']}, non-streamed {whole['parts']}"
    )
    assert observed["usage"] == whole["usage"], f"streamed usage {observed['usage']}, non-streamed {whole['usage']}"


def plain(observed: Observation, dialect: Dialect) -> None:
    assert observed["text"] == PLAIN_ANSWER, observed
    assert observed["finish"] == dialect.finish["end"], observed
    assert observed["tool_calls"] == []
    usage_adds_up(observed)


def streamed(observed: Observation, dialect: Dialect) -> None:
    assert observed["text"] == COUNT_TO_12, observed
    assert observed["finish"] == dialect.finish["end"], observed
    assert observed["deltas"] >= 2, f"the text came in {observed['deltas']} piece(s): not streamed"
    usage_adds_up(observed)
    same_as_whole(observed)


def tools_auto(observed: Observation, dialect: Dialect) -> None:
    assert calls(observed) == [("get_weather", {"city": "Paris"})], observed
    tool_only(observed, dialect)


def tools_required(observed: Observation, dialect: Dialect) -> None:
    # No tool is mentioned: `auto` would answer in text, `required` calls the first tool.
    assert calls(observed) == [("get_weather", {"city": "Oslo"})], observed
    tool_only(observed, dialect)


def tools_named(observed: Observation, dialect: Dialect) -> None:
    assert calls(observed) == [(CASES["tools_named"]["tool"], {"tz": "Asia/Tokyo"})], observed
    tool_only(observed, dialect)


def tools_second_turn(observed: Observation, dialect: Dialect) -> None:
    first = observed["first"]
    assert calls(first) == [("get_weather", {"city": "Lima"})], first
    tool_only(first, dialect)
    assert observed["finish"] == dialect.finish["end"], observed
    # The result is reported verbatim as the client sent it; clients that serialise it themselves (the AI
    # SDK's `execute`) may space it differently, so the JSON value is compared.
    match = re.fullmatch(r"The get_weather tool returned: (.*)\.", observed["text"] or "")
    assert match, f"the second turn does not report the tool result: {observed['text']!r}"
    assert json.loads(match[1]) == json.loads(CASES["tools_second_turn"]["result"])
    assert observed.get("steps", 2) == 2, observed


def tools_streamed(observed: Observation, dialect: Dialect) -> None:
    assert calls(observed) == [("get_weather", {"city": "Paris"}), ("get_weather", {"city": "Tokyo"})], observed
    tool_only(observed, dialect)
    same_as_whole(observed)


def vision(observed: Observation, dialect: Dialect) -> None:
    assert observed["finish"] == dialect.finish["end"], observed
    assert observed["text"] == "The image is a 24x12 image, mostly blue.", observed


def json_mode(observed: Observation, dialect: Dialect) -> None:
    value = parsed(observed)
    assert isinstance(value, dict), value
    assert {"city", "country"} <= value.keys(), f"the prompt asks for the keys city and country; got {value}"


def structured_output(observed: Observation, dialect: Dialect) -> None:
    assert observed["finish"] == dialect.finish["end"], observed
    assert parsed(observed) == {"name": "Ada", "age": 36}, observed


def stop(observed: Observation, dialect: Dialect) -> None:
    assert observed["text"] == "1, 2, 3, 4", observed
    assert observed["finish"] == dialect.finish["stop"], observed
    if dialect.name == "anthropic":
        assert observed["stop_sequence"] == CASES["stop"]["sequences"][0], observed


def max_tokens(observed: Observation, dialect: Dialect) -> None:
    assert observed["finish"] == dialect.finish["length"], observed
    assert observed["usage"]["output"] == CASES["length"]["max_tokens"], observed["usage"]
    text = observed["text"]
    assert text and COUNT_TO_50.startswith(text) and text != COUNT_TO_50, f"not a cut count: {text!r}"


def typed_error(status: int) -> Check:
    def check(observed: Observation, dialect: Dialect) -> None:
        assert "error" in observed, f"no error raised; the client observed {observed}"
        error = observed["error"]
        expected = dialect.errors[status]
        assert expected in [error["class"], *error["bases"]], (
            f"{error['class']} (bases {error['bases']}) is not a {expected}"
        )
        assert error["status"] == status, error
        assert error["message"], error

    return check


def count_tokens(observed: Observation, dialect: Dialect) -> None:
    assert observed["counted"] == observed["whole"]["usage"]["input"], observed


def models_list(observed: Observation, dialect: Dialect) -> None:
    models = observed["models"]
    assert CASES["model"] in [m["id"] for m in models], models
    bad = [m for m in models if m["type"] != "model" or not m["display_name"]]
    assert not bad, f"models without Anthropic's type/display_name: {bad[:3]}"


CHECKS: dict[str, Check] = {
    "plain": plain,
    "streamed": streamed,
    "tools-auto": tools_auto,
    "tools-required": tools_required,
    "tools-named": tools_named,
    "tools-second-turn": tools_second_turn,
    "tools-streamed": tools_streamed,
    "vision": vision,
    "json-mode": json_mode,
    "structured-output": structured_output,
    "stop": stop,
    "max-tokens": max_tokens,
    "error-401": typed_error(401),
    "error-400": typed_error(400),
    "count-tokens": count_tokens,
    "models-list": models_list,
}


def check(feature: str, observed: Observation, dialect: Dialect) -> None:
    if not feature.startswith("error-"):
        succeeded(observed)
    CHECKS[feature](observed, dialect)
