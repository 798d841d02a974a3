"""Custom headers: parsing, RFC 9110 validation, secrecy, and the hand-off to a child process."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from chatconform import headers
from chatconform.headers import HeaderError
from chatconform.redact import MASK, redact

SECRET = "tenant-canary-4f1b9e2a"


def test_a_header_is_name_and_value_split_at_the_first_colon() -> None:
    assert headers.parse_header("X-Route: provider=anthropic, region=eu:west") == (
        "X-Route",
        "provider=anthropic, region=eu:west",
    )
    assert headers.parse_header("X-Empty:") == ("X-Empty", "")
    assert headers.parse_header("X-Tabs:\t spaced \t") == ("X-Tabs", "spaced")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"X Tenant: {SECRET}", "holds a space at position 2"),
        (f"X-T@nant: {SECRET}", "holds '@' at position 4"),
        (f"X-Tenant\x01: {SECRET}", "holds a control character at position 9"),
        (f": {SECRET}", "name before ':' is empty"),
        (f" X-Tenant: {SECRET}", "holds a space at position 1"),
        (SECRET, "no ':'"),
        (f"X-Tenant: {SECRET}\r\nX-Injected: 1", "control character (CR, LF"),
        (f"X-Tenant: {SECRET}\x00", "control character"),
        (f"X-Tenant: caf\u00e9-{SECRET}", "non-ASCII"),
        (f"Authorization: Bearer {SECRET}", "use --api-key"),
        ("Content-Length: 12345", "the client sets it"),
        ("host: example.org", "the client sets it"),
    ],
    ids=[
        "space-in-name",
        "at-in-name",
        "control-in-name",
        "empty-name",
        "leading-space",
        "no-colon",
        "crlf-in-value",
        "nul-in-value",
        "non-ascii-value",
        "authorization",
        "content-length",
        "host",
    ],
)
def test_bad_headers_are_one_line_errors_that_never_show_the_value(text: str, expected: str) -> None:
    with pytest.raises(HeaderError) as caught:
        headers.parse_header(text)
    message = str(caught.value)
    assert expected in message
    assert "\n" not in message and SECRET not in message and "Bearer" not in message


def test_an_error_names_the_header_and_where_it_came_from() -> None:
    with pytest.raises(HeaderError, match=r"^CHATCONFORM_HEADERS line 2: the value of header X-Two holds"):
        headers.parse_lines("X-One: fine\nX-Two: bad\x7fvalue")
    with pytest.raises(HeaderError, match="header x-one is given twice"):
        headers.parse_flags(["X-One: a", "x-one: b"])


def test_the_environment_form_keeps_commas_colons_and_json() -> None:
    text = 'X-Route: a=1, b=2\r\n\n  \nX-Config: {"provider": "anthropic", "url": "https://x:1/y"}\n'
    assert headers.parse_lines(text) == {
        "X-Route": "a=1, b=2",
        "X-Config": '{"provider": "anthropic", "url": "https://x:1/y"}',
    }


def test_flags_win_over_the_environment_by_name_and_every_value_is_a_secret() -> None:
    env = {headers.ENV: f"X-Tenant: from-env-{SECRET}\nX-Keep: kept-{SECRET}"}
    merged = headers.collect([f"x-tenant: flag-{SECRET}"], env)
    assert merged == {"X-Keep": f"kept-{SECRET}", "x-tenant": f"flag-{SECRET}"}
    for value in merged.values():
        assert redact(f"sent {value} here") == f"sent {MASK} here"


def test_no_headers_means_no_environment_entry() -> None:
    assert headers.collect(None, {}) == {}
    assert headers.to_env({}) == {}


def test_a_child_process_receives_the_headers_through_its_environment_only() -> None:
    given = {"X-Tenant": f"blue-{SECRET}", "X-Route": "a=1, b: 2"}
    code = "import os, json; from chatconform import headers; print(json.dumps(headers.collect(None, os.environ)))"
    command = [sys.executable, "-c", code]
    env = {**os.environ, **headers.to_env(given)}
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60, check=True)
    assert SECRET not in " ".join(command)
    assert done.stdout.strip() == '{"X-Tenant": "blue-tenant-canary-4f1b9e2a", "X-Route": "a=1, b: 2"}'
    assert headers.parse_flags(headers.as_flags(given)) == given
