"""Gateway mode: what the client sees when the upstream fails.

An upstream error before any byte becomes an OpenAI error with a fitting
status (`upstream_status_<N>` in the profile's [expect] lists the accepted ones;
by default 429 stays 429, Anthropic's 529 `overloaded_error` becomes 503 or
stays 529, a 500 becomes 500 or 502) and the 429's Retry-After is kept. A
stream that breaks upstream (an `event: error`, a dropped connection, a cut
event) must reach the client as broken: an error frame or a cut connection,
never a `finish_reason` and `[DONE]` that pass it off as complete, and never a stream that simply ends
(no `[DONE]`, no error frame, a clean close: an OpenAI SDK then hands its caller a truncated answer and
no error). A non-streamed answer after an upstream failure is an error status, never a 200. A stalled
upstream ends in an error within the gateway's own timeout. A client that
leaves makes the gateway cancel its upstream request.
"""

from __future__ import annotations

from collections.abc import Iterator

from chatconform.answer import error_frames, finish_reason, text
from chatconform.checks.expect import Expect
from chatconform.checks.finding import Finding, raw_head, show
from chatconform.checks.registry import check
from chatconform.exchange import Exchange
from chatconform.wire import DONE


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
    needs=("upstream_status",),
)
def error_status(ex: Exchange, expect: Expect) -> Iterator[Finding]:
    upstream = int(expect.upstream_status or 0)
    wanted = expect.profile.expect.upstream_statuses(upstream)
    shown = " or ".join(map(str, wanted))
    if ex.status is None:
        yield Finding(f"no response after an upstream {upstream}: {ex.error}", "$", shown, str(ex.error))
    elif ex.status == 200:
        title = "an upstream {} became a 200 {}".format(upstream, "stream" if ex.is_stream else "answer")
        yield Finding(title, "$", shown, f"200 {raw_head(ex.raw, 200)}")
    elif ex.status not in wanted:
        yield Finding(f"an upstream {upstream} became a {ex.status}", "$", shown, str(ex.status))


@check(
    "upstream.retry_after",
    feature="upstream_faults",
    summary="the upstream's Retry-After reaches the client (expect upstream_retry_after)",
    needs=("upstream_retry_after",),
)
def retry_after(ex: Exchange, expect: Expect) -> Iterator[Finding]:
    wanted = str(expect.upstream_retry_after)
    observed = ex.headers.get("retry-after")
    if observed is None:
        yield Finding(
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
        yield Finding("Retry-After is not the upstream's", "retry-after", wanted, observed)


@check(
    "upstream.error_frame",
    feature="upstream_faults",
    summary="a stream the upstream broke off with an error "
    "carries an OpenAI error frame {error: {message, ...}} (or the request fails with an error status)",
)
def error_frame(ex: Exchange, expect: Expect) -> Iterator[Finding]:
    if ex.status is None or (ex.status != 200 and ex.status >= 400):
        return  # an error status says it as well
    frames = error_frames(ex)
    if not frames:
        yield Finding(
            "the upstream's error did not reach the client as an error frame",
            "$.chunks",
            'data: {"error": {"message": ...}}',
            clean_ending(ex) or ex.error or "no error frame",
        )
        return
    position, frame = frames[0]
    error = frame["error"]
    if not isinstance(error, dict) or not isinstance(error.get("message"), str) or not error["message"]:
        yield Finding(
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
            "a broken upstream answer was passed off as complete",
            "$",
            "an error frame, an error status or a cut connection",
            f"{looks}; text {show(text(ex))}",
        )


def silent_end(ex: Exchange) -> bool:
    """A 200 stream that closed cleanly with neither [DONE] nor an error frame: a truncation no client sees."""
    return ex.status == 200 and ex.is_stream and not ex.done_count and not error_frames(ex) and ex.error is None


@check(
    "upstream.no_silent_end",
    feature="upstream_faults",
    summary="a stream the upstream cut, stalled or corrupted never just ends: "
    "a clean close without [DONE] and without an error frame hides the truncation from the client",
)
def no_silent_end(ex: Exchange, expect: Expect) -> Iterator[Finding]:
    if silent_end(ex):
        yield Finding(
            "the stream ended silently after an upstream fault: no [DONE], no error frame",
            "$.chunks",
            'an error frame data: {"error": {...}} (or a cut connection)',
            f"{len(ex.chunks())} chunks, then a clean close; text {show(text(ex))}",
        )


def signalled_at(ex: Exchange) -> float | None:
    """Seconds from the request to the first sign of failure: an error status, an error frame, the cut."""
    if ex.status is not None and ex.status != 200:
        return (ex.t_headers or ex.t_end) - ex.t_start
    frames = error_frames(ex)
    if frames:
        data_events = [e for e in ex.data_events() if e.data != DONE]
        return data_events[frames[0][0]].t - ex.t_start
    if ex.error and ex.error != "timeout":
        return ex.t_end - ex.t_start
    return None


@check(
    "upstream.timeout",
    feature="upstream_faults",
    summary="a stalled upstream ends in an error within the "
    "gateway's timeout (expect upstream_timeout_s, slack_s): 408/504 before the answer, an error frame in a stream",
    reads=("slack_s",),
    needs=("upstream_timeout_s",),
)
def timeout(ex: Exchange, expect: Expect) -> Iterator[Finding]:
    limit = float(expect.upstream_timeout_s or 0) + expect.slack_s
    looks = clean_ending(ex)
    if looks:
        yield Finding(
            "the gateway waited out the stalled upstream: no timeout",
            "$",
            f"an error within {limit:g} s",
            f"{looks} after {ex.t_end - ex.t_start:.1f} s",
        )
        return
    at = signalled_at(ex)
    if at is None and silent_end(ex):
        return  # upstream.no_silent_end names it
    if at is None:
        yield Finding(
            "the client gave up before the gateway reported the stall",
            "$",
            f"an error within {limit:g} s",
            f"{ex.error} after {ex.t_end - ex.t_start:.1f} s",
        )
        return
    if at > limit:
        yield Finding("the timeout came later than the gateway's own", "$", f"within {limit:g} s", f"{at:.1f} s")
    statuses = expect.profile.expect.upstream_timeout_status
    if ex.status != 200 and ex.status not in statuses:
        yield Finding(
            f"a timeout answered with status {ex.status}", "$", " or ".join(map(str, statuses)), str(ex.status)
        )


@check(
    "upstream.cancelled",
    feature="upstream_faults",
    summary="a client that leaves mid-stream makes the gateway "
    "cancel its upstream request (the upstream journal shows it cancelled; expect upstream, waited_s)",
    reads=("upstream", "waited_s"),
)
def cancelled(ex: Exchange, expect: Expect) -> Iterator[Finding]:
    entry, waited = expect.upstream, expect.waited_s
    if not isinstance(entry, dict):
        yield Finding(
            "no upstream request carried the test's marker",
            "upstream",
            "one streamed upstream request",
            "none",
        )
    elif entry.get("outcome") != "cancelled":
        yield Finding(
            "the gateway kept the upstream request running after the client left",
            "upstream.outcome",
            f"cancelled within {waited:g} s",
            show(entry.get("outcome")),
        )
