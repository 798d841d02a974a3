"""`chatconform diff OLD NEW`: what changed between two runs, in causes.

Two compat.json files (format `chatconform-compat/2`) are compared by cause
id, which is stable across runs (see `causes`): a cause in NEW only is *new*,
in OLD only *fixed*, in both *unchanged* (its test count may differ). Matrix
cells whose outcome or counts changed are listed, and the cost and timing of
both runs. This is how a team gates a gateway release on "no new
departures" against the last release's report, or compares two vendors.

Exit codes: 0 when NEW has no cause OLD lacks, 1 when it has, 2 when a file
cannot be read or is of another format (one line on stderr says which).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chatconform.report.json_writer import FORMAT

NEW_CAUSES, UNREADABLE = 1, 2


class ReportError(Exception):
    """A compat.json that cannot be compared; the message is the one line to show."""


@dataclass(frozen=True)
class CellChange:
    model: str
    feature: str
    old: dict[str, Any] | None  # a matrix cell of compat.json: outcome, counts, total; None when absent
    new: dict[str, Any] | None


@dataclass(frozen=True)
class RunDiff:
    old: dict[str, Any]
    new: dict[str, Any]
    new_causes: list[dict[str, Any]]
    fixed: list[dict[str, Any]]
    unchanged: list[tuple[dict[str, Any], dict[str, Any]]]  # (old, new) of the same id
    cells: list[CellChange]

    @property
    def exit_code(self) -> int:
        return NEW_CAUSES if self.new_causes else 0


def load(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ReportError(f"cannot read {path}: {exc.strerror if isinstance(exc, OSError) else exc}") from None
    except ValueError as exc:
        raise ReportError(f"{path} is not JSON ({exc})") from None
    if not isinstance(data, dict):
        raise ReportError(f"{path} is not a chatconform report (a JSON {type(data).__name__})")
    found = data.get("format")
    if found != FORMAT:
        raise ReportError(
            f"{path} is a {found or 'non-chatconform'} report; this chatconform compares {FORMAT} "
            "reports (run the check again to get one)"
        )
    if not isinstance(data.get("causes"), list) or not isinstance(data.get("matrix"), dict):
        raise ReportError(f"{path} lacks its causes or its matrix")
    report: dict[str, Any] = data
    return report


def compare(old: dict[str, Any], new: dict[str, Any]) -> RunDiff:
    before = {c["id"]: c for c in old["causes"]}
    after = {c["id"]: c for c in new["causes"]}
    return RunDiff(
        old,
        new,
        new_causes=[c for i, c in after.items() if i not in before],
        fixed=[c for i, c in before.items() if i not in after],
        unchanged=[(before[i], c) for i, c in after.items() if i in before],
        cells=_cells(old["matrix"], new["matrix"]),
    )


def _cells(old: dict[str, Any], new: dict[str, Any]) -> list[CellChange]:
    models = list(dict.fromkeys([*old.get("models", []), *new.get("models", [])]))
    features = list(dict.fromkeys([*old.get("features", []), *new.get("features", [])]))
    changes = []
    for model in models:
        for feature in features:
            a = old.get("cells", {}).get(model, {}).get(feature)
            b = new.get("cells", {}).get(model, {}).get(feature)
            if _cell_key(a) != _cell_key(b):
                changes.append(CellChange(model, feature, a, b))
    return changes


def _cell_key(cell: dict[str, Any] | None) -> tuple[str, tuple[tuple[str, int], ...]] | None:
    if cell is None:
        return None
    return str(cell.get("outcome")), tuple(sorted((cell.get("counts") or {}).items()))


def figures(run: dict[str, Any]) -> dict[str, float]:
    """The cost and timing a diff compares."""
    cases = run.get("cases") or []
    return {
        "cost_usd": float(run.get("cost_usd") or 0.0),
        "estimated_cost_usd": float(run.get("estimated_cost_usd") or 0.0),
        "case_seconds": round(sum(float(c.get("duration_s") or 0.0) for c in cases), 3),
        "cases": float(len(cases)),
    }


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.epilog = "Exit code: 0 no new cause, 1 NEW has a cause OLD has not, 2 a report cannot be read."
    parser.add_argument("old", type=Path, metavar="OLD", help="compat.json of the earlier (or reference) run")
    parser.add_argument("new", type=Path, metavar="NEW", help="compat.json of the run to judge")
    parser.add_argument("--format", choices=("md", "json"), default="md", help="md (a pull-request comment) or json")


def run(args: argparse.Namespace) -> int:
    from chatconform.report.diff_render import render_json, render_markdown

    try:
        result = compare(load(args.old), load(args.new))
    except ReportError as exc:
        print(f"chatconform diff: {exc}", file=sys.stderr)
        return UNREADABLE
    names = (str(args.old), str(args.new))
    print(render_json(result, names) if args.format == "json" else render_markdown(result, names), end="")
    return result.exit_code
