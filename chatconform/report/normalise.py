"""What varies between two sightings of the same departure, masked so that they compare equal.

A finding's title, expected and observed values quote what came back: model
IDs, request and chunk ids, timestamps, the index of the chunk where a stream
went wrong, the port of a loopback server. None of that says *what* is wrong,
so causes are keyed on the text with those parts masked (`<model>`, `<id>`,
`<time>`, `<n>`, `$.chunks[*]`).

Expected and observed *values* are evidence more than they are the
departure, so `value` masks more: every number but zero (two ledgers off by
different token counts are one departure; "reports 0" is one of its own), and
every quoted string that is not an identifier (`"end_turn"`, `"tool_calls"`,
`"invalid_request_error"` stay; a message, an answer's text, become
`"<text>"`). `title` masks numbers as well, except a status code in a title
that speaks of a status or an error (`the request failed with status 500`):
that number is what tells two departures apart.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

_IDS = re.compile(
    r"\b(?:chatcmpl|cmpl|req|msg|call|toolu|resp|run|chunk|gen|evt|file|batch|srvtoolu)[-_][A-Za-z0-9_-]{3,}"
    r"|\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b"
    r"|\b[0-9a-f]{16,}\b"
)
_TIMES = re.compile(r"\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?")
_LONG_NUMBERS = re.compile(r"(?<![\w.])\d{9,}(?![\w.])")  # epoch seconds or milliseconds, numeric ids
_CHUNK_INDEX = re.compile(r"(chunks)\[\d+\]")
_CHUNK_WORD = re.compile(r"\b(chunk) \d+\b")
_LOOPBACK_PORT = re.compile(r"\b(127\.0\.0\.1|localhost|\[::1\]):\d+")
_NUMBERS = re.compile(r"(?<![\w.<])\d+(?:\.\d+)?(?![\w.>])")
_STRINGS = re.compile(r'"((?:[^"\\]|\\.)*)"')
_IDENTIFIER = re.compile(r"[a-z][a-z0-9_.\-/]*|<\w+>")  # enum values, keys, media types; masked parts
_STATUS = re.compile(r"[1-5]\d\d")


class Normaliser:
    """Masks the volatile parts of a finding's text; `models` are the model IDs of the run, in any form."""

    def __init__(self, models: Iterable[str] = ()) -> None:
        names = sorted({m for m in models if m}, key=len, reverse=True)  # an alias before the ID it contains
        self._models = re.compile("|".join(re.escape(m) for m in names)) if names else None

    def __call__(self, text: str) -> str:
        if self._models is not None:
            text = self._models.sub("<model>", text)
        text = _TIMES.sub("<time>", text)
        text = _IDS.sub("<id>", text)
        text = _LONG_NUMBERS.sub("<n>", text)
        text = _LOOPBACK_PORT.sub(r"\1:<port>", text)
        text = _CHUNK_INDEX.sub(r"\1[*]", text)
        return _CHUNK_WORD.sub(r"\1 *", text)

    def value(self, text: str) -> str:
        """An expected or observed value: as `__call__`, then numbers and free-text strings masked, and in
        JSON, a run of equal list items as one (`["assistant", "assistant"]`: the role sent more than once)."""
        text = _STRINGS.sub(lambda m: m.group(0) if _IDENTIFIER.fullmatch(m.group(1)) else '"<text>"', self(text))
        text = _NUMBERS.sub(lambda m: _number(m.group(0), keep_status=False), text)
        try:
            return json.dumps(_runs_collapsed(json.loads(text)), sort_keys=True)
        except ValueError:
            return text

    def title(self, text: str) -> str:
        """A title: as `__call__`, then numbers masked but a status code where the title names one."""
        text = self(text)
        status = "status" in text or "error" in text
        return _NUMBERS.sub(lambda m: _number(m.group(0), keep_status=status), text)


def _runs_collapsed(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _runs_collapsed(v) for k, v in value.items()}
    if isinstance(value, list):
        items = [_runs_collapsed(v) for v in value]
        return [v for i, v in enumerate(items) if i == 0 or v != items[i - 1]]
    return value


def _number(number: str, *, keep_status: bool) -> str:
    if float(number) == 0 or (keep_status and _STATUS.fullmatch(number)):
        return number
    return "<n>"


def path_shape(path: str) -> str:
    """A JSON path with the chunk index masked: `$.chunks[3].usage` -> `$.chunks[*].usage`."""
    return _CHUNK_INDEX.sub(r"\1[*]", path)


def value_key(observed: str) -> str:
    """An observed value as the thing seen, whatever the check's notation: `"end_turn"` (JSON), `end_turn`
    (an SDK attribute) and `["end_turn"]` (a sequence of that one value) are one value."""
    try:
        value: Any = json.loads(observed)
    except ValueError:
        return observed
    if isinstance(value, list) and value and all(item == value[0] for item in value):
        value = value[0]
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True)


def names_one_value(expected: str) -> bool:
    """Whether an expected value is one JSON value (`"stop"`), rather than a description of the allowed
    set (`stop | length | ...`): a finding of the second kind rejects the observed value outright."""
    try:
        json.loads(expected)
    except ValueError:
        return False
    return True
