"""The fixtures the suites use; registered by `chatconform.pytest.plugin` (see its docstring for the list).

Session-scoped where a connection or a server is involved, so a full run
pays for one mock, one keep-alive client and one SDK client per process.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from chatconform.client import MockAdmin, RawClient
from chatconform.exchange import Exchange
from chatconform.profile import Profile
from chatconform.pytest.conform import Conform
from chatconform.pytest.settings import CheckSettings
from chatconform.pytest.state import record_of, state_of
from chatconform.sdk_http import async_sdk_http_client, sdk_http_client
from chatconform.target import Target, session_key

if TYPE_CHECKING:
    import openai


@pytest.fixture(scope="session")
def chatconform_settings(pytestconfig: pytest.Config) -> CheckSettings:
    """Every fixture of the plugin starts here: a settings mistake deferred from the environment ends the
    run now, as the usage error it is, before anything is sent."""
    state = state_of(pytestconfig)
    if state.deferred_error:
        pytest.exit(f"ERROR: {state.deferred_error}", returncode=pytest.ExitCode.USAGE_ERROR)
    return state.settings


@pytest.fixture(scope="session")
def profile(chatconform_settings: CheckSettings) -> Profile:
    return chatconform_settings.profile


@pytest.fixture(scope="session")
def target(chatconform_settings: CheckSettings) -> Iterator[Target]:
    settings = chatconform_settings
    if settings.base_url:
        yield Target(settings.base_url, settings.api_key or "", settings.profile, headers=settings.headers)
        return
    # Imported here: the mock pulls in starlette and Pillow, which runs against a real target never need.
    from chatconform.mock.app import create_app
    from chatconform.mock.config import MockConfig
    from chatconform.mock.serving import serve_options
    from chatconform.server import serve_in_thread

    key = session_key(settings.profile)
    config = MockConfig(profile=settings.profile, api_keys=(key,))
    # Served as `chatconform mock` serves it: header deadline, connection cap, and the departure probe.
    with serve_in_thread(create_app(config), **serve_options(config)) as root:
        yield Target(root + "/v1", key, settings.profile, is_mock=True, headers=settings.headers)


@pytest.fixture(scope="session")
def raw(target: Target, pytestconfig: pytest.Config) -> Iterator[RawClient]:
    state = state_of(pytestconfig)

    def price(ex: Exchange) -> None:
        if state.current is not None:
            state.current.price(ex, target.profile)
        state.bounds.after_exchange(ex)

    with RawClient(target, timeout_s=state.settings.request_timeout, on_exchange=price) as client:
        yield client


@pytest.fixture(scope="session")
def mock_admin(raw: RawClient) -> MockAdmin | None:
    return MockAdmin.probe(raw)


@pytest.fixture(scope="session")
def upstream(raw: RawClient, chatconform_settings: CheckSettings) -> MockAdmin | None:
    """Gateway mode: the upstream mock behind the gateway (its journal and faults); None otherwise."""
    settings = chatconform_settings
    if not settings.upstream_url:
        return None
    admin = MockAdmin.probe(raw, settings.upstream_url, settings.upstream_key)
    if admin is None:
        raise RuntimeError(
            f"--upstream-url {settings.upstream_url}: GET /mock/ledger did not answer like a "
            "chatconform mock; is it one, and does it accept --upstream-key?"
        )
    return admin


@pytest.fixture(scope="session")
def sdk(target: Target, chatconform_settings: CheckSettings) -> Iterator[openai.OpenAI]:
    import openai

    timeout = chatconform_settings.request_timeout
    # The SDK's timeout bounds each read; this client bounds the whole answer in time and size.
    client = openai.OpenAI(
        base_url=target.base_url,
        api_key=target.api_key,
        default_headers=target.headers,
        max_retries=0,
        timeout=timeout,
        http_client=sdk_http_client(timeout),
    )
    with client:
        yield client


@pytest.fixture(scope="session")
def aio() -> Iterator[asyncio.Runner]:
    """One event loop for the session, so the session's async client keeps its connections."""
    with asyncio.Runner() as runner:
        yield runner


@pytest.fixture(scope="session")
def async_sdk(target: Target, chatconform_settings: CheckSettings, aio: asyncio.Runner) -> Iterator[openai.AsyncOpenAI]:
    import openai

    timeout = chatconform_settings.request_timeout
    client = openai.AsyncOpenAI(
        base_url=target.base_url,
        api_key=target.api_key,
        default_headers=target.headers,
        max_retries=0,
        timeout=timeout,
        http_client=async_sdk_http_client(timeout),
    )
    yield client
    aio.run(client.close())


@pytest.fixture
def conform(request: pytest.FixtureRequest, profile: Profile) -> Conform:
    settings = state_of(request.config).settings
    return Conform(profile, record_of(request.node), secret_headers=tuple(settings.headers))
