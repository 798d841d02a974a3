"""Check functions by feature; importing this package registers them all.

The groups below are read from the registry's tags (see `registry.group`), so
a check joins a group where it is defined, and no list is kept by hand.
"""

from chatconform.checks import (  # noqa: F401  (each module registers its checks on import)
    billing,
    comparisons,
    errors,
    fields,
    json_mode,
    length,
    models,
    pacing,
    response,
    sampling,
    schema_fidelity,
    shape_diff,
    stop,
    stream,
    substitution,
    tool_stream,
    tools,
    translation,
    translation_back,
    translation_content,
    translation_tools,
    upstream_faults,
    usage,
    vision,
)
from chatconform.checks.registry import group

RESPONSE_CHECKS = group("response")  # a whole JSON answer
STREAM_CHECKS = group("stream")  # a streamed answer
ERROR_CHECKS = group("error")  # a refusal
MODELS_CHECKS = group("models")  # GET /models
TOOL_CALL_CHECKS = group("tool_calls")  # the tool calls of an answer, streamed or not
TOOL_STREAM_CHECKS = group("tool_stream")  # what only streamed tool-call deltas can get wrong
LENGTH_CHECKS = group("length")  # an answer cut by max_tokens
STOP_CHECKS = group("stop")  # an answer ended by a stop sequence
USAGE_CHECKS = group("usage")  # the usage object
TRANSLATION_CHECKS = group("translation")  # gateway mode: what went upstream, and what came back
