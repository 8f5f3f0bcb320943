"""The home page's figures: a unit's own score (and the committee's once it approved it), or the department's."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analysis.overview import kept_in
from analysis.scores import cycle_scores
from analysis.self_assessment import LiveScores, live_scores, progress
from scoring import AwardStatus, award_status, level_for
from storage.assessment import answers, assessments, years
from storage.engine import Store
from storage.organisation.accounts import User

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
    reviewed: LiveScores | None = None  # the committee's reviewed scores, once it approved the assessment


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


def unit_summary(db: Store, reader: User, unit_id: int, year: int) -> UnitSummary:
    """The unit's self-assessed scores for the cycle, whatever the assessment's status, with the committee's
    reviewed scores once it approved them. Scores and items answered are the form's own (``live_scores``,
    ``progress``): the home page and the form never disagree."""
    framework = years.framework_of(db, year)
    found = assessments.get(db, unit_id, year)
    if found is None:  # nothing answered yet: every item scores 0
        form = answers.Form({"unit_id": unit_id, "year": year, "status": "not_started"})
    else:
        form = answers.load(db, reader, found["id"])
    own = live_scores(form, framework)
    done = progress(form, framework)
    approved = form.assessment["status"] == "approved"
    return UnitSummary(
        year=year, status=form.assessment["status"],
        items_answered=sum(done.answered.values()) if found else 0, items_total=sum(done.totals.values()),
        items=own.items, categories=own.categories, total=own.total, level=own.level,
        reviewed=live_scores(form, framework, "review") if approved else None,
    )


def department_summary(db: Store, reader: User, year: int, source: str = DEFAULT_SOURCE,
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
