"""Check functions by feature; importing this package registers them all."""
from chatconform.checks import errors, models, response, stream  # noqa: F401  (registers the core checks)

from . import billing, json_mode, length, sampling, stop, tool_stream, tools, usage, vision  # noqa: F401
