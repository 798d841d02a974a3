"""The one adapter over geventhttpclient's internals: this fails when an upgrade breaks what it reads."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.load import readsome_probe

ROOT = Path(__file__).resolve().parents[2]


def test_read_some_returns_each_piece_as_it_arrives_and_raises_on_a_cut_body() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "tests.load.readsome_probe"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["buffer_type"] == "bytearray"
    assert seen["reads"] == [p.decode() for p in readsome_probe.PIECES]  # CR-only line ends not held back
    assert len(seen["on_arrival"]) == 3
    assert all(0 <= gap < readsome_probe.GAP_S for gap in seen["on_arrival"])
    assert seen["last_read"] == ""
    assert seen["cut"].startswith("raised ") and seen["cut"].endswith("after 50 bytes")
    assert "changed the response internals" in seen["incompatible"] and "readsome.py" in seen["incompatible"]
