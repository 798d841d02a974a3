"""The model × feature matrix: worst-of severity, counts, row and column order."""

from __future__ import annotations

import itertools

import pytest

from chatconform.report.matrix import ANY_MODEL, FEATURE_ORDER, SEVERITY, build_matrix, run_matrix, worst
from chatconform.report.model import CaseOutcome
from tests.report.sample import HAIKU, HAIKU_ALIAS, SONNET, case, sample_results


@pytest.mark.parametrize(
    ("worse", "better"),
    list(itertools.combinations(SEVERITY, 2)),
    ids=[f"{a}-beats-{b}" for a, b in itertools.combinations(SEVERITY, 2)],
)
def test_worst_picks_the_more_severe_outcome_in_either_order(worse: CaseOutcome, better: CaseOutcome) -> None:
    assert worst([worse, better]) == worse
    assert worst([better, worse, better]) == worse


def test_severity_order_is_the_documented_one() -> None:
    assert SEVERITY == ("fail", "error", "not_run", "inconclusive", "xfail", "policy", "pass", "unsupported")


def test_worst_of_nothing_is_an_error() -> None:
    with pytest.raises(ValueError, match="no outcomes"):
        worst([])


@pytest.mark.parametrize(
    ("row", "feature", "outcome", "counts"),
    [
        (HAIKU, "streaming", "fail", {"fail": 1, "error": 1, "pass": 1}),
        (SONNET, "streaming", "error", {"error": 1, "pass": 1}),
        (HAIKU, "vision", "pass", {"pass": 1, "unsupported": 1}),
        (SONNET, "vision", "unsupported", {"unsupported": 1}),
        (SONNET, "json_mode", "xfail", {"xfail": 1}),
        (HAIKU, "sampling", "policy", {"policy": 1}),
        (HAIKU, "stop", "fail", {"fail": 1, "pass": 1}),
        (ANY_MODEL, "auth", "fail", {"fail": 1, "pass": 1}),
        (HAIKU_ALIAS, "basic", "pass", {"pass": 1}),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_cell_outcome_is_the_worst_of_its_cases(row: str, feature: str, outcome: str, counts: dict[str, int]) -> None:
    cell = build_matrix(sample_results().cases).cell(row, feature)
    assert cell is not None
    assert cell.outcome == outcome
    assert cell.counts == counts
    assert cell.total == sum(counts.values())


def test_pairs_without_cases_have_no_cell() -> None:
    matrix = build_matrix(sample_results().cases)
    assert matrix.cell(HAIKU_ALIAS, "streaming") is None
    assert matrix.cell(ANY_MODEL, "basic") is None


def test_rows_keep_both_id_forms_together_and_model_independent_last() -> None:
    matrix = build_matrix(sample_results().cases)
    assert matrix.models == (HAIKU, HAIKU_ALIAS, SONNET, ANY_MODEL)


def test_columns_follow_the_feature_order_then_unknown_features_alphabetically() -> None:
    cases = [case("t", f, HAIKU, "pass") for f in ("zeta", "tools", "alpha", "auth", "shapes")]
    features = build_matrix(cases).features
    assert features == ("auth", "tools", "shapes", "alpha", "zeta")
    assert features.index("tools") < features.index("shapes")  # as in FEATURE_ORDER
    assert FEATURE_ORDER.index("auth") == 0


def test_as_dict_lists_cells_per_model_and_feature() -> None:
    data = build_matrix(sample_results().cases).as_dict()
    assert data["severity"] == list(SEVERITY)
    assert data["cells"][HAIKU]["streaming"] == {
        "outcome": "fail",
        "counts": {"fail": 1, "error": 1, "pass": 1},
        "total": 3,
    }
    assert "streaming" not in data["cells"][HAIKU_ALIAS]
    assert set(data["cells"]) == set(data["models"])


def test_rows_follow_the_profiles_model_order_when_the_run_records_it() -> None:
    results = sample_results()
    results.meta["models"] = [SONNET, HAIKU]
    assert run_matrix(results).models == (SONNET, HAIKU, HAIKU_ALIAS, ANY_MODEL)
    results.meta["models"] = "not a list"
    assert run_matrix(results).models == (HAIKU, HAIKU_ALIAS, SONNET, ANY_MODEL)
