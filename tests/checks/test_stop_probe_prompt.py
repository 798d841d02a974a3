"""The stop probe's prompt pins the separator its stop sequence holds, so a model free to choose one (the
mock's varied voice puts one number a line, or spaces, when the prompt does not say) still hits it."""

from __future__ import annotations

from chatconform.checks.field_probes import probes
from chatconform.mock.generation import Wording, complete
from chatconform.mock.validate import parse_chat_request
from chatconform.profile import load_profile

PROFILE = load_profile()


def test_the_stop_probe_is_cut_for_every_wording() -> None:
    probe = probes(PROFILE)["stop"]
    body = probe.body(PROFILE.default_model_id, probe.prompt)
    for seed in range(20):
        done = complete(parse_chat_request(body, PROFILE), wording=Wording("varied", seed))
        assert done.stop_sequence == ", 5" and done.text.endswith("4"), (seed, done.text)


def test_an_unpinned_count_may_miss_the_stop() -> None:
    """Why the prompt says "separated by commas": without it some wordings never hold ", 5"."""
    body = {**probes(PROFILE)["stop"].body(PROFILE.default_model_id, "Count from 1 to 20")}
    cut = {complete(parse_chat_request(body, PROFILE), wording=Wording("varied", s)).stop_sequence for s in range(20)}
    assert None in cut
