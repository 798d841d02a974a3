"""Checks of error answers: the OpenAI envelope, the right status, and errors disguised as success."""

from __future__ import annotations

import re
from collections.abc import Iterator
from email.utils import parsedate_to_datetime
from typing import Any

from chatconform.checks.common import schema_finding, show
from chatconform.checks.registry import Expect, Finding, check
from chatconform.exchange import Exchange

ERROR_CHECKS = ("error.status", "error.content_type", "error.envelope", "error.code", "error.retry_after")
_SECONDS = re.compile(r"^\d+(\.\d+)?$")


def _raw(ex: Exchange, limit: int = 200) -> str:
    return ex.raw[:limit].decode("utf-8", "replace")


def _expected_statuses(expect: Expect) -> tuple[int, ...]:
    status = expect.get("status")
    if status is None:
        return ()
    return (int(status),) if isinstance(status, int) else tuple(int(s) for s in status)


@check("error.status", feature="errors", summary="bad input gets the expected 4xx: never 200, never 5xx")
def status(ex: Exchange, expect: Expect) -> Iterator[Finding]:
    name, wanted = "error.status", _expected_statuses(expect)
    shown = " or ".join(map(str, wanted)) if wanted else "a 4xx"
    if ex.status is None:
        yield Finding(name, f"no response: {ex.error}", "$", shown, str(ex.error))
    elif ex.status == 200:
        yield Finding(name, "bad input was answered with 200", "$", shown, f"200 {_raw(ex)}")
    elif ex.status >= 500:
        yield Finding(name, f"a server error ({ex.status}) for bad input", "$", shown, f"{ex.status} {_raw(ex)}")
    elif wanted and ex.status not in wanted:
        yield Finding(name, f"wrong status {ex.status}", "$", shown, str(ex.status))
    elif not wanted and not 400 <= ex.status < 500:
        yield Finding(name, f"status {ex.status} is not a client error", "$", shown, str(ex.status))


@check("error.content_type", feature="errors", summary="an error body is declared as JSON")
def content_type(ex: Exchange, expect: Expect) -> Iterator[Finding]:
    if ex.status is not None and ex.status >= 400 and ex.content_type != "application/json":
        yield Finding(
            "error.content_type",
            "the error is not declared as JSON",
            "content-type",
            "application/json",
            ex.headers.get("content-type", "(none)"),
        )


@check("error.envelope", feature="errors", summary="the error body is {error: {message, type, param, code}}")
def envelope(ex: Exchange, expect: Expect) -> Iterator[Finding]:
    if ex.status is None or ex.status < 400:
        return
    name, body = "error.envelope", ex.body
    if body is None:
        yield Finding(name, "the error body is not JSON", "$", "the OpenAI error envelope", _raw(ex) or "(empty)")
    elif isinstance(body, dict) and "detail" in body and "error" not in body:
        yield Finding(
            name,
            "a framework error ({detail: ...}) instead of the OpenAI envelope",
            "$",
            "{error: {message, type, param, code}}",
            show(body),
        )
    elif isinstance(body, dict) and isinstance(body.get("error"), str):
        yield Finding(
            name, "error is a string, not an object", "$.error", "{message, type, param, code}", show(body["error"])
        )
    elif found := schema_finding(name, "error", body):
        yield found


@check("error.code", feature="errors", summary="error code, type and param equal the expected ones when given")
def code(ex: Exchange, expect: Expect) -> Iterator[Finding]:
    error = ex.body.get("error") if isinstance(ex.body, dict) else None
    if not isinstance(error, dict):
        return
    for field in ("code", "type", "param"):
        if field in expect and error.get(field) != expect[field]:
            yield Finding(
                "error.code",
                f"error {field} is not the expected one",
                f"$.error.{field}",
                show(expect[field]),
                show(error.get(field)),
            )


@check("error.retry_after", feature="errors", summary="Retry-After on a 429/503 is well formed when sent")
def retry_after(ex: Exchange, expect: Expect) -> Iterator[Finding]:
    if ex.status not in (429, 503, 529):
        return
    name, value = "error.retry_after", ex.headers.get("retry-after")
    if value is None:
        if expect.get("retry_after_required") and ex.status == 429:
            yield Finding(name, "a 429 without Retry-After", "retry-after", "seconds to wait", "(absent)")
        return
    if not _well_formed_retry_after(value.strip()):
        yield Finding(
            name,
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


@check("error.not_in_200", feature="errors", summary="a 200 answer never carries an error object")
def not_in_200(ex: Exchange, expect: Expect) -> Iterator[Finding]:
    if ex.status != 200:
        return
    name = "error.not_in_200"
    if isinstance(ex.body, dict) and "error" in ex.body:
        yield Finding(
            name, "an error object under status 200", "$.error", "a non-200 status for an error", show(ex.body["error"])
        )
    for i, chunk in enumerate(ex.chunks() if ex.is_stream else []):
        if _is_error(chunk):
            yield Finding(
                name,
                "an error event inside a 200 stream",
                f"$.chunks[{i}].error",
                "a complete stream (or a non-200 status)",
                show(chunk["error"]),
            )


def _is_error(chunk: Any) -> bool:
    return isinstance(chunk, dict) and "error" in chunk
