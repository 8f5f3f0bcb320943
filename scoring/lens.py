"""The 4.0 lens: how ready the department is on each goal and success factor of Government 4.0.

A checkpoint serves the goals and factors its level theme and itself are tagged with
(``Framework.serves``). It is worth its share of its level's points in the item (Basic 300, Advance
and Significance 100 each, split evenly among the level's checkpoints), counted as answered: the
lens shows where the department's practice stands, so the item rule's gating (a higher level counts
only on a complete lower one) does not apply. Only the categories the year assesses count.

Readiness on an aim is the points met over the points possible among the checkpoints that serve it,
summed over the units counted: every unit could meet every point.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

import pandas as pd

from scoring.criteria import Aim, Framework
from scoring.rules import LEVEL_POINTS

LENS_COLUMNS = ["aim", "kind", "met", "possible", "share"]


def aims(framework: Framework) -> list[tuple[str, Aim]]:
    """The goals, then the success factors, in the criteria's order, each with its kind ("goal", "factor")."""
    lens = framework.government_4_0
    return [*(("goal", a) for a in lens.goals), *(("factor", a) for a in lens.factors)]


@lru_cache(maxsize=16)
def checkpoint_aims(framework: Framework) -> pd.DataFrame:
    """One row per (checkpoint, aim it serves) of the assessed items: checkpoint, aim, points."""
    rows = []
    for item in framework.assessed_items():
        for level, points in LEVEL_POINTS.items():
            checkpoints = item.level_checkpoints(level)
            rows += [(cp.id, aim, points / len(checkpoints))
                     for cp in checkpoints for aim in sorted(framework.serves(item, level, cp))]
    return pd.DataFrame(rows, columns=["checkpoint", "aim", "points"])


def aim_readiness(answers: pd.DataFrame, framework: Framework, units: Iterable | None = None) -> pd.DataFrame:
    """Per goal and factor of ``framework.government_4_0``, in its order: kind ("goal" or "factor"), the
    points met and possible among the checkpoints that serve it over the units counted, and their share
    (0-1; empty when the aim serves no assessed checkpoint or no unit counts).

    ``answers`` has columns unit, checkpoint, met; ``units`` are the units counted (default: those with
    answers), so that a unit without an answer counts with nothing met.

    >>> from scoring.criteria import default_framework
    >>> framework = default_framework()
    >>> met = pd.DataFrame({"unit": [1], "checkpoint": ["1.1.B1"], "met": [True]})  # 1.1 Basic: 3 checkpoints
    >>> aim_readiness(met, framework).set_index("aim").loc["smart_performance", ["met", "possible"]].tolist()
    [100.0, 6500.0]
    """
    kinds = {aim.id: kind for kind, aim in aims(framework)}
    counted = pd.Index(answers["unit"].unique() if units is None else list(units)).unique()
    tagged = checkpoint_aims(framework)
    per_unit = tagged.groupby("aim")["points"].sum().reindex(list(kinds), fill_value=0.0)
    met_rows = answers[answers["met"].astype(bool) & answers["unit"].isin(counted)]
    met = (met_rows[["checkpoint"]].merge(tagged, on="checkpoint").groupby("aim")["points"].sum()
           .reindex(list(kinds), fill_value=0.0))
    possible = per_unit * len(counted)
    frame = pd.DataFrame({"aim": list(kinds), "kind": list(kinds.values()), "met": met.to_numpy(dtype=float),
                          "possible": possible.to_numpy(dtype=float)})
    frame["share"] = frame["met"] / frame["possible"].where(frame["possible"] > 0)
    return frame[LENS_COLUMNS]
