"""A finding: one departure from the contract, as a check reports it and every output shows it.

The failure style is schemathesis's: a title that says what is wrong, then
expected versus observed (the observed value cut to a readable length), the
JSON path, and the request id to quote to the vendor. A check yields the
title, path, expected and observed; the registry adds the check's name and
the request id, so a name is written once, in `@check`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, fields
from typing import Any

from chatconform.answer import MISSING
from chatconform.redact import redact

VALUE_LIMIT = 160  # observed values are cut to this many characters in messages


@dataclass(frozen=True)
class Finding:
    title: str
    path: str = "$"
    expected: str = ""
    observed: str = ""
    check: str = ""  # filled in by the registry
    request_id: str = ""
    # "departure": the target broke the contract. "inconclusive": a real model's legitimate choice (no tool
    # call where `auto` allowed none, an answer that ended before the bound) left the check undecided.
    kind: str = "departure"

    @property
    def inconclusive(self) -> bool:
        return self.kind == "inconclusive"

    def render(self) -> str:
        lines = [f"[{self.check}] {'inconclusive: ' if self.inconclusive else ''}{self.title}"]
        if self.expected or self.observed:
            lines.append(f"    expected: {self.expected}")
            lines.append(f"    observed: {truncate(self.observed)}")
        lines.append(f"    at: {self.path}" + (f"   request: {self.request_id}" if self.request_id else ""))
        return redact("\n".join(lines))

    def as_dict(self) -> dict[str, str]:
        return {f.name: redact(str(getattr(self, f.name))) for f in fields(self)}


def undecided(title: str, path: str = "$", expected: str = "", observed: str = "") -> Finding:
    """A finding that leaves the case inconclusive rather than failed (see `Finding.kind`)."""
    return Finding(title, path, expected, observed, kind="inconclusive")


def show(value: Any) -> str:
    """A value as compact JSON with sorted keys (stable across runs), `(absent)` for a missing field."""
    if value is MISSING:
        return "(absent)"
    try:
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    except (TypeError, ValueError):
        return repr(value)


def truncate(value: str, limit: int = VALUE_LIMIT) -> str:
    return value if len(value) <= limit else value[: limit - 3] + "..."


def raw_head(raw: bytes, limit: int = 300) -> str:
    """The first bytes of a body as text, for an `observed`."""
    return raw[:limit].decode("utf-8", "replace")
