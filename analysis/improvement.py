"""The points an improvement plan is expected to win, by the scoring package: the unit's total (or, for a
department plan, the department's mean over the counted units) with every target met, less the total now.
A target checkpoint counts as met; a target KPI as at its best this year (its ceiling, or above 105 % of
its target for a KPI scored on the percentage of target). Basic-first locking applies as always, so a
target can be worth nothing until the checkpoints before it are met, and targets together can be worth
more than apart."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from analysis.self_assessment import one_assessment
from scoring import Framework
from storage.assessment import assessments, years
from storage.engine import Store


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


def _with_targets(answers: pd.DataFrame, kpis: pd.DataFrame, unit, framework: Framework, met: dict[str, bool],
                  chosen: set[str], value_of: Callable[[pd.Series], float | None]):
    """The unit's answers with each target checkpoint set as ``met`` says, and its KPI values with each ``chosen``
    KPI's value given by ``value_of`` (a criteria KPI the unit has no value for is added first)."""
    mine = answers[answers["unit"] == unit]
    answered = pd.concat([mine[~mine["checkpoint"].isin(met)],
                          pd.DataFrame({"unit": unit, "checkpoint": list(met), "met": list(met.values())})],
                         ignore_index=True)
    values = kpis[kpis["unit"] == unit].copy()
    known = set(values["kpi"])
    extra = [{"unit": unit, "kpi": k.id, "value": None, "item": item.id, "floor": k.floor, "ceiling": k.ceiling,
              "target": k.target, "direction": k.direction} for item, k in framework.kpis()
             if k.id in chosen and k.id not in known]
    if extra:
        values = pd.concat([values, pd.DataFrame(extra)], ignore_index=True)
    rows = values["kpi"].isin(chosen)
    values["value"] = values["value"].astype(float)
    values.loc[rows, "value"] = [value_of(row) for _, row in values[rows].iterrows()]
    return answered, values


def _gains(db: Store, year: int, unit_id: int | None, targets, source: str, later: tuple | None):
    """Per unit, the total with the targets as met (``later`` None: at their best; else as the next year's
    answers and KPI values have them) less the total now. A unit without an assessment in both years is left
    out."""
    framework = years.framework_of(db, year)
    statuses = None if unit_id is not None else assessments.COUNTED
    answers, kpis = assessments.score_inputs(db, year, source, statuses=statuses, unit_id=unit_id)
    units = [unit_id] if unit_id is not None else assessments.units_with_assessment(db, year, statuses, source)
    checkpoints = sorted({ref for kind, ref in targets if kind == "checkpoint"})
    chosen = {ref for kind, ref in targets if kind == "kpi"}
    criteria = {k.id: k for _, k in framework.kpis()}
    if later is not None:
        later_answers, later_kpis, assessed = later
        units = [u for u in units if u in assessed]
    for unit in units:
        if later is None:
            met, value_of = dict.fromkeys(checkpoints, True), lambda row: _best(row, criteria)
        else:
            then = later_answers[later_answers["unit"] == unit].set_index("checkpoint")["met"]
            reached = later_kpis[later_kpis["unit"] == unit].set_index("kpi")["value"]
            met = {cp: bool(then.get(cp, False)) for cp in checkpoints}
            value_of = lambda row, reached=reached: reached.get(row["kpi"])  # noqa: E731
        now = one_assessment(answers[answers["unit"] == unit], kpis[kpis["unit"] == unit], framework, unit).total
        answered, values = _with_targets(answers, kpis, unit, framework, met, chosen, value_of)
        yield one_assessment(answered, values, framework, unit).total - now


def expected_points(db: Store, year: int, unit_id: int | None, targets, source: str = "best") -> float:
    """The total-score points the plan's ``targets`` ((kind, ref) pairs) would win: for a unit's plan its own
    total; for a department plan (``unit_id`` None) the mean gain over the units counted this year."""
    targets = list(targets or ())
    if not targets:
        return 0.0
    gains = list(_gains(db, year, unit_id, targets, source, None))
    return float(sum(gains) / len(gains)) if gains else 0.0


def won_points(db: Store, year: int, unit_id: int | None, targets, source: str = "best") -> float | None:
    """The points the plan's ``targets`` won when the next year's self-assessment is scored: this year's
    assessment with each target checkpoint and target KPI as the next year's assessment has it, less this year's
    total (by this year's rules, so only the targets' effect is counted). A department plan: the mean over the
    units counted in both years. None until the next year has such an assessment."""
    targets = list(targets or ())
    if not targets or years.cycle(db, year + 1) is None:
        return None
    statuses = None if unit_id is not None else assessments.COUNTED
    assessed = set(assessments.units_with_assessment(db, year + 1, statuses, source))
    later = (*assessments.score_inputs(db, year + 1, source, statuses=statuses, unit_id=unit_id), assessed)
    gains = list(_gains(db, year, unit_id, targets, source, later))
    return float(sum(gains) / len(gains)) if gains else None


def state_counts(progress: pd.DataFrame, by: str, states: tuple[str, ...]) -> pd.DataFrame:
    """Actions per state (columns, in ``states`` order) for each category (``by`` "categories": an action
    counts under every category its plan's OFIs are in) or each unit (``by`` "unit"; the department as -1)."""
    frame = progress.explode(by) if by == "categories" else progress.assign(unit=progress["unit"].fillna(-1))
    if frame.empty:
        return pd.DataFrame(columns=list(states), dtype=int)
    counts = frame.groupby([by, "state"]).size().unstack(fill_value=0)
    return counts.reindex(columns=list(states), fill_value=0).sort_index()
