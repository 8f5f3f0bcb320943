"""Scores from the store, computed by the scoring package: one cycle's department result with the
unit x item grid behind it, and the units' category scores."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from scoring import DepartmentResult, Framework, department_scores, unit_item_grid, unit_item_scores
from scoring.tables import item_table
from storage.assessment import assessments, years
from storage.engine import Store
from storage.record import department

SOURCES = (*assessments.SOURCES, "department")  # the units' values, and the department's assessment of record


@dataclass(frozen=True)
class CycleScores:
    """One cycle's department result and the unit x item grid behind it."""

    result: DepartmentResult
    grid: pd.DataFrame  # units x items
    answers: pd.DataFrame
    kpis: pd.DataFrame


def rules_of(framework: Framework) -> dict:
    """The scoring options the criteria (and the year) choose, as ``unit_item_scores``' keyword arguments."""
    return {"unit_kpis": framework.rules.unit_kpis, "missing_kpis": framework.rules.missing_kpis}


def cycle_scores(db: Store, year: int, source: str, method: str = "mean", weights: dict | None = None,
                 statuses: tuple[str, ...] | None = assessments.COUNTED) -> CycleScores | None:
    """The department's scores over the cycle's assessments in ``statuses`` (by default the
    submitted and approved ones; for 'review', only the reviewed ones); None when there are none. The source
    'department' is the department's assessment of record (one row, "department"), None before it starts."""
    framework = years.framework_of(db, year)
    if source == "department":
        inputs = department.score_inputs(db, year)
        if inputs is None:
            return None
        answers, kpis = inputs
        keys = pd.DataFrame({"unit": [department.UNIT]})
        scores = unit_item_scores(answers, kpis, framework, keys=keys, **rules_of(framework))
        result = department_scores(scores, framework=framework)
        return CycleScores(result, unit_item_grid(scores, framework), answers, kpis)
    units = assessments.units_with_assessment(db, year, statuses, source)
    if not units:
        return None
    answers, kpis = assessments.score_inputs(db, year, source, statuses=statuses)
    scores = unit_item_scores(answers, kpis, framework, keys=pd.DataFrame({"unit": units}), **rules_of(framework))
    result = department_scores(scores, method=method, weights=weights, framework=framework)
    return CycleScores(result, unit_item_grid(scores, framework), answers, kpis)


def categories_of(grid: pd.DataFrame, framework: Framework) -> pd.DataFrame:
    """Units x the categories assessed (1-7 unless the year's rules say fewer) and their total, from a
    units x items grid."""
    categories = grid.T.groupby(item_table(framework).set_index("item")["category"]).mean().T
    categories = categories[list(framework.rules.categories)]
    return categories.assign(total=categories.mean(axis=1))


