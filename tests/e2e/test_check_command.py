"""`chatconform check` builds a pytest command line that only sees the installed suites."""

from __future__ import annotations

import argparse
import importlib.util

import pytest

from chatconform.cli import main
from chatconform.pytest import run_check as check


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    check.add_arguments(parser)
    known, extra = parser.parse_known_args(argv)
    known.extra = extra
    return known


def test_options_are_forwarded_and_everything_else_goes_to_pytest_in_order() -> None:
    args = parse(
        [
            "-k",
            "basic or streaming",
            "--base-url",
            "http://h/v1",
            "-x",
            "--api-key",
            "secret-value",
            "--junitxml",
            "j.xml",
            "--max-cost",
            "0.5",
            "-m",
            "not tools",
        ]
    )
    argv = check.pytest_args(args)
    assert argv[argv.index("--base-url") + 1] == "http://h/v1"
    assert argv[argv.index("--api-key") + 1] == "secret-value"
    assert argv[argv.index("--max-cost") + 1] == "0.5"
    tail = argv[argv.index("-k") :]
    assert tail == ["-k", "basic or streaming", "-x", "--junitxml", "j.xml", "-m", "not tools", str(check.SUITES_DIR)]


def test_options_not_given_are_not_passed_so_environment_defaults_apply() -> None:
    argv = check.pytest_args(parse([]))
    assert "--base-url" not in argv and "--profile" not in argv and "--api-key" not in argv


def test_the_run_is_isolated_from_the_current_directorys_configuration() -> None:
    argv = check.pytest_args(parse([]))
    assert argv[argv.index("-c") + 1] == str(check.INI_FILE)
    assert argv[argv.index("--confcutdir") + 1] == str(check.SUITES_DIR)
    assert argv[argv.index("--rootdir") + 1] == str(check.SUITES_DIR.parent)
    assert check.INI_FILE.read_text().splitlines().count("[pytest]") == 1
    assert "-p no:cacheprovider" in check.INI_FILE.read_text()  # never write a cache into site-packages


def test_plugins_are_named_when_autoload_is_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    argv = check.pytest_args(parse([]))
    at = argv.index("chatconform.pytest.plugin")
    assert argv[at - 1] == "-p"
    assert argv[argv.index("syrupy") - 1] == "-p"


def test_every_plugin_option_is_a_check_option() -> None:
    from chatconform.pytest.options import OPTIONS

    values = [o for o in OPTIONS if o.kind == "value"]
    args = parse([arg for o in values for arg in (o.flag, "v")])
    assert all(getattr(args, o.dest) == "v" for o in values)
    flags = parse([o.flag for o in OPTIONS if o.kind == "flag"] + ["--header", "A: b", "--header", "C: d"])
    assert all(getattr(flags, o.dest) is True for o in OPTIONS if o.kind == "flag")
    assert flags.header == ["A: b", "C: d"]
    argv = check.pytest_args(flags)
    assert argv.count("--header") == 2 and "--skip-preflight" in argv


def test_dash_n_without_xdist_is_a_clear_usage_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    assert main(["check", "-n", "2"]) == pytest.ExitCode.USAGE_ERROR
    assert "pip install pytest-xdist" in capsys.readouterr().err
