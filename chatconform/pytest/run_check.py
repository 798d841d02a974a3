"""`chatconform check`: run the shipped conformance suites against a target, as pytest would.

After a plain `pip install chatconform` there is no checkout: the suites and
their `__snapshots__` are package data, and this command points pytest at the
installed copy. Options below are chatconform's; any other argument (-k, -m,
-x, -n, --junitxml, --snapshot-update, ...) goes to pytest unchanged. The exit
code is pytest's: 0 when the target conforms, 1 when a test failed.

Isolation, chosen deliberately: pytest is given `-c <package>/check.ini`, so
no pytest.ini / pyproject.toml / tox.ini of the current directory is read
(their addopts, testpaths or warning filters could change the verdict);
`--rootdir` is the directory holding the suites, so node IDs read
`suites/test_x.py::...` from an install as they do in a checkout; and
`--confcutdir` is the suites directory, so no conftest.py above it (a
checkout's, or one in the user's project) is loaded. The cache plugin is off
in check.ini: it would otherwise write into site-packages.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
from pathlib import Path

import pytest

from chatconform import headers, preflight
from chatconform.features import nearest
from chatconform.profile import ProfileError, load_profile
from chatconform.pytest.options import OPTIONS
from chatconform.redact import register_secret

ACCEPTS_EXTRA = True  # unknown arguments are pytest's


# The top-level suites/ of a checkout, or chatconform/suites/ of an installed wheel (see pyproject.toml).
def _suites_dir() -> Path:
    spec = importlib.util.find_spec("chatconform.suites")
    locations = list(spec.submodule_search_locations or []) if spec is not None else []
    return Path(locations[0]).resolve() if locations else Path(__file__).resolve().parent.parent / "suites"


SUITES_DIR = _suites_dir()
INI_FILE = Path(__file__).resolve().parent / "check.ini"
USAGE_ERROR = int(pytest.ExitCode.USAGE_ERROR)


CONCURRENCY_ENV = "CHATCONFORM_CONCURRENCY"
# Requests in flight against a target: the suites wait on the network, not the CPU, so 16 workers finish
# the full matrix against a gateway with Claude's latency in minutes on two cores. The built-in mock
# answers at once in this process: there, one worker is fastest.
DEFAULT_CONCURRENCY = 16


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.epilog = (
        "Any other argument is passed to pytest: -k EXPR, -m MARKEXPR, -x, -n NUM (pytest-xdist), "
        "--junitxml PATH, --snapshot-update, -v, ... Exit code: 0 conforms, 1 a test failed, 2 interrupted, "
        "4 usage error, 5 no test selected, 6 the target could not be tested (pre-flight)."
    )
    # The plugin's own option table, so `check` and `pytest` never disagree on a name.
    for option in OPTIONS:
        action = {"flag": "store_true", "append": "append"}.get(option.kind, "store")
        parser.add_argument(option.flag, dest=option.dest, action=action, help=f"{option.help} (env {option.env})")
    parser.add_argument(
        "--concurrency",
        type=int,
        default=None,
        help=f"tests run at once against a target (pytest-xdist workers; env {CONCURRENCY_ENV}); default "
        f"{DEFAULT_CONCURRENCY} against --base-url, 1 against the built-in mock; -n wins",
    )


def pytest_args(args: argparse.Namespace) -> list[str]:
    """The full pytest command line for these options."""
    # Only options given are passed, so the plugin's environment-variable defaults still apply.
    forwarded: list[str] = []
    for option in OPTIONS:
        value = getattr(args, option.dest, None)
        if option.kind == "flag":
            forwarded += [option.flag] if value else []
        elif option.kind == "append":
            forwarded += [item for v in value or () for item in (option.flag, v)]  # in process: no command line
        elif value is not None:
            forwarded += [option.flag, str(value)]
    isolation = ["-c", str(INI_FILE), "--rootdir", str(SUITES_DIR.parent), "--confcutdir", str(SUITES_DIR)]
    if os.environ.get("PYTEST_DISABLE_PLUGIN_AUTOLOAD"):
        # Entry points are off: name the plugins the suites cannot run without.
        isolation += ["-p", "chatconform.pytest.plugin", "-p", "syrupy"]
    extra = list(getattr(args, "extra", []))
    workers = concurrency(args, extra)
    parallel = ["-n", str(workers)] if workers > 1 else []
    return [*isolation, *forwarded, *parallel, *extra, str(SUITES_DIR)]


def concurrency(args: argparse.Namespace, extra: list[str]) -> int:
    """How many xdist workers to start: --concurrency, its env var, else the default for the target;
    none when the user gave -n themselves."""
    if _wants_xdist(extra):
        return 1
    given = getattr(args, "concurrency", None) or os.environ.get(CONCURRENCY_ENV)
    if given:
        return max(1, int(given))
    remote = getattr(args, "base_url", None) or os.environ.get("CHATCONFORM_BASE_URL")
    return DEFAULT_CONCURRENCY if remote else 1


def run(args: argparse.Namespace) -> int:
    problem = _installation_problem(getattr(args, "extra", []))
    if problem:
        print(f"chatconform check: {problem}", file=sys.stderr)
        return USAGE_ERROR
    first = first_contact(args)
    if first is not None:
        return first
    code = int(pytest.main(pytest_args(args)))
    if code == USAGE_ERROR:
        for hint in misspelt(getattr(args, "extra", [])):
            print(f"chatconform check: {hint}", file=sys.stderr)
    return code


def first_contact(args: argparse.Namespace) -> int | None:
    """The pre-flight against a target, before pytest starts: an exit code when it failed (or the options
    it needs are wrong), None to go on. The plugin is then told to skip its own."""
    base_url = getattr(args, "base_url", None) or os.environ.get("CHATCONFORM_BASE_URL")
    skip = getattr(args, "skip_preflight", False) or os.environ.get("CHATCONFORM_SKIP_PREFLIGHT", "") in ("1", "true")
    key = getattr(args, "api_key", None) or os.environ.get("CHATCONFORM_API_KEY")
    if not base_url or skip or not key:
        return None  # the built-in mock, a bypass, or a usage error the plugin words
    try:
        custom = headers.collect(getattr(args, "header", None), os.environ)
        profile = load_profile(getattr(args, "profile", None) or os.environ.get("CHATCONFORM_PROFILE") or "tokenhub")
    except (headers.HeaderError, ProfileError) as exc:
        print(f"chatconform check: {exc}", file=sys.stderr)
        return USAGE_ERROR
    register_secret(key)
    chosen = (getattr(args, "models", None) or os.environ.get("CHATCONFORM_MODELS") or "").split(",")[0].strip()
    model = chosen or profile.default_model.id
    timeout = getattr(args, "preflight_timeout", None) or os.environ.get("CHATCONFORM_PREFLIGHT_TIMEOUT")
    try:
        timeout_s = float(timeout) if timeout else preflight.DEFAULT_TIMEOUT_S
    except ValueError:
        print(f"chatconform check: --preflight-timeout: {timeout!r} is not a number", file=sys.stderr)
        return USAGE_ERROR
    result = preflight.run(base_url.rstrip("/"), key, model, custom, timeout_s)
    for line in result.lines("chatconform check"):
        print(line, file=sys.stdout if result.ok else sys.stderr, flush=True)
    if not result.ok:
        return preflight.EXIT_CODE
    args.skip_preflight = True  # done: the plugin need not repeat it
    return None


def misspelt(extra: list[str]) -> list[str]:
    """Suggestions for arguments pytest refused that look like one of chatconform's options."""
    flags = [o.flag for o in OPTIONS] + ["--concurrency"]
    hints = []
    for arg in extra:
        name = arg.split("=", 1)[0]
        if name.startswith("--") and name not in flags and (near := nearest(name, flags)):
            hints.append(f"unknown option {name}{near}")
    return hints


def _installation_problem(extra: list[str]) -> str:
    if not SUITES_DIR.is_dir() or not INI_FILE.is_file():
        return f"the suites are missing from this installation ({SUITES_DIR}); reinstall chatconform"
    if _wants_xdist(extra) and importlib.util.find_spec("xdist") is None:
        return "-n needs pytest-xdist: pip install pytest-xdist"
    return ""


def _wants_xdist(extra: list[str]) -> bool:
    return any(a in ("-n", "--numprocesses", "--dist") or a.startswith(("-n", "--numprocesses=")) for a in extra)
