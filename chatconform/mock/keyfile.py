"""Keys off the command line: from the environment or from a file only its owner can read.

A key given as `--api-key` is visible to every user of the machine in `ps`;
`CHATCONFORM_MOCK_API_KEYS` (comma-separated) and `--api-key-file` are not.
A key file holds one key per line (commas also separate; blank lines and
`#` comments are skipped) and must not be readable by group or others: the
mock refuses to start otherwise, with one line saying how to fix it.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from pathlib import Path

KEYS_ENV = "CHATCONFORM_MOCK_API_KEYS"
ADMIN_ENV = "CHATCONFORM_MOCK_ADMIN_KEY"


def split_keys(text: str) -> tuple[str, ...]:
    keys = []
    for line in text.splitlines():
        if line.strip().startswith("#"):
            continue
        keys += [k.strip() for k in line.split(",") if k.strip()]
    return tuple(keys)


def env_keys(environ: Mapping[str, str] = os.environ) -> tuple[str, ...]:
    return split_keys(environ.get(KEYS_ENV, "").replace(",", "\n"))


def env_admin_key(environ: Mapping[str, str] = os.environ) -> str | None:
    return environ.get(ADMIN_ENV, "").strip() or None


def private_text(path: str | Path, what: str) -> str:
    """The text of a file that holds secrets; ValueError (one line) when others may read it."""
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        raise ValueError(f"{what} {path}: {exc.strerror}") from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ValueError(
            f"{what} {path} is readable by group or others (mode {stat.S_IMODE(mode):04o}); run: chmod 600 {path}"
        )
    return Path(path).read_text(encoding="utf-8")


def read_key_file(path: str | Path) -> tuple[str, ...]:
    keys = split_keys(private_text(path, "--api-key-file"))
    if not keys:
        raise ValueError(f"--api-key-file {path} holds no key")
    return keys
