"""The models.* checks on hand-built GET /models exchanges."""

from __future__ import annotations

from typing import Any

from chatconform.exchange import Exchange
from chatconform.profile import load_profile
from tests.checks.handmade import run, titles

PROFILE = load_profile()


def listing(ids: list[str], status: int = 200, **extra: Any) -> Exchange:
    data = [{"id": i, "object": "model", "created": 1_700_000_000, "owned_by": "anthropic", **extra} for i in ids]
    ex = Exchange(
        "GET", "http://127.0.0.1:1/v1/models", {}, None, status=status, headers={"content-type": "application/json"}
    )
    ex.body = {"object": "list", "data": data}
    return ex


def test_a_full_listing_in_either_form_passes() -> None:
    mixed = [m.id if i % 2 else PROFILE.alias_prefix + m.id for i, m in enumerate(PROFILE.models)]
    ex = listing(mixed)
    assert run(ex, "models.schema") == []
    assert run(ex, "models.catalog", profile=PROFILE) == []


def test_schema_reports_a_wrong_object_and_a_failed_request() -> None:
    ex = listing(["claude-haiku-4-5"], object="engine")
    [finding] = run(ex, "models.schema")
    assert finding.path == "$.data[0].object"
    assert titles(run(listing([], status=404), "models.schema")) == ["GET /models failed with status 404"]


def test_catalog_names_each_missing_model() -> None:
    ex = listing([m.id for m in PROFILE.models if m.id != "claude-4-opus"])
    [finding] = run(ex, "models.catalog", profile=PROFILE)
    assert finding.title == "model claude-4-opus is not listed"
    assert finding.expected == "anthropic/claude-4-opus or claude-4-opus"
