"""Check functions by feature; importing this package registers them all."""

from chatconform.checks import errors, models, response, stream  # noqa: F401  (registers the core checks)

from . import (  # noqa: F401
    billing,
    json_mode,
    length,
    sampling,
    stop,
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
