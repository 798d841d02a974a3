"""Comparisons: names a test reports through `Conform.expect_equal` when what it compares is not one
exchange (an official SDK's parsed object, two answers, the run's own bookkeeping). Registered with the
checks so that the vocabulary is one list, a misspelt name is an error, and docs/checks.md shows them."""

from __future__ import annotations

from chatconform.checks.registry import comparison

_TOLERANT = "case, surrounding quotes or emphasis, trailing punctuation and whitespace around the words"

comparison(
    "sdk.text",
    feature="basic",
    summary="the official SDK reads the answer text the prompt pins down",
    tolerates=_TOLERANT,
)
comparison("sdk.finish_reason", feature="basic", summary="the official SDK reads the expected finish_reason")
comparison("sdk.object", feature="basic", summary="the official SDK reads object 'chat.completion'")
comparison(
    "sdk.stream_text",
    feature="streaming",
    summary="the official SDK reassembles the streamed text",
    tolerates=_TOLERANT,
)
comparison("sdk.stream_finish", feature="streaming", summary="the official SDK sees exactly one finish_reason")
comparison("sdk.stream_usage", feature="streaming", summary="the official SDK sees the usage chunk when asked")
comparison(
    "models.alias", feature="models", summary="a model's alias answers as its canonical ID does", tolerates=_TOLERANT
)
comparison("usage.cost", feature="usage", summary="the run's cost is the usage × the profile's prices")

SDK_ERROR = "sdk.error"
comparison(
    SDK_ERROR,
    feature="basic",
    summary="the official SDK call returns instead of raising (type, message, status and request id reported)",
)
