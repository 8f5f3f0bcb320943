"""The OFI (opportunity for improvement) engine: gaps ranked by points per action, and the award gap.

A *gap* is a missing checkpoint or a KPI below its ceiling. Completing a level releases the locked
points ticked above it, so a missing checkpoint is valued as its share of the *bundle* it belongs to:
every missing checkpoint of its level and the levels below, together with the score the item
reaches once they are all met. A KPI gap is one action: raising the KPI to its ceiling.

Points are on the scale of the total score (0-500): an item's points are divided by the number of
items in its category and by the seven categories, and, for the department, weighted by each unit's
share (1/N for the mean, weight / sum of weights for the weighted mean).

The award path is the smallest set of actions that reaches a threshold, found exactly by dynamic
programming: within each category, the best gain for every number of actions (ticks within an item
go Basic, then Advance, then Significance, as gating demands); across categories, the fewest actions
whose categories all reach their floor and whose total reaches its threshold.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from scoring.criteria import LEVELS, Framework, default_framework
from scoring.department import unit_weights
from scoring.frames import _keys_of, gated_array, gated_scores, kpi_rows, met_mask
from scoring.rules import LEVEL_POINTS, MAX_SCORE
from scoring.tables import checkpoint_table, item_table, level_sizes

EPS = 1e-9
GAP_COLUMNS = [
    "unit", "kind", "ref", "item", "category", "level", "actions", "item_gain", "released", "points",
]


def unit_shares(units: Sequence, method: str = "mean", weights: Mapping | None = None) -> pd.Series:
    """Each unit's share of a department item score: 1/N (mean) or weight / sum of weights."""
    index = pd.Index(list(units), name="unit")
    if method == "mean":
        return pd.Series(1.0 / len(index), index=index)
    if method == "weighted":
        w = unit_weights(index, weights)
        return pd.Series(w / w.sum(), index=index)
    raise ValueError(f"the OFI engine supports the mean and weighted methods, not {method!r}")


def _checkpoint_state(answers: pd.DataFrame, framework: Framework, units: pd.Index):
    """Met counts per (unit, item) and level, the level sizes aligned to them, and missing checkpoints."""
    table = checkpoint_table(framework)
    grid = pd.DataFrame({"unit": units}).merge(table, how="cross")
    ticked = answers.loc[met_mask(answers["met"]), ["unit", "checkpoint"]].drop_duplicates()
    grid = grid.merge(ticked.assign(met=True), on=["unit", "checkpoint"], how="left")
    grid["met"] = grid["met"].fillna(False).astype(bool)
    met = grid.groupby(["unit", "item", "level"])["met"].sum().unstack("level")[list(LEVELS)].astype(float)
    sizes = level_sizes(framework).reindex(met.index.get_level_values("item"))
    sizes.index = met.index
    return met, sizes, grid[~grid["met"]]


def _bundles(met: pd.DataFrame, sizes: pd.DataFrame) -> pd.DataFrame:
    """Per (unit, item) and level L: actions to complete every level up to L, and the gain in item points."""
    current = gated_scores(met, sizes)
    rows = []
    for depth, level in enumerate(LEVELS):
        done = met.copy()
        for lower in LEVELS[: depth + 1]:
            done[lower] = sizes[lower]
        actions = sum(sizes[lvl] - met[lvl] for lvl in LEVELS[: depth + 1])
        face = sum(LEVEL_POINTS[lvl] * (sizes[lvl] - met[lvl]) / sizes[lvl] for lvl in LEVELS[: depth + 1])
        gain = gated_scores(done, sizes) - current
        rows.append(pd.DataFrame({"level": level, "actions": actions, "item_gain": gain, "released": gain - face}))
    return pd.concat(rows).reset_index()


