"""What became of one request field: its fate, read from the answer and (in gateway mode) the upstream request.

The order of the reading is the order in which a client meets the outcome: an answer that never came or
broke is `failed`; a 4xx with the OpenAI envelope is `rejected` (in gateway mode the evidence says when the
upstream, not the gateway, refused it); a 5xx is `failed`. An accepted request is then read from the
upstream first (gateway mode): the field reached it as Anthropic's counterpart (`mapped`) or with another
value (`altered`); absent upstream, the field is `honoured` when its effect shows in the answer (the
gateway did it itself) and `dropped` otherwise. Outside gateway mode an effect the answer can show gives
`honoured` or `dropped`, and a field without one reads `unknown`: only the upstream could tell.
"""

from __future__ import annotations

from typing import Any

from chatconform.answer import error_frames
from chatconform.checks.field_probes import Probe
from chatconform.checks.finding import raw_head
from chatconform.checks.registry import comparison
from chatconform.exchange import Exchange
from chatconform.profile import Profile

comparison(
    "fields.fate",
    feature="fields",
    summary="a request field sent alone meets the fate the profile's [fields] table expects "
    "(honoured, mapped, altered, dropped, rejected, failed; unknown outside gateway mode)",
    tolerates="honoured for mapped and the reverse (both say the field works); unknown for any accepting fate",
)
GATEWAY_HINT = "its effect does not show in one answer: gateway mode (--upstream-url) shows what reached the upstream"


def classify(
    ex: Exchange, probe: Probe, profile: Profile, upstream: dict[str, Any] | None, gateway: bool
) -> tuple[str, str]:
    """(fate, evidence) for the probe's exchange; `upstream` is the journal entry of the forwarded request."""
    refused = _refused(ex, upstream)
    body = upstream.get("body") if isinstance(upstream, dict) else None
    sent = ex.request_body if isinstance(ex.request_body, dict) else {}
    kind, seen = probe.view(sent, body) if gateway and isinstance(body, dict) else ("absent", "no upstream request")
    if refused is not None:
        if refused[1].startswith(f"{ex.status} by the upstream") and kind == "mapped":
            # The gateway did map it; the upstream mock could not serve it (a server tool): the mapping counts.
            return "mapped", f"upstream: {seen}; the upstream then refused it ({refused[1][:100]})"
        return refused
    effect = probe.effect(ex, profile) if probe.effect is not None else None
    if gateway:
        if kind != "absent":
            return kind, f"upstream: {seen}"
        if effect:
            return "honoured", f"{effect}; upstream: {seen}"
        return "dropped", f"accepted, {_no_effect(probe)}; upstream: {seen}"
    if probe.effect is None:
        return "unknown", f"accepted ({ex.status}); {GATEWAY_HINT}"
    return ("honoured", effect) if effect else ("dropped", f"accepted, {_no_effect(probe)}")


def _no_effect(probe: Probe) -> str:
    return f"without {probe.missing}" if probe.missing else "without an effect to see"


def _refused(ex: Exchange, upstream: dict[str, Any] | None) -> tuple[str, str] | None:
    """The fate of a request that did not get a whole answer, else None."""
    if ex.status is None:
        return "failed", f"no answer: {ex.error}"
    if 400 <= ex.status < 500:
        error = ex.body.get("error") if isinstance(ex.body, dict) else None
        if not isinstance(error, dict) or not isinstance(error.get("message"), str):
            return "failed", f"{ex.status} without an OpenAI error envelope: {raw_head(ex.raw, 120)}"
        by = " by the upstream" if isinstance(upstream, dict) and upstream.get("status", 200) >= 400 else ""
        return "rejected", f"{ex.status}{by}: {error['message'][:160]}"
    if ex.status != 200:
        return "failed", f"{ex.status}: {raw_head(ex.raw, 120)}"
    if ex.is_stream:
        if error_frames(ex):
            return "failed", "an error frame in the stream"
        if not ex.done_count:
            return "failed", f"the stream ended without [DONE] ({ex.error or 'clean close'})"
        return None
    choices = ex.body.get("choices") if isinstance(ex.body, dict) else None
    if not isinstance(choices, list) or not choices:
        return "failed", f"a 200 that is not a chat completion: {raw_head(ex.raw, 120)}"
    return None
