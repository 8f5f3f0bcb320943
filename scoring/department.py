"""Department results: unit item scores aggregated item by item, then rolled up.

>>> import pandas as pd
>>> frame = pd.DataFrame({"unit": ["A", "B"], "item": ["1.1", "1.1"], "score": [300.0, 100.0]})
>>> r = department_scores(frame)
>>> float(r.items["1.1"]), float(r.categories[1]), r.units
(200.0, 50.0, 2)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from scoring.criteria import AwardThresholds, AwardTier, Framework, default_framework
from scoring.rules import MAX_SCORE
from scoring.tables import item_table

METHODS = ("mean", "weighted", "median", "min")


@dataclass(frozen=True)
class DepartmentResult:
    """Scores by item id, by category number 1-7, the total, and how many units they cover."""

    items: pd.Series
    categories: pd.Series
    total: float
    units: int


def roll_up(item_scores: pd.Series, framework: Framework | None = None) -> tuple[pd.Series, float]:
    """Category = mean of its items (a missing item counts 0); total = mean of the categories. Only the
    categories the criteria's rules assess (``rules.categories``, by default 1-7) are returned and counted.

    >>> from scoring.criteria import default_framework
    >>> six = default_framework().with_rules(categories=[1, 2, 3, 4, 5, 6])
    >>> categories, total = roll_up(pd.Series({"1.1": 300.0}), six)   # category 1 has four items
    >>> list(categories.index), float(total)
    ([1, 2, 3, 4, 5, 6], 12.5)
    """
    framework = framework or default_framework()
    items = item_table(framework)
    items = items[items["category"].isin(framework.rules.categories)]
    scores = item_scores.reindex(items["item"]).fillna(0.0).to_numpy()
    codes, categories = pd.factorize(items["category"], sort=True)
    means = np.bincount(codes, weights=scores) / np.bincount(codes)
    return pd.Series(means, index=pd.Index(categories, name="category")), float(means.mean())


def unit_weights(units: pd.Index, weights: Mapping | None) -> np.ndarray:
    if weights is None:
        raise ValueError("method 'weighted' needs weights: a mapping unit -> positive number")
    missing = [u for u in units if u not in weights]
    if missing:
        raise ValueError(f"no weight for unit(s): {', '.join(map(str, missing[:5]))}")
    values = np.array([weights[u] for u in units], dtype=float)
    if not np.all(np.isfinite(values)) or np.any(values <= 0):
        raise ValueError("every unit weight must be a positive number")
    return values


def unit_item_grid(unit_items: pd.DataFrame, framework: Framework | None = None) -> pd.DataFrame:
    """Units x items matrix of scores, rows sorted by unit; an absent (unit, item) is 0.

    Raises ValueError for missing columns, an empty frame, an unknown item id, a score that is not
    a number from 0 to 500, or a (unit, item) pair given twice."""
    framework = framework or default_framework()
    missing = {"unit", "item", "score"} - set(unit_items.columns)
    if missing:
        raise ValueError(f"unit_items lacks column(s) {sorted(missing)}")
    if unit_items.empty:
        raise ValueError("unit_items is empty: there is no unit to aggregate")
    items = pd.Index(item_table(framework)["item"])
    item_codes, item_uniques = pd.factorize(unit_items["item"])
    position = items.get_indexer(pd.Index(item_uniques).astype(str))
    if (position < 0).any() or (item_codes < 0).any():
        unknown = sorted(map(str, pd.Index(item_uniques)[position < 0]))
        raise ValueError(f"unknown item id(s): {', '.join(unknown[:5]) or 'empty'}")
    scores = pd.to_numeric(unit_items["score"], errors="coerce").to_numpy(float)
    if np.isnan(scores).any() or ((scores < 0) | (scores > MAX_SCORE)).any():
        raise ValueError("every score must be a number from 0 to 500")
    unit_codes, units = pd.factorize(unit_items["unit"], sort=True)
    if (unit_codes < 0).any():
        raise ValueError("every row needs a unit")
    cells = unit_codes * len(items) + position[item_codes]
    grid_size = len(units) * len(items)
    if np.bincount(cells, minlength=grid_size).max() > 1:
        raise ValueError("a (unit, item) pair appears more than once")
    grid = np.zeros(grid_size)
    grid[cells] = scores
    grid = grid.reshape(len(units), len(items))
    return pd.DataFrame(grid, index=pd.Index(units, name="unit"), columns=items)


def department_scores(
    unit_items: pd.DataFrame,
    method: str = "mean",
    weights: Mapping | None = None,
    framework: Framework | None = None,
) -> DepartmentResult:
    """Aggregate unit item scores by ``method`` (mean, weighted, median, min), then roll up."""
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; use one of {', '.join(METHODS)}")
    framework = framework or default_framework()
    grid = unit_item_grid(unit_items, framework)
    values = grid.to_numpy()
    if method == "mean":
        aggregated = values.mean(axis=0)
    elif method == "weighted":
        w = unit_weights(grid.index, weights)
        aggregated = (w[:, None] * values).sum(axis=0) / w.sum()
    elif method == "median":
        aggregated = np.median(values, axis=0)
    else:
        aggregated = values.min(axis=0)
    items = pd.Series(np.clip(aggregated, 0.0, MAX_SCORE), index=grid.columns, name="score")
    categories, total = roll_up(items, framework)
    return DepartmentResult(items=items, categories=categories, total=total, units=len(grid))


@dataclass(frozen=True)
class TierStatus:
    """How far the scores are from readiness for one award tier: the total's and each category's
    missing points (0 where met)."""

    tier: AwardTier
    total_missing: float
    categories_missing: pd.Series

    @property
    def met(self) -> bool:
        return self.total_missing == 0 and bool((self.categories_missing == 0).all())


@dataclass(frozen=True)
class AwardStatus:
    """Readiness for each award tier and each category award, and the points still missing. The
    ``pmqa_*`` fields and ``total_missing``/``categories_missing`` are those of the first (headline) tier."""

    tiers: tuple[TierStatus, ...]
    category_awards: pd.DataFrame

    @property
    def headline(self) -> TierStatus:
        return self.tiers[0]

    @property
    def pmqa_met(self) -> bool:
        return self.headline.met

    @property
    def total_missing(self) -> float:
        return self.headline.total_missing

    @property
    def categories_missing(self) -> pd.Series:
        return self.headline.categories_missing


def award_status(categories: pd.Series, total: float, awards: AwardThresholds | None = None) -> AwardStatus:
    """Readiness for each tier: total >= the tier's total and every category >= its category floor;
    for a category award: category >= the category threshold. Missing points are 0 where met."""
    awards = awards or default_framework().thresholds.awards
    tiers = tuple(TierStatus(tier, max(0.0, tier.total - total), (tier.category_min - categories).clip(lower=0.0))
                  for tier in awards.tiers)
    award_missing = (awards.category - categories).clip(lower=0.0)
    category_awards = pd.DataFrame(
        {"score": categories, "met": award_missing == 0, "missing": award_missing}
    )
    return AwardStatus(tiers, category_awards)
