"""Identifiers for completions, messages and requests.

They must be unique, not secret: a process-wide random generator is enough,
and unlike `secrets` it costs no system call on the hot path.
"""

from __future__ import annotations

import random

_rng = random.Random()


def new_id(prefix: str) -> str:
    """`prefix` followed by 24 hex digits, e.g. `chatcmpl-3f2a...`."""
    return f"{prefix}{_rng.getrandbits(96):024x}"
