"""String formats for generated JSON: values the mock produces and the checks that accept them.

jsonschema checks `date-time` and `uri` only with optional packages; the mock
checks them itself, so a value it generates for a format is one it accepts.
"""

from __future__ import annotations

import datetime as dt
import re
from random import Random
from urllib.parse import urlsplit

# no stubs for jsonschema here; unused-ignore keeps this clean once a config silences it globally
from jsonschema import FormatChecker  # type: ignore[import-untyped, unused-ignore]

WORDS = (  # noqa: SIM905 - a word list reads best as prose
    "alpha bravo cedar delta ember fable grove harbor island juniper "
    "kestrel lumen meadow north orchid prairie quartz river summit tundra"
).split()


def format_checker() -> FormatChecker:
    """jsonschema's checker plus date-time and uri, which it only checks with optional packages."""
    checker = FormatChecker()
    checker.checks("date-time")(_is_date_time)
    checker.checks("uri")(_is_uri)
    return checker


def _is_date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if not re.fullmatch(r"\d{4}-\d\d-\d\d[Tt]\d\d:\d\d:\d\d(\.\d+)?([Zz]|[+-]\d\d:\d\d)", value):
        return False
    try:
        dt.datetime.fromisoformat(value.upper())  # 3.11+ reads "Z"
    except ValueError:
        return False
    return True


def _is_uri(value: object) -> bool:
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    return bool(re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*", parts.scheme)) and " " not in value


def formatted(fmt: object, rng: Random) -> str | None:
    """A value of one of the formats the mock knows, or None."""
    if fmt in ("date", "date-time"):
        day = (dt.date(2025, 1, 1) + dt.timedelta(days=rng.randint(0, 364))).isoformat()
        return day if fmt == "date" else f"{day}T{rng.randint(0, 23):02d}:{rng.choice((0, 15, 30, 45)):02d}:00Z"
    if fmt == "email":
        return f"{rng.choice(WORDS)}@example.com"
    if fmt == "uri":
        return f"https://example.com/{rng.choice(WORDS)}"
    return None
