"""Cases of the matrix known to fail, and whose doing each failure is.

`mock` entries name the item of issue 12 that will fix them; `client` entries are limitations of the
client itself, which no mock change can fix. Every entry becomes a strict xfail, so a case that starts
passing (the mock was fixed, the client gained the feature) fails the run until its entry is removed.
The table in tests/clients/README.md says what each client observed; a test keeps the two in step.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Known:
    whose: str  # "mock" or "client"
    reason: str  # why, naming the issue-12 item for a mock gap

    def marker_reason(self) -> str:
        return f"{'mock gap' if self.whose == 'mock' else 'client limitation'}: {self.reason}"


NO_JSON_MODE = Known("client", "@ai-sdk/anthropic drops a schema-less Output.json() and sends the bare prompt")

KNOWN: dict[tuple[str, str], Known] = {
    ("ai-sdk-anthropic", "json-mode"): NO_JSON_MODE,
}