def gaps(
    answers: pd.DataFrame,
    kpis: pd.DataFrame | None = None,
    framework: Framework | None = None,
    shares: pd.Series | None = None,
) -> pd.DataFrame:
    """Every gap of every unit, ranked by ``points``: total-score points gained per action.

    Columns: unit, kind (checkpoint or kpi), ref (checkpoint or KPI id), item, category, level,
    actions (size of the bundle the gap belongs to), item_gain (item points the bundle gains),
    released (locked points the bundle releases), points.
    """
    framework = framework or default_framework()
    units = _keys_of([answers, kpis], ["unit"])["unit"]
    if units.empty:
        return pd.DataFrame(columns=GAP_COLUMNS)
    shares = shares if shares is not None else pd.Series(1.0, index=pd.Index(units, name="unit"))
    weights = item_table(framework).set_index("item")["weight"]
    met, sizes, missing = _checkpoint_state(answers, framework, pd.Index(units))
    bundles = _bundles(met, sizes)
    cp = missing.merge(bundles, on=["unit", "item", "level"]).rename(columns={"checkpoint": "ref"})
    cp = cp.sort_values(["unit", "order"]).assign(kind="checkpoint")
    kp = kpi_rows(kpis, framework, ["unit"], pd.DataFrame({"unit": units}))
    kp = kp.assign(count=kp.groupby(["unit", "item"])["kpi"].transform("size"))
    kp = kp[kp["score"] < MAX_SCORE]
    kp = kp.assign(kind="kpi", ref=kp["kpi"], level=None, actions=1.0, released=0.0,
                   item_gain=(MAX_SCORE - kp["score"]) / kp["count"], category=7)
    result = pd.concat([cp, kp], ignore_index=True)
    if result.empty:
        return pd.DataFrame(columns=GAP_COLUMNS)
    scale = result["item"].map(weights) * result["unit"].map(shares)
    result["points"] = result["item_gain"] * scale / result["actions"]
    result["actions"] = result["actions"].astype(int)
    result = result[GAP_COLUMNS].sort_values(["points", "unit", "item", "ref"], ascending=[False, True, True, True])
    return result.reset_index(drop=True)


def department_gaps(unit_gaps: pd.DataFrame) -> pd.DataFrame:
    """Gaps shared across units: one row per checkpoint or KPI with how many units miss it (and which),
    and the department total points gained if each of them closes it, ranked by points."""
    if unit_gaps.empty:
        return pd.DataFrame(columns=["kind", "ref", "item", "category", "level", "units", "unit_ids", "points"])
    grouped = unit_gaps.groupby(["kind", "ref", "item", "category"], dropna=False)
    result = grouped.agg(level=("level", "first"), units=("unit", "nunique"),
                         unit_ids=("unit", lambda u: sorted(set(u))), points=("points", "sum"))
    return result.reset_index().sort_values(["points", "ref"], ascending=[False, True]).reset_index(drop=True)


# ---------------------------------------------------------------------------------------------
# Award path


@dataclass(frozen=True)
class _Group:
    """One independent choice: how many of a (unit, item)'s missing checkpoints to tick, or a KPI."""

    category: int
    values: np.ndarray  # values[j]: category points gained by the first j actions
    actions: list[dict]  # the actions in the order they are taken


@dataclass(frozen=True)
class AwardPath:
    """The fewest actions reaching a target; ``reachable`` is False when even all gaps do not."""

    target: str
    reachable: bool
    actions: pd.DataFrame
    points: float


