"""An example of your own tests, written with chatconform's pytest fixtures.

    pytest docs/examples/test_my_gateway.py                                  # against the built-in mock
    pytest docs/examples/test_my_gateway.py --base-url https://gw.example/v1  # key in CHATCONFORM_API_KEY

`raw` sends a request and records everything that came back (status, headers, bytes, each SSE event with
its arrival time); `conform.check` applies registered checks by name (docs/checks.md) with typed
expectations, fails the test with findings the report groups into causes, and prices the request.
"""

import pytest

from chatconform.checks import RESPONSE_CHECKS, STREAM_CHECKS
from chatconform.prompts import chat, exact, user


def test_a_short_answer_in_both_delivery_modes(raw, conform, model):
    """Our product sends every model a short instruction; the answer must be whole either way."""
    conform.check(raw.chat(exact(model, "ready")), *RESPONSE_CHECKS, text="ready", finish_reason="stop")
    streamed = raw.chat(exact(model, "ready", stream=True, stream_options={"include_usage": True}))
    conform.check(streamed, *STREAM_CHECKS, text="ready", include_usage=True)


@pytest.mark.tools  # a feature marker puts the test in that column of the report
def test_our_lookup_tool_is_called(raw, conform, profile):
    conform.requires("tools")
    lookup = {
        "type": "function",
        "function": {
            "name": "lookup_order",
            "parameters": {"type": "object", "required": ["order_id"], "properties": {"order_id": {"type": "string"}}},
        },
    }
    body = chat(
        profile.default_model_id,
        user("Use lookup_order for order 'A-1017'."),
        tools=[lookup],
        tool_choice="required",
        max_tokens=200,
    )
    conform.check(
        raw.chat(body),
        *RESPONSE_CHECKS,
        "tools.call_shape",
        "tools.expected_calls",
        call_count=1,
        tool_names=["lookup_order"],
        argument_values=[{"order_id": "A-1017"}],
    )


def test_the_sdk_reads_the_answer(sdk, conform, profile):
    completion = sdk.chat.completions.create(**exact(profile.default_model_id, "ready"))
    conform.record_usage(profile.default_model_id, completion.usage)
    conform.expect_equal(
        "sdk.finish_reason",
        "stop",
        completion.choices[0].finish_reason,
        title="the SDK reads another finish_reason",
        request_id=completion.id,
    )
