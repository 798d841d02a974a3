"""Checks of `GET /models`: the list's schema, and every model of the profile listed."""

from __future__ import annotations

from collections.abc import Iterator

from chatconform.checks.common import schema_finding
from chatconform.checks.registry import Expect, Finding, check
from chatconform.exchange import Exchange
from chatconform.profile import Profile

MODELS_CHECKS = ("models.schema", "models.catalog")


@check("models.schema", feature="models", summary="GET /models answers 200 with an OpenAI models list")
def schema(ex: Exchange, expect: Expect) -> Iterator[Finding]:
    if ex.status != 200:
        yield Finding(
            "models.schema",
            f"GET /models failed with status {ex.status}",
            "$",
            "200",
            f"{ex.status} {ex.error or ex.raw[:200].decode('utf-8', 'replace')}",
        )
    elif found := schema_finding("models.schema", "models.list", ex.body):
        yield found


@check("models.catalog", feature="models", summary="every model of the profile is listed, in either ID form")
def catalog(ex: Exchange, expect: Expect) -> Iterator[Finding]:
    profile = expect.get("profile")
    data = ex.body.get("data") if ex.status == 200 and isinstance(ex.body, dict) else None
    if not isinstance(profile, Profile) or not isinstance(data, list):
        return
    listed = {entry.get("id") for entry in data if isinstance(entry, dict)}
    wanted = expect.get("models") or profile.model_ids(aliases=False)
    for model_id in wanted:
        forms = {model_id, profile.alias_prefix + model_id} if profile.alias_prefix else {model_id}
        if not forms & listed:
            yield Finding(
                "models.catalog",
                f"model {model_id} is not listed",
                "$.data[*].id",
                " or ".join(sorted(forms)),
                f"{len(listed)} ids, none of them",
            )
