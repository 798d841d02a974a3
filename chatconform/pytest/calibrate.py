"""Refresh `chatconform/token_table.json`, the per-test figures the cost estimate is built from.

    python -m chatconform.pytest.calibrate

Runs the shipped suites in this process against the built-in mock (whose answers have the length a
real model gives the same prompt), and writes, for every test function, the mean number of requests and
of prompt and completion tokens per test, over its parameters (models, modes). `tests/unit/test_cost.py`
fails when a suite test has no entry, so the table cannot silently fall behind the suites.
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

import pytest

from chatconform.cost import TABLE, test_key
from chatconform.pytest.run_check import INI_FILE, SUITES_DIR
from chatconform.pytest.state import record_of

OUTPUT = Path(__file__).resolve().parent.parent / TABLE


class _Recorder:
    """Reads each test's record at teardown, before the plugin releases it."""

    def __init__(self) -> None:
        self.seen: dict[str, list[tuple[int, int, int]]] = defaultdict(list)

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_teardown(self, item: pytest.Item) -> None:
        record = record_of(item)
        self.seen[test_key(item.nodeid)].append((record.requests, *record.tokens))


def table(seen: dict[str, list[tuple[int, int, int]]]) -> dict[str, dict[str, float]]:
    def mean(values: list[int]) -> float:
        return round(sum(values) / len(values), 1)

    return {
        key: {
            "requests": mean([r for r, _, _ in rows]),
            "prompt_tokens": mean([p for _, p, _ in rows]),
            "completion_tokens": mean([c for _, _, c in rows]),
        }
        for key, rows in sorted(seen.items())
    }


def main() -> int:
    recorder = _Recorder()
    with tempfile.TemporaryDirectory() as reports:
        args = ["-c", str(INI_FILE), "--rootdir", str(SUITES_DIR.parent), "-qq", "--report-dir", reports]
        code = pytest.main([*args, str(SUITES_DIR)], plugins=[recorder])
    if code != 0:
        print(f"calibrate: the suites did not pass against the built-in mock (exit {code}); table not written")
        return int(code)
    rows = [f"  {json.dumps(k)}: {json.dumps(v, sort_keys=True)}" for k, v in table(recorder.seen).items()]
    OUTPUT.write_text("{\n" + ",\n".join(rows) + "\n}\n", encoding="utf-8")
    print(f"calibrate: {len(recorder.seen)} test functions written to {OUTPUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
