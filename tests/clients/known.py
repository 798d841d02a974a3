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


EMPTY_CONTENT = Known("mock", 'issue 12 item 2 (a tool-call stream opens with content "" where OpenAI sends null)')
COUNT_TOKENS = Known("mock", "issue 12 item 3 (POST /v1/messages/count_tokens is a 404)")
MODELS = Known("mock", "issue 12 item 3 (GET /v1/models answers OpenAI's list shape to an Anthropic client)")
NO_JSON_MODE = Known("client", "@ai-sdk/anthropic drops a schema-less Output.json() and sends the bare prompt")

KNOWN: dict[tuple[str, str], Known] = {
    ("ai-sdk-anthropic", "json-mode"): NO_JSON_MODE,
    ("openai-py", "tools-streamed"): EMPTY_CONTENT,
    ("openai-py-async", "tools-streamed"): EMPTY_CONTENT,
    ("openai-node", "tools-streamed"): EMPTY_CONTENT,
    ("litellm", "tools-streamed"): EMPTY_CONTENT,
    ("ai-sdk-openai", "tools-streamed"): EMPTY_CONTENT,
    ("anthropic-py", "count-tokens"): COUNT_TOKENS,
    ("anthropic-node", "count-tokens"): COUNT_TOKENS,
    ("anthropic-py", "models-list"): MODELS,
    ("anthropic-node", "models-list"): MODELS,
}
