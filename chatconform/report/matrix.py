"""The model × feature matrix: one cell per (model, feature), its outcome the worst of its cases.

Severity, worst first (a cell shows the first outcome of this order that any
of its cases had):

    fail         the target departs from the contract or from the profile
                 (a policy mismatch is recorded as a fail by the plugin)
    error        the harness could not run a case, or could not reach the target: it proves nothing
    not_run      the run was stopped before the case (a run-level bound, a breaker, the budget)
    inconclusive a real model's legitimate choice left the case undecided
    xfail        a deviation the run declared as known
    policy       passed, and an ambiguous point was observed as the profile says
    pass         every check held
    unsupported  the profile does not claim the feature; nothing was sent

`unsupported` ranks below `pass` so that a feature the target supports in
part (say vision with data URIs but no https fetch) reads as what was
actually tested; the per-outcome counts of every cell keep the full picture.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from chatconform.features import FEATURES
from chatconform.report.model import CaseOutcome, CaseResult, RunResults

SEVERITY: tuple[CaseOutcome, ...] = (
    "fail",
    "error",
    "not_run",
    "inconclusive",
    "xfail",
    "policy",
    "pass",
    "unsupported",
)
# Columns in the order the feature markers are declared; anything else follows alphabetically.
FEATURE_ORDER = tuple(FEATURES)
ANY_MODEL = "(any model)"  # the row for model-independent cases (CaseResult.model == "")


@dataclass(frozen=True)
class Cell:
    outcome: CaseOutcome
    counts: dict[str, int]  # outcome -> number of cases, only outcomes that occurred

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def as_dict(self) -> dict[str, Any]:
        return {"outcome": self.outcome, "counts": dict(self.counts), "total": self.total}


@dataclass(frozen=True)
class Matrix:
    models: tuple[str, ...]
    features: tuple[str, ...]
    cells: dict[tuple[str, str], Cell]

    def cell(self, model: str, feature: str) -> Cell | None:
        return self.cells.get((model, feature))

    def as_dict(self) -> dict[str, Any]:
        return {
            "severity": list(SEVERITY),
            "models": list(self.models),
            "features": list(self.features),
            "cells": {
                model: {f: c.as_dict() for f in self.features if (c := self.cell(model, f)) is not None}
                for model in self.models
            },
        }


def worst(outcomes: Iterable[CaseOutcome]) -> CaseOutcome:
    """The most severe outcome of a non-empty collection."""
    present = set(outcomes)
    if not present:
        raise ValueError("worst() of no outcomes")
    return next(o for o in SEVERITY if o in present)


def build_matrix(cases: Iterable[CaseResult], model_order: Sequence[str] = ()) -> Matrix:
    """The matrix of `cases`; rows follow `model_order` (canonical IDs, the profile's order) where given."""
    grouped: dict[tuple[str, str], list[CaseOutcome]] = {}
    for case in cases:
        grouped.setdefault((case.model or ANY_MODEL, case.feature or "other"), []).append(case.outcome)
    cells = {key: Cell(worst(outcomes), _counts(outcomes)) for key, outcomes in grouped.items()}
    rank = {model: i for i, model in enumerate(model_order)}
    models = sorted({m for m, _ in cells}, key=lambda m: _model_key(m, rank))
    features = sorted({f for _, f in cells}, key=_feature_key)
    return Matrix(tuple(models), tuple(features), cells)


def run_matrix(results: RunResults) -> Matrix:
    """The matrix of a run, rows in the profile's model order when the plugin recorded it (meta "models")."""
    order = results.meta.get("models")
    return build_matrix(results.cases, [str(m) for m in order] if isinstance(order, list | tuple) else ())


def _counts(outcomes: list[CaseOutcome]) -> dict[str, int]:
    counted = Counter(outcomes)
    return {o: counted[o] for o in SEVERITY if counted[o]}


def _model_key(model: str, rank: dict[str, int]) -> tuple[bool, int, str, bool, str]:
    # Keep each model's canonical and alias forms ("x", then "vendor/x") on
    # adjacent rows, and the model-independent row last.
    base = model.rsplit("/", 1)[-1]
    return (model == ANY_MODEL, rank.get(base, len(rank)), base, "/" in model, model)


def _feature_key(feature: str) -> tuple[int, str]:
    known = feature in FEATURE_ORDER
    return (FEATURE_ORDER.index(feature) if known else len(FEATURE_ORDER), "" if known else feature)
