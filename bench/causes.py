"""Causes, measured: the figures of issue 9's "done when", against gateways with known bugs.

    python bench/causes.py [-n 2] [--models claude-haiku-4-5,claude-sonnet-4-6]

Serves the built-in mock behind the self-test rewriting layer (tests/selftest/rewrite.py) as three
gateways: `clean` (no change), `end-turn` (every finish_reason rewritten to Anthropic's `end_turn`) and
`many` (17 bugs of the mutation table at once), runs `chatconform check` against each, and prints per run:
the causes (count, the top one), the lines of compat.md and of the terminal output; then whether the top
cause's curl, run with bash, reproduces the failure; then `chatconform diff` clean -> end-turn (must exit 1)
and end-turn -> end-turn (must exit 0). Run from a checkout (it imports the self-test helpers).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.selftest import edits as e  # noqa: E402
from tests.selftest.mutations import MUTATIONS  # noqa: E402
from tests.selftest.rewrite import Reply, Rewrite, serve_variants  # noqa: E402

KEY = "sk-bench-causes-0123456789"
MANY = (
    "finish-tool-use",
    "finish-max-tokens",
    "done-twice",
    "chunk-id-changes",
    "role-in-every-delta",
    "created-milliseconds",
    "usage-total-wrong",
    "usage-on-finish-chunk",
    "error-without-param-code",
    "bad-input-500",
    "retry-after-missing",
    "later-system-dropped",
    "stop-ignored-in-stream",
    "images-after-first-dropped",
    "json-schema-as-object",
    "tool-index-from-one",
    "arguments-empty-string",
)


def end_turn(reply: Reply) -> None:
    for choice in e.choices(reply):
        if choice.get("finish_reason"):
            choice["finish_reason"] = "end_turn"


def combined(names: tuple[str, ...]) -> Rewrite:
    """One gateway with every named bug: request edits and reply edits applied in turn."""
    chosen = [m.rewrite for m in MUTATIONS if m.name in names]
    missing = set(names) - {m.name for m in MUTATIONS}
    if missing:
        raise SystemExit(f"no such mutation: {sorted(missing)}")

    # An edit written for one kind of answer may not apply to another (an error body has no `created`):
    # there the bug simply does not show, as in a real gateway.
    def request(body: dict[str, Any]) -> None:
        for r in chosen:
            if r.request is not None:
                with contextlib.suppress(KeyError, TypeError, AttributeError, IndexError):
                    r.request(body)

    def reply(answer: Reply) -> None:
        for r in chosen:
            if r.reply is not None:
                with contextlib.suppress(KeyError, TypeError, AttributeError, IndexError):
                    r.reply(answer)

    return Rewrite(request=request, reply=reply)


def check(base_url: str, out: Path, extra: list[str]) -> tuple[int, int]:
    """Run `chatconform check`; (exit code, lines of terminal output)."""
    command = [sys.executable, "-m", "chatconform.cli", "check", "--base-url", base_url, "--api-key", KEY]
    command += ["--report-dir", str(out), "-q", "-p", "no:randomly", *extra]
    done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=900)
    return done.returncode, len((done.stdout + done.stderr).splitlines())


def figures(name: str, out: Path, code: int, terminal_lines: int) -> dict[str, Any]:
    data = json.loads((out / "compat.json").read_text())
    md_lines = len((out / "compat.md").read_text().splitlines())
    causes = data["causes"]
    print(f"\n== {name}: exit {code}, {len(data['cases'])} cases, {data['counts']['fail']} failed")
    print(f"   {len(causes)} causes; compat.md {md_lines} lines; terminal {terminal_lines} lines")
    for c in causes[:20]:
        print(f"   {c['tests']:>4} tests  [{c['check']}] {c['title'][:90]}  ({c['id']})")
    return data


def reproduces(cause: dict[str, Any]) -> bool:
    """Run the cause's curl with bash; True when the answer shows the example's observed value."""
    curl = cause["example"]["curl"]
    if not curl:
        print("   the top cause has no curl")
        return False
    env = {**os.environ, "CHATCONFORM_API_KEY": KEY}
    done = subprocess.run(["bash", "-c", curl], capture_output=True, text=True, env=env, timeout=60, check=False)
    observed = cause["example"]["observed"].strip('"')
    ok = done.returncode == 0 and observed in done.stdout
    print(f"   curl of the top cause: exit {done.returncode}, {observed!r} in the answer: {ok}")
    return ok


def diff(old: Path, new: Path) -> int:
    command = [sys.executable, "-m", "chatconform.cli", "diff", str(old / "compat.json"), str(new / "compat.json")]
    done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=60)
    new_section = (
        done.stdout.split("### New causes", 1)[1].split("###", 1)[0] if "### New causes" in done.stdout else ""
    )
    listed = [line for line in new_section.splitlines() if line.startswith("- ")]
    print(f"   diff {old.name} -> {new.name}: exit {done.returncode}, {len(listed)} new causes listed")
    return done.returncode


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", default="2", help="pytest-xdist workers for each check run")
    parser.add_argument("--models", default="", help="comma-separated canonical IDs (default: all)")
    parser.add_argument("--keep", type=Path, help="copy the report directories here")
    args = parser.parse_args()
    extra = ["-n", args.n] + (["--models", args.models] if args.models else [])
    rewrites = {"clean": Rewrite(), "end-turn": Rewrite(reply=end_turn), "many": combined(MANY)}
    with tempfile.TemporaryDirectory(prefix="bench-causes-") as tmp, serve_variants(rewrites, KEY) as server:
        runs: dict[str, Path] = {}
        for name in rewrites:
            out = Path(tmp) / name
            code, lines = check(server.base_url(name), out, extra)
            data = figures(name, out, code, lines)
            runs[name] = out
            if name == "end-turn" and data["causes"]:
                reproduces(data["causes"][0])
        if args.keep:
            for name, out in runs.items():
                shutil.copytree(out, args.keep / name, dirs_exist_ok=True)
        print()
        diff(runs["clean"], runs["end-turn"])
        diff(runs["end-turn"], runs["end-turn"])


if __name__ == "__main__":
    main()
