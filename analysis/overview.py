"""The director's overview of a cycle: every figure the page shows, computed with the scoring package.

``overview(db, year, source, method)`` returns plain pandas objects that the chart functions take.
It reads the store once per call; the page caches it by ``storage.data_version`` so a new save shows
at once and nothing stale is ever shown.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlite_utils import Database

from analysis.ofi import gap_table
from analysis.scores import CycleScores, categories_of, cycle_scores
from scoring import (
    AwardStatus,
    Framework,
    award_status,
    framework_for_year,
    level_for,
)
from scoring.ofi import AwardPath, AwardPlanner, unit_shares
from storage import assessments, org

PLANNED_METHODS = ("mean", "weighted")  # the award path needs a separable aggregation


@dataclass(frozen=True)
class Overview:
    year: int
    source: str
    method: str
    units_total: int
    submitted: int
    scores: CycleScores | None
    level: str | None
    award: AwardStatus | None
    previous: pd.Series | None  # last cycle's categories, same source and method
    unit_categories: pd.DataFrame  # units x categories 1-7, with "total"
    gaps: pd.DataFrame
    paths: dict[str, AwardPath]
    self_review: pd.DataFrame  # categories x (self, review), the same submitted units
    trend: pd.DataFrame  # years x (total, 1..7)
    kpis: pd.DataFrame  # kpi, name, fiscal_year, value, target, floor, ceiling


def award_paths(scores: CycleScores, award: AwardStatus, framework: Framework, method: str,
                weights: dict | None) -> dict[str, AwardPath]:
    """The fewest actions reaching the PMQA award and each category award not yet met."""
    if method not in PLANNED_METHODS:
        return {}
    shares = unit_shares(list(scores.grid.index), method, weights)
    planner = AwardPlanner(scores.answers, scores.kpis, scores.result.categories, shares, framework)
    awards = framework.thresholds.awards
    paths = {"pmqa": planner.total(awards.pmqa_total, awards.pmqa_category_min)}
    for category, row in award.category_awards.iterrows():
        if not row["met"]:
            paths[f"category_{category}"] = planner.category(int(category), awards.category)
    return paths


def kpi_department(db: Database, year: int, source: str, framework: Framework, lang: str = "th") -> pd.DataFrame:
    """Each criteria KPI's department value (mean over the counted units) per fiscal year."""
    results = assessments.kpi_results(db, year, source)
    if results.empty:
        return pd.DataFrame(columns=["kpi", "name", "fiscal_year", "value", "target", "floor", "ceiling"])
    values = results.groupby(["kpi", "fiscal_year"], as_index=False)["value"].mean()
    meta = pd.DataFrame([(k.id, k.name.get(lang), k.target, k.floor, k.ceiling) for _, k in framework.kpis()],
                        columns=["kpi", "name", "target", "floor", "ceiling"])
    return meta.merge(values, on="kpi")[["kpi", "name", "fiscal_year", "value", "target", "floor", "ceiling"]]


def overview(db: Database, year: int, source: str = "best", method: str = "mean", lang: str = "th") -> Overview:
    framework = framework_for_year(year)
    table = assessments.status_table(db, year)
    weights = dict(zip(table["unit_id"], table["weight"], strict=True))
    submitted = int(table["status"].isin(assessments.COUNTED).sum())
    current = cycle_scores(db, year, source, method, weights)
    trend_rows, previous = {}, None
    for cycle in (c["year"] for c in org.cycles(db)):
        scores = current if cycle == year else cycle_scores(db, cycle, source, method, weights)
        if scores is not None:
            trend_rows[cycle] = {"total": scores.result.total, **scores.result.categories.to_dict()}
            if cycle == year - 1:
                previous = scores.result.categories
    trend = pd.DataFrame.from_dict(trend_rows, orient="index").sort_index()
    own, reviewed = (current if s == source else cycle_scores(db, year, s, method, weights) for s in ("self", "best"))
    self_review = pd.DataFrame({"self": own.result.categories if own else pd.Series(dtype=float),
                                "review": reviewed.result.categories if reviewed else pd.Series(dtype=float)})
    if current is None:
        return Overview(year, source, method, len(table), submitted, None, None, None, previous,
                        pd.DataFrame(), pd.DataFrame(), {}, self_review, trend,
                        kpi_department(db, year, source, framework, lang))
    result = current.result
    award = award_status(result.categories, result.total, framework.thresholds.awards)
    return Overview(
        year=year, source=source, method=method, units_total=len(table), submitted=submitted, scores=current,
        level=level_for(result.total, framework.thresholds.levels), award=award, previous=previous,
        unit_categories=categories_of(current.grid, framework),
        gaps=gap_table(db, year, lang, source=source),
        paths=award_paths(current, award, framework, method, weights),
        self_review=self_review, trend=trend, kpis=kpi_department(db, year, source, framework, lang),
    )
