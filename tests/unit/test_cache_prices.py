"""The profile's `[prices]`: what prompt-cache tokens cost, read strictly, applied by `Model.cost`."""

from __future__ import annotations

from pathlib import Path

import pytest

from chatconform.profile import CachePrices, ProfileError, load_profile

MODEL = '[[models]]\nid = "m"\ntier = "fast"\ninput_per_mtok = 2.0\noutput_per_mtok = 10.0\n'


def test_both_builtin_profiles_carry_anthropics_multipliers() -> None:
    for name in ("tokenhub", "claude"):
        assert all(m.prices == CachePrices(1.25, 2.0, 0.1) for m in load_profile(name).models)


def test_cost_prices_cache_reads_and_writes_at_the_multipliers(tmp_path: Path) -> None:
    path = tmp_path / "p.toml"
    path.write_text("[prices]\ncache_read = 0.5\ncache_write_5m = 1.5\n" + MODEL, encoding="utf-8")
    model = load_profile(path).models[0]
    assert model.prices == CachePrices(cache_write_5m=1.5, cache_write_1h=2.0, cache_read=0.5)
    plain = model.cost(1000, 100)
    assert plain == pytest.approx((1000 * 2.0 + 100 * 10.0) / 1e6)
    # Of 1000 prompt tokens, 400 read (at 0.5x), 300 written for 5 minutes (1.5x), 100 for an hour (2x).
    cached = model.cost(1000, 100, cache_read=400, cache_write_5m=300, cache_write_1h=100)
    assert cached == pytest.approx(((200 + 400 * 0.5 + 300 * 1.5 + 100 * 2.0) * 2.0 + 100 * 10.0) / 1e6)


@pytest.mark.parametrize(
    ("table", "needle"),
    [("cache_reed = 0.1", "cache_reed"), ("cache_read = -1", "cache_read"), ('cache_read = "cheap"', "cache_read")],
)
def test_a_bad_prices_table_is_refused_by_name(tmp_path: Path, table: str, needle: str) -> None:
    path = tmp_path / "p.toml"
    path.write_text(f"[prices]\n{table}\n" + MODEL, encoding="utf-8")
    with pytest.raises(ProfileError, match=needle):
        load_profile(path)
