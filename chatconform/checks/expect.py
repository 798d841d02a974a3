"""Expectations: what a test tells the checks about the answer it should get, typed and declared.

One vocabulary for every check: each field below is an expectation a check
may read, with its type and what it means. A check declares the fields it
reads (`reads=`) and those it cannot do without (`needs=`) when it is
registered, so a misspelt expectation (`txt=`), one that none of the named
checks reads, one of the wrong type, or a needed one left out is an error at
the call, never a check that quietly finds nothing. Defaults that depend on
the target (statuses, the finish_reason after a named tool choice) come from
the profile (`Profile.expect`), not from here.
"""

from __future__ import annotations

import typing
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from functools import cache
from typing import Any

from chatconform.exchange import Exchange
from chatconform.features import nearest
from chatconform.profile import Profile, builtin_profile
from chatconform.typed import conforms, describe

JSON = dict[str, Any]


class ExpectationError(TypeError):
    """An expectation that cannot be what the test meant: unknown, unread, mistyped or missing."""


@dataclass(frozen=True, kw_only=True)
class Expect:
    profile: Profile = field(default_factory=builtin_profile)  # the contract; every check may read it
    # The answer
    text: str | None = None  # the reply the prompt pins down, word for word (compared loosely, see docs)
    finish_reason: str | None = None  # the finish_reason the answer must end with
    model: str | None = None  # the model the answer must name (default: the one requested)
    include_usage: bool | None = None  # whether a usage chunk was asked for (default: the request's)
    # Tool calls
    tools: list[JSON] | None = None  # the tool definitions (default: the request's)
    call_count: int | None = None  # how many tool calls the answer must make
    tool_names: list[str] | None = None  # the tools called, as a multiset
    arguments: list[JSON] | None = None  # the exact argument objects, as a multiset
    argument_values: list[JSON] | None = None  # values each call must include (optional ones may be added)
    mentions: list[str] | None = None  # what an answer using a tool result must contain
    # Errors
    status: int | tuple[int, ...] | None = None  # the accepted status(es) of an error
    error_code: str | None = None  # error.code of the envelope
    error_type: str | None = None  # error.type of the envelope
    error_param: str | None = None  # error.param of the envelope
    retry_after_required: bool = False  # a 429 must carry Retry-After
    # Parameters and their effects
    schema: JSON | None = None  # the json_schema the content must satisfy (default: the request's)
    max_tokens: int | None = None  # the token bound (default: the request's)
    stop: str | list[str] | None = None  # the stop sequences (default: the request's)
    unstopped: str | None = None  # the same answer without stop sequences
    usage: JSON | None = None  # the usage of the same request delivered the other way
    other_text: str | None = None  # the answer text of that other delivery
    n: int | None = None  # the number of choices asked for
    models: list[str] | None = None  # the model IDs GET /models must list (default: the profile's)
    colours: list[str] | None = None  # the dominant colour of each image sent
    # Billing: the exchanges, and what was charged for them: per request (the journal entries of those
    # requests) or as the ledger read before and after them
    exchanges: list[Exchange] | None = None
    charges: list[JSON] | None = None
    before: JSON | None = None
    after: JSON | None = None
    # Gateway mode: the upstream request the mock journalled, and the fault the test armed
    upstream: JSON | None = None  # the journal entry of the forwarded request (None: none arrived)
    upstream_count: int | None = None  # how many upstream requests carried the test's marker
    upstream_status: int | None = None  # the status the upstream answered with (an armed fault)
    upstream_retry_after: str | None = None  # the Retry-After the upstream sent
    upstream_timeout_s: float | None = None  # the gateway's own upstream timeout
    slack_s: float = 2.0  # how late after that timeout the client may learn of it
    waited_s: float = 0.0  # how long the test waited after the client left


NAMES: frozenset[str] = frozenset(f.name for f in fields(Expect))


def build(given: Mapping[str, Any], readers: Mapping[str, Iterable[str]], profile: Profile | None = None) -> Expect:
    """An `Expect` from a test's keywords, for the checks named by `readers` (check name -> fields read).

    Raises ExpectationError for an unknown name, one no named check reads, or a value of the wrong type."""
    read = {name for fields_read in readers.values() for name in fields_read}
    for name, value in given.items():
        if name not in NAMES:
            raise ExpectationError(f"unknown expectation {name!r}{nearest(name, NAMES)}")
        if name != "profile" and name not in read:
            raise ExpectationError(
                f"expectation {name!r} is read by none of the checks named ({', '.join(readers)}); "
                f"drop it or name a check that reads it"
            )
        hint = _hints()[name]
        if not conforms(value, hint):
            raise ExpectationError(f"expectation {name}={value!r:.80}: expected {describe(hint)}")
    values = dict(given)
    if profile is not None:
        values.setdefault("profile", profile)
    return Expect(**values)


def missing(expect: Expect, needed: Iterable[str]) -> list[str]:
    """The needed expectations that were not given (still None)."""
    return [name for name in needed if getattr(expect, name) is None]


@cache
def _hints() -> dict[str, Any]:
    return typing.get_type_hints(Expect)
