"""Models: the list, both ID forms of every model, and an unknown model."""

from __future__ import annotations

import pytest

from chatconform.answer import text as answer_text
from chatconform.checks import ERROR_CHECKS, MODELS_CHECKS, RESPONSE_CHECKS
from chatconform.checks.common import normalise_text
from chatconform.prompts import exact

pytestmark = pytest.mark.models

ANSWER = "MODEL-ALIAS-OK"


def test_models_list(raw, conform):
    conform.requires("models_endpoint")
    conform.check(raw.request("GET", "/models"), *MODELS_CHECKS)


def test_alias_answers_like_canonical(raw, conform, profile, model):
    """The `anthropic/` alias reaches the same model: both forms accepted, same answer."""
    if not profile.alias_prefix:
        pytest.skip("the profile has no alias form")
    answers = {}
    for model_id in (model, profile.alias_prefix + model):
        ex = raw.chat(exact(model_id, ANSWER))
        conform.check(ex, *RESPONSE_CHECKS, text=ANSWER)
        answers[model_id] = normalise_text(answer_text(ex))
    canonical, alias = answers.values()
    conform.expect_equal(
        "models.alias",
        canonical,
        alias,
        title="the alias answers differently from the canonical ID",
        path="$.choices[0].message.content",
    )


@pytest.mark.parametrize("form", ["canonical", "alias"])
def test_unknown_model(raw, conform, profile, form):
    name = "claude-does-not-exist-0"
    if form == "alias":
        if not profile.alias_prefix:
            pytest.skip("the profile has no alias form")
        name = profile.alias_prefix + name
    status = profile.expect.unknown_model_status
    code = profile.expect.unknown_model_code
    conform.check(raw.chat(exact(name, "UNKNOWN")), *ERROR_CHECKS, status=status, error_code=code)
