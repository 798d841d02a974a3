"""The `chatconform` command: `mock`, `check`, `load` and `diff`, each in its own module."""

from __future__ import annotations

import argparse
import importlib
import sys

# Subcommand name -> module exposing add_arguments(parser) and run(args) -> int.
COMMANDS = {
    "mock": ("chatconform.mock.cli", "serve the built-in mock upstream"),
    "check": ("chatconform.pytest.run_check", "run the conformance suites against a target"),
    "load": ("chatconform.load.cli", "run a Locust load scenario against a target"),
    "diff": ("chatconform.report.diff", "compare two compat.json reports: new, fixed and unchanged causes"),
}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(prog="chatconform", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (_, help_text) in COMMANDS.items():
        sub.add_parser(name, help=help_text, add_help=False)
    if not argv or argv[0] not in COMMANDS:
        parser.parse_args(argv)  # prints usage and exits
        return 2
    module = importlib.import_module(COMMANDS[argv[0]][0])
    # No abbreviations: `check --co` is pytest's --collect-only, not a prefix of one of our options.
    command = argparse.ArgumentParser(
        prog=f"chatconform {argv[0]}", description=COMMANDS[argv[0]][1], allow_abbrev=False
    )
    module.add_arguments(command)
    known, extra = command.parse_known_args(argv[1:])
    if extra and not getattr(module, "ACCEPTS_EXTRA", False):
        command.error(f"unrecognized arguments: {' '.join(extra)}")
    known.extra = extra
    return int(module.run(known))


if __name__ == "__main__":
    sys.exit(main())
