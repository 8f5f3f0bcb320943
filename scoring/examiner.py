"""The award's own scoring of an application, as its examiners do it (pure: frames in, frames out).

Each item is scored as a percentage, in steps of 5, that falls in one of the criteria's bands (processes by
ADLI, results by LeTCI). An item's points are its percentage of its weight; a category's weight (points of the
scale, 1,000) is shared equally by its assessed items unless the criteria give an item its own; a category's
points are its items' sum, the total their sum over the assessed categories. Members score on their own; the
spread of their percentages per item shows where they disagree, the widest first.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from scoring.criteria import Framework, ScoringBand

STEP = 5  # percentages are given in steps of 5
AGREED = "\x00agreed"  # the committee's agreement, as a scorer of its own beside the members


class PercentError(ValueError):
    """A percentage that is not a whole multiple of 5 between 0 and 100."""


def item_weights(framework: Framework) -> dict[str, float]:
    """Each assessed item's points on the award's scale.

    >>> from scoring import default_framework
    >>> weights = item_weights(default_framework())
    >>> weights["1.1"], weights["7.1"], round(sum(weights.values()), 6)
    (30.0, 75.0, 1000.0)
    """
    scoring = framework.award_scoring
    own = dict(scoring.items)
    categories = dict(scoring.weights)
    weights = {}
    for category in framework.assessed():
        items = [item.id for item in category.items]
        left = categories.get(category.id, 0.0) - sum(own.get(i, 0.0) for i in items if i in own)
        shared = [i for i in items if i not in own]
        for item in items:
            weights[item] = own[item] if item in own else left / len(shared)
    return weights


def checked_percent(framework: Framework, percent) -> int:
    """``percent`` as stored: a whole multiple of 5 from 0 to 100 (``PercentError`` otherwise)."""
    if isinstance(percent, bool) or not isinstance(percent, int | float) or percent != percent:
        raise PercentError(percent)
    if percent != int(percent) or not 0 <= percent <= 100 or int(percent) % STEP:
        raise PercentError(percent)
    return int(percent)


def band_of(framework: Framework, percent: int) -> ScoringBand:
    return framework.award_scoring.band_of(percent)


def points(scores: pd.DataFrame, weights: Mapping[str, float]) -> pd.DataFrame:
    """Per scorer and category the points of its scored items, and the scorer's total (category "total").

    ``scores``: scorer, item, percent (items not in ``weights`` are left out; an unscored item counts 0).

    >>> frame = pd.DataFrame({"scorer": ["a", "a", "b"], "item": ["1.1", "7.1", "1.1"], "percent": [50, 40, 70]})
    >>> points(frame, {"1.1": 30.0, "7.1": 75.0}).to_dict("records")
    [{'scorer': 'a', 'category': '1', 'points': 15.0}, {'scorer': 'a', 'category': '7', 'points': 30.0}, \
{'scorer': 'a', 'category': 'total', 'points': 45.0}, {'scorer': 'b', 'category': '1', 'points': 21.0}, \
{'scorer': 'b', 'category': 'total', 'points': 21.0}]
    """
    frame = scores[scores["item"].isin(list(weights))].dropna(subset=["percent"]).copy()
    frame["category"] = frame["item"].str.split(".").str[0]
    frame["points"] = frame["percent"].astype(float) / 100 * frame["item"].map(weights).astype(float)
    per = frame.groupby(["scorer", "category"], as_index=False, sort=True)["points"].sum()
    totals = per.groupby("scorer", as_index=False)["points"].sum().assign(category="total")
    out = pd.concat([per, totals[["scorer", "category", "points"]]], ignore_index=True)
    order = {c: n for n, c in enumerate([*sorted(per["category"].unique()), "total"])}
    out = out.sort_values(["scorer", "category"], key=lambda s: s.map(order) if s.name == "category" else s)
    out["points"] = out["points"].round(6)
    return out[["scorer", "category", "points"]].reset_index(drop=True)


def consensus_points(scores: pd.DataFrame, agreed: Mapping[str, int], weights: Mapping[str, float]) -> pd.DataFrame:
    """``points`` of every member's ``scores`` (scorer, item, percent) and of the agreed percentages (item ->
    percent), the agreement scored as the scorer ``AGREED``."""
    agreement = pd.DataFrame([(AGREED, item, percent) for item, percent in agreed.items()],
                             columns=["scorer", "item", "percent"])
    return points(pd.concat([scores[["scorer", "item", "percent"]], agreement], ignore_index=True), weights)


def spread(scores: pd.DataFrame, flag: int) -> pd.DataFrame:
    """Per item the members' percentages: how many scored it, the lowest, the highest, the median, the gap
    between them and whether the gap is over ``flag``; the flagged items first, the widest gap first, then in
    item order.

    >>> frame = pd.DataFrame({"scorer": ["a", "b", "a", "b"], "item": ["1.1", "1.1", "1.2", "1.2"],
    ...                       "percent": [30, 60, 50, 55]})
    >>> spread(frame, 20)[["item", "low", "high", "median", "gap", "flagged"]].values.tolist()
    [['1.1', 30, 60, 45.0, 30, True], ['1.2', 50, 55, 52.5, 5, False]]
    """
    frame = scores.dropna(subset=["percent"])
    grouped = frame.groupby("item")["percent"]
    out = pd.DataFrame({"scorers": grouped.count(), "low": grouped.min().astype(int), "high": grouped.max().astype(int),
                        "median": grouped.median().astype(float)}).reset_index()
    out["gap"] = out["high"] - out["low"]
    out["flagged"] = out["gap"] > flag
    keys = out["item"].map(_item_key)
    out = out.assign(_key=keys).sort_values(["flagged", "gap", "_key"], ascending=[False, False, True])
    return out.drop(columns="_key").reset_index(drop=True)


def _item_key(item: str) -> tuple[int, ...]:
    return tuple(int(part) for part in item.split("."))
