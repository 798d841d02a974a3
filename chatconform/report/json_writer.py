"""compat.json: the run as data, for dashboards and diffing between runs.

`RunResults.as_dict()` plus the run's `causes` (see `causes`: most tests
first, each with its id, check, title, severity, test count, models and one
example with a curl), a `matrix` section (see `matrix`), the `fields` table
(field fates, when a run observed any) and the verdict line. Keys are
sorted so two runs diff line by line; every string is redacted before it is
serialised, never the serialised text (masking inside JSON text could eat
the quote that closes a string).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict
from typing import Any

from chatconform.report.causes import Cause, causes
from chatconform.report.matrix import SEVERITY, run_matrix
from chatconform.report.model import RunResults
from chatconform.report.text import scrub
from chatconform.report.verdict import verdict_line

# Bumped when a key changes meaning or disappears. 2: top-level `causes`, `fields`, `verdict_line`;
# each case may carry the `request` of its failing exchange.
FORMAT = "chatconform-compat/2"


def report_data(results: RunResults, found: list[Cause] | None = None) -> dict[str, Any]:
    found = causes(results) if found is None else found
    data = results.as_dict()
    counted = Counter(c.outcome for c in results.cases)
    data["format"] = FORMAT
    data["counts"] = {o: counted[o] for o in SEVERITY}
    data["causes"] = [c.as_dict() for c in found]
    data["verdict_line"] = verdict_line(results, found)
    data["fields"] = {name: asdict(fate) for name, fate in sorted(results.fields.items())}
    data["matrix"] = run_matrix(results).as_dict()
    return data


def render_json(results: RunResults, found: list[Cause] | None = None) -> str:
    data = scrub(report_data(results, found))
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
