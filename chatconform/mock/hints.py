"""Values a prompt offers for a tool's arguments: `name=value` pairs and quoted strings.

A real model copies what the user wrote (`city: Paris`, `'Tokyo'`) into the
matching field; `toolargs` uses these hints wherever they are valid. The
patterns run over the bounded window of the prompt the answer engine reads,
and each is linear in the text.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace
from typing import Any

# A lookahead, so pairs may overlap: in "Forecast: city=Rome" both "Forecast" and "city" get a value.
_NAMED = re.compile(r"""(?=(?<![\w-])([A-Za-z_][\w-]*)\s*[:=]\s*("[^"\n]*"|'[^'\n]*'|[^\s,;]+))""")
# A single quote only opens after a non-word character, so "it's" and "Bob's" are not quotes.
_QUOTED = re.compile(r"""(?<!\w)'([^'\n]+)'(?!\w)|"([^"\n]+)\"""")
_WORD_SCALARS: dict[str, Any] = {"true": True, "yes": True, "false": False, "no": False, "null": None}


@dataclass(frozen=True)
class Hints:
    """Values pulled from a prompt: `name=value` pairs and a queue of quoted strings."""

    named: dict[str, str] = field(default_factory=dict)  # lower-cased property name -> raw text
    quoted: tuple[str, ...] = ()

    def with_quoted(self, quoted: tuple[str, ...]) -> Hints:
        return replace(self, quoted=quoted)


def hints_from_text(text: str) -> Hints:
    """Hints from a prompt: the first value for each name, and every quoted string in order."""
    named: dict[str, str] = {}
    for match in _NAMED.finditer(text):
        named.setdefault(match.group(1).lower(), _unquote(match.group(2)))
    quoted = tuple(m.group(1) if m.group(1) is not None else m.group(2) for m in _QUOTED.finditer(text))
    return Hints(named, quoted)


def _unquote(raw: str) -> str:
    if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "'\"":
        return raw[1:-1]
    return raw.rstrip(".!?)")  # "unit=celsius." ends a sentence, the period is not part of the value


def candidates(raw: str, schema: dict[str, Any]) -> list[Any]:
    """Readings of a hint: an enum member in any case ("Celsius" is "celsius"), the scalar it spells, the text."""
    lowered = raw.lower()
    found: list[Any] = [v for v in schema.get("enum", []) if isinstance(v, str) and v.lower() == lowered]
    if lowered in _WORD_SCALARS:
        found.append(_WORD_SCALARS[lowered])
    elif re.fullmatch(r"[+-]?\d{1,18}", raw):  # longer digit runs read as floats, never as huge ints
        found.append(int(raw))
    elif re.fullmatch(r"[+-]?(\d+\.\d*|\.\d+|\d+)([eE][+-]?\d+)?", raw):
        number = float(raw)
        found += [number] if math.isfinite(number) else []  # "1e999" would serialise as Infinity
    return [*found, raw]
