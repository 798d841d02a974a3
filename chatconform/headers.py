"""Custom request headers: `--header 'Name: value'` (repeatable) and `CHATCONFORM_HEADERS`.

Gateways that route by header (a provider, a config, a tenant) need them on
every request. Their values are treated as secrets: each one is registered
with `chatconform.redact`, error messages name the header but never show its
value, and a child process receives them through its environment only.

The environment form, `CHATCONFORM_HEADERS`, is the same `Name: value` text as
the flag, one header per line (newline-separated; blank lines are ignored):

    CHATCONFORM_HEADERS=$'X-Tenant: blue\\nX-Route: provider=anthropic, region=eu'

Newlines cannot occur inside a header value (they are refused), so this form
is unambiguous whatever the values hold: commas, colons, `=`, quotes, JSON.
The value is everything after the first colon, with surrounding spaces and
tabs removed. On the same name (compared case-insensitively), `--header`
wins over the environment; the same name twice in one source is an error.

Validation follows RFC 9110: a name is a `token` (letters, digits and
``!#$%&'*+-.^_`|~``); a value holds visible characters, spaces and tabs, and
no CR, LF, NUL or other control character. Values are also limited to ASCII
(RFC 9110 keeps other bytes only as obsolete text, and HTTP clients disagree
on how to encode them): percent-encode anything else. Headers that the harness sets
itself are refused: `Authorization` (use `--api-key`), and the framing
headers (`Host`, `Content-Length`, `Content-Type`, `Transfer-Encoding`,
`Connection`, ...), which a client computes and a user value would break.

Values shorter than four characters cannot be masked in free text (every
`a` in a report would go), so `redact` leaves those alone; use longer values
for anything secret.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from chatconform.redact import register_secret

ENV = "CHATCONFORM_HEADERS"
# RFC 9110 section 5.6.2: token = 1*tchar.
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
# RFC 9110 section 5.5: field-content is VCHAR / obs-text with SP and HTAB inside; nothing else.
_BAD_VALUE_CHAR = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
RESERVED = frozenset(
    {
        "authorization",
        "host",
        "content-length",
        "content-type",
        "transfer-encoding",
        "connection",
        "keep-alive",
        "upgrade",
        "te",
        "trailer",
        "expect",
    }
)


class HeaderError(ValueError):
    """A header that cannot be sent. The message names the header (or its position), never its value."""


def parse_header(text: str, source: str = "--header") -> tuple[str, str]:
    """`'X-Tenant: blue'` -> ("X-Tenant", "blue"), validated."""
    name, sep, value = text.partition(":")
    if not sep:  # the text may be a pasted value: do not echo it
        raise HeaderError(f"{source}: no ':' in the header; write it as 'Name: value'")
    if not name:
        raise HeaderError(f"{source}: the header name before ':' is empty; write it as 'Name: value'")
    if not _TOKEN.fullmatch(name):
        raise HeaderError(
            f"{source}: the header name {_name_problem(name)}; RFC 9110 allows letters, digits and !#$%&'*+-.^_`|~ only"
        )
    if name.lower() in RESERVED:
        hint = "use --api-key" if name.lower() == "authorization" else "the client sets it"
        raise HeaderError(f"{source}: header {name} cannot be set here ({hint})")
    value = value.strip(" \t")
    if _BAD_VALUE_CHAR.search(value):
        raise HeaderError(f"{source}: the value of header {name} holds a control character (CR, LF, NUL, ...)")
    if _NON_ASCII.search(value):
        raise HeaderError(f"{source}: the value of header {name} holds a non-ASCII character; percent-encode it")
    return name, value


def parse_lines(text: str, source: str = ENV) -> dict[str, str]:
    """The environment form: one `Name: value` per line."""
    lines = (line.removesuffix("\r") for line in text.split("\n"))  # not splitlines: it also splits on \x85, \x0c...
    return _collect((line, f"{source} line {n}") for n, line in enumerate(lines, 1) if line.strip())


def parse_flags(flags: Iterable[str] | None) -> dict[str, str]:
    return _collect((flag, "--header") for flag in flags or ())


def collect(flags: Iterable[str] | None, environ: Mapping[str, str]) -> dict[str, str]:
    """The headers of a run: `CHATCONFORM_HEADERS`, then `--header` flags over them; every value a secret."""
    merged = parse_lines(environ.get(ENV, ""))
    for name, value in parse_flags(flags).items():
        for old in [k for k in merged if k.lower() == name.lower()]:
            del merged[old]
        merged[name] = value
    for value in merged.values():
        register_secret(value)
    return merged


def to_env(headers: Mapping[str, str]) -> dict[str, str]:
    """The environment entry that hands `headers` to a child process (which reads it with `collect`)."""
    return {ENV: "\n".join(f"{name}: {value}" for name, value in headers.items())} if headers else {}


def as_flags(headers: Mapping[str, str]) -> list[str]:
    """`--header` values for `headers`, for an in-process channel (never a command line)."""
    return [f"{name}: {value}" for name, value in headers.items()]


def _collect(items: Iterable[tuple[str, str]]) -> dict[str, str]:
    out: dict[str, str] = {}
    seen: set[str] = set()
    for text, source in items:
        name, value = parse_header(text, source)
        if name.lower() in seen:
            raise HeaderError(f"{source}: header {name} is given twice")
        seen.add(name.lower())
        out[name] = value
    return out


def _name_problem(name: str) -> str:
    """What is wrong with a name, without echoing it (a misplaced value may hide in it)."""
    at = next(i for i, c in enumerate(name) if not _TOKEN.fullmatch(c))
    char = name[at]
    what = {" ": "a space", "\t": "a tab"}.get(char) or (repr(char) if char.isprintable() else "a control character")
    return f"holds {what} at position {at + 1}"
