"""Causes: one departure is one cause, whatever the test, the model, the ids or the chunk it was seen at."""

from __future__ import annotations

from chatconform.checks.finding import Finding
from chatconform.report.causes import causes
from chatconform.report.model import CaseResult, RequestRecord, RunResults
from chatconform.report.normalise import Normaliser
from tests.report.sample import case

MODELS = ("claude-haiku-4-5", "anthropic/claude-haiku-4-5", "claude-sonnet-4-6")
ALLOWED = "stop | length | tool_calls | content_filter | function_call"
LEAK = "Anthropic stop_reason 'end_turn' leaked into finish_reason (OpenAI says 'stop')"
REQUEST = RequestRecord("POST", "http://gw/v1/chat/completions", (("accept", "*/*"),), '{"model": "m"}')


def leak(
    path: str = "$.choices[0].finish_reason", rid: str = "req_1", check: str = "response.finish_reason"
) -> Finding:
    return Finding(LEAK, path, ALLOWED, '"end_turn"', check=check, request_id=rid)


def run(*cases: CaseResult, models: tuple[str, ...] = MODELS) -> RunResults:
    results = RunResults("r", "http://gw/v1", "tokenhub", "t", cases=list(cases))
    results.meta["models"] = [m for m in models if "/" not in m]
    return results


def failing(test: str, model: str, *found: Finding, request: RequestRecord | None = None) -> CaseResult:
    return case(test, "basic", model, "fail", findings=found, request=request)


def test_one_departure_across_tests_and_models_is_one_cause() -> None:
    found = causes(
        run(*(failing(f"test_{n}", m, leak(rid=f"req_{n}{i}")) for n in ("a", "b", "c") for i, m in enumerate(MODELS)))
    )
    assert len(found) == 1
    [cause] = found
    assert (cause.check, cause.title, cause.tests, cause.severity) == ("response.finish_reason", LEAK, 9, "fail")
    assert cause.models == ("claude-haiku-4-5", "claude-sonnet-4-6", "anthropic/claude-haiku-4-5")


def test_ids_timestamps_models_and_chunk_indices_are_normalised_away() -> None:
    def chunk_finding(model: str, chunk: int, created: int, rid: str) -> Finding:
        observed = f'{{"created": {created}, "id": "chatcmpl-{rid}", "model": "{model}"}} on chunk {chunk}'
        return Finding(
            "the usage chunk has choices", f"$.chunks[{chunk}].choices", "[]", observed, "stream.usage_chunk"
        )

    found = causes(
        run(
            failing("test_a", MODELS[0], chunk_finding(MODELS[0], 5, 1_700_000_000, "a1b2c3")),
            failing("test_b", MODELS[1], chunk_finding(MODELS[1], 17, 1_800_000_123, "ffee99")),
            failing("test_c", MODELS[2], chunk_finding(MODELS[2], 3, 1_750_000_000, "0c0c0c")),
        )
    )
    assert [c.tests for c in found] == [3]


def test_different_departures_stay_apart() -> None:
    other = Finding("finish_reason is not one of OpenAI's values", "$.choices[0].finish_reason", ALLOWED, '"done"')
    other = Finding(other.title, other.path, other.expected, other.observed, "response.finish_reason")
    status_500 = Finding("the request failed with status 500", "$", "200", "500 {}", "response.ok")
    status_502 = Finding("the request failed with status 502", "$", "200", "502 {}", "response.ok")
    found = causes(
        run(
            failing("test_a", MODELS[0], leak()),
            failing("test_b", MODELS[0], other),
            failing("test_c", MODELS[0], status_500),
            failing("test_d", MODELS[0], status_502),
        )
    )
    assert len(found) == 4
    assert len({c.id for c in found}) == 4


def test_ids_are_stable_across_runs() -> None:
    first = causes(run(failing("test_a", MODELS[0], leak(rid="req_aaaa1111")), failing("test_b", MODELS[1], leak())))
    second = causes(
        run(failing("test_z", MODELS[2], leak(rid="req_bbbb2222"), request=REQUEST), models=("claude-sonnet-4-6",))
    )
    assert [c.id for c in first] == [c.id for c in second]
    assert len(first[0].id) == 8 and int(first[0].id, 16) >= 0
    moved = causes(run(failing("test_a", MODELS[0], leak(path="$.choices[1].finish_reason"))))
    assert moved[0].id != first[0].id  # another field is another departure


