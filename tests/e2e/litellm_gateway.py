"""LiteLLM's proxy as the real gateway in the loop, routed to the mock's Anthropic face.

LiteLLM needs `openai<3` while chatconform uses openai 3.x, so it lives in its
own virtualenv, `.venv-litellm` at the repository root, created by the install
script with a pinned version (`PINNED`). This module writes a LiteLLM config
from a chatconform profile (every model ID, canonical and alias, routed to
`anthropic/<id>` on the mock), starts `litellm` on a free loopback port with
everything that would reach the network switched off, waits until it answers,
and stops it. It lives with the end-to-end tests rather than in the library:
it drives one product from a checkout-local virtualenv, which users of the
wheel never have; operators gate their own gateway with `chatconform check`.

Keys never reach LiteLLM's command line or its config file: the file names
them as `os.environ/<VAR>` (LiteLLM resolves those for `api_key` and
`master_key`) and the values travel in the child's environment, which only
its user can read.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from chatconform.profile import Profile
from chatconform.redact import redact, register_secret

REPO = Path(__file__).resolve().parents[2]
VENV = REPO / ".venv-litellm"
LITELLM = VENV / "bin" / "litellm"
PINNED = "1.106.2"
INSTALL_HINT = f"python3 -m venv .venv-litellm && .venv-litellm/bin/pip install 'litellm[proxy]=={PINNED}'"
LOOPBACK = "127.0.0.1"
# Host variables the child may see; everything else (DATABASE_URL, provider keys and base URLs,
# proxies) stays out, so a developer's shell cannot change what is being tested.
_PASSED_ENV = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT")
UPSTREAM_KEY_ENV = "CHATCONFORM_LITELLM_UPSTREAM_KEY"
MASTER_KEY_ENV = "CHATCONFORM_LITELLM_MASTER_KEY"
OFFLINE_ENV = {
    "LITELLM_LOCAL_MODEL_COST_MAP": "True",  # the bundled price/context map, not GitHub's
    "LITELLM_MODE": "PRODUCTION",  # no .env loading from the working directory
    "HF_HUB_OFFLINE": "1",  # tokenizers come bundled; never ask the Hugging Face hub
}


@dataclass(frozen=True)
class Gateway:
    base_url: str  # http://127.0.0.1:<port>/v1, what an OpenAI client is pointed at
    master_key: str  # the gateway's own key, distinct from the upstream key it holds
    log_path: Path  # LiteLLM's combined output, for a failing test to show

    def log_tail(self, lines: int = 40) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return redact("\n".join(text.splitlines()[-lines:]))


def installed() -> bool:
    return LITELLM.is_file() and os.access(LITELLM, os.X_OK)


def gateway_key(profile: Profile) -> str:
    """A fresh key for the gateway, shaped like the profile's keys (e.g. `th-gateway-...`)."""
    key = (profile.api_key_prefix or "sk-") + "gateway-" + secrets.token_hex(16)
    register_secret(key)
    return key


def model_names(profile: Profile) -> list[tuple[str, str]]:
    """(name clients send, canonical ID upstream) for every model in both forms."""
    return [
        (name, model.id)
        for model in profile.models
        for name in dict.fromkeys((model.id, profile.alias_prefix + model.id))
    ]


def litellm_config(
    profile: Profile, upstream_root: str, upstream_key: str, master_key: str, timeout_s: float = 30.0
) -> dict[str, Any]:
    """LiteLLM proxy config: every profile model routed to the Anthropic face at `upstream_root`.

    Retries are off so an upstream fault reaches the client (and the journal shows one request);
    `x-` headers are forwarded so `X-Chatconform-Fault` reaches the mock; the timeout bounds a
    stalled upstream. Nothing else is tuned: LiteLLM's own defaults are what is being tested."""
    deployments = [
        {
            "model_name": name,
            "litellm_params": {"model": f"anthropic/{canonical}", "api_base": upstream_root, "api_key": upstream_key},
        }
        for name, canonical in model_names(profile)
    ]
    return {
        "model_list": deployments,
        "litellm_settings": {"num_retries": 0, "request_timeout": timeout_s, "telemetry": False},
        "router_settings": {"num_retries": 0},
        "general_settings": {"master_key": master_key, "forward_client_headers_to_llm_api": True},
    }


def free_port(host: str = LOOPBACK) -> int:
    """A port free right now. LiteLLM cannot take a pre-bound socket, so there is a small window
    in which another process could take it; the start then fails with a clear log."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def child_env(upstream_key: str | None = None, master_key: str | None = None) -> dict[str, str]:
    """The child's environment: a few host variables, the offline switches, and the keys when given."""
    env = {k: os.environ[k] for k in _PASSED_ENV if k in os.environ}
    keys = {UPSTREAM_KEY_ENV: upstream_key, MASTER_KEY_ENV: master_key}
    return {**env, **OFFLINE_ENV, **{k: v for k, v in keys.items() if v is not None}}


def config_without_keys(profile: Profile, upstream_root: str, timeout_s: float) -> dict[str, Any]:
    """The config LiteLLM is started with: the keys as references to its environment (`child_env`)."""
    return litellm_config(
        profile, upstream_root, "os.environ/" + UPSTREAM_KEY_ENV, "os.environ/" + MASTER_KEY_ENV, timeout_s
    )


@contextmanager
def litellm_gateway(
    profile: Profile,
    upstream_root: str,
    upstream_key: str,
    start_timeout_s: float = 90.0,
    timeout_s: float = 30.0,
) -> Iterator[Gateway]:
    """Run LiteLLM in front of the mock at `upstream_root`; yield the running gateway."""
    if not installed():
        raise RuntimeError(f"LiteLLM is not installed at {LITELLM}; create it with: {INSTALL_HINT}")
    register_secret(upstream_key)
    master_key = gateway_key(profile)
    with tempfile.TemporaryDirectory(prefix="chatconform-litellm-") as tmp:
        config = Path(tmp) / "config.yaml"
        # JSON is YAML, and needs no YAML library on this side.
        config.write_text(json.dumps(config_without_keys(profile, upstream_root, timeout_s)))
        port = free_port()
        gateway = Gateway(f"http://{LOOPBACK}:{port}/v1", master_key, Path(tmp) / "litellm.log")
        command = [str(LITELLM), "--config", str(config), "--host", LOOPBACK, "--port", str(port)]
        with gateway.log_path.open("wb") as log:
            env = child_env(upstream_key, master_key)
            proc = subprocess.Popen(
                command, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=tmp, start_new_session=True
            )
        try:
            _wait_ready(proc, gateway, start_timeout_s)
            yield gateway
        finally:
            _stop(proc)


def _wait_ready(proc: subprocess.Popen[bytes], gateway: Gateway, timeout_s: float) -> None:
    """Poll the liveness route until it answers; fail with LiteLLM's own output otherwise."""
    url = gateway.base_url.removesuffix("/v1") + "/health/liveliness"
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"LiteLLM exited with {proc.returncode} while starting:\n{gateway.log_tail()}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.25)
    raise RuntimeError(f"LiteLLM did not answer {url} within {timeout_s:g} s:\n{gateway.log_tail()}")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop LiteLLM and anything it started: it leads its own process group."""
    for sig, wait_s in ((signal.SIGTERM, 10.0), (signal.SIGKILL, 5.0)):
        if proc.poll() is not None:
            return
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=wait_s)
        except subprocess.TimeoutExpired:
            continue
