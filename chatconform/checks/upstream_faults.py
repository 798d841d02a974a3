"""Gateway mode: what the client sees when the upstream fails.

An upstream error before any byte becomes an OpenAI error with a fitting
status (`expect.upstream_status_<N>` in the profile lists the accepted ones;
by default 429 stays 429, Anthropic's 529 `overloaded_error` becomes 503 or
stays 529, a 500 becomes 500 or 502) and the 429's Retry-After is kept. A
stream that breaks upstream (an `event: error`, a dropped connection, a cut
event) must reach the client as broken: an error frame or a cut connection,
never a `finish_reason` and `[DONE]` that pass it off as complete. A stalled
upstream ends in an error within the gateway's own timeout. A client that
leaves makes the gateway cancel its upstream request.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from chatconform.checks.reading import finish_reason, show
from chatconform.checks.registry import Expect, Finding, check
from chatconform.exchange import Exchange
from chatconform.profile import Profile

DEFAULT_STATUSES = {429: (429,), 529: (503, 529), 500: (500, 502), 503: (503,)}
DEFAULT_TIMEOUT_STATUSES = (408, 504)


def _statuses(profile: Any, key: str, default: tuple[int, ...]) -> tuple[int, ...]:
    value = profile.expect.get(key) if isinstance(profile, Profile) else None
    if isinstance(value, int):
        return (value,)
    return tuple(int(v) for v in value) if isinstance(value, list) else default


def accepted_statuses(profile: Any, upstream_status: int) -> tuple[int, ...]:
    default = DEFAULT_STATUSES.get(upstream_status, (upstream_status,))
    return _statuses(profile, f"upstream_status_{upstream_status}", default)


def error_frames(ex: Exchange) -> list[tuple[int, Any]]:
    return [(i, c["error"]) for i, c in enumerate(ex.chunks()) if isinstance(c, dict) and "error" in c]


def clean_ending(ex: Exchange) -> str:
    """Why a 200 answer looks complete ("" when it does not): what a broken upstream must never produce."""
    if ex.status != 200:
        return ""
    if not ex.is_stream:
        return "a 200 JSON body" if ex.body is not None or not ex.error else ""
    if error_frames(ex):
        return ""
    reason = finish_reason(ex)
    if isinstance(reason, str):
        return f"finish_reason {reason!r}" + (" and data: [DONE]" if ex.done_count else "")
    return "data: [DONE] without an error frame" if ex.done_count and not ex.error else ""


@check(
    "upstream.error_status",
    feature="upstream_faults",
    summary="an upstream error before any byte becomes an "
    "OpenAI error with a fitting status (expect upstream_status), never a 200",
)
def error_status(ex: Exchange, expect: Expect) -> Iterator[Finding]:
    name, upstream = "upstream.error_status", int(expect["upstream_status"])
    wanted = accepted_statuses(expect.get("profile"), upstream)
    shown = " or ".join(map(str, wanted))
    if ex.status is None:
        yield Finding(name, f"no response after an upstream {upstream}: {ex.error}", "$", shown, str(ex.error))
    elif ex.status == 200:
        title = "an upstream {} became a 200 {}".format(upstream, "stream" if ex.is_stream else "answer")
        yield Finding(name, title, "$", shown, f"200 {ex.raw[:200].decode('utf-8', 'replace')}")
    elif ex.status not in wanted:
        yield Finding(name, f"an upstream {upstream} became a {ex.status}", "$", shown, str(ex.status))


@check(
    "upstream.retry_after",
    feature="upstream_faults",
    summary="the upstream's Retry-After reaches the client (expect upstream_retry_after)",
)
def retry_after(ex: Exchange, expect: Expect) -> Iterator[Finding]:
    wanted = str(expect["upstream_retry_after"])
    observed = ex.headers.get("retry-after")
    if observed is None:
        yield Finding(
            "upstream.retry_after",
            f"the upstream's Retry-After: {wanted} was dropped",
            "retry-after",
            wanted,
            "(absent)",
        )
        return
    try:
        same = float(observed) == float(wanted)
    except ValueError:
        same = True  # an HTTP date: error.retry_after judges its form; the value cannot be compared exactly
    if not same:
        yield Finding("upstream.retry_after", "Retry-After is not the upstream's", "retry-after", wanted, observed)


@check(
    "upstream.error_frame",
    feature="upstream_faults",
    summary="a stream the upstream broke off with an error "
    "carries an OpenAI error frame {error: {message, ...}} (or the request fails with an error status)",
)
def error_frame(ex: Exchange, expect: Expect) -> Iterator[Finding]:
    name = "upstream.error_frame"
    if ex.status is None or (ex.status != 200 and ex.status >= 400):
        return  # an error status says it as well
    frames = error_frames(ex)
    if not frames:
        yield Finding(
            name,
            "the upstream's error did not reach the client as an error frame",
            "$.chunks",
            'data: {"error": {"message": ...}}',
            clean_ending(ex) or ex.error or "no error frame",
        )
        return
    position, error = frames[0]
    if not isinstance(error, dict) or not isinstance(error.get("message"), str) or not error["message"]:
        yield Finding(
            name,
            "the error frame is not {error: {message, type, ...}}",
            f"$.chunks[{position}].error",
            "an object with a message",
            show(error),
        )


@check(
    "upstream.no_clean_ending",
    feature="upstream_faults",
    summary="a broken upstream answer never reaches the "
    "client as complete: no finish_reason, no [DONE] without an error frame, no 200 body",
)
def no_clean_ending(ex: Exchange, expect: Expect) -> Iterator[Finding]:
    looks = clean_ending(ex)
    if looks:
        yield Finding(
            "upstream.no_clean_ending",
            "a broken upstream answer was passed off as complete",
            "$",
            "an error frame, an error status or a cut connection",
            f"{looks}; text {show(ex.text())}",
        )


def signalled_at(ex: Exchange) -> float | None:
    """Seconds from the request to the first sign of failure: an error status, an error frame, the cut."""
    if ex.status is not None and ex.status != 200:
        return (ex.t_headers or ex.t_end) - ex.t_start
    frames = error_frames(ex)
    if frames:
        data_events = [e for e in ex.data_events() if e.data != "[DONE]"]
        return data_events[frames[0][0]].t - ex.t_start
    if ex.error and ex.error != "timeout":
        return ex.t_end - ex.t_start
    return None


@check(
    "upstream.timeout",
    feature="upstream_faults",
    summary="a stalled upstream ends in an error within the "
    "gateway's timeout (expect upstream_timeout_s, slack_s): 408/504 before the answer, an error frame in a stream",
)
def timeout(ex: Exchange, expect: Expect) -> Iterator[Finding]:
    name, limit = "upstream.timeout", float(expect["upstream_timeout_s"]) + float(expect.get("slack_s", 2.0))
    looks = clean_ending(ex)
    if looks:
        yield Finding(
            name,
            "the gateway waited out the stalled upstream: no timeout",
            "$",
            f"an error within {limit:g} s",
            f"{looks} after {ex.t_end - ex.t_start:.1f} s",
        )
        return
    at = signalled_at(ex)
    if at is None:
        yield Finding(
            name,
            "the client gave up before the gateway reported the stall",
            "$",
            f"an error within {limit:g} s",
            f"{ex.error} after {ex.t_end - ex.t_start:.1f} s",
        )
        return
    if at > limit:
        yield Finding(name, "the timeout came later than the gateway's own", "$", f"within {limit:g} s", f"{at:.1f} s")
    statuses = _statuses(expect.get("profile"), "upstream_timeout_status", DEFAULT_TIMEOUT_STATUSES)
    if ex.status != 200 and ex.status not in statuses:
        yield Finding(
            name, f"a timeout answered with status {ex.status}", "$", " or ".join(map(str, statuses)), str(ex.status)
        )


@check(
    "upstream.cancelled",
    feature="upstream_faults",
    summary="a client that leaves mid-stream makes the gateway "
    "cancel its upstream request (the upstream journal shows it cancelled; expect upstream, waited_s)",
)
def cancelled(ex: Exchange, expect: Expect) -> Iterator[Finding]:
    entry, waited = expect.get("upstream"), float(expect.get("waited_s", 0.0))
    if not isinstance(entry, dict):
        yield Finding(
            "upstream.cancelled",
            "no upstream request carried the test's marker",
            "upstream",
            "one streamed upstream request",
            "none",
        )
    elif entry.get("outcome") != "cancelled":
        yield Finding(
            "upstream.cancelled",
            "the gateway kept the upstream request running after the client left",
            "upstream.outcome",
            f"cancelled within {waited:g} s",
            show(entry.get("outcome")),
        )
