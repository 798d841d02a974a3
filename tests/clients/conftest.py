"""The client matrix's fixture: every driver started at once against the session's mock."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.clients.runner import Matrix
from tests.conftest import RunningMock


def wanted(items: list[pytest.Item]) -> dict[str, list[str]]:
    """The features each client must run in this session: only the selected, not skipped, cases."""
    plan: dict[str, list[str]] = {}
    for item in items:
        params = getattr(item, "callspec", None)
        if params is None or "client_id" not in params.params or item.get_closest_marker("skip"):
            continue
        plan.setdefault(params.params["client_id"], []).append(params.params["feature"])
    return plan


@pytest.fixture(scope="session")
def matrix(mock: RunningMock, request: pytest.FixtureRequest) -> Iterator[Matrix]:
    runs = Matrix(mock.root, mock.key, wanted(request.session.items))
    yield runs
    runs.close()
