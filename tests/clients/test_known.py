"""The matrix's own bookkeeping: the known failures, their documentation, the inputs and the runner."""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path

import pytest
from PIL import Image

from tests.clients.clients import CLIENTS, OWN_VENVS
from tests.clients.expected import CASES, CHECKS
from tests.clients.known import KNOWN
from tests.clients.runner import driver_env, parse_lines

README = Path(__file__).with_name("README.md")
MAIN_README = Path(__file__).parents[2] / "README.md"
# The rows of the main README's "Works with" table, in order, and the matrix clients each row stands for.
WORKS_WITH_ROWS = [
    ("openai-py", "openai-py-async"),
    ("anthropic-py",),
    ("langchain-openai",),
    ("litellm",),
    ("openai-node",),
    ("anthropic-node",),
    ("ai-sdk-openai-compatible",),
    ("ai-sdk-openai",),
    ("ai-sdk-anthropic",),
]
ROW = re.compile(r"^\| `(?P<client>[^`]+)` \| `(?P<feature>[^`]+)` \| .* \| (?P<whose>mock|client): [^|]+ \|$")


def documented() -> dict[tuple[str, str], str]:
    section = README.read_text(encoding="utf-8").split("## Known failures", 1)[1]
    rows = [ROW.match(line) for line in section.splitlines() if line.startswith("| `")]
    assert all(rows), "a row of the known-failures table does not read | `client` | `feature` | ... | whose: ... |"
    return {(m["client"], m["feature"]): m["whose"] for m in rows if m}


def test_every_known_failure_names_a_case_of_the_matrix() -> None:
    stale = [key for key in KNOWN if key[0] not in CLIENTS or key[1] not in CLIENTS[key[0]].features]
    assert not stale, f"known failures for cases the matrix does not run: {stale}"


def test_the_readme_documents_exactly_the_known_failures() -> None:
    assert documented() == {key: known.whose for key, known in KNOWN.items()}


def test_the_works_with_table_lists_what_does_not_work_yet() -> None:
    section = MAIN_README.read_text(encoding="utf-8").split("## Works with", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ")][1:]  # the header row is first
    assert len(rows) == len(WORKS_WITH_ROWS), rows
    for line, ids in zip(rows, WORKS_WITH_ROWS, strict=True):
        listed = set(re.findall(r"`([a-z0-9-]+)`", line.rsplit("|", 2)[1]))
        assert listed == {f for (c, f) in KNOWN if c in ids}, (ids, line)


def test_every_mock_gap_names_its_issue_item() -> None:
    for key, known in KNOWN.items():
        assert known.whose in ("mock", "client"), key
        if known.whose == "mock":
            assert re.search(r"issue 12 item [1-5]\b", known.reason), key


def test_every_feature_has_a_check() -> None:
    features = {f for client in CLIENTS.values() for f in client.features}
    assert features == set(CHECKS)


def test_the_image_is_what_the_vision_check_expects() -> None:
    image = Image.open(io.BytesIO(base64.b64decode(CASES["vision"]["base64"])))
    assert (image.format, image.size) == ("PNG", (24, 12))
    red, green, blue = image.convert("RGB").getpixel((0, 0))  # type: ignore[misc]
    assert blue > 2 * max(red, green), "the vision check expects a mostly blue image"


def test_result_lines_ignore_what_libraries_print() -> None:
    text = 'Give Feedback / Get Help\n{"feature": "plain", "text": "hi"}\n[1, 2]\n{"no": "feature"}\n{broken\n'
    assert parse_lines(text) == {"plain": {"feature": "plain", "text": "hi"}}


def test_the_key_travels_in_the_environment_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-the-developer-shell")
    monkeypatch.setenv("LANGSMITH_TRACING", "true")  # LangChain would try to send traces
    client = CLIENTS["langchain-openai"]
    env = driver_env(client, "http://127.0.0.1:1", "th-secret-key", ["plain"])
    assert env["CHATCONFORM_MOCK_KEY"] == "th-secret-key"
    assert "OPENAI_API_KEY" not in env and "LANGSMITH_TRACING" not in env
    assert not any("th-secret-key" in part for part in client.command())


def test_node_clients_skip_with_a_reason_without_node(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("shutil.which", lambda name: None)
    reason = CLIENTS["ai-sdk-openai"].missing()
    assert reason and "Node is not installed" in reason


def test_node_clients_skip_with_a_reason_without_node_modules(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr("tests.clients.clients.NODE_DIR", tmp_path)
    monkeypatch.setattr("shutil.which", lambda name: "/usr/bin/node")
    reason = CLIENTS["openai-node"].missing()
    assert reason and "npm ci" in reason and "@anthropic-ai/sdk" in reason


def test_a_client_without_its_venv_skips_with_a_reason(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setitem(OWN_VENVS, "python-langchain", (tmp_path / ".venv-langchain", "CHATCONFORM_SKIP_LANGCHAIN"))
    reason = CLIENTS["langchain-openai"].missing()
    assert reason and ".venv-langchain" in reason and "CHATCONFORM_SKIP_LANGCHAIN" in reason
