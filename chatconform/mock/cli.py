"""`chatconform mock`: serve the mock upstream over real HTTP.

Keys: `--api-key` (repeatable), `--api-key-file` and `CHATCONFORM_MOCK_API_KEYS`
together make the accepted set (the latter two keep keys out of `ps`); the
admin key comes from `CHATCONFORM_MOCK_ADMIN_KEY`, `--admin-key-file` or
`--admin-key`. Every start-up failure (bad config, unreadable or exposed key
file, busy port) is one line on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import errno
import sys
import tomllib

import uvicorn

from chatconform.mock.app import create_app
from chatconform.mock.capacity import CapacitySettings
from chatconform.mock.config import MockConfig, load_config
from chatconform.mock.faults import FaultSettings
from chatconform.mock.keyfile import env_admin_key, env_keys, private_text, read_key_file
from chatconform.mock.latency import MODES, LatencySettings
from chatconform.mock.serving import serve_options
from chatconform.mock.variance import MODES as ANSWER_MODES
from chatconform.profile import load_profile
from chatconform.server import LOOPBACK, bind, uvicorn_config

_SIZES = ("max_body_bytes", "journal_size", "journal_body_bytes", "journal_total_bytes", "max_connections")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default=LOOPBACK, help="interface to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port; 0 picks a free one (default 8000)")
    keys = parser.add_argument_group("keys (default: any key with the profile's prefix)")
    keys.add_argument("--api-key", action="append", dest="api_keys", metavar="KEY", help="accepted key (repeatable)")
    keys.add_argument("--api-key-file", metavar="PATH", help="accepted keys, one per line, in a file only you can read")
    keys.add_argument("--admin-key", metavar="KEY", help="key that sees and resets every key's /mock/* data")
    keys.add_argument("--admin-key-file", metavar="PATH", help="the admin key, in a file only you can read")
    parser.add_argument("--profile", help="built-in profile name or TOML file (default tokenhub)")
    parser.add_argument("--config", help="mock TOML file with [mock], [latency], [capacity] and [faults] tables")
    parser.add_argument("--latency", choices=MODES, help="latency model: none (default) or realistic")
    parser.add_argument("--ttft-ms", type=float, help="time to first token for every model")
    parser.add_argument("--itl-ms", type=float, help="inter-token delay for every model")
    parser.add_argument("--jitter-ms", type=float, help="uniform jitter added to both")
    parser.add_argument("--tokens-per-chunk", type=int, help="tokens per streamed chunk")
    capacity = parser.add_argument_group("capacity model (off by default; see docs/mock.md, Capacity model)")
    capacity.add_argument(
        "--capacity-tokens-per-s", type=float, metavar="N", help="output tokens the engine decodes per second"
    )
    capacity.add_argument("--prefill-ms-per-token", type=float, metavar="MS", help="engine time per prompt token")
    capacity.add_argument("--max-queue-s", type=float, metavar="S", help="refuse a request that would wait longer")
    parser.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="fault setting, e.g. error_rate=0.1 (repeatable; see docs/mock.md)",
    )
    parser.add_argument("--seed", type=int, help="seed for jitter, fault draws and varied answers")
    parser.add_argument(
        "--answers",
        choices=ANSWER_MODES,
        help="exact (default): the documented answers; varied: worded as a real model might, drawn from --seed",
    )
    limits = parser.add_argument_group("limits (see docs/mock.md, Hardening)")
    limits.add_argument("--header-timeout", type=float, dest="header_timeout_s", metavar="S", help="to send a request")
    for name in _SIZES:
        limits.add_argument("--" + name.replace("_", "-"), type=int, dest=name, metavar="N")


def build_config(args: argparse.Namespace) -> MockConfig:
    config = load_config(args.config) if args.config else MockConfig()
    latency = LatencySettings(
        mode=args.latency or config.latency.mode,
        ttft_ms=_first(args.ttft_ms, config.latency.ttft_ms),
        itl_ms=_first(args.itl_ms, config.latency.itl_ms),
        jitter_ms=_first(args.jitter_ms, config.latency.jitter_ms),
        tokens_per_chunk=args.tokens_per_chunk or config.latency.tokens_per_chunk,
    )
    keys = (*(args.api_keys or ()), *(read_key_file(args.api_key_file) if args.api_key_file else ()), *env_keys())
    return config.with_overrides(
        profile=load_profile(args.profile) if args.profile else None,
        api_keys=tuple(dict.fromkeys(keys)) or None,
        admin_key=_admin_key(args),
        latency=latency,
        capacity=_capacity(config.capacity, args),
        faults=_faults(config.faults, args.fault),
        seed=args.seed,
        answers=args.answers,
        header_timeout_s=args.header_timeout_s,
        **{name: getattr(args, name) for name in _SIZES},
    )


def _capacity(base: CapacitySettings, args: argparse.Namespace) -> CapacitySettings:
    """The file's [capacity], with each flag given overriding its value."""
    return CapacitySettings(
        tokens_per_s=_first(args.capacity_tokens_per_s, base.tokens_per_s),
        prefill_ms_per_token=_first(args.prefill_ms_per_token, base.prefill_ms_per_token) or 0.0,
        max_queue_s=_first(args.max_queue_s, base.max_queue_s) or 0.0,
    )


