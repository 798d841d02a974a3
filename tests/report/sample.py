"""Hand-built run results for the report tests: every outcome, hostile text and a canary key."""

from __future__ import annotations

from typing import Any

from chatconform.checks.finding import Finding
from chatconform.redact import register_secret
from chatconform.report.model import CaseOutcome, CaseResult, FieldFate, PolicyObservation, RunResults

CANARY = "th-report-canary-5f2c9e0a7b1d"  # registered: must be masked wherever it appears
UNREGISTERED = "sk-ant-unregistered-0123456789"  # shaped like a key: masked by pattern
OPAQUE = "opaque-token-value"  # after "Bearer ": masked by pattern, quote right after it
HOSTILE = "<script>alert('x')</script> | `tick` **bold** </td></table>"
register_secret(CANARY)

HAIKU = "claude-haiku-4-5"
HAIKU_ALIAS = "anthropic/claude-haiku-4-5"
SONNET = "claude-sonnet-4-6"


def case(test: str, feature: str, model: str, outcome: CaseOutcome, **extra: Any) -> CaseResult:
    param = f"[{model}]" if model else ""
    return CaseResult(
        nodeid=f"suites/test_{feature}.py::{test}{param}",
        test=test,
        feature=feature,
        model=model,
        outcome=outcome,
        duration_s=0.25,
        cost_usd=0.0001,
        **extra,
    )


def finding(**changes: str) -> Finding:
    base = dict(
        check="stream.done_last",
        title="[DONE] is not the last event",
        path="$.events[-1]",
        expected="data: [DONE]",
        observed="data: {}",
        request_id="chatcmpl-abc123",
    )
    return Finding(**{**base, **changes})


def sample_results() -> RunResults:
    cases = [
        case("test_basic", "basic", HAIKU, "pass"),
        case("test_basic", "basic", HAIKU_ALIAS, "pass"),
        case("test_basic", "basic", SONNET, "pass"),
        # streaming/haiku: pass + fail + error -> fail
        case("test_stream_text", "streaming", HAIKU, "pass"),
        case("test_stream_done", "streaming", HAIKU, "fail", findings=(finding(),)),
        case("test_stream_usage", "streaming", HAIKU, "error", detail="ConnectError: refused"),
        # streaming/sonnet: pass + error -> error
        case("test_stream_text", "streaming", SONNET, "pass"),
        case("test_stream_usage", "streaming", SONNET, "error", detail="harness broke"),
        # tools/haiku: hostile text from the target and keys in observed values
        case(
            "test_tools_auto",
            "tools",
            HAIKU,
            "fail",
            findings=(
                finding(
                    check="tools.arguments_valid",
                    title=f"arguments do not match the schema: {HOSTILE}",
                    path="$.choices[0].message.tool_calls[0].function.arguments",
                    expected="an object",
                    observed=f"Bearer {CANARY} then {HOSTILE} and {UNREGISTERED}",
                    request_id=f"req-{HOSTILE}",
                ),
            ),
        ),
        # sampling: policy matches (policy) and mismatch (fail)
        case(
            "test_temperature_above_max",
            "sampling",
            HAIKU,
            "policy",
            policy=PolicyObservation("temperature_above_max", "reject", "rejected", True),
        ),
        case(
            "test_temperature_above_max",
            "sampling",
            SONNET,
            "policy",
            policy=PolicyObservation("temperature_above_max", "reject", "rejected", True),
        ),
        case(
            "test_stop_more_than_max",
            "stop",
            HAIKU,
            "fail",
            policy=PolicyObservation("stop_more_than_max", "reject", "clamped", False),
            detail="policy stop_more_than_max: expected reject, observed clamped",
        ),
        case("test_stop_basic", "stop", HAIKU, "pass"),
        case(
            "test_tool_role",
            "tools",
            SONNET,
            "fail",
            policy=PolicyObservation("tool_role", "support", f"other: status 500 {HOSTILE}", False),
        ),
        # vision: unsupported + pass -> pass; xfail alone -> xfail
        case("test_vision_https", "vision", HAIKU, "unsupported", detail="vision_https_urls not claimed"),
        case("test_vision_png", "vision", HAIKU, "pass"),
        # field fates: one as the profile says, one not
        case(
            "test_field_fate", "basic", HAIKU, "pass", fate=FieldFate("seed", "dropped", "dropped", "no effect", True)
        ),
        case(
            "test_field_fate",
            "basic",
            SONNET,
            "fail",
            fate=FieldFate("user", "rejected", "honoured", f"status 400 {HOSTILE}", False),
            findings=(finding(check="fields.fate", title="user was rejected", path="$.user", expected="honoured"),),
        ),
        case("test_vision_https", "vision", SONNET, "unsupported", detail="vision_https_urls not claimed"),
        case("test_json_schema", "json_mode", SONNET, "xfail", detail="documented gap"),
        # model-independent
        case("test_missing_key", "auth", "", "pass"),
        case("test_wrong_key", "auth", "", "fail", detail=f'assert 200 == 401 (sent "Bearer {CANARY}")'),
    ]
    return RunResults(
        run_id="20260101-120000",
        target="http://127.0.0.1:9/v1",
        profile="tokenhub",
        started="2026-01-01T12:00:00Z",
        finished="2026-01-01T12:00:07Z",
        is_mock=False,
        cases=cases,
        estimated_cost_usd=0.0123,
        meta={"pytest_args": f"--api-key {CANARY} -k basic", "sent": f'"Bearer {OPAQUE}"'},
    )
