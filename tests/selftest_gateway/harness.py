"""Run the gateway-mode suites in a subprocess against the reference gateway (or a mutant) and the upstream mock.

The mock and the gateway are served in threads of the calling process, on free loopback ports; the suites
run as a separate pytest, exactly as an operator runs them (`--base-url`, `--upstream-url`, ...), and write
compat.json, which the self-tests read: which cases failed, and which checks found what.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chatconform.mock.app import create_app
from chatconform.mock.config import MockConfig
from chatconform.profile import Profile, load_profile
from chatconform.redact import register_secret
from chatconform.server import serve_in_thread
from tests.selftest_gateway.reference_gateway import ReferenceGateway

REPO = Path(__file__).resolve().parents[2]
SUITES = REPO / "suites"
GATEWAY_SUITES = (
    SUITES / "test_gateway_translation.py",
    SUITES / "test_gateway_faults.py",
    SUITES / "test_fields.py",
)
UPSTREAM_KEY = "th-selftest-upstream-5f1e0c7d2b9a4e36"
GATEWAY_KEY = "th-selftest-gateway-8a3d6b1f0e2c4975"
GATEWAY_TIMEOUT_S = 1.0  # short, so the stalled-upstream tests are quick
for _key in (UPSTREAM_KEY, GATEWAY_KEY):
    register_secret(_key)


@dataclass(frozen=True)
class Loop:
    gateway_url: str  # http://127.0.0.1:<port>/v1
    upstream_root: str


@contextmanager
def gateway_loop(
    gateway: type[ReferenceGateway] = ReferenceGateway,
    profile: Profile | None = None,
    timeout_s: float | None = GATEWAY_TIMEOUT_S,
) -> Iterator[Loop]:
    """The upstream mock and a gateway of class `gateway` in front of it, each on its own loopback port."""
    profile = profile or load_profile("tokenhub")
    with ExitStack() as stack:
        upstream = stack.enter_context(
            serve_in_thread(create_app(MockConfig(profile=profile, api_keys=(UPSTREAM_KEY,))))
        )
        front = gateway(profile, upstream, UPSTREAM_KEY, (GATEWAY_KEY,), timeout_s=timeout_s)
        root = stack.enter_context(serve_in_thread(front.app()))
        yield Loop(root + "/v1", upstream)


@dataclass(frozen=True)
class SuiteRun:
    returncode: int
    output: str
    report: dict[str, Any]

    def cases(self, outcome: str) -> list[dict[str, Any]]:
        return [c for c in self.report.get("cases", []) if c["outcome"] == outcome]

    def failed_checks(self) -> set[str]:
        return {f["check"] for c in self.cases("fail") for f in c["findings"]}

    def titles(self, check: str) -> list[str]:
        return [f["title"] for c in self.cases("fail") for f in c["findings"] if f["check"] == check]

    def summary(self) -> str:
        lines = [
            f"{c['nodeid']}: {c['outcome']} {[f['check'] for f in c['findings']]} {c['detail'][:200]}"
            for c in self.report.get("cases", [])
            if c["outcome"] not in ("pass", "policy")
        ]
        return "\n".join(lines) or self.output[-3000:]


def run_suites(
    loop: Loop, report_dir: Path, *args: str, timeout_s: float = 300, suites: tuple[str, ...] = ()
) -> SuiteRun:
    """pytest over the gateway suites (and `suites`) against `loop`, in a subprocess; its compat.json read back."""
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "-p",
        "no:randomly",
        *map(str, GATEWAY_SUITES),
        *(str(SUITES / name) for name in suites),
        "--base-url",
        loop.gateway_url,
        "--upstream-url",
        loop.upstream_root,
        "--upstream-timeout",
        f"{GATEWAY_TIMEOUT_S:g}",
        "--report-dir",
        str(report_dir),
        *args,
    ]
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHATCONFORM_")}
    # Keys travel in the environment, never on a command line (`ps` shows those to every user).
    env.update(CHATCONFORM_API_KEY=GATEWAY_KEY, CHATCONFORM_UPSTREAM_KEY=UPSTREAM_KEY)
    done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout_s)
    compat = report_dir / "compat.json"
    report = json.loads(compat.read_text()) if compat.is_file() else {}
    return SuiteRun(done.returncode, done.stdout + done.stderr, report)
