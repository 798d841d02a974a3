"""Field fates: every property of OpenAI's CreateChatCompletionRequest (read from OpenAI's description, see
chatconform/fields.py), sent alone with a meaningful value on an otherwise minimal request, and what became
of it: honoured, mapped, altered, dropped, rejected or failed (unknown where only the upstream could tell).
The profile's [fields] table says what to expect; a difference fails the test. With --upstream-url the
upstream mock's journal shows where each field went (docs/fields.md)."""

from __future__ import annotations

import pytest

from chatconform.checks.field_probes import probes
from chatconform.checks.fields import classify
from chatconform.fields import field_names
from chatconform.pytest.gateway import found, marker, model_of, tagged

pytestmark = pytest.mark.fields


@pytest.mark.parametrize("name", field_names())
def test_field_fate(raw, conform, profile, upstream, chatconform_settings, name):
    probe = probes(profile)[name]
    mark = marker()
    ex = raw.chat(probe.body(model_of(chatconform_settings), tagged(probe.prompt, mark)))
    entry = found(upstream, mark)["upstream"] if upstream is not None else None
    fate, evidence = classify(ex, probe, profile, entry, gateway=upstream is not None)
    conform.observe_fate(name, fate, evidence)
