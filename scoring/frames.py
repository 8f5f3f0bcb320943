"""Vectorised scoring of many assessments at once.

``answers`` holds checkpoint ticks (columns ``checkpoint``, ``met`` plus key columns, by default
``unit``); ``kpis`` holds KPI results (``kpi``, ``value`` plus the keys; a KPI a unit added itself
also carries ``item``, ``floor`` and ``ceiling``, and ``target`` and ``direction`` when it is scored
on the percentage of target). Every assessment named in either frame is scored on every item; a
checkpoint with no row counts as not met.

Two rules are keyword arguments, today's behaviour by default:

- ``unit_kpis``: ``"floor_ceiling"`` scores a unit's own KPI like the criteria's; ``"percent_of_target"``
  scores it on the percentage of target (``scoring.rules.target_score``).
- ``missing_kpis``: ``"zero"`` (the reviewer's view) counts a KPI with no value as 0 and divides by all
  of the item's KPIs; ``"entered_only"`` (the unit's view) averages only the KPIs with a value, and the
  result gains a column ``assessed``, False for a category-7 item until every KPI of the criteria in it
  has a value.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from scoring.criteria import LEVELS, MISSING_KPI_RULES, UNIT_KPI_RULES, Framework, default_framework
from scoring.rules import LEVEL_POINTS, MAX_SCORE
from scoring.tables import checkpoint_table, kpi_table, level_sizes


def check_rules(unit_kpis: str, missing_kpis: str) -> None:
    if unit_kpis not in UNIT_KPI_RULES:
        raise ValueError(f"unit_kpis must be one of {UNIT_KPI_RULES}, got {unit_kpis!r}")
    if missing_kpis not in MISSING_KPI_RULES:
        raise ValueError(f"missing_kpis must be one of {MISSING_KPI_RULES}, got {missing_kpis!r}")


def kpi_scores(value, floor, ceiling) -> np.ndarray:
    """Element-wise ``kpi_score``: arrays (or scalars) of value, floor and ceiling."""
    value, floor, ceiling = (np.asarray(x, dtype=float) for x in (value, floor, ceiling))
    if np.any(floor == ceiling):
        raise ValueError("a KPI has floor equal to ceiling and cannot be scored")
    progress = (value - floor) / (ceiling - floor)
    scores = np.where(progress >= 1, MAX_SCORE, 100.0 + 400.0 * progress)
    return np.where(np.isnan(progress) | (progress < 0), 0.0, scores)


def target_scores(value, target, direction) -> np.ndarray:
    """Element-wise ``target_score``: arrays (or scalars) of value, target and direction."""
    value, target = np.asarray(value, dtype=float), np.asarray(target, dtype=float)
    if np.any(target == 0):
        raise ValueError("a KPI scored on its target needs a target other than 0")
    direction = np.broadcast_to(np.asarray(direction, dtype=object), np.broadcast(value, target).shape)
    if not np.isin(direction, ["higher", "lower"]).all():
        raise ValueError("direction must be 'higher' or 'lower'")
    rate = np.round(value * 100.0 / target, 9)
    rate = np.where(direction == "lower", 200.0 - rate, rate)
    scores = np.select([rate < 100, rate <= 101, rate <= 105], [np.maximum(0.0, 3.0 * rate), 300.0, 400.0],
                       MAX_SCORE)
    return np.where(np.isnan(rate), 0.0, scores)


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


def _keys_of(frames: Sequence[pd.DataFrame | None], by: list[str]) -> pd.DataFrame:
    """The distinct assessments named in the frames, sorted."""
    return _index(frames, by)[0]


def _index(frames: Sequence[pd.DataFrame | None], by: list[str]) -> tuple[pd.DataFrame, list[np.ndarray | None]]:
    """The distinct assessments (``by`` values) of all frames, sorted, and for each frame the
    position of each of its rows in that list. Factorising once keeps the hot path on integers."""
    present = [f for f in frames if f is not None]
    lengths = [len(f) for f in present]
    if not sum(lengths):
        return pd.DataFrame(columns=by), [None if f is None else np.zeros(0, dtype=np.intp) for f in frames]
    codes, uniques = [], []
    for column in by:
        values = pd.concat([f[column] for f in present], ignore_index=True)
        column_codes, column_uniques = pd.factorize(values, sort=True)
        if (column_codes < 0).any():
            raise ValueError(f"column {column!r} has empty values")
        codes.append(column_codes)
        uniques.append(np.asarray(column_uniques))
    dims = [len(u) for u in uniques]
    distinct, inverse = _distinct(np.ravel_multi_index(codes, dims), int(np.prod(dims)))
    keys = pd.DataFrame({c: u[p] for c, u, p in zip(by, uniques, np.unravel_index(distinct, dims), strict=True)})
    pieces = iter(np.split(inverse.ravel(), np.cumsum(lengths)[:-1]))
    return keys, [None if f is None else next(pieces) for f in frames]


def _distinct(flat: np.ndarray, space: int) -> tuple[np.ndarray, np.ndarray]:
    """Sorted distinct values of non-negative integers below ``space``, and each one's position:
    ``np.unique(flat, return_inverse=True)`` in linear time while the space is small."""
    if space > 50_000_000:
        distinct, inverse = np.unique(flat, return_inverse=True)
        return distinct, inverse.ravel()
    present = np.zeros(space, dtype=bool)
    present[flat] = True
    return np.flatnonzero(present), (np.cumsum(present) - 1)[flat]


def _require(frame: pd.DataFrame, columns: list[str], name: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{name} lacks column(s) {missing}")


@dataclass(frozen=True)
class _Layout:
    """The criteria as index arrays: checkpoints grouped by (item, level), KPIs by item."""

    checkpoint_items: list[str]
    checkpoints: pd.Index
    groups: np.ndarray  # checkpoint -> (item, level) indicator, shape (checkpoints, items * 3)
    sizes: np.ndarray  # checkpoints per (item, level), shape (items, 3)
    results_items: list[str]
    kpis: pd.Index
    kpi_items: np.ndarray  # KPI -> item indicator, shape (kpis, results items)
    floor: np.ndarray
    ceiling: np.ndarray


@lru_cache(maxsize=16)
def _layout(framework: Framework) -> _Layout:
    table = checkpoint_table(framework)
    sizes = level_sizes(framework)
    items = list(sizes.index)
    group = table["item"].map({i: n for n, i in enumerate(items)}) * 3 + table["level"].map(LEVELS.index)
    groups = np.zeros((len(table), 3 * len(items)))
    groups[np.arange(len(table)), group.to_numpy()] = 1.0
    kpis = kpi_table(framework)
    results = [i.id for i in framework.items() if i.is_results]
    kpi_items = np.zeros((len(kpis), len(results)))
    kpi_items[np.arange(len(kpis)), kpis["item"].map(results.index).to_numpy()] = 1.0
    return _Layout(items, pd.Index(table["checkpoint"]), groups, sizes[list(LEVELS)].to_numpy(float),
                   results, pd.Index(kpis["kpi"]), kpi_items, kpis["floor"].to_numpy(float),
                   kpis["ceiling"].to_numpy(float))


def checkpoint_item_matrix(answers: pd.DataFrame, rows: np.ndarray, count: int, framework: Framework) -> np.ndarray:
    """Scores of items 1.1-6.4, one row per assessment: met counts per (item, level) by one matrix
    product over a dense assessments x checkpoints table, then the gated rule."""
    layout = _layout(framework)
    codes, uniques = pd.factorize(answers["checkpoint"])
    position = layout.checkpoints.get_indexer(uniques)
    if (position < 0).any():
        raise ValueError(f"unknown checkpoint id(s): {', '.join(map(str, uniques[position < 0][:5]))}")
    met = met_mask(answers["met"]).to_numpy()
    ticked = np.zeros((count, len(layout.checkpoints)))
    ticked[rows[met], position[codes[met]]] = 1.0
    counts = (ticked @ layout.groups).reshape(-1, 3)
    sizes = np.tile(layout.sizes, (count, 1))
    return gated_array(counts, sizes).reshape(count, len(layout.checkpoint_items))


def _own_kpis(kpis: pd.DataFrame, framework: Framework, unit_kpis: str) -> pd.DataFrame:
    """The rows of KPIs a unit added itself, checked."""
    needed = ["item", "floor", "ceiling"] if unit_kpis == "floor_ceiling" else ["item", "target", "direction"]
    _require(kpis, needed, "unit-added KPIs")
    if kpis[needed].isna().any().any():
        raise ValueError(f"a unit-added KPI needs {', '.join(needed)}")
    stray = sorted(set(kpis["item"].astype(str)) - set(_layout(framework).results_items))
    if stray:
        raise ValueError(f"a unit-added KPI must belong to a category-7 item, not {', '.join(stray)}")
    return kpis


OWN_COLUMNS = ["row", "kpi", "item", "floor", "ceiling", "target", "direction", "value"]


def _kpi_values(kpis: pd.DataFrame | None, rows: np.ndarray | None, count: int, framework: Framework, by: list[str],
                unit_kpis: str = "floor_ceiling"):
    """Values of the criteria's KPIs as an assessments x KPIs matrix (NaN: no value), and the
    unit-added KPIs as rows (``row`` the assessment's position) with their scores."""
    layout = _layout(framework)
    values = np.full((count, len(layout.kpis)), np.nan)
    own = pd.DataFrame(columns=[*OWN_COLUMNS, "score"])
    if kpis is None or not len(kpis):
        return values, own
    _require(kpis, [*by, "kpi", "value"], "kpis")
    codes, uniques = pd.factorize(kpis["kpi"])
    position = layout.kpis.get_indexer(uniques)[codes]
    numbers = pd.to_numeric(kpis["value"], errors="coerce").to_numpy(float)
    known = position >= 0
    values[rows[known], position[known]] = numbers[known]
    if not known.all():
        extra = _own_kpis(kpis[~known], framework, unit_kpis).assign(row=rows[~known], value=numbers[~known])
        extra = extra.reindex(columns=OWN_COLUMNS)
        own = extra.drop_duplicates(["row", "kpi"], keep="last")
        score = (kpi_scores(own["value"], own["floor"], own["ceiling"]) if unit_kpis == "floor_ceiling"
                 else target_scores(own["value"], own["target"], own["direction"].to_numpy(object)))
        own = own.assign(score=score)
    return values, own


def kpi_item_matrix(kpis: pd.DataFrame | None, rows: np.ndarray | None, count: int, framework: Framework,
                    by: list[str], unit_kpis: str = "floor_ceiling", missing_kpis: str = "zero"
                    ) -> tuple[np.ndarray, np.ndarray]:
    """Scores of items 7.x, one row per assessment: the mean of each item's KPI scores, the
    criteria's KPIs and the unit's own; a KPI with no value scores 0 (``missing_kpis="zero"``) or is
    left out (``"entered_only"``, an item with no value at all scoring 0). Also whether each item is
    assessed: every KPI of the criteria in it has a value."""
    layout = _layout(framework)
    values, own = _kpi_values(kpis, rows, count, framework, by, unit_kpis)
    sums = kpi_scores(values, layout.floor, layout.ceiling) @ layout.kpi_items
    per_item = layout.kpi_items.sum(axis=0)
    entered = (~np.isnan(values)).astype(float) @ layout.kpi_items  # KPIs of the criteria with a value, per item
    assessed = entered == per_item
    every = missing_kpis == "zero"
    counts = np.tile(per_item, (count, 1)) if every else entered
    if len(own):
        # added in one order whatever the rows' order: floating-point sums of three or more terms depend on it
        own = own.sort_values(["row", "kpi", "score"], kind="stable")
        column = own["item"].astype(str).map(layout.results_items.index).to_numpy()
        has_value = own["value"].notna().to_numpy() | every
        np.add.at(sums, (own["row"].to_numpy(int), column), own["score"].to_numpy(float))
        np.add.at(counts, (own["row"].to_numpy(int), column), has_value.astype(float))
    return np.where(counts > 0, sums / np.maximum(counts, 1.0), 0.0), assessed


def kpi_rows(kpis: pd.DataFrame | None, framework: Framework, by: list[str], keys: pd.DataFrame,
             unit_kpis: str = "floor_ceiling") -> pd.DataFrame:
    """Every KPI each assessment is scored on (the criteria's and its own), one row each, with item,
    floor, ceiling, value and score; the assessments are those in ``keys`` and ``kpis``."""
    layout = _layout(framework)
    keys, (_, rows) = _index([keys, kpis], by)
    values, own = _kpi_values(kpis, rows, len(keys), framework, by, unit_kpis)
    table = kpi_table(framework)
    grid = pd.DataFrame({
        "row": np.repeat(np.arange(len(keys)), len(layout.kpis)),
        "kpi": np.tile(table["kpi"].to_numpy(), len(keys)),
        "item": np.tile(table["item"].to_numpy(), len(keys)),
        "floor": np.tile(layout.floor, len(keys)),
        "ceiling": np.tile(layout.ceiling, len(keys)),
        "value": values.ravel(),
    })
    grid["score"] = kpi_scores(grid["value"], grid["floor"], grid["ceiling"])
    result = pd.concat([grid, own.drop(columns=["target", "direction"])], ignore_index=True) if len(own) else grid
    result = result.sort_values(["row", "item", "kpi"], kind="stable")
    keyed = keys.iloc[result["row"].to_numpy(int)].reset_index(drop=True)
    return pd.concat([keyed, result.drop(columns="row").reset_index(drop=True)], axis=1)


def unit_item_scores(
    answers: pd.DataFrame,
    kpis: pd.DataFrame | None = None,
    framework: Framework | None = None,
    by: Sequence[str] = ("unit",),
    keys: pd.DataFrame | None = None,
    *,
    unit_kpis: str = "floor_ceiling",
    missing_kpis: str = "zero",
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
    check_rules(unit_kpis, missing_kpis)
    by = list(by)
    if answers is None:
        answers = pd.DataFrame(columns=[*by, "checkpoint", "met"])
    _require(answers, [*by, "checkpoint", "met"], "answers")
    if kpis is not None and len(kpis):
        _require(kpis, [*by, "kpi", "value"], "kpis")
    found, (answer_rows, kpi_rows_, _) = _index([answers, kpis, keys], by)
    count = len(found)
    layout = _layout(framework)
    results, assessed = kpi_item_matrix(kpis, kpi_rows_, count, framework, by, unit_kpis, missing_kpis)
    scores = np.hstack([checkpoint_item_matrix(answers, answer_rows, count, framework), results])
    items = [*layout.checkpoint_items, *layout.results_items]
    result = found.iloc[np.repeat(np.arange(count), len(items))].reset_index(drop=True)
    result["item"] = np.tile(np.array(items, dtype=object), count)
    result["score"] = scores.ravel()
    if missing_kpis == "entered_only":
        result["assessed"] = np.hstack([np.ones((count, len(layout.checkpoint_items)), bool), assessed]).ravel()
    return result
