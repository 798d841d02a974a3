"""The mock's tokenizer: deterministic, reversible, cheap.

A token is a run of letters, up to three digits, or one other character,
each with the whitespace before it, so `"".join(tokenize(s)) == s` always.
Claude's real tokenizer is not public; this one only has to be stable, so
that usage is identical between streamed and non-streamed answers and the
ledger can be checked to the cent.
"""

from __future__ import annotations

import json
import re
from typing import Any

_TOKEN = re.compile(r"\s*(?:[^\W\d_]+|\d{1,3}|\S)|\s+")
_LIST_MAX = 64 * 1024
MESSAGE_OVERHEAD = 4  # role and framing tokens per message, as chat formats add
IMAGE_TOKEN_PIXELS = 750  # Anthropic's documented estimate: tokens = width * height / 750


def tokenize(text: str) -> list[str]:
    return _TOKEN.findall(text)


def count(text: str) -> int:
    if len(text) <= _LIST_MAX:
        return len(_TOKEN.findall(text))
    # a 30 MB prompt would make a list of millions of strings; counting one match at a time costs no memory
    return sum(1 for _ in _TOKEN.finditer(text))


def count_json(value: Any) -> int:
    return count(json.dumps(value, sort_keys=True))


def image_tokens(width: int, height: int) -> int:
    """Tokens billed for one image; remote images of unknown size cost a flat 85."""
    if width <= 0 or height <= 0:
        return 85
    return max(1, (width * height) // IMAGE_TOKEN_PIXELS)
