"""Checks: pure functions from an exchange to findings, registered by name.

The registered name is the project's vocabulary: it appears in pytest
failures, in `-k` expressions, in the compatibility report and in the docs
(`docs/checks.md` is generated from this registry). A check does no I/O and
never raises for a malformed exchange; it reports what it saw.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from chatconform.exchange import Exchange
from chatconform.redact import redact

VALUE_LIMIT = 160  # observed values are cut to this many characters in messages


@dataclass(frozen=True)
class Finding:
    """One departure from the contract: what, where, expected versus observed."""

    check: str
    title: str
    path: str = "$"
    expected: str = ""
    observed: str = ""
    request_id: str = ""

    def render(self) -> str:
        lines = [f"[{self.check}] {self.title}"]
        if self.expected or self.observed:
            lines.append(f"    expected: {self.expected}")
            lines.append(f"    observed: {truncate(self.observed)}")
        lines.append(f"    at: {self.path}" + (f"   request: {self.request_id}" if self.request_id else ""))
        return redact("\n".join(lines))

    def as_dict(self) -> dict[str, str]:
        return {k: redact(str(v)) for k, v in vars(self).items()}


Expect = Mapping[str, Any]
CheckFn = Callable[[Exchange, Expect], Iterable[Finding]]


@dataclass(frozen=True)
class Check:
    name: str
    feature: str
    summary: str
    fn: CheckFn = field(repr=False)

    def __call__(self, ex: Exchange, expect: Expect | None = None) -> list[Finding]:
        found = list(self.fn(ex, expect or {}))
        rid = ex.request_id
        return [f if f.request_id else _with_request(f, rid) for f in found]


REGISTRY: dict[str, Check] = {}


def check(name: str, *, feature: str, summary: str) -> Callable[[CheckFn], CheckFn]:
    """Register a check under `name` (dotted, e.g. `stream.done_last`)."""

    def register(fn: CheckFn) -> CheckFn:
        if name in REGISTRY:
            raise ValueError(f"check {name!r} registered twice")
        REGISTRY[name] = Check(name, feature, summary, fn)
        return fn

    return register


def get(name: str) -> Check:
    _load_all()
    try:
        return REGISTRY[name]
    except KeyError:
        raise KeyError(f"no check named {name!r}; known: {', '.join(sorted(REGISTRY))}") from None


def run(ex: Exchange, names: Iterable[str], expect: Expect | None = None) -> list[Finding]:
    """Apply several checks to one exchange; findings in check order."""
    return [finding for name in names for finding in get(name)(ex, expect)]


def all_checks() -> list[Check]:
    _load_all()
    return sorted(REGISTRY.values(), key=lambda c: c.name)


def truncate(value: str, limit: int = VALUE_LIMIT) -> str:
    return value if len(value) <= limit else value[: limit - 3] + "..."


def _with_request(finding: Finding, request_id: str) -> Finding:
    return Finding(finding.check, finding.title, finding.path, finding.expected, finding.observed, request_id)


def _load_all() -> None:
    # The check modules register themselves on import.
    import chatconform.checks  # noqa: F401
