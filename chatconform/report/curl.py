"""A curl command that repeats a recorded request: method, URL, every header sent, the body byte for byte.

No secret is ever written. The key is `$CHATCONFORM_API_KEY`, sent with
`--oauth2-bearer` (curl's way of writing `Authorization: Bearer`, so no
"Bearer <token>" text appears for redaction to mask); any other header whose
value was masked (a custom header, a registered secret) is written as
`$CHATCONFORM_HEADER_<NAME>` (upper case, `-` as `_`). Set them first.

A JSON body goes in a quoted here-document, readable and free of shell
expansion (the here-document adds one newline after the JSON, which JSON
ignores); bytes a test chose go through `base64 -d`, so even malformed or
non-UTF-8 bodies are repeated exactly. `-i` shows the status and headers (the
gateway's request id among them); `-N` lets a stream arrive as it is sent.
"""

from __future__ import annotations

import base64
import json
import re
import shlex

from chatconform.redact import MASK
from chatconform.report.model import RequestRecord

KEY_VARIABLE = "CHATCONFORM_API_KEY"
HEADER_VARIABLE = "CHATCONFORM_HEADER_"
DELIMITER = "CHATCONFORM_BODY"
KEY_HEADERS = frozenset({"authorization", "x-api-key", "api-key"})
SET_BY_CURL = frozenset({"content-length", "host", "connection", "transfer-encoding"})


def curl_command(req: RequestRecord) -> str:
    """The shell command (several lines) that sends `req` again."""
    lines = ["curl -sS -i" + (" -N" if _streams(req) else ""), f"-X {req.method} {shlex.quote(req.url)}"]
    lines += [_header(name, value) for name, value in req.headers if name not in SET_BY_CURL]
    if not req.body:
        return " \\\n  ".join(lines)
    text_ok = req.encoding == "text" and DELIMITER not in req.body.splitlines()
    lines.append("--data-binary @-" + (f" <<'{DELIMITER}'" if text_ok else ""))
    command = " \\\n  ".join(lines)
    note = ["# the body was cut at its recorded size: this command does not repeat the request"]
    if text_ok:
        return "\n".join([*(note if req.truncated else []), command, req.body, DELIMITER])
    return "\n".join(
        [*(note if req.truncated else []), f"base64 -d <<'{DELIMITER}' |", _base64_body(req), DELIMITER, command]
    )


def variable_for(header: str) -> str:
    """The shell variable that stands for a secret header's value."""
    if header.lower() in KEY_HEADERS:
        return KEY_VARIABLE
    return HEADER_VARIABLE + re.sub(r"[^A-Z0-9]", "_", header.upper())


def _header(name: str, value: str) -> str:
    """One header's option. The key as a bearer token goes through curl's own --oauth2-bearer (it sends
    `Authorization: Bearer <token>`), so no "Bearer <something>" text is written for redaction to mask."""
    if MASK not in value:
        return "-H " + shlex.quote(f"{name}: {value}")
    if name.lower() == "authorization":
        return f'--oauth2-bearer "${KEY_VARIABLE}"'
    # Double quotes: the shell expands the variable, and a variable's name needs no escaping.
    return f'-H "{name}: ${variable_for(name)}"'


def _streams(req: RequestRecord) -> bool:
    if req.encoding != "text":
        return False
    try:
        body = json.loads(req.body)
    except ValueError:
        return False
    return isinstance(body, dict) and body.get("stream") is True


def _base64_body(req: RequestRecord) -> str:
    text = req.body if req.encoding == "base64" else base64.b64encode(req.body.encode()).decode("ascii")
    return "\n".join(text[i : i + 76] for i in range(0, len(text), 76))
