"""One scenario table: the CLI, the bodies, the launcher and the Locust classes all follow it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from chatconform.load import payloads, scenarios
from chatconform.load.launch import Launch


def test_every_body_scenario_builds_and_streams_as_the_table_says() -> None:
    for name in scenarios.BODIES:
        body = payloads.build(name, "claude-haiku-4-5", 5, 5)
        assert body["stream"] is scenarios.SCENARIOS[name].streamed
    with pytest.raises(ValueError, match="no request body of its own"):
        payloads.build("mix", "claude-haiku-4-5", 5, 5)
    assert set(payloads.parse_mix(",".join(scenarios.BODIES))) == set(scenarios.BODIES)


@pytest.mark.parametrize("name", list(scenarios.SCENARIOS))
def test_the_launcher_runs_the_tables_user_class(name: str, tmp_path: Path) -> None:
    launch = Launch("http://127.0.0.1:9/v1", "k", False, 1, 1.0, "1s", 1.0, name, report_dir=tmp_path)
    assert launch.command()[-1] == scenarios.SCENARIOS[name].user_class


def test_the_locust_classes_are_the_tables() -> None:
    # users.py imports Locust (gevent patches the interpreter): look at it from a child process.
    code = (
        "import json; from chatconform.load import users; "
        "print(json.dumps({c.__name__: [c.scenario, c.__doc__ or ''] for c in users.ChatUser.__subclasses__()}))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    classes = json.loads(done.stdout.strip().splitlines()[-1])
    assert {name: scenario for name, (scenario, _) in classes.items()} == {
        s.user_class: s.name for s in scenarios.SCENARIOS.values()
    }
    assert all(doc for _, doc in classes.values())


def test_a_conversation_has_no_body_of_its_own_and_stays_out_of_a_mix() -> None:
    assert scenarios.SCENARIOS["conversation"].stateful and "conversation" not in scenarios.BODIES
    with pytest.raises(ValueError, match="unknown scenario"):
        payloads.parse_mix("stream=1,conversation=1")
    assert [name for name, s in scenarios.SCENARIOS.items() if s.replays] == ["stream", "chat"]


def test_a_turn_resends_the_history_then_asks_anew() -> None:
    history = [{"role": "user", "content": "q1"}, {"role": "assistant", "content": "a1"}]
    body = payloads.turn("claude-haiku-4-5", history, 3, 7, seed=1)
    assert body["messages"][:2] == history and body["messages"][2]["role"] == "user"
    assert body["messages"][2]["content"].endswith("Write 7 words about the text above.")
    assert body["stream"] is True and body["stream_options"] == {"include_usage": True}
