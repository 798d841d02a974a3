"""The benchmark's reference Locust loop: POST the same request, read the bytes, nothing else.

One keep-alive geventhttpclient connection per user (the client under
FastHttpUser), the response read in 64 KiB blocks and dropped, one Locust
request event per response. No SSE parsing, no JSON, no timing per chunk:
the least a Locust user can do with a streamed answer.
"""

from __future__ import annotations

import json
import os
import time

from geventhttpclient import URL, HTTPClient
from locust import User, task

from chatconform.load.payloads import build

BODY = json.dumps(
    build(
        "stream",
        "claude-haiku-4-5",
        int(os.environ.get("CAPACITY_PROMPT_WORDS", "50")),
        int(os.environ.get("CAPACITY_OUTPUT_WORDS", "50")),
    )
)


class ReadBytesUser(User):
    def on_start(self) -> None:
        url = URL(self.host)
        self.path = url.path.rstrip("/") + "/chat/completions"
        self.http = HTTPClient.from_url(url, concurrency=1, network_timeout=30)
        self.headers = {
            "authorization": f"Bearer {os.environ['CHATCONFORM_API_KEY']}",
            "content-type": "application/json",
        }

    @task
    def read(self) -> None:
        start = time.perf_counter()
        response = self.http.request("POST", self.path, body=BODY, headers=self.headers)
        size = 0
        while block := response.read(65536):
            size += len(block)
        response.release()
        self.environment.events.request.fire(
            request_type="POST",
            name="read-bytes",
            response_length=size,
            response_time=(time.perf_counter() - start) * 1000,
            exception=None,
            context={},
        )
