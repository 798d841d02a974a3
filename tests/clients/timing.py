"""Print the client matrix's wall time per client, alone and all together (figures, not a test).

    .venv/bin/python -m tests.clients.timing            # every client that can run here
    .venv/bin/python -m tests.clients.timing litellm    # some of them

Alone: each driver runs its features with the machine to itself (start-up included), one after the other.
Together: all drivers at once, as the test run starts them; the matrix then takes its slowest client's time.
"""

from __future__ import annotations

import os
import secrets
import sys
import time

from chatconform.mock.app import create_app
from chatconform.mock.config import MockConfig
from chatconform.redact import register_secret
from chatconform.server import serve_in_thread
from tests.clients.clients import CLIENTS
from tests.clients.runner import Matrix


def measure(root: str, key: str, ids: list[str]) -> dict[str, float]:
    matrix = Matrix(root, key, {i: list(CLIENTS[i].features) for i in ids})
    started = time.perf_counter()
    matrix.wait_all()
    seconds = {i: matrix.run_of(CLIENTS[i]).seconds or 0.0 for i in ids}
    seconds["(wall)"] = time.perf_counter() - started
    failed = [i for i in ids if set(matrix.run_of(CLIENTS[i]).results) != set(CLIENTS[i].features)]
    if failed:
        print(f"incomplete results from {failed}", file=sys.stderr)
    return seconds


def main(argv: list[str]) -> int:
    ids = [i for i in (argv or list(CLIENTS)) if CLIENTS[i].missing() is None]
    key = "th-" + secrets.token_hex(16)
    register_secret(key)
    load = os.getloadavg()
    with serve_in_thread(create_app(MockConfig(api_keys=(key,)))) as root:
        alone = {i: measure(root, key, [i])[i] for i in ids}
        together = measure(root, key, ids)
    print(f"{'client':<28}{'alone s':>9}{'together s':>12}")
    for i in ids:
        print(f"{i:<28}{alone[i]:>9.2f}{together[i]:>12.2f}")
    print(f"load average before/after: {load[0]:.1f} / {os.getloadavg()[0]:.1f} (2 cores)")
    print(f"{'sum alone / matrix wall':<28}{sum(alone.values()):>9.2f}{together['(wall)']:>12.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
