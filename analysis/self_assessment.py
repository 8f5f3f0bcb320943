"""What the self-assessment form shows, computed from a loaded form with the scoring package:
live item scores with their locked points and what would release them, progress, KPI rows."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analysis.scores import rules_of
from scoring import LEVELS, Framework, item_detail, kpi_score, level_for, roll_up, unit_item_scores
from scoring.criteria import Item
from scoring.rules import ItemDetail, target_score
from storage.assessment.answers import Form
from storage.assessment.assessments import counted_answers, unanswered_items


@dataclass(frozen=True)
class ItemView:
    detail: ItemDetail
    level: str
    release: list[str]  # the missing checkpoints whose completion releases the locked points


def ticks_of(form: Form, source: str = "self") -> dict[str, bool]:
    """Checkpoint -> met; for the reviewed view, the committee's value where it set one."""
    if source == "self":
        return {cp: v["self"] for cp, v in form.ticks.items()}
    return {cp: v["review"] if v["review"] is not None else v["self"] for cp, v in form.ticks.items()}


def item_view(item: Item, ticks: dict[str, bool], framework: Framework) -> ItemView:
    per_level = [[ticks.get(cp.id, False) for cp in item.level_checkpoints(lvl)] for lvl in LEVELS]
    detail = item_detail(*per_level)
    release = []
    if detail.blocking:
        release = [cp.id for cp in item.level_checkpoints(detail.blocking) if not ticks.get(cp.id, False)]
    return ItemView(detail, level_for(detail.score, framework.thresholds.levels), release)


def kpi_value(form: Form, kpi_id: str, fiscal_year: int, source: str = "self") -> float | None:
    value = form.kpi_values.get((kpi_id, fiscal_year))
    if value is None:
        return None
    if source == "self" or value["review"] is None:
        return value["self"]
    return value["review"]


def score_frames(form: Form, source: str = "self") -> tuple[pd.DataFrame, pd.DataFrame]:
    """The form as the scoring package's input frames (one unit). The reviewed view leaves out the unit's own
    KPIs the committee judged not suitable, as the store's figures do."""
    unit, year = form.assessment["unit_id"], form.assessment["year"]
    answers = pd.DataFrame([(unit, cp, met) for cp, met in ticks_of(form, source).items()],
                           columns=["unit", "checkpoint", "met"])
    own = {row["kpi"]: row for row in form.own_kpis}
    left_out = set() if source == "self" else {kpi for kpi, row in own.items() if row.get("suitable") == 0}
    columns = ["item", "floor", "ceiling", "target", "direction"]
    kpis = pd.DataFrame(
        [(unit, kpi, kpi_value(form, kpi, year, source), *(own.get(kpi, {}).get(c) for c in columns))
         for (kpi, fy) in form.kpi_values if fy == year and kpi not in left_out],
        columns=["unit", "kpi", "value", *columns])
    return answers, kpis


@dataclass(frozen=True)
class LiveScores:
    items: pd.Series
    categories: pd.Series
    total: float
    level: str
    not_assessed: frozenset[str] = frozenset()  # items 7.x still missing KPI values, when the year says so


def live_scores(form: Form, framework: Framework, source: str = "self") -> LiveScores:
    answers, kpis = score_frames(form, source)
    return one_assessment(counted_answers(answers, framework), kpis, framework, form.assessment["unit_id"])


def one_assessment(answers: pd.DataFrame, kpis: pd.DataFrame, framework: Framework, unit) -> LiveScores:
    """One assessment's item, category and total scores under the year's rules, from the scoring package's
    frames (``unit`` is their key; an item with no answer scores 0)."""
    keys = pd.DataFrame({"unit": [unit]})
    scores = unit_item_scores(answers, kpis, framework, keys=keys, **rules_of(framework)).set_index("item")
    categories, total = roll_up(scores["score"], framework)
    not_assessed = frozenset(scores.index[~scores["assessed"]]) if "assessed" in scores else frozenset()
    return LiveScores(scores["score"], categories, total, level_for(total, framework.thresholds.levels),
                      not_assessed)


def by_target(framework: Framework, form: Form, kpi_id: str) -> bool:
    """Whether the KPI is the unit's own and the criteria score such KPIs on the percentage of target."""
    return framework.rules.unit_kpis == "percent_of_target" and any(r["kpi"] == kpi_id for r in form.own_kpis)


def kpi_score_of(kpi, value: float | None, on_target: bool = False) -> float:
    """A KPI's score on its floor and ceiling, or on the percentage of its target (a unit's own KPI when the
    criteria say so)."""
    return target_score(value, kpi.target, kpi.direction) if on_target else kpi_score(value, kpi.floor, kpi.ceiling)


@dataclass(frozen=True)
class Progress:
    answered: dict[int, int]  # category -> items answered
    totals: dict[int, int]  # category -> items
    missing: list[str]

    @property
    def percent(self) -> float:
        total = sum(self.totals.values())
        return 100.0 * sum(self.answered.values()) / total if total else 0.0


def progress(form: Form, framework: Framework) -> Progress:
    missing = unanswered_items(form, framework)
    totals = {c.id: len(c.items) for c in framework.assessed()}
    answered = {c.id: sum(1 for i in c.items if i.id not in missing) for c in framework.assessed()}
    return Progress(answered, totals, missing)
