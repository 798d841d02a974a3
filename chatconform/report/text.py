"""Turning run data into safe text: redaction first, then the target format's escaping.

Every string a writer emits passes through `clean` (API keys masked) before it
is escaped, never after: a redaction pass over finished Markdown or HTML
could swallow the markup that follows a masked token.
"""

from __future__ import annotations

import html
import re
from typing import Any

from chatconform.checks.finding import truncate
from chatconform.redact import redact

REPORT_VALUE_LIMIT = 400  # expected/observed values are cut to this in md and html (json keeps them whole)
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&#!])")
_BACKTICKS = re.compile(r"`+")


def clean(value: object) -> str:
    return redact(str(value))


def scrub(data: Any) -> Any:
    """A JSON-ready copy of `data` with every string (keys too) redacted."""
    if isinstance(data, str):
        return redact(data)
    if isinstance(data, dict):
        return {redact(str(k)): scrub(v) for k, v in data.items()}
    if isinstance(data, list | tuple | set | frozenset):
        return [scrub(v) for v in data]
    if data is None or isinstance(data, bool | int | float):
        return data
    return redact(str(data))


def value(text: str) -> str:
    """A finding's expected/observed value as shown in md and html."""
    return truncate(clean(text), REPORT_VALUE_LIMIT)


def money(usd: float) -> str:
    """Dollars: cents for real spend, up to six decimals for the fractions a short run costs."""
    if usd >= 1 or usd == 0:
        return f"${usd:.2f}"
    return "$" + f"{usd:.6f}".rstrip("0")


def h(text: object) -> str:
    """HTML text or attribute content: redacted, then escaped (quotes included)."""
    return html.escape(clean(text), quote=True)


def md(text: object) -> str:
    """Inline Markdown prose: one line, punctuation that could start markup backslash-escaped."""
    return _MD_SPECIAL.sub(r"\\\1", _one_line(clean(text)))


def md_code(text: object, *, in_table: bool = False) -> str:
    """An inline code span that holds any text literally, whatever backticks it contains."""
    body = _one_line(clean(text))
    longest = max((len(run) for run in _BACKTICKS.findall(body)), default=0)
    fence = "`" * (longest + 1)
    if not body.strip() or body.startswith("`") or body.endswith("`"):
        body = f" {body} "
    if in_table:
        # GFM splits table cells on "|" before it parses code spans.
        body = body.replace("|", "\\|")
    return f"{fence}{body}{fence}"


def md_block(text: object, lang: str = "text") -> str:
    """A fenced code block that no content can close early."""
    body = clean(text)
    longest = max((len(run) for run in _BACKTICKS.findall(body)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{lang}\n{body}\n{fence}"


def _one_line(text: str) -> str:
    return " ".join(text.split()) if ("\n" in text or "\r" in text) else text
