"""The field list, its probes, the profile's [fields] table and the reading of a fate."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from chatconform import schemas
from chatconform.checks.field_probes import probes
from chatconform.checks.fields import classify
from chatconform.fields import EXPECTABLE, SCHEMA, committed_path, consistent, cut, field_names
from chatconform.profile import ProfileError, load_profile
from tests.checks.handmade import call, calls_answer, stream, text_answer, text_stream, whole

TOKENHUB = load_profile("tokenhub")


def _reference() -> Path | None:
    """OpenAI's OpenAPI file from the shared reference folder beside the repository, when it is there."""
    for folder in Path(__file__).resolve().parents:
        candidate = folder / "shared" / "reference" / "openai-openapi.json"
        if candidate.is_file():
            return candidate
    return None


def test_the_committed_list_is_the_reference_files_list() -> None:
    reference = _reference()
    if reference is None:
        pytest.skip("shared/reference/openai-openapi.json is not beside the repository")
    expected = cut(json.loads(reference.read_text(encoding="utf-8")))
    committed = json.loads(committed_path().read_text(encoding="utf-8"))
    assert sorted(committed["properties"]) == sorted(expected["properties"]), (
        "run python -m chatconform.fields --refresh"
    )
    assert committed == expected, "the committed cut is stale: python -m chatconform.fields --refresh <openapi.json>"


def test_the_list_is_read_from_the_package() -> None:
    names = field_names()
    assert len(names) >= 30 and {"model", "messages", "seed", "stop", "tools", "n"} <= set(names)
    assert schemas.schema(SCHEMA)["required"] == ["model", "messages"]


def test_every_field_has_one_probe_and_every_probe_a_field() -> None:
    for profile in (TOKENHUB, load_profile("claude")):
        assert sorted(probes(profile)) == list(field_names())


@pytest.mark.parametrize("name", field_names())
def test_each_probe_sends_a_valid_request(name: str) -> None:
    """The value is valid against OpenAI's own schema of the request, prerequisites included."""
    body = probes(TOKENHUB)[name].body(TOKENHUB.default_model.id, "hello")
    assert schemas.explain(SCHEMA, body) is None
    assert name in body


def test_one_departure_per_probe() -> None:
    """Beyond the minimal request, a probe adds its field and only what that field cannot go without."""
    base = {"model", "messages", "max_tokens"}
    allowed_extras = {"tool_choice": {"tools"}, "parallel_tool_calls": {"tools"}, "stream_options": {"stream"},
                      "top_logprobs": {"logprobs"}, "function_call": {"functions"}, "audio": {"modalities"},
                      "modalities": {"audio"}}  # fmt: skip
    for name, probe in probes(TOKENHUB).items():
        extra = set(probe.body("m", "hello")) - base - {name}
        assert extra == allowed_extras.get(name, set()), name


def test_the_profile_table_is_strict(tmp_path: Path) -> None:
    source = (Path(__file__).resolve().parents[2] / "chatconform" / "profiles" / "tokenhub.toml").read_text()
    for line, needle in (('seeds = "dropped"', "did you mean 'seed'"), ('seed = "droped"', "dropped")):
        path = tmp_path / "p.toml"
        path.write_text(source.replace('"*" = "rejected"', f'"*" = "rejected"\n{line}'))
        with pytest.raises(ProfileError, match=needle):
            load_profile(path)


def test_defaults_follow_the_documented_parameters() -> None:
    assert TOKENHUB.field_fate("stop") == "mapped" and TOKENHUB.field_fate("stream_options") == "honoured"
    assert TOKENHUB.field_fate("seed") == "rejected" and TOKENHUB.field_fate("n") == "rejected"
    claude = load_profile("claude")
    assert claude.field_fate("seed") == "dropped" and claude.field_fate("response_format") == "dropped"
    assert claude.field_fate("temperature") == "mapped" and claude.field_fate("n") == "rejected"
    assert all(TOKENHUB.field_fate(n) in EXPECTABLE for n in field_names())


