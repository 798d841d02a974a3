"""The run's settings, read from the options of `chatconform.pytest.options` and checked.

Bad values are a `pytest.UsageError` with the option named, before any test runs.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import pytest

from chatconform import headers, preflight
from chatconform.deviations import Deviations, DeviationsError, load_deviations
from chatconform.profile import Profile, ProfileError, load_profile
from chatconform.pytest.bounds import MAX_TIME_S
from chatconform.pytest.options import DEFAULT_TIMEOUT_S, OPTIONS, CheckOption
from chatconform.redact import register_secret

N = TypeVar("N", int, float)


@dataclass(frozen=True)
class CheckSettings:
    base_url: str | None
    api_key: str | None
    profile: Profile
    models: tuple[str, ...]  # canonical IDs selected by --models; empty means all
    report_dir: Path
    max_cost: float | None
    request_timeout: float
    max_time: float
    retries_inconclusive: int
    body_limit: int | None
    run_id: str
    deviations: Deviations = field(default_factory=Deviations)
    headers: dict[str, str] = field(default_factory=dict)  # custom request headers (values are secrets)
    skip_preflight: bool = False
    preflight_timeout: float = preflight.DEFAULT_TIMEOUT_S
    upstream_url: str | None = None  # gateway mode when set: the root of the upstream mock
    upstream_key: str | None = None
    upstream_timeout: float | None = None

    @property
    def gateway_mode(self) -> bool:
        return self.upstream_url is not None


def raw_value(config: pytest.Config, option: CheckOption, environ: Mapping[str, str] | None = None) -> str | None:
    """Command line, then environment, then ini, then the default."""
    cli: Any = config.getoption(option.dest, default=None)
    if cli not in (None, "", False) and option.kind != "append":
        return "1" if cli is True else str(cli)
    env = (os.environ if environ is None else environ).get(option.env, "")
    if env:
        return env
    ini: Any = config.getini(option.ini)
    return str(ini) if ini else option.default


def read_settings(config: pytest.Config, environ: Mapping[str, str] | None = None) -> CheckSettings:
    """The settings from the command line, `environ` (default: the process environment) and the ini file."""
    values = {o.dest: raw_value(config, o, environ) for o in OPTIONS}
    profile = _profile(values["profile"] or "tokenhub")
    base_url = _base_url(values["base_url"])
    api_key = values["api_key"] or None
    if base_url and not api_key:
        raise pytest.UsageError("--base-url needs --api-key (or CHATCONFORM_API_KEY)")
    register_secret(api_key)
    upstream_url, upstream_key, upstream_timeout = _upstream(values, base_url)
    try:
        custom = headers.collect(config.getoption("header", default=None), os.environ if environ is None else environ)
    except headers.HeaderError as exc:
        raise pytest.UsageError(str(exc)) from None
    request_timeout = _number("--request-timeout", values["request_timeout"], float, minimum=0.001)
    if upstream_timeout is not None and upstream_timeout >= (request_timeout or DEFAULT_TIMEOUT_S):
        raise pytest.UsageError("--upstream-timeout must be below --request-timeout, or the client gives up first")
    run_id = datetime.now(UTC).strftime("%Y%m%d-%H%M%S-") + secrets.token_hex(2)
    report_dir = values["report_dir"]
    root = config.invocation_params.dir
    return CheckSettings(
        base_url=base_url,
        api_key=api_key,
        profile=profile,
        models=_models(values["models"], profile),
        report_dir=root / report_dir if report_dir else root / "reports" / run_id,
        max_cost=_number("--max-cost", values["max_cost"], float, minimum=0),
        request_timeout=request_timeout or DEFAULT_TIMEOUT_S,
        max_time=_number("--max-time", values["max_time"], float, minimum=1) or MAX_TIME_S,
        retries_inconclusive=_number("--retries-inconclusive", values["retries_inconclusive"], int, minimum=0) or 0,
        body_limit=_number("--body-limit", values["body_limit"], int, minimum=1),
        run_id=run_id,
        deviations=_deviations(values["known_deviations"], root),
        headers=custom,
        skip_preflight=(values["skip_preflight"] or "").lower() in ("1", "true", "yes"),
        preflight_timeout=_number("--preflight-timeout", values["preflight_timeout"], float, minimum=0.1)
        or preflight.DEFAULT_TIMEOUT_S,
        upstream_url=upstream_url,
        upstream_key=upstream_key,
        upstream_timeout=upstream_timeout,
    )


def _profile(name: str) -> Profile:
    try:
        return load_profile(name)
    except (ProfileError, OSError, TypeError, ValueError) as exc:
        raise pytest.UsageError(f"--profile: {exc}") from exc


def _base_url(value: str | None, flag: str = "--base-url") -> str | None:
    if not value:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise pytest.UsageError(f"{flag} {value!r}: expected http(s)://host[:port]/path")
    return value.rstrip("/")


def _upstream(values: dict[str, str | None], base_url: str | None) -> tuple[str | None, str | None, float | None]:
    """Gateway mode's settings: all or nothing, and only with a gateway (--base-url) to test."""
    url = _base_url(values["upstream_url"], "--upstream-url")
    key = values["upstream_key"] or None
    timeout = _number("--upstream-timeout", values["upstream_timeout"], float, minimum=0.001)
    if url is None:
        if key or timeout is not None:
            raise pytest.UsageError("--upstream-key and --upstream-timeout need --upstream-url (gateway mode)")
        return None, None, None
    if not base_url:
        raise pytest.UsageError("--upstream-url needs --base-url: the gateway under test, which talks to it")
    if not key:
        raise pytest.UsageError("--upstream-url needs --upstream-key (or CHATCONFORM_UPSTREAM_KEY)")
    register_secret(key)
    return re.sub(r"/v1/?$", "", url), key, timeout


def _deviations(value: str | None, root: Path) -> Deviations:
    if not value:
        return Deviations()
    path = Path(value) if Path(value).is_absolute() else root / value
    try:
        return replace(load_deviations(path), source=value)  # as the user named it: reports show no local paths
    except DeviationsError as exc:
        raise pytest.UsageError(f"--known-deviations: {exc}") from exc


def _models(value: str | None, profile: Profile) -> tuple[str, ...]:
    if not value:
        return ()
    chosen: list[str] = []
    for name in filter(None, (v.strip() for v in value.split(","))):
        model = profile.resolve(name)
        if model is None:
            known = ", ".join(profile.model_ids(aliases=False))
            raise pytest.UsageError(f"--models: {name!r} is not a model of profile {profile.name} ({known})")
        if model.id not in chosen:
            chosen.append(model.id)
    return tuple(chosen)


def _number(flag: str, value: str | None, kind: type[N], minimum: N) -> N | None:
    if value in (None, ""):
        return None
    try:
        number = kind(value)
    except ValueError:
        raise pytest.UsageError(f"{flag}: {value!r} is not a {kind.__name__}") from None
    if number < minimum:
        raise pytest.UsageError(f"{flag}: must be at least {minimum}, got {value}")
    return number
