"""compat.json: the run as data, for dashboards and diffing between runs.

`RunResults.as_dict()` plus a `matrix` section (see `matrix`). Keys are
sorted so two runs diff line by line; every string is redacted before it is
serialised, never the serialised text (masking inside JSON text could eat
the quote that closes a string).
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from chatconform.report.matrix import SEVERITY, run_matrix
from chatconform.report.model import RunResults
from chatconform.report.text import scrub

FORMAT = "chatconform-compat/1"  # bumped when a key changes meaning or disappears


def report_data(results: RunResults) -> dict[str, Any]:
    data = results.as_dict()
    counted = Counter(c.outcome for c in results.cases)
    data["format"] = FORMAT
    data["counts"] = {o: counted[o] for o in SEVERITY}
    data["matrix"] = run_matrix(results).as_dict()
    return data


def render_json(results: RunResults) -> str:
    return json.dumps(scrub(report_data(results)), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
