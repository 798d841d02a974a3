"""The README's CI commands (step 3 of its first screen), copied verbatim, work against the mock."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from chatconform.target import mock_subprocess

README = Path(__file__).resolve().parents[2] / "README.md"
KEY = "th-readme-ci-0123456789abcdef"


def ci_commands() -> list[str]:
    """The command lines under "# 3." in the README's first bash block."""
    block = re.search(r"```bash\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    assert block, "the README has no bash block"
    step = block.group(1).split("# 3.", 1)[1]
    return [line.split("  #", 1)[0].strip() for line in step.splitlines()[1:] if line.startswith("chatconform ")]


def test_the_readme_ci_commands_run_as_written(tmp_path: Path) -> None:
    commands = ci_commands()
    assert [c.split()[1] for c in commands] == ["check", "diff"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHATCONFORM_")}
    with mock_subprocess([], api_keys=[KEY]) as (root, _):
        env.update(
            GATEWAY_URL=root + "/v1", CHATCONFORM_API_KEY=KEY, PATH=f"{Path(sys.executable).parent}:{env['PATH']}"
        )
        check = subprocess.run(
            ["bash", "-c", commands[0]], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=900, check=False
        )
    assert check.returncode == 0, check.stdout[-3000:] + check.stderr[-2000:]
    report = json.loads((tmp_path / "compat" / "compat.json").read_text())
    assert report["verdict"] == "pass" and (tmp_path / "compat" / "junit.xml").is_file()
    assert KEY not in check.stdout + check.stderr
    # The last release's report, here the same run: no new cause.
    (tmp_path / "last-release").mkdir()
    shutil.copy(tmp_path / "compat" / "compat.json", tmp_path / "last-release" / "compat.json")
    diff = subprocess.run(
        ["bash", "-c", commands[1]], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert diff.returncode == 0, diff.stdout + diff.stderr
