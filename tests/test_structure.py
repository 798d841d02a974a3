"""The house's structure: no import runs back up a floor and no two rooms import each other in a circle.

A room is a top-level module of `chatconform` or one of its packages (`checks`, `mock`, ...). Floors are
declared below, bottom first; a room may import rooms on its own floor or below, never above. Imports
inside functions count too (they are arrows all the same). Adding a room means placing it on a floor.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "chatconform"
FLOORS: list[set[str]] = [
    {"features", "typed", "redact", "wire", "sse", "schemas", "server", "profiles", "fields", "pacing"},
    {"profile", "exchange", "prompts"},
    {"answer", "cost", "answer_shape", "target", "headers", "deviations", "sdk_http"},
    {"client", "preflight", "checks"},
    {"report", "mock"},
    {"load", "pytest"},
    {"cli"},
]


def room_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "chatconform" else None


def arrows() -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for path in PACKAGE.rglob("*.py"):
        relative = path.relative_to(PACKAGE)
        source = relative.parts[0].removesuffix(".py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names if node.module == "chatconform"]
            for name in names:
                target = room_of(name)
                if target and target != source and target != "__init__":
                    found.add((source, target))
    return found


def floor(room: str) -> int:
    for level, rooms in enumerate(FLOORS):
        if room in rooms:
            return level
    raise AssertionError(f"room {room!r} is on no floor: add it to FLOORS in tests/test_structure.py")


def test_every_room_is_on_a_floor() -> None:
    rooms = {p.name.removesuffix(".py") for p in PACKAGE.iterdir() if p.suffix == ".py" or p.is_dir()}
    rooms.discard("__init__")
    rooms = {r for r in rooms if not r.startswith("__")}
    for room in rooms:
        floor(room)


@pytest.mark.parametrize("arrow", sorted(arrows()), ids=lambda a: f"{a[0]}->{a[1]}")
def test_no_arrow_runs_up(arrow: tuple[str, str]) -> None:
    source, target = arrow
    assert floor(target) <= floor(source), f"{source} (floor {floor(source)}) imports {target} (floor {floor(target)})"


def test_no_circle_between_rooms() -> None:
    graph: dict[str, set[str]] = {}
    for source, target in arrows():
        graph.setdefault(source, set()).add(target)

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        return any(n == goal or (n not in seen and reaches(n, goal, seen | {n})) for n in graph.get(start, ()))

    circles = sorted(f"{a} <-> {b}" for a, b in arrows() if reaches(b, a, {b}))
    assert circles == []
