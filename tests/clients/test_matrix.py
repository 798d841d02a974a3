"""The client matrix: each client people use runs each feature against the mock, and gets it right.

One case per (client, feature), id `<client>-<feature>` (`-k anthropic-node`, `-k tools-streamed`). The
drivers run as subprocesses (tests/clients/runner.py); the checks are in tests/clients/expected.py, the
known failures in tests/clients/known.py.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.clients.clients import CLIENTS
from tests.clients.expected import check
from tests.clients.known import KNOWN
from tests.clients.runner import Matrix


def cases() -> list[Any]:
    params = []
    for client in CLIENTS.values():
        missing = client.missing()
        for feature in client.features:
            marks: list[pytest.MarkDecorator] = []
            if missing:
                marks.append(pytest.mark.skip(reason=missing))
            known = KNOWN.get((client.id, feature))
            if known:
                marks.append(pytest.mark.xfail(strict=True, reason=known.marker_reason()))
            params.append(pytest.param(client.id, feature, id=f"{client.id}-{feature}", marks=marks))
    return params


@pytest.mark.parametrize(("client_id", "feature"), cases())
def test_client_feature(matrix: Matrix, client_id: str, feature: str) -> None:
    client = CLIENTS[client_id]
    observed = matrix.observe(client, feature)
    assert observed is not None, matrix.run_of(client).explain(feature)
    check(feature, observed, client.dialect)
