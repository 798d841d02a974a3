"""Checks of `GET /models`: the list's schema, and every model of the profile listed."""

from __future__ import annotations

from collections.abc import Iterator

from chatconform.checks.common import schema_finding
from chatconform.checks.expect import Expect
from chatconform.checks.finding import Finding, raw_head
from chatconform.checks.registry import check
from chatconform.exchange import Exchange


@check(
    "models.schema",
    feature="models",
    summary="GET /models answers 200 with an OpenAI models list",
    tags=("models",),
    tolerates="extra models beyond the profile's, extra fields on each model",
)
def schema(ex: Exchange, expect: Expect) -> Iterator[Finding]:
    if ex.status != 200:
        yield Finding(
            f"GET /models failed with status {ex.status}",
            "$",
            "200",
            f"{ex.status} {ex.error or raw_head(ex.raw, 200)}",
        )
    elif found := schema_finding("models.list", ex.body):
        yield found


@check(
    "models.catalog",
    feature="models",
    summary="every model of the profile is listed, in either ID form",
    reads=("models",),
    tags=("models",),
    gate="models.schema",
)
def catalog(ex: Exchange, expect: Expect) -> Iterator[Finding]:
    profile = expect.profile
    data = ex.body.get("data") if isinstance(ex.body, dict) else None
    listed = {entry.get("id") for entry in data if isinstance(entry, dict)} if isinstance(data, list) else set()
    for model_id in expect.models or profile.model_ids(aliases=False):
        forms = {model_id, profile.alias_prefix + model_id} if profile.alias_prefix else {model_id}
        if not forms & listed:
            yield Finding(
                f"model {model_id} is not listed",
                "$.data[*].id",
                " or ".join(sorted(forms)),
                f"{len(listed)} ids, none of them",
            )
