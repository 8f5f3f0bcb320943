"""The points an improvement plan is expected to win, by the scoring package: the unit's total (or, for a
department plan, the department's mean over the counted units) with every target met, less the total now.
A target checkpoint counts as met; a target KPI as at its best this year (its ceiling, or above 105 % of
its target for a KPI scored on the percentage of target). Basic-first locking applies as always, so a
target can be worth nothing until the checkpoints before it are met, and targets together can be worth
more than apart."""

from __future__ import annotations

import pandas as pd
from sqlite_utils import Database

from analysis.self_assessment import one_assessment
from scoring import Framework
from storage import assessments, years


def _best(row, criteria: dict) -> float:
    """A KPI's best value: a criteria KPI's ceiling (the score frames carry its bounds only for a unit's own
    KPI); a unit's own KPI, past both its ceiling and the 105 % step of its target."""
    if row["kpi"] in criteria:
        return criteria[row["kpi"]].ceiling
    higher = row["direction"] == "higher"
    if row["target"] is None or pd.isna(row["target"]):
        return row["ceiling"]
    by_target = row["target"] * (1.06 if higher else 0.94)
    return max(row["ceiling"], by_target) if higher else min(row["ceiling"], by_target)


def _improved(answers: pd.DataFrame, kpis: pd.DataFrame, unit, targets, framework: Framework):
    checkpoints = {ref for kind, ref in targets if kind == "checkpoint"}
    chosen = {ref for kind, ref in targets if kind == "kpi"}
    mine = answers[answers["unit"] == unit]
    met = mine[~mine["checkpoint"].isin(checkpoints)]
    met = pd.concat([met, pd.DataFrame({"unit": unit, "checkpoint": sorted(checkpoints), "met": True})],
                    ignore_index=True)
    values = kpis[kpis["unit"] == unit].copy()
    known = set(values["kpi"])
    extra = [{"unit": unit, "kpi": k.id, "value": None, "item": item.id, "floor": k.floor, "ceiling": k.ceiling,
              "target": k.target, "direction": k.direction} for item, k in framework.kpis()
             if k.id in chosen and k.id not in known]
    if extra:
        values = pd.concat([values, pd.DataFrame(extra)], ignore_index=True)
    rows = values["kpi"].isin(chosen)
    criteria = {k.id: k for _, k in framework.kpis()}
    values["value"] = values["value"].astype(float)
    values.loc[rows, "value"] = [_best(row, criteria) for _, row in values[rows].iterrows()]
    return met, values


def expected_points(db: Database, year: int, unit_id: int | None, targets, source: str = "best") -> float:
    """The total-score points the plan's ``targets`` ((kind, ref) pairs) would win: for a unit's plan its own
    total; for a department plan (``unit_id`` None) the mean gain over the units counted this year."""
    framework = years.framework_of(db, year)
    targets = list(targets or ())
    if not targets:
        return 0.0
    statuses = None if unit_id is not None else assessments.COUNTED
    answers, kpis = assessments.score_inputs(db, year, source, statuses=statuses, unit_id=unit_id)
    units = [unit_id] if unit_id is not None else assessments.units_with_assessment(db, year, statuses, source)
    gains = []
    for unit in units:
        now = one_assessment(answers[answers["unit"] == unit], kpis[kpis["unit"] == unit], framework, unit).total
        met, values = _improved(answers, kpis, unit, targets, framework)
        gains.append(one_assessment(met, values, framework, unit).total - now)
    return float(sum(gains) / len(gains)) if gains else 0.0
