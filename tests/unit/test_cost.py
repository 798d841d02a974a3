"""Cost: usage from bodies and streams, prices from the profile, the estimate and the budget."""

from __future__ import annotations

import ast
from pathlib import Path

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


def test_the_estimate_prices_each_test_by_its_measured_tokens_at_its_model() -> None:
    ids = ["suites/test_basic.py::test_basic[anthropic/claude-4-opus]", "x/test_mine.py::test_mine"]
    models = [cost.model_in(i, PROFILE) for i in ids]
    assert models == ["claude-4-opus", ""]
    basic = cost.token_table()["test_basic.py::test_basic"]
    opus = PROFILE.resolve("claude-4-opus")
    assert opus is not None
    wanted = opus.cost(round(basic["prompt_tokens"]), round(basic["completion_tokens"]))
    unknown = cost.UNKNOWN_TEST  # a user's own test: one short request at the default model's prices
    wanted += PROFILE.default_model.cost(round(unknown["prompt_tokens"]), round(unknown["completion_tokens"]))
    assert cost.estimate(zip(ids, models, strict=True), PROFILE) == pytest.approx(wanted)


def test_the_token_table_knows_every_suite_test_and_no_other() -> None:
    """Refresh with `python -m chatconform.pytest.calibrate` when this fails."""
    suites = Path(__file__).resolve().parents[2] / "suites"
    functions = {
        f"{path.name}::{node.name}"
        for path in suites.glob("test_*.py")
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")
    }
    assert functions == set(cost.token_table())


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