@pytest.mark.parametrize(
    ("observed", "expected", "holds"),
    [
        ("mapped", "mapped", True),
        ("honoured", "mapped", True),
        ("mapped", "honoured", True),
        ("unknown", "dropped", True),
        ("unknown", "mapped", True),
        ("unknown", "rejected", False),
        ("dropped", "rejected", False),
        ("dropped", "mapped", False),
        ("altered", "mapped", False),
        ("rejected", "dropped", False),
    ],
)
def test_consistent(observed: str, expected: str, holds: bool) -> None:
    assert consistent(observed, expected) is holds


def _refusal(status: int, body: object) -> object:
    ex = whole()
    ex.status, ex.body, ex.raw = status, body, json.dumps(body).encode()
    return ex


def test_classify_refusals_and_failures() -> None:
    seed = probes(TOKENHUB)["seed"]
    envelope = {"error": {"message": "Unsupported parameter: seed", "type": "invalid_request_error"}}
    assert classify(_refusal(400, envelope), seed, TOKENHUB, None, False)[0] == "rejected"  # type: ignore[arg-type]
    assert classify(_refusal(400, {"detail": "no"}), seed, TOKENHUB, None, False)[0] == "failed"  # type: ignore[arg-type]
    assert classify(_refusal(500, envelope), seed, TOKENHUB, None, False)[0] == "failed"  # type: ignore[arg-type]
    cut_stream = text_stream("field fate")
    cut_stream.events = cut_stream.events[:-1]
    assert classify(cut_stream, probes(TOKENHUB)["stream"], TOKENHUB, None, False)[0] == "failed"


def test_classify_outside_gateway_mode() -> None:
    table = probes(TOKENHUB)
    assert classify(text_answer("field fate"), table["seed"], TOKENHUB, None, False)[0] == "unknown"
    assert classify(text_answer("1, 2, 3, 4"), table["stop"], TOKENHUB, None, False)[0] == "honoured"
    assert classify(text_answer("1, 2, 3, 4, 5, 6"), table["stop"], TOKENHUB, None, False)[0] == "dropped"
    two = calls_answer(call("get_weather", "{}"), call("get_weather", "{}", "call_2"))
    assert classify(two, table["parallel_tool_calls"], TOKENHUB, None, False)[0] == "dropped"
    assert classify(stream([]), table["stream"], TOKENHUB, None, False)[0] == "honoured"


def test_classify_in_gateway_mode() -> None:
    table = probes(TOKENHUB)
    answer = text_answer("field fate")
    answer.request_body = table["user"].body("claude-haiku-4-5", "hello")
    entry = {"status": 200, "body": {"metadata": {"user_id": "chatconform-user-7"}}}
    assert classify(answer, table["user"], TOKENHUB, entry, True)[0] == "mapped"
    entry["body"] = {"metadata": {"user_id": "someone-else"}}
    assert classify(answer, table["user"], TOKENHUB, entry, True)[0] == "altered"
    entry["body"] = {"model": "claude-haiku-4-5"}
    fate, evidence = classify(answer, table["seed"], TOKENHUB, entry, True)
    assert fate == "dropped" and "no seed upstream" in evidence
    entry["body"] = {"model": "claude-haiku-4-5", "seed": 42}
    assert classify(answer, table["seed"], TOKENHUB, entry, True)[0] == "altered"


def test_a_mapping_the_upstream_refused_still_counts_as_mapped() -> None:
    """A gateway that maps web_search_options to a server tool the upstream mock cannot serve mapped the field."""
    probe = probes(TOKENHUB)["web_search_options"]
    envelope = {"error": {"message": "tools.0.type: server tool", "type": "invalid_request_error"}}
    refused = _refusal(400, envelope)
    mapped = {"status": 400, "body": {"tools": [{"type": "web_search_20250305", "name": "web_search"}]}}
    assert classify(refused, probe, TOKENHUB, mapped, True)[0] == "mapped"  # type: ignore[arg-type]
    verbatim = {"status": 400, "body": {"web_search_options": {}}}
    fate, evidence = classify(refused, probe, TOKENHUB, verbatim, True)  # type: ignore[arg-type]
    assert fate == "rejected" and "by the upstream" in evidence
