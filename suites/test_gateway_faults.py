"""Gateway mode, fault paths: upstream errors before any byte, streams that break, an upstream that stalls,
and a client that leaves. Faults are armed on the upstream mock for the test's marker (POST /mock/faults), so
no header has to pass through the gateway. Runs with --upstream-url; unsupported otherwise."""

from __future__ import annotations

import pytest

from chatconform.pytest.gateway import armed, ask, found, marker, model_of, streamed

pytestmark = [pytest.mark.gateway, pytest.mark.upstream_faults]

MODES = ["nonstream", "stream"]
COUNT = "Count from 1 to 20"
RETRY_AFTER = "7"
CANCEL_WAIT_S = 2.0  # a gateway cancels its upstream request this soon after the client leaves
PACE_MS = 100  # a slow upstream stream (about 6 s for the count), never silent long enough for a read timeout


@pytest.fixture
def gw_model(chatconform_settings):
    return model_of(chatconform_settings)


UPSTREAM_ERRORS = {429: f"status=429; retry_after={RETRY_AFTER}", 529: "status=529", 500: "status=500"}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("status", list(UPSTREAM_ERRORS))
def test_upstream_error_before_headers(raw, conform, upstream, gw_model, status, mode):
    """429 stays a 429 with the upstream's Retry-After; 529 and 500 become the profile's statuses; each with
    the OpenAI error envelope."""
    mark = marker()
    with armed(upstream, mark, UPSTREAM_ERRORS[status]):
        ex = raw.chat(ask(gw_model, COUNT, mark, **streamed({}, mode)))
    checks = ["upstream.error_status", "error.content_type", "error.envelope", "error.retry_after"]
    expect = {"upstream_status": status}
    if status == 429:
        checks.append("upstream.retry_after")
        expect["upstream_retry_after"] = RETRY_AFTER
    conform.check(ex, *checks, **expect)


def test_midstream_error(raw, conform, upstream, gw_model):
    """An `event: error` after two deltas: the client gets an error frame, not a clean ending."""
    mark = marker()
    with armed(upstream, mark, "midstream_error=2"):
        ex = raw.chat(ask(gw_model, COUNT, mark, **streamed({}, "stream")))
    conform.check(ex, "upstream.error_frame", "upstream.no_clean_ending", "upstream.no_silent_end")


BREAKS = {"disconnect": "disconnect=3", "malformed": "malformed=2"}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("kind", list(BREAKS))
def test_broken_upstream_answer(raw, conform, upstream, gw_model, kind, mode):
    """The upstream drops the connection, or sends a cut event: never finish_reason "stop" and [DONE]
    (nor a 200 body when not streaming), and never a stream that just ends."""
    mark = marker()
    with armed(upstream, mark, BREAKS[kind]):
        ex = raw.chat(ask(gw_model, COUNT, mark, **streamed({}, mode)))
    conform.check(ex, "upstream.no_clean_ending", "upstream.no_silent_end")


@pytest.mark.parametrize("mode", MODES)
def test_stalled_upstream(raw, conform, upstream, gw_model, chatconform_settings, mode):
    """The upstream stops sending (after its first delta, or before its whole answer) for longer than the
    gateway's timeout: the client gets an error (408/504, or an error frame) within that timeout."""
    timeout_s = chatconform_settings.upstream_timeout
    if timeout_s is None:
        pytest.skip("the gateway's upstream timeout is not known: give --upstream-timeout")
    stall_s, slack_s = 2 * timeout_s + 2, max(2.0, timeout_s / 2)
    mark = marker()
    with armed(upstream, mark, f"stall_s={stall_s:g}", count=3):
        ex = raw.chat(ask(gw_model, COUNT, mark, **streamed({}, mode)))
    conform.check(ex, "upstream.timeout", "upstream.no_silent_end", upstream_timeout_s=timeout_s, slack_s=slack_s)


def test_client_disconnect_cancels_upstream(raw, conform, upstream, gw_model):
    """The client reads a little of a slow stream and leaves: the upstream journal shows the request cancelled."""
    mark = marker()
    with armed(upstream, mark, f"pace_ms={PACE_MS}", count=1):
        ex = raw.abandon(ask(gw_model, "Count from 1 to 30", mark, max_tokens=400, stream=True), events=3)
        conform.expect_equal(
            "upstream.cancelled",
            "abandoned",
            ex.error,
            path="$",
            title=f"the stream did not start (status {ex.status}), so the client could not leave it",
        )
        entry = found(upstream, mark, settle_s=CANCEL_WAIT_S)["upstream"]
        conform.check(ex, "upstream.cancelled", upstream=entry, waited_s=CANCEL_WAIT_S)
