"""The director's overview of a cycle: every figure the page shows, computed with the scoring package.

The page shows a headline (the total, its level, award readiness) above five tabs, and builds only the
open tab. So the figures come in parts: ``headline`` for what is always shown, and one function per tab.
Each returns plain pandas objects that the chart functions take and reads the store itself; the page
caches each part by ``storage.data_version``, so a new save shows at once and nothing stale is shown.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
from sqlite_utils import Database

from analysis.ofi import GAP_COLUMNS, ranked_gaps
from analysis.scores import CycleScores, categories_of, cycle_scores
from scoring import AwardStatus, DepartmentResult, Framework, award_status, framework_for_year, level_for
from scoring.ofi import AwardPath, AwardPlanner, unit_shares
from storage import assessments, org

PLANNED_METHODS = ("mean", "weighted")  # the award path needs a separable aggregation
ScoresOf = Callable[[int, str], CycleScores | None]  # (year, source) -> that cycle's scores, or None
KPI_COLUMNS = ["kpi", "name", "fiscal_year", "value", "target", "floor", "ceiling"]


@dataclass(frozen=True)
class Headline:
    """What the overview shows above its tabs, and what the tabs share: the department's result over the
    counted units (None when no unit counts yet) and the units x items grid behind it."""

    year: int
    source: str
    method: str
    units_total: int
    submitted: int
    result: DepartmentResult | None
    grid: pd.DataFrame  # units x items
    level: str | None
    award: AwardStatus | None

    @property
    def unit_categories(self) -> pd.DataFrame:
        """Units x categories 1-7, with "total"."""
        if self.result is None:
            return pd.DataFrame(columns=[*range(1, 8), "total"])
        return categories_of(self.grid, framework_for_year(self.year))


@dataclass(frozen=True)
class Comparison:
    """The categories tab: this cycle against the last one, and self-assessed against reviewed."""

    previous: pd.Series | None  # last cycle's categories, same source and method
    self_review: pd.DataFrame  # categories x (self, review), over the counted units


@dataclass(frozen=True)
class Gaps:
    """The OFI tab: the department's gaps by points (without the lists of unit ids), and the fewest actions
    reaching each award."""

    table: pd.DataFrame
    paths: dict[str, AwardPath]


def unit_weights(db: Database) -> dict:
    units = org.units(db)
    return dict(zip(units["id"], units["weight"], strict=True))


def scores_reader(db: Database, method: str) -> ScoresOf:
    """Cycle scores read from the store, each time asked. The page passes a cached one instead, so that
    the parts of one page run share a cycle's scores."""
    weights = unit_weights(db)
    return lambda year, source: cycle_scores(db, year, source, method, weights)


def headline(db: Database, year: int, source: str = "best", method: str = "mean",
             scores_of: ScoresOf | None = None) -> Headline:
    framework = framework_for_year(year)
    table = assessments.status_table(db, year)
    submitted = int(table["status"].isin(assessments.COUNTED).sum())
    current = (scores_of or scores_reader(db, method))(year, source)
    if current is None:
        return Headline(year, source, method, len(table), submitted, None, pd.DataFrame(), None, None)
    result = current.result
    return Headline(year, source, method, len(table), submitted, result, current.grid,
                    level_for(result.total, framework.thresholds.levels),
                    award_status(result.categories, result.total, framework.thresholds.awards))


def comparison(db: Database, year: int, source: str = "best", method: str = "mean",
               scores_of: ScoresOf | None = None) -> Comparison:
    scores_of = scores_of or scores_reader(db, method)
    cycles = {c["year"] for c in org.cycles(db)}
    last = scores_of(year - 1, source) if year - 1 in cycles else None
    own, reviewed = (scores_of(year, s) for s in ("self", "best"))
    self_review = pd.DataFrame({"self": own.result.categories if own else pd.Series(dtype=float),
                                "review": reviewed.result.categories if reviewed else pd.Series(dtype=float)})
    return Comparison(last.result.categories if last else None, self_review)


def trend(db: Database, source: str = "best", method: str = "mean", scores_of: ScoresOf | None = None) -> pd.DataFrame:
    """Every cycle's total and categories: years x (total, 1..7)."""
    scores_of = scores_of or scores_reader(db, method)
    rows = {}
    for year in (c["year"] for c in org.cycles(db)):
        scores = scores_of(year, source)
        if scores is not None:
            rows[year] = {"total": scores.result.total, **scores.result.categories.to_dict()}
    return pd.DataFrame.from_dict(rows, orient="index").sort_index()


def award_paths(scores: CycleScores, method: str, weights: dict, framework: Framework) -> dict[str, AwardPath]:
    """The fewest actions reaching the PMQA award and each category award not yet met."""
    if method not in PLANNED_METHODS:
        return {}
    result = scores.result
    awards = framework.thresholds.awards
    shares = unit_shares(list(scores.grid.index), method, weights)
    planner = AwardPlanner(scores.answers, scores.kpis, result.categories, shares, framework)
    paths = {"pmqa": planner.total(awards.pmqa_total, awards.pmqa_category_min)}
    for category, row in award_status(result.categories, result.total, awards).category_awards.iterrows():
        if not row["met"]:
            paths[f"category_{category}"] = planner.category(int(category), awards.category)
    return paths


def gaps(db: Database, year: int, source: str = "best", method: str = "mean", lang: str = "th",
         scores_of: ScoresOf | None = None) -> Gaps:
    """The department's gaps (points shared over the counted units, as for the mean) and the award paths
    (for the chosen method), from the same scores."""
    framework = framework_for_year(year)
    weights = unit_weights(db)
    scores = (scores_of or scores_reader(db, method))(year, source)
    if scores is None:
        return Gaps(pd.DataFrame(columns=[c for c in GAP_COLUMNS if c != "unit_ids"]), {})
    table = ranked_gaps(scores.answers, scores.kpis, unit_shares(list(scores.grid.index)), framework, lang)
    return Gaps(table.drop(columns="unit_ids"), award_paths(scores, method, weights, framework))


def kpi_department(db: Database, year: int, source: str = "best", lang: str = "th",
                   framework: Framework | None = None, scores_of: ScoresOf | None = None) -> pd.DataFrame:
    """Each criteria KPI's department value (mean over the counted units) per fiscal year. (``scores_of``
    is not needed: it is taken so that every part of the overview is called alike.)"""
    framework = framework or framework_for_year(year)
    results = assessments.kpi_results(db, year, source)
    if results.empty:
        return pd.DataFrame(columns=KPI_COLUMNS)
    values = results.groupby(["kpi", "fiscal_year"], as_index=False)["value"].mean()
    meta = pd.DataFrame([(k.id, k.name.get(lang), k.target, k.floor, k.ceiling) for _, k in framework.kpis()],
                        columns=["kpi", "name", "target", "floor", "ceiling"])
    return meta.merge(values, on="kpi")[KPI_COLUMNS]
