"""Sampling and request options: temperature and top_p in range, `user`, `n`; and policy discovery for what
the documentation leaves open (out-of-range values, temperature with top_p, n > 1, tool results by role)."""

from __future__ import annotations

import json

import pytest

from chatconform.answer import text as answer_text
from chatconform.checks import RESPONSE_CHECKS
from chatconform.prompts import chat, exact, user
from chatconform.pytest.policy import observe

pytestmark = pytest.mark.sampling

ANSWER = "SAMPLING-OK"
# chat() sends temperature 0 by default; None leaves a parameter out.
IN_RANGE: dict[str, dict[str, float | None]] = {
    "temperature-0": {"temperature": 0},
    "temperature-1": {"temperature": 1},
    "top_p-0.5": {"temperature": None, "top_p": 0.5},
    "top_p-1": {"temperature": None, "top_p": 1},
}
# case → (policy point, parameters)
OUT_OF_RANGE: dict[str, tuple[str, dict[str, float | None]]] = {
    "temperature-1.5": ("temperature_above_max", {"temperature": 1.5}),
    "top_p-1.5": ("top_p_above_max", {"temperature": None, "top_p": 1.5}),
    "temperature-negative": ("temperature_below_min", {"temperature": -0.5}),
    "top_p-negative": ("top_p_below_min", {"temperature": None, "top_p": -0.1}),
}


@pytest.mark.parametrize("setting", list(IN_RANGE))
def test_sampling_in_range(raw, conform, model, setting):
    conform.check(raw.chat(exact(model, ANSWER, **IN_RANGE[setting])), *RESPONSE_CHECKS)


@pytest.mark.policy
@pytest.mark.parametrize("case", list(OUT_OF_RANGE))
def test_sampling_out_of_range(raw, conform, model, case):
    name, params = OUT_OF_RANGE[case]
    observe(conform, name, raw.chat(exact(model, ANSWER, **params)))


@pytest.mark.policy
def test_temperature_and_top_p(raw, conform, model):
    observe(conform, "temperature_and_top_p", raw.chat(exact(model, ANSWER, temperature=0.2, top_p=0.9)))


def test_user(raw, conform, model):
    conform.check(raw.chat(exact(model, ANSWER, user="chatconform-suite-user-42")), *RESPONSE_CHECKS, text=ANSWER)


def test_n_one(raw, conform, model):
    conform.check(raw.chat(exact(model, ANSWER, n=1)), *RESPONSE_CHECKS, "sampling.choices", n=1)


@pytest.mark.policy
def test_n_above_one(raw, conform, model):
    ex = raw.chat(exact(model, ANSWER, n=2))
    choices = ex.body.get("choices") if isinstance(ex.body, dict) else None
    consistent = ("supported",) if isinstance(choices, list) and len(choices) == 2 else ("clamped", "ignored")
    observe(conform, "n_above_one", ex, consistent)


@pytest.mark.policy
def test_tool_role(raw, conform, model):
    """The OpenAI form of a tool result (role "tool", tool_call_id): supported means the answer uses it."""
    weather = {
        "type": "function",
        "function": {
            "name": "get_weather",
            "parameters": {"type": "object", "required": ["city"], "properties": {"city": {"type": "string"}}},
        },
    }
    call = {
        "id": "call_policy_1",
        "type": "function",
        "function": {"name": "get_weather", "arguments": json.dumps({"city": "Oslo"})},
    }
    body = chat(
        model,
        user("Use get_weather for 'Oslo', then tell me the temperature."),
        {"role": "assistant", "content": None, "tool_calls": [call]},
        {"role": "tool", "tool_call_id": call["id"], "content": json.dumps({"temperature_c": 17})},
        tools=[weather],
        max_tokens=300,
    )
    ex = raw.chat(body)
    consistent = ("supported",) if "17" in answer_text(ex) else ()
    observe(conform, "tool_role", ex, consistent)
