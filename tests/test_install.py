"""install.sh installs within constraints.txt: every dependency chatconform declares is pinned there."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _name(requirement: str) -> str:
    """The distribution name of a requirement, normalised as pip does (PEP 503)."""
    name = re.split(r"[\s\[<>=!~;]", requirement.strip(), maxsplit=1)[0]
    return re.sub(r"[-_.]+", "-", name).lower()


def test_every_declared_dependency_is_pinned_in_the_constraints() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = {_name(r) for r in project["dependencies"] + project["optional-dependencies"]["dev"]}
    lines = [line for line in (ROOT / "constraints.txt").read_text().splitlines() if line and not line.startswith("#")]
    pinned = {_name(line): line.split("==", 1)[1] for line in lines if "==" in line}
    assert all("==" in line for line in lines), [line for line in lines if "==" not in line]
    assert not declared - pinned.keys(), f"add to constraints.txt: {sorted(declared - pinned.keys())}"


def test_install_sh_installs_within_the_constraints() -> None:
    assert "-c constraints.txt -e '.[dev]'" in (ROOT / "install.sh").read_text()
