"""The home page's figures: a unit's own score, or the department's."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlite_utils import Database

from analysis.overview import kept_in
from analysis.scores import cycle_scores, rules_of
from scoring import (
    AwardStatus,
    Framework,
    award_status,
    level_for,
    roll_up,
    unit_item_scores,
)
from storage import assessments, years
from storage.accounts import User

DEFAULT_SOURCE = "best"  # reviewed values where the committee has them, the unit's own elsewhere
DEFAULT_METHOD = "mean"  # one department number by default, on the home page and the overview alike


@dataclass(frozen=True)
class UnitSummary:
    year: int
    status: str
    items_answered: int
    items_total: int
    items: pd.Series
    categories: pd.Series
    total: float
    level: str


@dataclass(frozen=True)
class DepartmentSummary:
    year: int
    units_total: int
    units_counted: int
    status_counts: dict[str, int]
    categories: pd.Series | None
    total: float | None
    level: str | None
    award: AwardStatus | None
    source: str = DEFAULT_SOURCE  # which values the figures read, and how unit scores combine: always shown
    method: str = DEFAULT_METHOD
    kept: int = 0  # returned units counted by the values they were last submitted with

    @property
    def submitted(self) -> int:
        """Units whose assessment counts: submitted or approved."""
        return sum(self.status_counts.get(status, 0) for status in assessments.COUNTED)


def _answered_items(answers: pd.DataFrame, kpis: pd.DataFrame, framework: Framework) -> int:
    from scoring.tables import checkpoint_table

    cp_items = set(answers.merge(checkpoint_table(framework), on="checkpoint")["item"])
    kpi_items = {item.id for item, kpi in framework.kpis() if kpi.id in set(kpis["kpi"].dropna())}
    return len((cp_items | kpi_items) & {item.id for item in framework.assessed_items()})


def unit_summary(db: Database, unit_id: int, year: int) -> UnitSummary:
    """The unit's self-assessed scores for the cycle, whatever the assessment's status."""
    framework = years.framework_of(db, year)
    found = assessments.get(db, unit_id, year)
    answers, kpis = assessments.score_inputs(db, year, "self", statuses=None, unit_id=unit_id)
    scores = unit_item_scores(answers, kpis, framework, keys=pd.DataFrame({"unit": [unit_id]}), **rules_of(framework))
    scores = scores.set_index("item")["score"]
    categories, total = roll_up(scores, framework)
    return UnitSummary(
        year=year, status=found["status"] if found else "not_started",
        items_answered=_answered_items(answers[answers["met"]], kpis, framework) if found else 0,
        items_total=sum(1 for _ in framework.assessed_items()), items=scores, categories=categories, total=total,
        level=level_for(total, framework.thresholds.levels),
    )


def department_summary(db: Database, reader: User, year: int, source: str = DEFAULT_SOURCE,
                       method: str = DEFAULT_METHOD) -> DepartmentSummary:
    """Department scores over the cycle's assessments as ``source`` counts them, combined by ``method``."""
    framework = years.framework_of(db, year)
    table = assessments.status_table(db, reader, year)
    counts = table["status"].value_counts().to_dict()
    weights = dict(zip(table["unit_id"], table["weight"], strict=True))
    scores = cycle_scores(db, year, source, method, weights)
    if scores is None:
        return DepartmentSummary(year, len(table), 0, counts, None, None, None, None, source, method)
    result = scores.result
    return DepartmentSummary(
        year=year, units_total=len(table), units_counted=result.units, status_counts=counts,
        categories=result.categories, total=result.total,
        level=level_for(result.total, framework.thresholds.levels),
        award=award_status(result.categories, result.total, framework.thresholds.awards), source=source, method=method,
        kept=kept_in(table, scores.grid),
    )