def test_a_generic_schema_finding_joins_the_specific_cause_across_tests() -> None:
    schema = Finding(
        "CreateChatCompletionResponse: 'end_turn' is not one of [...]",
        "$.choices[0].finish_reason",
        "enum: [...]",
        '"end_turn"',
        "response.schema",
    )
    found = causes(run(failing("test_a", MODELS[0], leak()), failing("test_b", MODELS[0], schema)))
    assert len(found) == 1
    assert found[0].check == "response.finish_reason"
    assert found[0].tests == 2
    assert [(j.check, j.tests) for j in found[0].joined] == [("response.schema", 1)]


def test_other_checks_seeing_the_rejected_value_join_it_and_name_themselves() -> None:
    tools = Finding("wrong finish_reason after tool calls", "$.choices[0].finish_reason", '"tool_calls"', '"end_turn"')
    sdk = Finding("the SDK reads another finish_reason", "$.choices[0].finish_reason", "stop", "end_turn")
    snapshot = Finding(
        "the answer's shape differs from the snapshot", "$.choices[0].finish_reason", '"stop"', '"end_turn"'
    )
    found = causes(
        run(
            failing("test_a", MODELS[0], leak(), Finding(**{**tools.__dict__, "check": "tools.finish_reason"})),
            failing("test_b", MODELS[0], Finding(**{**sdk.__dict__, "check": "sdk.finish_reason"})),
            failing("test_c", MODELS[0], Finding(**{**snapshot.__dict__, "check": "shapes.snapshot"})),
        )
    )
    assert len(found) == 1
    assert found[0].tests == 3
    assert {j.check for j in found[0].joined} == {"tools.finish_reason", "sdk.finish_reason", "shapes.snapshot"}


def test_a_leader_that_names_one_expected_value_does_not_absorb_other_departures() -> None:
    # "should be 'stop'" says the value is valid but not the one wanted: a check that wanted "tool_calls"
    # and saw the same valid "length" may be another bug.
    should = Finding("finish_reason should be 'stop'", "$.choices[0].finish_reason", '"stop"', '"length"')
    tools = Finding("wrong finish_reason after tool calls", "$.choices[0].finish_reason", '"tool_calls"', '"length"')
    found = causes(
        run(
            failing("test_a", MODELS[0], Finding(**{**should.__dict__, "check": "response.finish_reason"})),
            failing("test_b", MODELS[0], Finding(**{**tools.__dict__, "check": "tools.finish_reason"})),
        )
    )
    assert sorted(c.check for c in found) == ["response.finish_reason", "tools.finish_reason"]


def test_counts_in_values_and_titles_do_not_split_a_cause_but_zero_and_statuses_do() -> None:
    def ledger(charged: int, used: int) -> Finding:
        return Finding(
            "the ledger charged other prompt_tokens", "ledger.totals", str(used), str(charged), "billing.ledger"
        )

    def role(times: int) -> Finding:
        return Finding(f"the role is sent {times} times", "$.chunks[1].choices[0].delta.role", "once", '["assistant"]')

    found = causes(
        run(
            failing("test_a", MODELS[0], ledger(120, 22)),
            failing("test_b", MODELS[1], ledger(66, 12)),
            failing("test_c", MODELS[2], ledger(0, 12)),
            failing("test_d", MODELS[0], Finding(**{**role(16).__dict__, "check": "stream.role"})),
            failing("test_e", MODELS[0], Finding(**{**role(6).__dict__, "check": "stream.role"})),
        )
    )
    assert sorted(c.tests for c in found) == [1, 2, 2]


