"""Checks of error answers: the OpenAI envelope, the right status, and errors disguised as success.

These need no gate: they read refusals. Each is silent about what it does not
concern (an envelope check on a 200, a Retry-After check on a 400), so a
wrong status and a broken envelope stay two causes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from email.utils import parsedate_to_datetime

from chatconform.answer import error_frames
from chatconform.checks.common import schema_finding
from chatconform.checks.expect import Expect
from chatconform.checks.finding import Finding, raw_head, show
from chatconform.checks.registry import check
from chatconform.exchange import Exchange

_SECONDS = re.compile(r"^\d+(\.\d+)?$")


def _expected_statuses(expect: Expect) -> tuple[int, ...]:
    status = expect.status
    if status is None:
        return ()
    return (status,) if isinstance(status, int) else tuple(status)


@check(
    "error.status",
    feature="errors",
    summary="bad input gets the expected 4xx: never 200, never 5xx",
    reads=("status",),
    tags=("error",),
)
def status(ex: Exchange, expect: Expect) -> Iterator[Finding]:
    wanted = _expected_statuses(expect)
    shown = " or ".join(map(str, wanted)) if wanted else "a 4xx"
    if ex.status is None:
        yield Finding(f"no response: {ex.error}", "$", shown, str(ex.error))
    elif ex.status == 200:
        yield Finding("bad input was answered with 200", "$", shown, f"200 {raw_head(ex.raw, 200)}")
    elif ex.status >= 500:
        yield Finding(f"a server error ({ex.status}) for bad input", "$", shown, f"{ex.status} {raw_head(ex.raw, 200)}")
    elif wanted and ex.status not in wanted:
        yield Finding(f"wrong status {ex.status}", "$", shown, str(ex.status))
    elif not wanted and not 400 <= ex.status < 500:
        yield Finding(f"status {ex.status} is not a client error", "$", shown, str(ex.status))


@check("error.content_type", feature="errors", summary="an error body is declared as JSON", tags=("error",))
def content_type(ex: Exchange, expect: Expect) -> Iterator[Finding]:
    if ex.status is not None and ex.status >= 400 and ex.content_type != "application/json":
        yield Finding(
            "the error is not declared as JSON",
            "content-type",
            "application/json",
            ex.headers.get("content-type", "(none)"),
        )


@check(
    "error.envelope",
    feature="errors",
    summary="the error body is {error: {message, type, param, code}}",
    tags=("error",),
    tolerates="extra fields in the envelope and in the error object",
)
def envelope(ex: Exchange, expect: Expect) -> Iterator[Finding]:
    if ex.status is None or ex.status < 400:
        return
    body = ex.body
    if body is None:
        yield Finding(
            "the error body is not JSON", "$", "the OpenAI error envelope", raw_head(ex.raw, 200) or "(empty)"
        )
    elif isinstance(body, dict) and "detail" in body and "error" not in body:
        yield Finding(
            "a framework error ({detail: ...}) instead of the OpenAI envelope",
            "$",
            "{error: {message, type, param, code}}",
            show(body),
        )
    elif isinstance(body, dict) and isinstance(body.get("error"), str):
        yield Finding(
            "error is a string, not an object", "$.error", "{message, type, param, code}", show(body["error"])
        )
    elif found := schema_finding("error", body):
        yield found


@check(
    "error.code",
    feature="errors",
    summary="error code, type and param equal the expected ones when given",
    reads=("error_code", "error_type", "error_param"),
    tags=("error",),
)
def code(ex: Exchange, expect: Expect) -> Iterator[Finding]:
    error = ex.body.get("error") if isinstance(ex.body, dict) else None
    if not isinstance(error, dict):
        return
    wanted = {"code": expect.error_code, "type": expect.error_type, "param": expect.error_param}
    for field, value in wanted.items():
        if value is not None and error.get(field) != value:
            yield Finding(
                f"error {field} is not the expected one", f"$.error.{field}", show(value), show(error.get(field))
            )


@check(
    "error.retry_after",
    feature="errors",
    summary="Retry-After on a 429/503 is well formed when sent",
    reads=("retry_after_required",),
    tags=("error",),
    tolerates="seconds (integer or decimal) or an HTTP date",
)
def retry_after(ex: Exchange, expect: Expect) -> Iterator[Finding]:
    if ex.status not in (429, 503, 529):
        return
    value = ex.headers.get("retry-after")
    if value is None:
        if expect.retry_after_required and ex.status == 429:
            yield Finding("a 429 without Retry-After", "retry-after", "seconds to wait", "(absent)")
        return
    if not _well_formed_retry_after(value.strip()):
        yield Finding(
            "Retry-After is not a number of seconds or an HTTP date",
            "retry-after",
            "e.g. 2 or Wed, 21 Oct 2015 07:28:00 GMT",
            value,
        )


def _well_formed_retry_after(value: str) -> bool:
    if _SECONDS.match(value):
        return True
    try:
        return parsedate_to_datetime(value) is not None
    except (TypeError, ValueError, IndexError):
        return False


@check(
    "error.not_in_200",
    feature="errors",
    summary="a 200 answer never carries an error object",
    tags=("response", "stream"),
)
def not_in_200(ex: Exchange, expect: Expect) -> Iterator[Finding]:
    if ex.status != 200:
        return
    if isinstance(ex.body, dict) and "error" in ex.body:
        yield Finding(
            "an error object under status 200", "$.error", "a non-200 status for an error", show(ex.body["error"])
        )
    for i, frame in error_frames(ex) if ex.is_stream else ():
        yield Finding(
            "an error event inside a 200 stream",
            f"$.chunks[{i}].error",
            "a complete stream (or a non-200 status)",
            show(frame["error"]),
        )