def _admin_key(args: argparse.Namespace) -> str | None:
    if args.admin_key_file:
        return private_text(args.admin_key_file, "--admin-key-file").strip() or None
    return args.admin_key or env_admin_key()


def _first(*values: float | None) -> float | None:
    return next((v for v in values if v is not None), None)


def _faults(base: FaultSettings, pairs: list[str]) -> FaultSettings:
    changes: dict[str, object] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not hasattr(base, name):
            raise ValueError(f"--fault {pair!r}: expected NAME=VALUE with NAME a field of [faults]")
        try:
            if name == "error_statuses":
                changes[name] = tuple(int(v) for v in value.split(","))
            else:
                changes[name] = type(getattr(base, name))(value)
        except ValueError:
            raise ValueError(f"--fault {pair!r}: {value!r} is not a number") from None
    return FaultSettings(**{**vars(base), **changes})


def run(args: argparse.Namespace) -> int:
    try:
        config = build_config(args)
    except (ValueError, OSError, tomllib.TOMLDecodeError) as exc:  # ProfileError is a ValueError
        return _fail(str(exc))
    if args.config and (config.api_keys or config.admin_key):
        _warn_if_exposed(args.config)
    try:
        sock = bind(args.host, args.port)
    except OSError as exc:
        return _fail(f"cannot listen on {args.host}:{args.port}: {_why(exc)}")
    host, port = sock.getsockname()[:2]
    keys = "any key starting with " + repr(config.profile.api_key_prefix) if not config.api_keys else "the given key(s)"
    admin = ", an admin key" if config.admin_key else ""
    print(
        f"chatconform mock: profile {config.profile.name}, latency {config.latency.describe()}, "
        f"capacity {config.capacity.describe()}, accepting {keys}{admin}"
    )
    print(
        f"chatconform mock: serving http://{host}:{port}/v1 (also /api/v1; Anthropic Messages at /v1/messages); "
        "Ctrl-C stops",
        flush=True,
    )
    server = uvicorn.Server(uvicorn_config(create_app(config), **serve_options(config)))
    server.run(sockets=[sock])
    return 0


def _warn_if_exposed(path: str) -> None:
    """A config file that holds keys should be as private as a key file; older setups get a warning, not a refusal."""
    try:
        private_text(path, "--config")
    except ValueError as exc:
        print(f"chatconform mock: warning: {exc} (it holds keys)", file=sys.stderr)


def _fail(message: str) -> int:
    print(f"chatconform mock: {message}", file=sys.stderr)
    return 2


def _why(exc: OSError) -> str:
    if exc.errno == errno.EADDRINUSE:
        return "the port is already in use (choose another with --port, or 0 for a free one)"
    return (exc.strerror or str(exc)).lower()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="chatconform mock")
    add_arguments(parser)
    sys.exit(run(parser.parse_args()))