def test_outcomes_without_a_finding_are_causes_too() -> None:
    transport = "could not test: POST http://127.0.0.1:4100/v1/chat/completions: connect: [Errno 111] refused"
    found = causes(
        run(
            case("test_a", "basic", MODELS[0], "error", detail=transport),
            case("test_b", "basic", MODELS[1], "error", detail=transport.replace("4100", "4999")),
            case("test_c", "basic", MODELS[0], "error", detail="RuntimeError: the harness broke\nTraceback..."),
            case("test_d", "basic", MODELS[0], "fail", detail="assert 3 == 4"),
            case("test_e", "tools", MODELS[0], "inconclusive", detail="the model chose not to call a tool"),
            case("test_f", "basic", MODELS[0], "pass"),
            case("test_g", "basic", MODELS[0], "unsupported", detail="profile tokenhub does not claim vision"),
            case("test_h", "basic", MODELS[0], "xfail", detail="known", findings=(leak(),)),
        )
    )
    by_check = {c.check: c for c in found}
    assert set(by_check) == {"transport", "harness", "assertion", "inconclusive"}
    assert by_check["transport"].tests == 2 and by_check["transport"].severity == "error"
    assert by_check["harness"].title == "RuntimeError: the harness broke"
    assert by_check["inconclusive"].severity == "inconclusive"
    assert found[0].check == "transport"  # most tests first


def test_the_example_is_a_sighting_that_can_be_repeated() -> None:
    found = causes(
        run(
            failing("test_a", MODELS[0], leak(rid="req_no_request")),
            failing("test_b", MODELS[0], leak(rid="req_with_request"), request=REQUEST),
        )
    )
    example = found[0].example
    assert (example.test, example.request_id) == ("suites/test_basic.py::test_b[claude-haiku-4-5]", "req_with_request")
    assert example.curl.startswith("curl ") and "http://gw/v1/chat/completions" in example.curl
    assert (example.expected, example.observed, example.path) == (ALLOWED, '"end_turn"', "$.choices[0].finish_reason")


def test_normaliser_masks_only_what_varies() -> None:
    n = Normaliser(MODELS)
    assert n("model anthropic/claude-haiku-4-5 at 2026-01-01T12:00:00Z") == "model <model> at <time>"
    assert n("$.chunks[12].usage on chunk 12") == "$.chunks[*].usage on chunk *"
    assert n("http://127.0.0.1:4100/v1") == "http://127.0.0.1:<port>/v1"
    assert n.value('{"message": "Bad thing 12", "type": "invalid_request_error", "n": 0}') == (
        '{"message": "<text>", "n": 0, "type": "invalid_request_error"}'
    )
    assert n.title("a server error (502) for bad input") == "a server error (502) for bad input"
    assert n.title("data: [DONE] was sent 3 times") == "data: [DONE] was sent <n> times"


def fate(name: str, observed: str) -> Finding:
    title = f"field {name}: the profile expects it rejected, the target's answer shows it failed"
    return Finding(title, f"$.{name}", "rejected", observed, check="fields.fate")


def test_probes_answered_with_a_server_error_join_the_server_error_cause() -> None:
    body = '{"error":{"message":"Unsupported parameter"}}'
    server_error = Finding("a server error (500) for bad input", "$", "400 or 422", f"500 {body}", check="error.status")
    policy = Finding(
        "policy n_above_one: the profile says reject", "$", "rejected", "other: status 500", check="policy.n_above_one"
    )
    found = causes(
        run(
            failing("test_bad_input", "", server_error),
            failing("test_field_fate[seed]", "", fate("seed", f"failed: 500: {body}")),
            failing("test_field_fate[store]", "", fate("store", f"failed: 500: {body}")),
            failing("test_policy", "", policy),
            failing("test_field_fate[user]", "", fate("user", "failed: 502: bad gateway")),
            failing("test_field_fate[top_k]", "", fate("top_k", "honoured: the answer changed")),
        )
    )
    by_check = {(c.check, c.tests) for c in found}
    assert ("error.status", 4) in by_check  # the 500 and the three probes that met it
    assert ("fields.fate", 1) in {(c.check, c.tests) for c in found if c.title.startswith("field user")}
    assert len(found) == 3  # the 500, the 502 (no error test saw it: its own cause), the fate that is no 5xx
