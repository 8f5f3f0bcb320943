"""Vectorised scoring of many assessments at once.

``answers`` holds checkpoint ticks (columns ``checkpoint``, ``met`` plus key columns, by default
``unit``); ``kpis`` holds KPI results (``kpi``, ``value`` plus the keys; a KPI a unit added itself
also carries ``item``, ``floor`` and ``ceiling``). Every assessment named in either frame is
scored on every item; a checkpoint or KPI with no row counts as not met / no value.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from scoring.criteria import LEVELS, Framework, default_framework
from scoring.rules import LEVEL_POINTS, MAX_SCORE
from scoring.tables import checkpoint_table, kpi_table, level_sizes


def kpi_scores(value, floor, ceiling) -> np.ndarray:
    """Element-wise ``kpi_score``: arrays (or scalars) of value, floor and ceiling."""
    value, floor, ceiling = (np.asarray(x, dtype=float) for x in (value, floor, ceiling))
    if np.any(floor == ceiling):
        raise ValueError("a KPI has floor equal to ceiling and cannot be scored")
    progress = (value - floor) / (ceiling - floor)
    scores = np.where(progress >= 1, MAX_SCORE, 100.0 + 400.0 * progress)
    return np.where(np.isnan(progress) | (progress < 0), 0.0, scores)


def gated_array(met: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """The gated item rule on (n, 3) arrays of met counts and level sizes, columns in LEVELS order."""
    points = np.array([LEVEL_POINTS[lvl] for lvl in LEVELS]) * met / sizes
    full = met >= sizes
    return points[:, 0] + np.where(full[:, 0], points[:, 1], 0.0) + np.where(full[:, 0] & full[:, 1], points[:, 2], 0.0)


def gated_scores(met: pd.DataFrame, sizes: pd.DataFrame) -> pd.Series:
    """The gated item rule on frames with columns basic/advance/significance."""
    cols = list(LEVELS)
    return pd.Series(gated_array(met[cols].to_numpy(float), sizes[cols].to_numpy(float)), index=met.index)


def met_mask(met: pd.Series) -> pd.Series:
    """True where a checkpoint is met; a missing (NaN/None) answer is not met."""
    return pd.to_numeric(met, errors="coerce").fillna(0).astype(bool)


def _keys_of(frames: Sequence[pd.DataFrame], by: list[str]) -> pd.DataFrame:
    parts = [f[by] for f in frames if f is not None and len(f)]
    if not parts:
        return pd.DataFrame(columns=by)
    return pd.concat(parts).drop_duplicates().sort_values(by).reset_index(drop=True)


def _require(frame: pd.DataFrame, columns: list[str], name: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{name} lacks column(s) {missing}")


def checkpoint_item_scores(
    answers: pd.DataFrame, framework: Framework, by: list[str], keys: pd.DataFrame
) -> pd.DataFrame:
    """Scores of items 1.1-6.4 per assessment, from checkpoint ticks."""
    table = checkpoint_table(framework)
    merged = answers.merge(table[["checkpoint", "item", "level"]], on="checkpoint", how="left")
    unknown = merged.loc[merged["item"].isna(), "checkpoint"].unique()
    if len(unknown):
        raise ValueError(f"unknown checkpoint id(s): {', '.join(map(str, unknown[:5]))}")
    ticked = merged[met_mask(merged["met"])].drop_duplicates([*by, "checkpoint"])
    counts = ticked.groupby([*by, "item", "level"], observed=True).size().unstack("level")
    sizes = level_sizes(framework)
    grid = keys.merge(pd.DataFrame({"item": sizes.index}), how="cross")
    grid = grid.set_index([*by, "item"])
    met = counts.reindex(index=grid.index, columns=list(sizes.columns)).fillna(0.0)
    aligned = sizes.reindex(grid.index.get_level_values("item"))
    aligned.index = grid.index
    return gated_scores(met, aligned).rename("score").reset_index()


def kpi_rows(kpis: pd.DataFrame | None, framework: Framework, by: list[str], keys: pd.DataFrame) -> pd.DataFrame:
    """Every KPI each assessment is scored on (the criteria's and its own), with value and score."""
    table = kpi_table(framework)
    expected = keys.merge(table[["kpi", "item", "floor", "ceiling"]], how="cross")
    if kpis is not None and len(kpis):
        _require(kpis, [*by, "kpi", "value"], "kpis")
        own = kpis[~kpis["kpi"].isin(table["kpi"])]
        if len(own):
            _require(own, ["item", "floor", "ceiling"], "unit-added KPIs")
            if own[["item", "floor", "ceiling"]].isna().any().any():
                raise ValueError("a unit-added KPI needs item, floor and ceiling")
            results_items = {i.id for i in framework.items() if i.is_results}
            stray = sorted(set(own["item"].astype(str)) - results_items)
            if stray:
                raise ValueError(f"a unit-added KPI must belong to a category-7 item, not {', '.join(stray)}")
            own = own[[*by, "kpi", "item", "floor", "ceiling"]].drop_duplicates([*by, "kpi"])
            expected = pd.concat([expected, own], ignore_index=True)
        values = kpis[[*by, "kpi", "value"]].drop_duplicates([*by, "kpi"], keep="last")
        expected = expected.merge(values, on=[*by, "kpi"], how="left")
    else:
        expected = expected.assign(value=np.nan)
    expected["value"] = pd.to_numeric(expected["value"], errors="coerce")
    expected["score"] = kpi_scores(expected["value"], expected["floor"], expected["ceiling"])
    return expected


def kpi_item_scores(kpis: pd.DataFrame | None, framework: Framework, by: list[str], keys: pd.DataFrame) -> pd.DataFrame:
    """Scores of items 7.x per assessment: the mean of the item's KPI scores (no value scores 0)."""
    rows = kpi_rows(kpis, framework, by, keys)
    return rows.groupby([*by, "item"], as_index=False)["score"].mean()


def unit_item_scores(
    answers: pd.DataFrame,
    kpis: pd.DataFrame | None = None,
    framework: Framework | None = None,
    by: Sequence[str] = ("unit",),
    keys: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Score every item of every assessment: a frame with the ``by`` columns, ``item`` and ``score``.

    ``keys`` (a frame of ``by`` columns) names assessments to score even if they have no rows yet.

    >>> import pandas as pd
    >>> ticks = pd.DataFrame({"unit": ["A"] * 3, "checkpoint": ["1.1.B1", "1.1.B2", "1.1.B3"], "met": True})
    >>> s = unit_item_scores(ticks)
    >>> float(s.loc[s["item"] == "1.1", "score"].iloc[0])
    300.0
    """
    framework = framework or default_framework()
    by = list(by)
    if answers is None:
        answers = pd.DataFrame(columns=[*by, "checkpoint", "met"])
    _require(answers, [*by, "checkpoint", "met"], "answers")
    keys = _keys_of([answers, kpis, keys], by)
    result = pd.concat(
        [checkpoint_item_scores(answers, framework, by, keys), kpi_item_scores(kpis, framework, by, keys)],
        ignore_index=True,
    )
    return result.sort_values([*by, "item"]).reset_index(drop=True)
