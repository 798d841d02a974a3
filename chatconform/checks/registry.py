"""Checks: pure functions from an exchange to findings, registered by name.

The registered name is the project's vocabulary: it appears in pytest
failures, in `-k` expressions, in the compatibility report and in the docs
(`docs/checks.md` is generated from this registry). A check does no I/O and
never raises for a malformed exchange; it reports what it saw.

The registry owns three things a check would otherwise restate:
- its **name**, which it stamps on every finding the check yields;
- its **groups**, from the tags given at registration (`group("stream")` is
  every stream check, in registration order), so no tuple is kept by hand;
- its **precondition** (`gate`): a check that needs a successful answer
  names the gate check that establishes it (`response.ok` for a JSON answer,
  `stream.content_type` for a stream, `answer.ok` for either). When the gate
  finds something, the dependent checks add nothing: one cause, one finding.

Besides checks over an exchange, the vocabulary holds *comparisons*
(`sdk.text`, ...): names a test reports through `Conform.expect_equal` when
what it compares is not an exchange (an SDK object, a ledger). They are
registered too, so a misspelt one is an error and the docs list them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, cast

from chatconform.checks.expect import Expect, ExpectationError, build, missing
from chatconform.checks.finding import Finding
from chatconform.exchange import Exchange
from chatconform.features import FEATURES, nearest
from chatconform.profile import Profile

CheckFn = Callable[[Exchange, Expect], Iterable[Finding]]
GateFn = Callable[[Exchange], str | None]


@dataclass(frozen=True)
class Check:
    name: str
    feature: str
    summary: str
    fn: CheckFn | None = field(repr=False, default=None)  # None for a comparison
    reads: tuple[str, ...] = ()
    needs: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    gate: str | GateFn | None = None  # a gate check's name, or a function choosing it per exchange
    tolerates: str = ""  # the variance of a real model (or a correct gateway) the check accepts, and why
    subsumes: tuple[str, ...] = ()  # generic checks whose findings at the same path this one explains

    @property
    def is_comparison(self) -> bool:
        return self.fn is None

    def gate_for(self, ex: Exchange) -> str | None:
        return self.gate(ex) if callable(self.gate) else self.gate

    def apply(self, ex: Exchange, expect: Expect) -> list[Finding]:
        """Run the check alone (no gate), with only the expectations it declared."""
        if self.fn is None:
            raise TypeError(f"{self.name} is a comparison, not a check of an exchange")
        scoped = cast(Expect, _Scoped(expect, self))
        rid = ex.request_id
        return [replace(f, check=self.name, request_id=f.request_id or rid) for f in self.fn(ex, scoped)]

    def __call__(self, ex: Exchange, expect: Expect | None = None, **given: Any) -> list[Finding]:
        """Run the check with its gate, as `run` would: `check(ex, text="pong")`."""
        return run(ex, [self.name], expect, **given)


class _Scoped:
    """The expectations as one check sees them: reading a field it did not declare is a bug in the check."""

    __slots__ = ("_check", "_expect")

    def __init__(self, expect: Expect, check: Check) -> None:
        self._expect, self._check = expect, check

    def __getattr__(self, name: str) -> Any:
        if name != "profile" and name not in self._check.reads and name not in self._check.needs:
            raise AttributeError(f"check {self._check.name} reads expectation {name!r} without declaring it")
        return getattr(self._expect, name)


REGISTRY: dict[str, Check] = {}


def check(
    name: str,
    *,
    feature: str,
    summary: str,
    reads: Iterable[str] = (),
    needs: Iterable[str] = (),
    tags: Iterable[str] = (),
    gate: str | GateFn | None = None,
    tolerates: str = "",
    subsumes: Iterable[str] = (),
) -> Callable[[CheckFn], CheckFn]:
    """Register a check under `name` (dotted, e.g. `stream.done`)."""

    def register(fn: CheckFn) -> CheckFn:
        _add(
            Check(name, feature, summary, fn, tuple(reads), tuple(needs), tuple(tags), gate, tolerates, tuple(subsumes))
        )
        return fn

    return register


def comparison(name: str, *, feature: str, summary: str, tolerates: str = "") -> None:
    """Register a name that tests report through `Conform.expect_equal`."""
    _add(Check(name, feature, summary, tolerates=tolerates))


def _add(entry: Check) -> None:
    if entry.name in REGISTRY:
        raise ValueError(f"check {entry.name!r} registered twice")
    if entry.feature not in FEATURES:
        raise ValueError(f"check {entry.name!r}: feature {entry.feature!r} is not in chatconform.features.FEATURES")
    unknown = [n for n in (*entry.reads, *entry.needs) if n not in Expect.__dataclass_fields__]
    if unknown:
        raise ValueError(f"check {entry.name!r} declares unknown expectations {unknown}")
    REGISTRY[entry.name] = entry


def get(name: str) -> Check:
    _load_all()
    try:
        return REGISTRY[name]
    except KeyError:
        raise KeyError(f"no check named {name!r}{nearest(name, REGISTRY)}") from None


def group(tag: str) -> tuple[str, ...]:
    """The names of the checks tagged `tag`, in registration order."""
    _load_all()
    names = tuple(c.name for c in REGISTRY.values() if tag in c.tags)
    if not names:
        raise KeyError(f"no check is tagged {tag!r}")
    return names


def expectations_for(names: Iterable[str], given: Mapping[str, Any], profile: Profile | None = None) -> Expect:
    """The typed expectations for a call naming these checks (see `chatconform.checks.expect.build`)."""
    checks = [get(n) for n in names]
    expect = build(given, {c.name: (*c.reads, *c.needs) for c in checks}, profile)
    for c in checks:
        if absent := missing(expect, c.needs):
            raise ExpectationError(f"check {c.name} needs the expectation(s) {', '.join(absent)}")
    return expect


def run(ex: Exchange, names: Iterable[str], expect: Expect | None = None, **given: Any) -> list[Finding]:
    """Apply several checks to one exchange. A failed gate's findings come first and stand alone for
    the checks behind it; a generic finding that a more specific one explains is dropped."""
    names = list(dict.fromkeys(names))
    if expect is None:
        expect = expectations_for(names, given)
    elif given:
        raise TypeError("run() takes an Expect or keyword expectations, not both")
    own: dict[str, list[Finding]] = {}

    def findings_of(name: str) -> list[Finding]:
        if name not in own:  # each check runs at most once per exchange, gate or not
            own[name] = get(name).apply(ex, expect)
        return own[name]

    gates = [g for n in names if (g := get(n).gate_for(ex)) is not None]
    failed = [g for g in dict.fromkeys(gates) if findings_of(g)]
    kept = [n for n in names if n not in failed and get(n).gate_for(ex) not in failed]
    found = [f for name in (*failed, *kept) for f in findings_of(name)]
    return _explained(found)


def _explained(found: list[Finding]) -> list[Finding]:
    """Drop findings of a generic check (a schema check) at a path where a specific check that
    subsumes it found something: the specific title says what the generic one cannot."""
    covered = {(generic, f.path) for f in found for generic in get(f.check).subsumes}
    return [f for f in found if (f.check, f.path) not in covered]


def all_checks() -> list[Check]:
    _load_all()
    return sorted(REGISTRY.values(), key=lambda c: c.name)


def _load_all() -> None:
    # The check modules register themselves on import.
    import chatconform.checks  # noqa: F401
