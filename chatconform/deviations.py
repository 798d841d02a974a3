"""Known deviations: a target's documented gaps, reported as xfail instead of hidden or failing the run.

A TOML file (`--known-deviations`) lists them:

    [[deviation]]
    id = "retry-after-dropped"
    reason = "drops the upstream Retry-After header on a 429"
    tests = ["test_gateway_faults.py::test_upstream_error_status[429-*]"]   # optional, default every test
    checks = ["upstream.retry_after"]                                       # optional

`tests` are patterns over the test ID without its directories (`file.py::name[params]`); `*` is the only
wildcard (brackets are literal, as they are in parametrised IDs). `checks` are patterns over the check names
of the findings (`stream.*`, `policy.stop_more_than_max`).

A failed test becomes xfail when the entries that match it explain the failure: an entry without `checks`
explains any failure of the tests it names; entries with `checks` explain a failure only when every finding's
check is declared by one of them (a new kind of failure in the same test still fails). Strictness keeps the
list honest: an entry without `checks` is `xfail(strict=True)` on each test it names, so a named test that
passes fails as XPASS(strict); an entry with `checks` must explain at least one failure among the tests it
matched in the run, else the run fails with "known deviation ... no longer occurs".
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

_KEYS = {"id", "reason", "tests", "checks"}


class DeviationsError(ValueError):
    """A deviations file that cannot be used, with the reason in the message."""


def _glob(pattern: str) -> re.Pattern[str]:
    return re.compile(".*".join(re.escape(part) for part in pattern.split("*")), re.DOTALL)


@dataclass(frozen=True)
class Deviation:
    id: str
    reason: str
    tests: tuple[str, ...] = ()
    checks: tuple[str, ...] = ()
    _tests: tuple[re.Pattern[str], ...] = field(default=(), repr=False, compare=False)
    _checks: tuple[re.Pattern[str], ...] = field(default=(), repr=False, compare=False)

    @classmethod
    def build(cls, id: str, reason: str, tests: tuple[str, ...], checks: tuple[str, ...]) -> Deviation:
        return cls(id, reason, tests, checks, tuple(map(_glob, tests)), tuple(map(_glob, checks)))

    def matches_test(self, test_id: str) -> bool:
        return not self._tests or any(p.fullmatch(test_id) for p in self._tests)

    def declares(self, check: str) -> bool:
        return any(p.fullmatch(check) for p in self._checks)

    @property
    def per_test(self) -> bool:
        """Without checks, the entry is an xfail(strict=True) on each test it names."""
        return not self.checks

    def label(self) -> str:
        return f"known deviation {self.id}: {self.reason}"


@dataclass(frozen=True)
class DeviationVerdict:
    """What the deviations say about one test's call phase."""

    matched: tuple[str, ...] = ()  # ids of the entries whose tests match
    used: tuple[str, ...] = ()  # ids of the entries that explain its failure (it becomes xfail)
    xpassed: tuple[str, ...] = ()  # ids of per-test entries whose test passed (it becomes a failure)

    def reason(self, entries: dict[str, Deviation], ids: tuple[str, ...]) -> str:
        return "; ".join(entries[i].label() for i in ids)


@dataclass(frozen=True)
class Deviations:
    entries: tuple[Deviation, ...] = ()
    source: str = ""

    def __bool__(self) -> bool:
        return bool(self.entries)

    @property
    def by_id(self) -> dict[str, Deviation]:
        return {d.id: d for d in self.entries}

    def judge(self, nodeid: str, failed: bool, checks: list[str]) -> DeviationVerdict:
        """The verdict for a test that failed (with findings from `checks`) or passed."""
        test_id = short_id(nodeid)
        matched = [d for d in self.entries if d.matches_test(test_id)]
        ids = tuple(d.id for d in matched)
        if not failed:
            return DeviationVerdict(ids, xpassed=tuple(d.id for d in matched if d.per_test and d.tests))
        blanket = [d for d in matched if d.per_test]
        if blanket:
            return DeviationVerdict(ids, used=tuple(d.id for d in blanket))
        declaring = [d for d in matched if any(d.declares(c) for c in checks)]
        if checks and all(any(d.declares(c) for d in declaring) for c in checks):
            return DeviationVerdict(ids, used=tuple(d.id for d in declaring))
        return DeviationVerdict(ids)

    def stale(self, matched: set[str], used: set[str]) -> list[Deviation]:
        """Entries with checks that matched tests in the run but explained no failure."""
        return [d for d in self.entries if not d.per_test and d.id in matched and d.id not in used]


def short_id(nodeid: str) -> str:
    """`dir/sub/test_x.py::test[p]` -> `test_x.py::test[p]`: the ID without the checkout's layout."""
    path, sep, rest = nodeid.partition("::")
    return path.rsplit("/", 1)[-1] + sep + rest


def load_deviations(path: str | Path) -> Deviations:
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise DeviationsError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise DeviationsError(f"{path}: not valid TOML: {exc}") from exc
    unknown = set(data) - {"deviation"}
    if unknown:
        raise DeviationsError(f"{path}: unknown tables {sorted(unknown)}; use [[deviation]]")
    raw = data.get("deviation", [])
    if not isinstance(raw, list):
        raise DeviationsError(f"{path}: deviation must be an array of tables ([[deviation]])")
    entries = tuple(_entry(item, n, str(path)) for n, item in enumerate(raw, 1))
    seen: set[str] = set()
    for entry in entries:
        if entry.id in seen:
            raise DeviationsError(f"{path}: deviation id {entry.id!r} is listed twice")
        seen.add(entry.id)
    return Deviations(entries, str(path))


def _entry(item: Any, n: int, path: str) -> Deviation:
    where = f"{path}: deviation #{n}"
    if not isinstance(item, dict):
        raise DeviationsError(f"{where} is not a table")
    unknown = set(item) - _KEYS
    if unknown:
        raise DeviationsError(f"{where}: unknown keys {sorted(unknown)}; allowed: {sorted(_KEYS)}")
    for key in ("id", "reason"):
        if not isinstance(item.get(key), str) or not item[key].strip():
            raise DeviationsError(f"{where}: {key!r} must be a non-empty string")
    tests, checks = _patterns(item, "tests", where), _patterns(item, "checks", where)
    if not tests and not checks:
        raise DeviationsError(f"{where} ({item['id']}): give `tests`, `checks` or both")
    return Deviation.build(item["id"].strip(), item["reason"].strip(), tests, checks)


def _patterns(item: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = item.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise DeviationsError(f"{where}: {key!r} must be a list of non-empty strings")
    return tuple(v.strip() for v in value)
