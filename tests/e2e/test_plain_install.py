"""`chatconform check` from a plain install: a wheel of this project, no checkout, a canary key.

The wheel is built from a copy of the sources (so the build neither writes
into the checkout nor races other edits), installed with `pip install
--no-deps --target`, and run with that directory first on PYTHONPATH from a
directory outside the checkout; dependencies come from the running
interpreter. The target is the mock in a subprocess that accepts only the
canary key, so a passing run proves the key was sent, and the canary must
then appear in nothing that was written or printed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from chatconform.target import mock_subprocess

ROOT = Path(__file__).resolve().parents[2]
# Not shaped like any provider key, so only the harness's registration of the key can mask it.
CANARY = "canary-e2e-7d41f0c29b3a58e6"
MODEL = "claude-haiku-4-5"
RUN_TIMEOUT_S = 300


@dataclass(frozen=True)
class Install:
    site: Path  # the --target directory holding the installed package
    cwd: Path  # where commands run: outside the checkout
    wheel: Path


@dataclass(frozen=True)
class Run:
    code: int
    output: str  # stdout and stderr
    reports: Path
    junit: Path


@pytest.fixture(scope="module")
def install(tmp_path_factory: pytest.TempPathFactory) -> Install:
    base = tmp_path_factory.mktemp("plain-install")
    source = base / "src"
    source.mkdir()
    shutil.copy2(ROOT / "pyproject.toml", source)
    for folder in ("chatconform", "suites", "schemas"):  # what the wheel is built from (see pyproject.toml)
        shutil.copytree(ROOT / folder, source / folder, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("README.md", "LICENSE"):
        if (ROOT / name).is_file():
            shutil.copy2(ROOT / name, source)
    _pip("wheel", "--no-deps", "-q", "-w", str(base / "dist"), str(source))
    wheel = next((base / "dist").glob("chatconform-*.whl"))
    _pip("install", "--no-deps", "-q", "--target", str(base / "site"), str(wheel))
    cwd = base / "elsewhere"
    cwd.mkdir()
    # A project of the user's with its own pytest configuration: `check` must ignore both files.
    (cwd / "pytest.ini").write_text("[pytest]\naddopts = --option-that-does-not-exist\n")
    (cwd / "conftest.py").write_text("raise RuntimeError('chatconform check loaded the cwd conftest.py')\n")
    return Install(base / "site", cwd, wheel)


def _pip(*args: str) -> None:
    done = subprocess.run([sys.executable, "-m", "pip", *args], capture_output=True, text=True, timeout=RUN_TIMEOUT_S)
    assert done.returncode == 0, f"pip {args[0]} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"


def _env(install: Install) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CHATCONFORM_", "PYTEST_"))}
    return {**env, "PYTHONPATH": str(install.site), "PYTHONDONTWRITEBYTECODE": "1"}


def _check(install: Install, base_url: str, out: Path, *extra: str) -> Run:
    reports, junit = out / "reports", out / "junit.xml"
    command = [
        sys.executable,
        "-m",
        "chatconform.cli",
        "check",
        "--base-url",
        base_url,
        "--api-key",
        CANARY,
        "--models",
        MODEL,
        "--report-dir",
        str(reports),
        "--junitxml",
        str(junit),
        *extra,
    ]
    done = subprocess.run(
        command, cwd=install.cwd, env=_env(install), capture_output=True, text=True, timeout=RUN_TIMEOUT_S
    )
    return Run(done.returncode, done.stdout + done.stderr, reports, junit)


def _written_text(*roots: Path) -> dict[Path, str]:
    files = [p for root in roots for p in ([root] if root.is_file() else root.rglob("*")) if p.is_file()]
    return {p: p.read_bytes().decode("utf-8", "replace") for p in files}


def _assert_no_canary(run: Run, install: Install) -> None:
    written = _written_text(run.reports, run.junit, install.site / "chatconform" / "suites", install.cwd)
    assert len(written) >= 4  # the three reports and the JUnit file at least
    leaked = [str(p) for p, text in written.items() if CANARY in text]
    assert not leaked, f"the API key was written to {leaked}"
    assert CANARY not in run.output, "the API key was printed"


def test_the_wheel_ships_the_suites_their_snapshots_and_the_check_config(install: Install) -> None:
    names = set(zipfile.ZipFile(install.wheel).namelist())
    # The top-level suites/ and schemas/ of the checkout ship inside the package (see pyproject.toml).
    shipped = {
        f"chatconform/{folder.name if folder.name == 'suites' else 'schema_files'}/{p.relative_to(folder).as_posix()}"
        for folder in (ROOT / "suites", ROOT / "schemas")
        for p in folder.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }
    assert any(n.endswith(".py") and "/test_" in n for n in shipped)
    assert any(n.endswith("chat.completion.json") for n in shipped)
    assert shipped <= names, f"missing from the wheel: {sorted(shipped - names)}"
    assert "chatconform/pytest/check.ini" in names


def test_the_installed_copy_is_the_one_imported(install: Install) -> None:
    done = subprocess.run(
        [sys.executable, "-c", "import chatconform; print(chatconform.__file__)"],
        cwd=install.cwd,
        env=_env(install),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert Path(done.stdout.strip()).is_relative_to(install.site)


def test_check_passes_against_a_correct_target_and_leaks_no_key(install: Install, tmp_path: Path) -> None:
    with mock_subprocess(["--api-key", CANARY]) as (root, _):
        run = _check(install, root + "/v1", tmp_path, "-k", "basic or streaming")
    assert run.code == 0, run.output[-4000:]
    assert f"rootdir: {install.site / 'chatconform'}" in run.output  # the installed suites, not the checkout's
    data = json.loads((run.reports / "compat.json").read_text())
    assert data["verdict"] == "pass"
    assert MODEL in data["matrix"]["models"]
    assert {"basic", "streaming"} <= set(data["matrix"]["features"])
    assert all(c["nodeid"].startswith("suites/") for c in data["cases"])
    assert "| Verdict | PASS |" in (run.reports / "compat.md").read_text()
    assert "<h2>Model × feature matrix</h2>" in (run.reports / "compat.html").read_text()
    junit = run.junit.read_text()
    assert junit.count("<testcase ") == len(data["cases"]) > 0
    _assert_no_canary(run, install)


def test_check_exits_1_and_reports_the_failure_when_the_target_misbehaves(install: Install, tmp_path: Path) -> None:
    # Every request gets a 500: the suites must fail, and say which check saw it.
    with mock_subprocess(["--api-key", CANARY, "--fault", "error_rate=1", "--fault", "error_statuses=500"]) as (
        root,
        _,
    ):
        run = _check(install, root + "/v1", tmp_path, "-k", "basic")
    assert run.code == 1, run.output[-4000:]
    data = json.loads((run.reports / "compat.json").read_text())
    assert data["verdict"] == "fail"
    assert data["matrix"]["cells"][MODEL]["basic"]["outcome"] == "fail"
    failed = [c for c in data["cases"] if c["outcome"] == "fail"]
    assert failed
    checks = {f["check"] for c in failed for f in c["findings"]}
    assert checks, "failures should name the check that caught them"
    report = (run.reports / "compat.md").read_text()
    # One block per cause (here every test meets the same 500), every failing test under one of them.
    assert report.count("\n### ") - report.count("\n### ", report.index("## Model")) == len(data["causes"])
    assert {t for c in data["causes"] for t in c["test_ids"]} >= {c["nodeid"] for c in failed}
    assert all(f"`{name}`" in report for name in checks)
    assert 'failures="' in run.junit.read_text()
    _assert_no_canary(run, install)
