"""The OFI (opportunity for improvement) engine: gaps ranked by points per action, and the award gap.

A *gap* is a missing checkpoint or a KPI below its ceiling. Completing a level releases the locked
points ticked above it, so a missing checkpoint is valued as its share of the *bundle* it belongs to:
every missing checkpoint of its level and the levels below, together with the score the item
reaches once they are all met. A KPI gap is one action: raising the KPI to its ceiling.

Points are on the scale of the total score (0-500): an item's points are divided by the number of
items in its category and by the number of categories assessed (seven unless the year's rules assess
fewer; a category not assessed has no gaps), and, for the department, weighted by each unit's
share (1/N for the mean, weight / sum of weights for the weighted mean).

The award path is the smallest set of actions that reaches a threshold, found exactly by dynamic
programming: within each category, the best gain for every number of actions (ticks within an item
go Basic, then Advance, then Significance, as gating demands); across categories, the fewest actions
whose categories all reach their floor and whose total reaches its threshold.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
import pandas as pd

from scoring.criteria import LEVELS, Framework, default_framework
from scoring.department import unit_weights
from scoring.frames import _keys_of, _layout, gated_array, gated_scores, kpi_rows, met_mask
from scoring.rules import LEVEL_POINTS, MAX_SCORE
from scoring.tables import checkpoint_table, item_table

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
    """Met counts per (unit, item) and level, the level sizes aligned to them, and the missing checkpoints
    (unit, checkpoint, item, category, level, order), from one dense units x checkpoints table. Answers
    for other units or checkpoints are left out."""
    layout = _layout(framework)
    units = pd.Index(units).unique().sort_values()
    unit_at = units.get_indexer(answers["unit"])
    checkpoint_at = layout.checkpoints.get_indexer(answers["checkpoint"])
    known = met_mask(answers["met"]).to_numpy() & (unit_at >= 0) & (checkpoint_at >= 0)
    ticked = np.zeros((len(units), len(layout.checkpoints)), dtype=bool)
    ticked[unit_at[known], checkpoint_at[known]] = True
    index = pd.MultiIndex.from_product([units, layout.checkpoint_items], names=["unit", "item"])
    met = pd.DataFrame((ticked @ layout.groups).reshape(-1, 3), index=index, columns=list(LEVELS))
    sizes = pd.DataFrame(np.tile(layout.sizes, (len(units), 1)), index=index, columns=list(LEVELS))
    unit_row, checkpoint_row = np.nonzero(~ticked)
    missing = checkpoint_table(framework).iloc[checkpoint_row].reset_index(drop=True)
    missing.insert(0, "unit", units[unit_row])
    return met, sizes, missing


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
    result = result[result["category"].isin(framework.rules.categories)]
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
class AwardPath:
    """The fewest actions reaching a target; ``reachable`` is False when even all gaps do not."""

    target: str
    reachable: bool
    actions: pd.DataFrame
    points: float


ACTION_COLUMNS = ["unit", "kind", "ref", "item", "level"]


@dataclass(frozen=True)
class _Groups:
    """Every independent choice of the award path: per (unit, item), how many of its missing checkpoints to
    tick (ticks go Basic, then Advance, then Significance, as gating demands), and per KPI below its
    ceiling, whether to raise it. ``values[g][j]`` is the category points the first ``j`` actions of group
    ``g`` gain; those actions are rows ``first[g] .. first[g] + j - 1`` of ``actions``."""

    category: np.ndarray
    values: list[np.ndarray]
    first: np.ndarray
    actions: pd.DataFrame


def _tick_values(met: np.ndarray, sizes: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """Row g, column j: the category points of item g after its next j missing ticks (0 beyond the last),
    for every item at once. ``met`` and ``sizes`` are (items, 3) in LEVELS order."""
    missing = sizes - met
    if not len(missing):
        return np.zeros((0, 1))
    j = np.arange(int(missing.sum(axis=1).max()) + 1)[None, :]
    basic = np.minimum(j, missing[:, [0]])
    advance = np.minimum(j - basic, missing[:, [1]])
    significance = np.minimum(j - basic - advance, missing[:, [2]])
    states = np.stack([met[:, [0]] + basic, met[:, [1]] + advance, met[:, [2]] + significance], axis=-1)
    steps = states.shape[1]
    scores = gated_array(states.reshape(-1, 3), np.repeat(sizes, steps, axis=0)).reshape(-1, steps)
    return (scores - scores[:, :1]) * scale[:, None]


def _groups(answers, kpis, framework, shares) -> _Groups:
    units = list(shares.index)
    met, sizes, missing = _checkpoint_state(answers, framework, pd.Index(units))
    items = item_table(framework).set_index("item")
    per_category = items.groupby("category").size()
    unit_of, item_of = met.index.get_level_values("unit"), met.index.get_level_values("item")
    category = items["category"].reindex(item_of).to_numpy(int)
    met_values, size_values = met.to_numpy(float), sizes.to_numpy(float)
    count = (size_values - met_values).sum(axis=1).astype(int)
    open_ = count > 0
    scale = shares.reindex(unit_of).to_numpy(float) / per_category.reindex(category).to_numpy(float)
    table = _tick_values(met_values[open_], size_values[open_], scale[open_])
    values = [row[: n + 1] for row, n in zip(table, count[open_], strict=True)]
    todo = missing.sort_values(["unit", "item", "order"])  # the groups' order, and within each the ticks'
    actions = [pd.DataFrame({"unit": todo["unit"].to_numpy(), "kind": "checkpoint",
                             "ref": todo["checkpoint"].to_numpy(), "item": todo["item"].to_numpy(),
                             "level": todo["level"].to_numpy()})]
    categories = [category[open_]]
    kp = kpi_rows(kpis, framework, ["unit"], pd.DataFrame({"unit": units}))
    kp = kp.assign(count=kp.groupby(["unit", "item"])["kpi"].transform("size"))
    kp = kp[kp["score"] < MAX_SCORE]
    gains = (MAX_SCORE - kp["score"].to_numpy(float)) / kp["count"].to_numpy(float) \
        * kp["unit"].map(shares).to_numpy(float) / float(per_category[7])
    values += [np.array([0.0, gain]) for gain in gains]
    categories.append(np.full(len(kp), 7))
    actions.append(pd.DataFrame({"unit": kp["unit"].to_numpy(), "kind": "kpi", "ref": kp["kpi"].to_numpy(),
                                 "item": kp["item"].to_numpy(), "level": None}))
    first = np.concatenate([[0], np.cumsum([len(v) - 1 for v in values])[:-1]]).astype(int)
    return _Groups(np.concatenate(categories), values, first,
                   pd.concat(actions, ignore_index=True)[ACTION_COLUMNS].astype({"level": "str"}))


def _maxplus(a: np.ndarray, b: np.ndarray, limit: int | None = None) -> np.ndarray:
    """out[k] = max over j of a[k - j] + b[j]: the best gain of k actions shared between two choices, for
    every k (or every k up to ``limit``). One shifted ``maximum`` per entry of the shorter array."""
    long, short = (a, b) if len(a) >= len(b) else (b, a)
    size = len(a) + len(b) - 1 if limit is None else min(len(a) + len(b) - 1, limit + 1)
    out = np.full(size, -np.inf)
    shifted = np.empty_like(long)
    for j, value in enumerate(short[:size].tolist()):
        end = min(j + len(long), size)
        np.maximum(out[j:end], np.add(long[: end - j], value, out=shifted[: end - j]), out=out[j:end])
    return out


def _enough(curves: list[np.ndarray], need: float) -> int | None:
    """A number of actions that reaches ``need`` over several nondecreasing gain curves (None if even all
    actions fall short): a feasible plan that takes the steps of each curve's upper concave hull, best gain
    per action first. Hull vertices are real points of the curves, so the plan is real, and the fewest
    actions are at most this many."""
    steps = []
    for curve in curves:
        hull: list[int] = []
        values = curve.tolist()
        for x, y in enumerate(values):
            while len(hull) >= 2 and (values[hull[-1]] - values[hull[-2]]) * (x - hull[-1]) <= \
                    (y - values[hull[-1]]) * (hull[-1] - hull[-2]):
                hull.pop()
            hull.append(x)
        steps += [((values[x1] - values[x0]) / (x1 - x0), x1 - x0, values[x1] - values[x0])
                  for x0, x1 in pairwise(hull)]
    gained, actions = sum(float(c[0]) for c in curves), 0
    for _slope, count, gain in sorted(steps, key=lambda step: -step[0]):
        if gained >= need - EPS:
            break
        gained, actions = gained + gain, actions + count
    return actions if gained >= need - EPS else None


def _split(a: np.ndarray, b: np.ndarray, k: int) -> int:
    """The j of b behind ``_maxplus(a, b)[k]``: the smallest j with a[k - j] + b[j] at its maximum."""
    low, high = max(0, k - len(a) + 1), min(k, len(b) - 1)
    if high - low < 16:  # a group's few options: plain Python is quicker than four NumPy calls
        sums = [a[k - j] + b[j] for j in range(low, high + 1)]
        return low + sums.index(max(sums))
    j = np.arange(low, high + 1)
    return int(j[np.argmax(a[k - j] + b[j])])


@dataclass(frozen=True)
class _CategoryPlan:
    current: float
    groups: list[int]  # indices into the planner's groups, in the order they were combined
    prefix: list[np.ndarray]  # prefix[g]: the best gain of k actions among the first g groups

    @property
    def best(self) -> np.ndarray:
        return self.prefix[-1]

    def fewest(self, floor: float) -> int | None:
        reach = np.nonzero(self.current + self.best >= floor - EPS)[0]
        return int(reach[0]) if len(reach) else None

    def taken(self, values: list[np.ndarray], k: int) -> list[tuple[int, int]]:
        """(group, actions taken from it) for the best k actions, by backtracking through the prefixes."""
        taken = []
        for position in range(len(self.groups) - 1, -1, -1):
            group = self.groups[position]
            j = _split(self.prefix[position], values[group], k)
            if j:
                taken.append((group, j))
            k -= j
        return taken


class AwardPlanner:
    """Answers "the fewest actions to reach X" for one unit or a department.

    ``categories`` are the current category scores (as the scoring package computes them from the
    same answers); ``shares`` each unit's share (see ``unit_shares``; one unit: share 1). ``only``: plan
    these categories alone (enough for their category paths; the total needs every category the rules
    assess).
    """

    def __init__(self, answers, kpis, categories: pd.Series, shares: pd.Series, framework: Framework | None = None,
                 only: Sequence[int] | None = None):
        framework = framework or default_framework()
        self.groups = _groups(answers, kpis, framework, shares)
        self.plans = {}
        for c in only or framework.rules.categories:
            members = np.nonzero(self.groups.category == c)[0].tolist()
            prefix = [np.zeros(1)]
            for g in members:
                prefix.append(_maxplus(prefix[-1], self.groups.values[g]))
            self.plans[c] = _CategoryPlan(float(categories.get(c, 0.0)), members, prefix)

    def category(self, category: int, threshold: float) -> AwardPath:
        plan = self.plans[category]
        k = plan.fewest(threshold)
        name = f"category {category} >= {threshold:g}"
        reachable = k is not None
        k = k if reachable else len(plan.best) - 1
        return self._path(name, reachable, plan.taken(self.groups.values, k), float(plan.best[k]))

    def total(self, threshold: float, category_min: float = 0.0) -> AwardPath:
        """Fewest actions for total >= threshold with every category >= category_min (a planner of every
        category)."""
        name = f"total >= {threshold:g}" + (f", every category >= {category_min:g}" if category_min else "")
        floors = {c: p.fewest(category_min) for c, p in self.plans.items()}
        if any(k is None for k in floors.values()):
            return self._everything(name)
        need = threshold * len(self.plans) - sum(p.current for p in self.plans.values())
        tails = {c: plan.best[floors[c]:] for c, plan in self.plans.items()}  # beyond each category's floor
        enough = _enough(list(tails.values()), need)
        if enough is None:
            return self._everything(name)
        prefix = [np.zeros(1)]
        for tail in tails.values():  # exact for every number of actions up to ``enough``
            prefix.append(_maxplus(prefix[-1], tail, enough))
        reach = np.nonzero(prefix[-1] >= need - EPS)[0]
        k = int(reach[0])
        gained = float(prefix[-1][k]) / len(self.plans)
        taken = []
        for position, (c, tail) in reversed(list(enumerate(tails.items()))):
            j = _split(prefix[position], tail, k)
            taken += self.plans[c].taken(self.groups.values, floors[c] + j)
            k -= j
        return self._path(name, True, taken, gained)

    def _everything(self, name: str) -> AwardPath:
        taken = [t for p in self.plans.values() for t in p.taken(self.groups.values, len(p.best) - 1)]
        gained = sum(float(p.best[-1]) for p in self.plans.values()) / len(self.plans)
        return self._path(name, False, taken, gained)

    def _path(self, name: str, reachable: bool, taken: list[tuple[int, int]], gained: float) -> AwardPath:
        """``taken``: (group, how many of its actions); ``gained``: total-score points for a total target,
        category points for a category one."""
        rows = np.concatenate([np.arange(self.groups.first[g], self.groups.first[g] + j) for g, j in taken]
                              ) if taken else np.zeros(0, dtype=int)
        frame = self.groups.actions.iloc[rows].sort_values(["item", "unit", "ref"]).reset_index(drop=True)
        return AwardPath(name, reachable, frame, gained)
