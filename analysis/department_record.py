"""The department's assessment of record, scored by the scoring package as one more "unit"."""

from __future__ import annotations

import pandas as pd
from sqlite_utils import Database

from analysis.scores import rules_of
from analysis.self_assessment import LiveScores
from scoring import level_for, roll_up, unit_item_scores
from storage import department, years


def record_scores(db: Database, year: int) -> LiveScores | None:
    """The record's item, category and total scores under the year's rules; None before it is started."""
    inputs = department.score_inputs(db, year)
    if inputs is None:
        return None
    framework = years.framework_of(db, year)
    scores = unit_item_scores(*inputs, framework, keys=pd.DataFrame({"unit": [department.UNIT]}),
                              **rules_of(framework)).set_index("item")
    categories, total = roll_up(scores["score"], framework)
    not_assessed = frozenset(scores.index[~scores["assessed"]]) if "assessed" in scores else frozenset()
    return LiveScores(scores["score"], categories, total, level_for(total, framework.thresholds.levels), not_assessed)
