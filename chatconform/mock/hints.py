"""Values a prompt offers for a tool's arguments: `name=value` pairs, quoted strings, named places, counts.

A real model copies what the user wrote into the matching field: `city: Paris`
and `'Tokyo'` as written, "for Paris" as a city, "from LHR to JFK" as two
airports, "for 3 days" as `days`, "in fahrenheit" as the enum member
`fahrenheit`. `toolargs` uses these hints wherever they are valid for a field.
The patterns run over the bounded window of the prompt the answer engine
reads, and each is linear in the text.
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
# "for Paris", "in New York", "from LHR": a capitalised name after a preposition; "and Tokyo", ", Lima" go on.
_NAME = r"[A-Z][\w&'.-]*(?:[ \t]+[A-Z][\w&'.-]*){0,3}"
_PLACED = re.compile(rf"(?<![\w'])(?i:for|in|at|to|from|of|near|around|into|via|between)[ \t]+({_NAME})")
_MORE = re.compile(rf"[ \t]*(?:,[ \t]*(?:and[ \t]+|or[ \t]+)?|[ \t]+(?:and|or|&)[ \t]+)({_NAME})")
# "for 3 days", "2 passengers": a number counting a noun fills the property of that name.
_COUNTED = re.compile(r"(?<![\w.])(\d{1,9}(?:\.\d+)?)[ \t]+([A-Za-z_]{3,})")
_WORD = re.compile(r"[a-z][a-z0-9_-]*")
# Capitalised words that name a form or a language of the answer, not a value for a field.
_NOT_NAMES = frozenset({"json", "xml", "yaml", "csv", "markdown", "i"})
_WORD_SCALARS: dict[str, Any] = {"true": True, "yes": True, "false": False, "no": False, "null": None}


@dataclass(frozen=True)
class Hints:
    """Values pulled from a prompt. `named` wins over `quoted`, which wins over `places`."""

    named: dict[str, str] = field(default_factory=dict)  # lower-cased property name -> raw text
    quoted: tuple[str, ...] = ()
    places: tuple[str, ...] = ()  # capitalised names after a preposition, in order
    words: frozenset[str] = frozenset()  # every lower-cased word, to spot an enum member named in passing

    def with_quoted(self, quoted: tuple[str, ...]) -> Hints:
        return replace(self, quoted=quoted)

    def within(self, part: Hints) -> Hints:
        """These hints with the queues of one part of the prompt (the part that mentions one tool), where it
        has any of its own."""
        return replace(self, quoted=part.quoted or self.quoted, places=part.places or self.places)

    def without_values(self, values: set[str]) -> Hints:
        """The queues without `values` (lower-cased): a tool's own name is not an argument."""
        return replace(
            self,
            quoted=tuple(q for q in self.quoted if q.lower() not in values),
            places=tuple(p for p in self.places if p.lower() not in values),
        )


def hints_from_text(text: str) -> Hints:
    """Hints from a prompt: the first value for each name, every quoted string and named place in order."""
    named: dict[str, str] = {}
    for match in _NAMED.finditer(text):
        named.setdefault(match.group(1).lower(), _unquote(match.group(2)))
    for number, noun in _COUNTED.findall(text):
        for name in _forms(noun.lower()):
            named.setdefault(name, number)  # an explicit `days=3` came first and wins
    quoted = tuple(m.group(1) if m.group(1) is not None else m.group(2) for m in _QUOTED.finditer(text))
    return Hints(named, quoted, _places(text), frozenset(_WORD.findall(text.lower())))


def _forms(noun: str) -> tuple[str, ...]:
    """A counted noun names its property in the singular or the plural: "1 passenger" fills `passengers`."""
    if noun.endswith("s"):
        return (noun, noun[:-1])
    return (noun, noun + "s")


def _places(text: str) -> tuple[str, ...]:
    found: list[str] = []
    for match in _PLACED.finditer(text):
        found.append(match.group(1))
        at = match.end()
        while more := _MORE.match(text, at):
            found.append(more.group(1))
            at = more.end()
    cleaned = (name.rstrip(".'") for name in found)
    return tuple(dict.fromkeys(n for n in cleaned if len(n) > 1 and n.lower() not in _NOT_NAMES))


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


def mentioned_member(schema: dict[str, Any], hints: Hints) -> tuple[Any] | None:
    """The first string enum member the prompt names as a word ("in fahrenheit"), as a 1-tuple."""
    members = schema.get("enum")
    if not isinstance(members, list):
        return None
    for member in members:
        if isinstance(member, str) and len(member) >= 3 and member.lower() in hints.words:
            return (member,)
    return None
