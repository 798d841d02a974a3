"""`chatconform mock`: serve the mock upstream over real HTTP."""

from __future__ import annotations

import argparse
import os
import sys
import tomllib

import uvicorn

from chatconform.mock.app import create_app
from chatconform.mock.config import MockConfig, load_config
from chatconform.mock.faults import FaultSettings
from chatconform.mock.latency import MODES, LatencySettings
from chatconform.profile import load_profile
from chatconform.server import LOOPBACK, bind, uvicorn_config


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default=LOOPBACK, help="interface to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port; 0 picks a free one (default 8000)")
    parser.add_argument(
        "--api-key",
        action="append",
        dest="api_keys",
        metavar="KEY",
        help="accepted key (repeatable); default: any key with the profile's prefix",
    )
    parser.add_argument("--profile", help="built-in profile name or TOML file (default tokenhub)")
    parser.add_argument("--config", help="mock TOML file with [mock], [latency] and [faults] tables")
    parser.add_argument("--latency", choices=MODES, help="latency model: none (default) or realistic")
    parser.add_argument("--ttft-ms", type=float, help="time to first token for every model")
    parser.add_argument("--itl-ms", type=float, help="inter-token delay for every model")
    parser.add_argument("--jitter-ms", type=float, help="uniform jitter added to both")
    parser.add_argument("--tokens-per-chunk", type=int, help="tokens per streamed chunk")
    parser.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="fault setting, e.g. error_rate=0.1 (repeatable; see docs/mock.md)",
    )
    parser.add_argument("--seed", type=int, help="seed for jitter and fault draws")


def build_config(args: argparse.Namespace) -> MockConfig:
    config = load_config(args.config) if args.config else MockConfig()
    latency = LatencySettings(
        mode=args.latency or config.latency.mode,
        ttft_ms=_first(args.ttft_ms, config.latency.ttft_ms),
        itl_ms=_first(args.itl_ms, config.latency.itl_ms),
        jitter_ms=_first(args.jitter_ms, config.latency.jitter_ms),
        tokens_per_chunk=args.tokens_per_chunk or config.latency.tokens_per_chunk,
    )
    env_keys = [k for k in os.environ.get("CHATCONFORM_MOCK_API_KEYS", "").split(",") if k]  # off the command line
    return config.with_overrides(
        profile=load_profile(args.profile) if args.profile else None,
        api_keys=tuple(args.api_keys or env_keys) or None,
        latency=latency,
        faults=_faults(config.faults, args.fault),
        seed=args.seed,
    )


def _first(*values: float | None) -> float | None:
    return next((v for v in values if v is not None), None)


def _faults(base: FaultSettings, pairs: list[str]) -> FaultSettings:
    changes: dict[str, object] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not hasattr(base, name):
            raise SystemExit(f"--fault {pair!r}: expected NAME=VALUE with NAME a field of [faults]")
        if name == "error_statuses":
            changes[name] = tuple(int(v) for v in value.split(","))
        else:
            changes[name] = type(getattr(base, name))(value)
    return FaultSettings(**{**vars(base), **changes})


def run(args: argparse.Namespace) -> int:
    try:
        config = build_config(args)
    except (ValueError, OSError, tomllib.TOMLDecodeError) as exc:  # ProfileError is a ValueError
        print(f"chatconform mock: {exc}", file=sys.stderr)
        return 2
    sock = bind(args.host, args.port)
    host, port = sock.getsockname()[:2]
    keys = "any key starting with " + repr(config.profile.api_key_prefix) if not config.api_keys else "the given key(s)"
    print(f"chatconform mock: profile {config.profile.name}, latency {config.latency.mode}, accepting {keys}")
    print(
        f"chatconform mock: serving http://{host}:{port}/v1 (also /api/v1; Anthropic Messages at /v1/messages); "
        "Ctrl-C stops",
        flush=True,
    )
    server = uvicorn.Server(uvicorn_config(create_app(config)))
    server.run(sockets=[sock])
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="chatconform mock")
    add_arguments(parser)
    sys.exit(run(parser.parse_args()))
