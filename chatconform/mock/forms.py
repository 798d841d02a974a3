"""The form a prompt asks its answer to take: bullets, a numbered list, sentences, one word, JSON, a language.

"Explain CAP theorem in 3 bullets" gets three bullets, "Answer with one word"
one word, "Return a JSON object with the keys city and country" an object
with those keys: a real model follows the form it is asked for whatever it
says, and clients parse that form (a structured-output helper reads the keys
it asked for). The answer engine reads the form here and fills it with its
own content (`prose`, `answers`). Each pattern is linear in the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_ITEMS = 50  # a list longer than this is not a form the mock renders
_NUMBERS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "a single": 1,
    "a": 1,
}
_N = r"(\d{1,3}|one|two|three|four|five|six|seven|eight|nine|ten|a single|a)"
_BULLETS = re.compile(rf"\b{_N}\s+(?:short\s+|brief\s+|key\s+)?bullet(?:s|\s+points?|ed\s+points?)?\b", re.I)
_BULLET_LIST = re.compile(rf"\bbullet(?:ed)?\s+list\s+of\s+{_N}\b", re.I)
_NUMBERED = re.compile(rf"\bnumbered\s+list\s+of\s+{_N}\b|\b{_N}\s+numbered\s+(?:items|points|steps)\b", re.I)
_SENTENCES = re.compile(rf"\b(?:in|with|using)\s+(?:exactly\s+)?{_N}\s+(?:short\s+)?sentences?\b", re.I)
_ONE_WORD = re.compile(
    r"\b(?:in|with|using)\s+(?:just\s+|only\s+)?(?:one|a\s+single)\s+word\b|\bone\s+word\s+each\b", re.I
)
# "List 3 items", "give me five tips": a count of plural things is a list, numbered as a model writes one.
_ITEMS = re.compile(
    r"\b(\d{1,3}|two|three|four|five|six|seven|eight|nine|ten)\s+(?:[a-z]+\s+)?"
    r"(?:items|things|ideas|tips|ways|reasons|examples|steps|points|facts|benefits|options|names)\b",
    re.I,
)
# "in French", "Reply in Spanish": the languages the mock can write a short answer in.
LANGUAGES = ("French", "Spanish", "German", "Italian", "Portuguese")
_LANGUAGE = re.compile(rf"\b(?:in|into)\s+({'|'.join(LANGUAGES)})\b", re.I)
_JSON = re.compile(r"\b(?:in|as|into)\s+(?:valid\s+)?JSON\b|\bJSON\s+(?:object|format)\b|\breturn\s+JSON\b", re.I)
# "with the keys city and country", 'Use the key "answer"', "fields: name, age": the keys an object must have.
_KEY = r"""(?:"[^"\n]{1,64}"|'[^'\n]{1,64}'|`[^`\n]{1,64}`|[A-Za-z_][\w-]{0,63})"""
_KEYS = re.compile(
    rf"\b(?:keys?|fields?|properties|property)(?:\s+(?:named|called))?\s*:?\s+({_KEY}(?:\s*(?:,\s*(?:and\s+|or\s+)?|\s+and\s+|\s+or\s+){_KEY}){{0,19}})",
    re.I,
)
_KEY_SPLIT = re.compile(r"\s*,\s*(?:and\s+|or\s+)?|\s+and\s+|\s+or\s+")
# Words that end a list of keys rather than name one ("the keys city and country for the capital").
_NOT_KEYS = frozenset({"for", "of", "the", "a", "an", "with", "in", "to", "that", "which", "about", "from"})


@dataclass(frozen=True)
class Form:
    """What shape the answer takes: `kind` is "" (free prose), bullets, numbered, sentences or word."""

    kind: str = ""
    count: int = 0  # items or sentences; 1 for "one word"
    json: bool = False  # the prompt asks for JSON in its text ("in JSON")
    keys: tuple[str, ...] = ()  # the keys it names for that object
    language: str = ""  # one of LANGUAGES when the prompt asks for it ("in French"), else English


def read_form(text: str) -> Form:
    """The form `text` asks for; the earliest list or length form wins."""
    found = []
    for kind, pattern in (("bullets", _BULLETS), ("bullets", _BULLET_LIST), ("numbered", _NUMBERED)):
        found += [(m.start(), kind, _number(m)) for m in pattern.finditer(text)]
    found += [(m.start(), "numbered", _number(m)) for m in _ITEMS.finditer(text)]
    found += [(m.start(), "sentences", _number(m)) for m in _SENTENCES.finditer(text)]
    found += [(m.start(), "word", 1) for m in _ONE_WORD.finditer(text)]
    usable = sorted((at, kind, n) for at, kind, n in found if 1 <= n <= MAX_ITEMS)
    kind, count = (usable[0][1], usable[0][2]) if usable else ("", 0)
    language = _LANGUAGE.search(text)
    return Form(kind, count, bool(_JSON.search(text)), json_keys(text), language.group(1).title() if language else "")


def _number(match: re.Match[str]) -> int:
    raw = next(g for g in match.groups() if g is not None).lower()
    return int(raw) if raw.isdigit() else _NUMBERS.get(raw, 0)


def json_keys(text: str) -> tuple[str, ...]:
    """The keys a prompt names for a JSON object, in order ("with the keys city and country")."""
    keys: list[str] = []
    for match in _KEYS.finditer(text):
        for raw in _KEY_SPLIT.split(match.group(1)):
            quoted = len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "\"'`"
            key = raw[1:-1] if quoted else raw
            if not quoted and key.lower() in _NOT_KEYS:
                break  # the list ended; what follows is the sentence going on
            keys.append(key)
    return tuple(dict.fromkeys(k for k in keys if k))


def strip_forms(text: str) -> str:
    """The prompt without its form directives, so they are not taken for its topic (the keys of a JSON
    object only when the prompt asks for JSON: "the key point" is a topic)."""
    patterns = [_BULLETS, _BULLET_LIST, _NUMBERED, _SENTENCES, _ONE_WORD, _LANGUAGE]
    patterns += [_JSON, _KEYS] if _JSON.search(text) else []
    for pattern in patterns:
        text = pattern.sub(" ", text)
    return text


# `name: 'Ada'`, `age=36`, `verbose: true`: data the prompt gives for an object, by lower-case key. A value
# after a colon must be quoted or a number, boolean or null, so "JSON: what" and "person: name" are not data.
_DATA = re.compile(
    r"""(?<![\w-])([a-z_][\w-]*)\s*(?:=\s*("[^"\n]*"|'[^'\n]*'|[^\s,;]+)|:\s*("[^"\n]*"|'[^'\n]*'|[+-]?\d+(?:\.\d+)?(?![\w.-])|true\b|false\b|null\b))"""
)


def data_pairs(text: str) -> dict[str, str]:
    """The `key: value` data a prompt gives, in order, values unquoted (the first value for a key wins)."""
    pairs: dict[str, str] = {}
    for match in _DATA.finditer(text):
        raw = match.group(2) if match.group(2) is not None else match.group(3)
        raw = raw[1:-1] if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "'\"" else raw.rstrip(".!?)")
        pairs.setdefault(match.group(1), raw)
    return pairs
