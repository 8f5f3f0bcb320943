"""The director's overview of a cycle: every figure the page shows, computed with the scoring package.

The page shows a headline (the total, its level, award readiness) above five tabs, and builds only the
open tab. So the figures come in parts: ``headline`` for what is always shown, ``comparison``, ``gaps``
with ``award_path`` (the one path asked for), ``trend`` and ``kpi_department`` for the tabs. Each returns
plain pandas objects that the chart functions take. A part that needs a cycle's scores gets them from
``scores_of``: read from the store by default; the page passes one backed by its cache, so that the parts
share a reading, and caches each part by ``storage.data_version``: a new save shows at once and nothing
stale is shown.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from analysis.ofi import GAP_COLUMNS, ranked_gaps
from analysis.scores import CycleScores, categories_of, cycle_scores
from scoring import AwardStatus, DepartmentResult, Framework, award_status, level_for
from scoring.lens import aim_readiness, aims
from scoring.ofi import AwardPath, AwardPlanner, unit_shares
from storage.assessment import assessments, years
from storage.engine import Store
from storage.organisation import org
from storage.organisation.accounts import User
from storage.record import department

PLANNED_METHODS = ("mean", "weighted")  # the award path needs a separable aggregation
ScoresOf = Callable[[int, str], CycleScores | None]  # (year, source) -> that cycle's scores, or None
KPI_COLUMNS = ["kpi", "name", "fiscal_year", "value", "target", "floor", "ceiling"]
LENS_COLUMNS = ["aim", "kind", "name", "self", "review"]


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
    framework: Framework
    kept: int = 0  # returned units counted by the values they were last submitted with

    @property
    def unit_categories(self) -> pd.DataFrame:
        """Units x the categories assessed (1-7 unless the year assesses fewer), with "total"."""
        if self.result is None:
            return pd.DataFrame(columns=[*self.framework.rules.categories, "total"])
        return categories_of(self.grid, self.framework)


@dataclass(frozen=True)
class Comparison:
    """The categories tab: this cycle against the last one, and self-assessed against reviewed."""

    previous: pd.Series | None  # last cycle's categories, same source and method
    self_review: pd.DataFrame  # categories x (self, review), over the counted units


def unit_weights(db: Store) -> dict:
    units = org.units(db)
    return dict(zip(units["id"], units["weight"], strict=True))


def scores_reader(db: Store, method: str) -> ScoresOf:
    """Cycle scores read from the store, each time asked. The page passes a cached one instead, so that
    the parts of one page run share a cycle's scores."""
    weights = unit_weights(db)
    return lambda year, source: cycle_scores(db, year, source, method, weights)


def headline(db: Store, reader: User, year: int, source: str = "best", method: str = "mean",
             scores_of: ScoresOf | None = None) -> Headline:
    framework = years.framework_of(db, year)
    table = assessments.status_table(db, reader, year)
    submitted = int(table["status"].isin(assessments.COUNTED).sum())
    current = (scores_of or scores_reader(db, method))(year, source)
    if current is None:
        return Headline(year, source, method, len(table), submitted, None, pd.DataFrame(), None, None, framework)
    result = current.result
    return Headline(year, source, method, len(table), submitted, result, current.grid,
                    level_for(result.total, framework.thresholds.levels),
                    award_status(result.categories, result.total, framework.thresholds.awards), framework,
                    kept_in(table, current.grid))


def kept_in(table: pd.DataFrame, grid: pd.DataFrame) -> int:
    """How many of the counted units (the grid's rows) are returned, counted by their last submission."""
    return int(table.loc[table["unit_id"].isin(grid.index), "status"].eq("returned").sum())


def comparison(db: Store, year: int, source: str = "best", method: str = "mean",
               scores_of: ScoresOf | None = None) -> Comparison:
    scores_of = scores_of or scores_reader(db, method)
    cycles = {c["year"] for c in org.cycles(db)}
    last = scores_of(year - 1, source) if year - 1 in cycles else None
    own, reviewed = (scores_of(year, s) for s in ("self", "best"))
    self_review = pd.DataFrame({"self": own.result.categories if own else pd.Series(dtype=float),
                                "review": reviewed.result.categories if reviewed else pd.Series(dtype=float)})
    return Comparison(last.result.categories if last else None, self_review)


