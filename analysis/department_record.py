"""The department's assessment of record, scored by the scoring package as one more "unit"."""

from __future__ import annotations

from sqlite_utils import Database

from analysis.self_assessment import LiveScores, one_assessment
from storage import department, years


def record_scores(db: Database, year: int) -> LiveScores | None:
    """The record's item, category and total scores under the year's rules; None before it is started."""
    inputs = department.score_inputs(db, year)
    if inputs is None:
        return None
    return one_assessment(*inputs, years.framework_of(db, year), department.UNIT)
