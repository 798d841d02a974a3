"""Gateway mode of `load`: read the upstream mock's journal after the run and attribute the latency.

With `--upstream-url` the harness reads `GET <upstream>/mock/journal?contains=<run mark>` once the run has
ended (a few reads at most, while entries are still pending), never during it: a journal read per request
would cost the generator its capacity. The pairing itself is overhead.py. The journal keeps its latest
entries only (the mock's `journal_size`, 500 by default): a longer run pairs its last requests and counts
the others as unpaired. httpx, not geventhttpclient: this runs once, outside the users' greenlets.
"""

from __future__ import annotations

import time
from typing import Any

import httpx

from chatconform.load.overhead import Overhead, attribute
from chatconform.pacing import Arrivals

SETTLE_S = 2.0  # how long an entry may stay pending after the run (the mock finishing its bookkeeping)
READ_TIMEOUT_S = 15.0


class JournalError(RuntimeError):
    """The upstream's journal could not be read (the message never holds the key)."""


def read_journal(root: str, key: str, mark: str, settle_s: float = SETTLE_S) -> list[dict[str, Any]]:
    """The journal entries holding `mark`, oldest first, read again (bounded) while any is still pending."""
    url = root.rstrip("/") + "/mock/journal"
    deadline = time.monotonic() + settle_s
    with httpx.Client(timeout=READ_TIMEOUT_S) as http:
        while True:
            try:
                response = http.get(url, params={"contains": mark}, headers={"authorization": f"Bearer {key}"})
            except httpx.HTTPError as exc:
                raise JournalError(f"GET {url}: {type(exc).__name__}") from None
            data = response.json().get("data") if _is_json(response) else None
            if response.status_code != 200 or not isinstance(data, list):
                raise JournalError(f"GET {url} answered {response.status_code}, not the mock's journal")
            entries = [e for e in data if isinstance(e, dict)]
            if all(e.get("outcome") != "pending" for e in entries) or time.monotonic() >= deadline:
                return entries
            time.sleep(0.1)


def _is_json(response: httpx.Response) -> bool:
    try:
        return isinstance(response.json(), dict)
    except ValueError:
        return False


def measure(root: str, key: str, mark: str, arrivals: list[Arrivals], dropped: int) -> dict[str, Any]:
    """The summary's `gateway` section: the figures, and why the journal could not be read if it could not."""
    try:
        entries = read_journal(root, key, mark)
    except JournalError as exc:
        failed = Overhead()
        failed.unpaired["journal_unreadable"] = len(arrivals) + dropped
        return {**failed.to_json(), "journal_error": str(exc)}
    return {**attribute(arrivals, entries, mark, dropped).to_json(), "journal_error": None}
