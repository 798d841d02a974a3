"""Cost: usage from bodies and streams, prices from the profile, the estimate and the budget."""

from __future__ import annotations

import pytest

from chatconform import cost
from chatconform.answer import delivered_usage, requested_model
from chatconform.profile import load_profile
from tests.checks.handmade import USAGE, request, text_answer, text_stream

PROFILE = load_profile()


def test_usage_is_read_from_a_body_or_the_usage_chunk_and_only_on_success() -> None:
    assert delivered_usage(text_answer("x", usage=USAGE)) == USAGE
    assert delivered_usage(text_stream("a b", usage=USAGE)) == USAGE
    assert delivered_usage(text_stream("a b")) is None
    assert delivered_usage(text_answer("x", usage=USAGE, status=500)) is None


@pytest.mark.parametrize(
    "usage",
    [
        None,
        {},
        {"prompt_tokens": -1, "completion_tokens": 2},
        {"prompt_tokens": True, "completion_tokens": 2},
        {"prompt_tokens": "1"},
    ],
)
def test_malformed_usage_costs_nothing(usage: object) -> None:
    assert cost.usage_cost(PROFILE, "claude-haiku-4-5", usage) == 0.0


def test_usage_is_priced_per_model_in_either_form() -> None:
    usage = {"prompt_tokens": 1_000_000, "completion_tokens": 1_000_000}
    assert cost.usage_cost(PROFILE, "anthropic/claude-4-opus", usage) == pytest.approx(90.0)
    assert cost.usage_cost(PROFILE, "claude-3-5-haiku-latest", usage) == pytest.approx(4.8)
    assert cost.usage_cost(PROFILE, "gpt-4o", usage) == 0.0
    assert requested_model(text_answer("x", req=request(model="claude-4-opus"))) == "claude-4-opus"


def test_the_estimate_prices_each_test_at_its_model() -> None:
    ids = ["s/test_basic.py::test_basic[anthropic/claude-4-opus]", "s/test_errors.py::test_bad_request[empty-body]"]
    models = [cost.model_in(i, PROFILE) for i in ids]
    assert models == ["claude-4-opus", ""]
    per_request = {"claude-4-opus": (300 * 15 + 150 * 75) / 1e6, "default": (300 * 3 + 150 * 15) / 1e6}
    assert cost.estimate(models, PROFILE) == pytest.approx(3 * (per_request["claude-4-opus"] + per_request["default"]))


def test_model_in_prefers_the_longest_id() -> None:
    assert cost.model_in("t.py::test_x[claude-opus-4-5-stream]", PROFILE) == "claude-opus-4-5"
    assert cost.model_in("t.py::test_x", PROFILE) == ""


def test_the_budget_is_exceeded_only_past_its_limit() -> None:
    budget = cost.SpendLimit(limit=1.0)
    budget.add(1.0)
    assert not budget.exceeded
    budget.add(0.01)
    assert budget.exceeded
    assert "passed --max-cost $1.0000" in budget.message()
    assert not cost.SpendLimit().exceeded