def trend(db: Store, source: str = "best", method: str = "mean", scores_of: ScoresOf | None = None) -> pd.DataFrame:
    """Every cycle's total and categories: years x (total, 1..7)."""
    scores_of = scores_of or scores_reader(db, method)
    rows = {}
    for year in (c["year"] for c in org.cycles(db)):
        scores = scores_of(year, source)
        if scores is not None:
            rows[year] = {"total": scores.result.total, **scores.result.categories.to_dict()}
    return pd.DataFrame.from_dict(rows, orient="index").sort_index()


def path_targets(head: Headline) -> list[str]:
    """The readiness a path can be asked for: each award tier and each category award not yet met."""
    if head.award is None or head.method not in PLANNED_METHODS:
        return []
    awards = head.award.category_awards
    tiers = [f"tier_{status.tier.id}" for status in head.award.tiers if not status.met]
    return [*tiers, *(f"category_{c}" for c in awards.index[~awards["met"].astype(bool)])]


def award_path(db: Store, year: int, source: str = "best", method: str = "mean", target: str = "pmqa",
               scores_of: ScoresOf | None = None) -> AwardPath | None:
    """The fewest actions reaching ``target``: "tier_<id>" (readiness for that award tier: its total and
    every category's floor; "pmqa" is the first tier) or "category_<n>" (that category award); None for
    an aggregation the planner cannot split (median, min) or a cycle with no counted unit."""
    if method not in PLANNED_METHODS:
        return None
    scores = (scores_of or scores_reader(db, method))(year, source)
    if scores is None:
        return None
    framework = years.framework_of(db, year)
    awards = framework.thresholds.awards
    units = list(scores.grid.index)  # the department's assessment is one "unit", with the whole share
    shares = unit_shares(units) if source == "department" else unit_shares(units, method, unit_weights(db))
    category = int(target.removeprefix("category_")) if target.startswith("category_") else None
    planner = AwardPlanner(scores.answers, scores.kpis, scores.result.categories, shares, framework,
                           only=None if category is None else [category])
    if category is None:
        tier = awards.tiers[0] if target == "pmqa" else awards.tier(target.removeprefix("tier_"))
        return planner.total(tier.total, tier.category_min)
    return planner.category(category, awards.category)


def gaps(db: Store, year: int, source: str = "best", method: str = "mean", lang: str = "th",
         scores_of: ScoresOf | None = None) -> pd.DataFrame:
    """The department's gaps ranked by points, shared over the counted units as for the mean (without the
    lists of unit ids, which the overview does not show)."""
    scores = (scores_of or scores_reader(db, method))(year, source)
    if scores is None:
        return pd.DataFrame(columns=[c for c in GAP_COLUMNS if c != "unit_ids"])
    table = ranked_gaps(scores.answers, scores.kpis, unit_shares(list(scores.grid.index)),
                        years.framework_of(db, year), lang)
    return table.drop(columns="unit_ids")


def kpi_department(db: Store, year: int, source: str = "best", lang: str = "th") -> pd.DataFrame:
    """Each criteria KPI's department value (mean over the counted units) per fiscal year."""
    framework = years.framework_of(db, year)
    results = department.kpi_results(db, year) if source == "department" else assessments.kpi_results(db, year, source)
    if results.empty:
        return pd.DataFrame(columns=KPI_COLUMNS)
    values = results.groupby(["kpi", "fiscal_year"], as_index=False)["value"].mean()
    meta = pd.DataFrame([(k.id, k.name.get(lang), k.target, k.floor, k.ceiling) for _, k in framework.kpis()],
                        columns=["kpi", "name", "target", "floor", "ceiling"])
    return meta.merge(values, on="kpi")[KPI_COLUMNS]


def lens(db: Store, year: int, method: str = "mean", lang: str = "th",
         scores_of: ScoresOf | None = None) -> pd.DataFrame:
    """The department's readiness per Government 4.0 goal and factor (``scoring.lens``), in percent of the
    points possible, self-assessed and reviewed (the committee's values where it set some), each over the
    units counted in that source; one row per aim in the criteria's order, with its kind and name."""
    framework = years.framework_of(db, year)
    scores_of = scores_of or scores_reader(db, method)
    frame = pd.DataFrame([(aim.id, kind, aim.name.get(lang)) for kind, aim in aims(framework)],
                         columns=["aim", "kind", "name"])
    for column, source in (("self", "self"), ("review", "best")):
        scores = scores_of(year, source)
        share = (aim_readiness(scores.answers, framework, units=scores.grid.index).set_index("aim")["share"]
                 if scores is not None else pd.Series(dtype=float))
        frame[column] = frame["aim"].map(share * 100)
    return frame[LENS_COLUMNS]