def _option_values(met: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """Item score after j = 0..missing ticks taken Basic first, then Advance, then Significance."""
    missing = (sizes - met).astype(int)
    states = [met.astype(float)]
    for level, count in enumerate(missing):
        for _ in range(count):
            state = states[-1].copy()
            state[level] += 1
            states.append(state)
    arr = np.array(states)
    return gated_array(arr, np.broadcast_to(sizes, arr.shape))


def _groups(answers, kpis, framework, shares) -> list[_Group]:
    units = list(shares.index)
    met, sizes, missing = _checkpoint_state(answers, framework, pd.Index(units))
    items = item_table(framework).set_index("item")
    per_category = items.groupby("category").size().to_dict()
    category_of = items["category"].to_dict()
    share = shares.to_dict()
    todo = missing.sort_values(["unit", "item", "order"]).groupby(["unit", "item"], sort=False).agg(
        refs=("checkpoint", list), levels=("level", list))
    position = {key: n for n, key in enumerate(met.index)}
    met_values, size_values = met.to_numpy(float), sizes.to_numpy(float)
    groups = []
    for (unit, item), refs, levels in zip(todo.index, todo["refs"], todo["levels"], strict=True):
        n, category = position[(unit, item)], int(category_of[item])
        scores = _option_values(met_values[n], size_values[n])
        values = (scores - scores[0]) * share[unit] / per_category[category]
        acts = [{"unit": unit, "kind": "checkpoint", "ref": ref, "item": item, "level": level}
                for ref, level in zip(refs, levels, strict=True)]
        groups.append(_Group(category, values, acts))
    kp = kpi_rows(kpis, framework, ["unit"], pd.DataFrame({"unit": units}))
    kp = kp.assign(count=kp.groupby(["unit", "item"])["kpi"].transform("size"))
    kp = kp[kp["score"] < MAX_SCORE]
    for unit, kpi, item, score, count in zip(kp["unit"], kp["kpi"], kp["item"], kp["score"], kp["count"],
                                             strict=True):
        gain = (MAX_SCORE - score) / count * share[unit] / per_category[7]
        groups.append(_Group(7, np.array([0.0, gain]), [{"unit": unit, "kind": "kpi", "ref": kpi, "item": item,
                                                        "level": None}]))
    return groups


def _combine(best: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One knapsack step: out[k] = max_j best[k - j] + values[j], and the j chosen for each k."""
    size = len(best) + len(values) - 1
    out = np.full(size, -np.inf)
    choice = np.zeros(size, dtype=np.int64)
    for j, v in enumerate(values):
        candidate = best + v
        window = out[j : j + len(best)]
        better = candidate > window
        window[better] = candidate[better]
        choice[j : j + len(best)][better] = j
    return out, choice


def _knapsack(groups: list[_Group]) -> tuple[np.ndarray, list[np.ndarray]]:
    """best[k]: the most category points k actions can gain; choices for backtracking."""
    best = np.zeros(1)
    choices = []
    for g in groups:
        best, choice = _combine(best, g.values)
        choices.append(choice)
    return best, choices


def _backtrack(groups: list[_Group], choices: list[np.ndarray], k: int) -> list[dict]:
    taken = []
    for g, choice in zip(reversed(groups), reversed(choices), strict=True):
        j = int(choice[k])
        taken.extend(g.actions[:j])
        k -= j
    return taken


@dataclass(frozen=True)
class _CategoryPlan:
    current: float
    groups: list[_Group]
    best: np.ndarray
    choices: list[np.ndarray]

    def fewest(self, floor: float) -> int | None:
        reach = np.nonzero(self.current + self.best >= floor - EPS)[0]
        return int(reach[0]) if len(reach) else None

    def actions(self, k: int) -> list[dict]:
        return _backtrack(self.groups, self.choices, k)


class AwardPlanner:
    """Answers "the fewest actions to reach X" for one unit or a department.

    ``categories`` are the current category scores (as the scoring package computes them from the
    same answers); ``shares`` each unit's share (see ``unit_shares``; one unit: share 1).
    """

    def __init__(self, answers, kpis, categories: pd.Series, shares: pd.Series, framework: Framework | None = None):
        framework = framework or default_framework()
        by_category: dict[int, list[_Group]] = {c.id: [] for c in framework.categories}
        for g in _groups(answers, kpis, framework, shares):
            by_category[g.category].append(g)
        self.plans = {}
        for c, groups in by_category.items():
            best, choices = _knapsack(groups)
            self.plans[c] = _CategoryPlan(float(categories.get(c, 0.0)), groups, best, choices)

    def category(self, category: int, threshold: float) -> AwardPath:
        plan = self.plans[category]
        k = plan.fewest(threshold)
        name = f"category {category} >= {threshold:g}"
        reachable = k is not None
        k = k if reachable else len(plan.best) - 1
        return self._path(name, reachable, plan.actions(k), float(plan.best[k]))

    def total(self, threshold: float, category_min: float = 0.0) -> AwardPath:
        """Fewest actions for total >= threshold with every category >= category_min."""
        name = f"total >= {threshold:g}" + (f", every category >= {category_min:g}" if category_min else "")
        floors = {c: p.fewest(category_min) for c, p in self.plans.items()}
        if any(k is None for k in floors.values()):
            return self._everything(name)
        need = threshold * len(self.plans) - sum(p.current for p in self.plans.values())
        best = np.zeros(1)
        picks = []
        for c, plan in self.plans.items():
            best, choice = _combine(best, plan.best[floors[c]:])
            picks.append((c, choice))
        reach = np.nonzero(best >= need - EPS)[0]
        if not len(reach):
            return self._everything(name)
        k = int(reach[0])
        gained = float(best[k]) / len(self.plans)
        taken = []
        for c, choice in reversed(picks):
            j = int(choice[k])
            taken.extend(self.plans[c].actions(floors[c] + j))
            k -= j
        return self._path(name, True, taken, gained)

    def _everything(self, name: str) -> AwardPath:
        taken = [a for p in self.plans.values() for a in p.actions(len(p.best) - 1)]
        gained = sum(float(p.best[-1]) for p in self.plans.values()) / len(self.plans)
        return self._path(name, False, taken, gained)

    @staticmethod
    def _path(name: str, reachable: bool, taken: list[dict], gained: float) -> AwardPath:
        """``gained``: total-score points for a total target, category points for a category one."""
        frame = pd.DataFrame(taken, columns=["unit", "kind", "ref", "item", "level"])
        frame = frame.sort_values(["item", "unit", "ref"]).reset_index(drop=True)
        return AwardPath(name, reachable, frame, gained)
