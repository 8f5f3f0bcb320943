"""The committee's view: every unit's status with its self and reviewed scores."""

from __future__ import annotations

import pandas as pd

from analysis.scores import categories_of, cycle_scores
from scoring import Framework
from storage.assessment import assessments, years
from storage.engine import Store
from storage.organisation.accounts import User

REVIEWABLE = ("submitted", "returned", "approved")


def unit_category_scores(db: Store, year: int, source: str, statuses: tuple[str, ...] | None,
                         framework: Framework) -> pd.DataFrame:
    """Units x categories 1-7 plus ``total``, for the cycle's assessments in ``statuses``."""
    scores = cycle_scores(db, year, source, statuses=statuses)
    return pd.DataFrame(columns=[*range(1, 8), "total"]) if scores is None else categories_of(scores.grid, framework)


def review_queue(db: Store, reader: User, year: int) -> pd.DataFrame:
    """One row per active unit: status, last change, self total, reviewed total (once submitted) and
    their difference (reviewed - self)."""
    framework = years.framework_of(db, year)
    table = assessments.status_table(db, reader, year)
    own = unit_category_scores(db, year, "self", None, framework)["total"].rename("self_total")
    reviewed = unit_category_scores(db, year, "review", REVIEWABLE, framework)["total"].rename("review_total")
    table = table.join(own, on="unit_id").join(reviewed, on="unit_id")
    return table.assign(difference=table["review_total"] - table["self_total"])


def category_comparison(own: pd.Series, reviewed: pd.Series) -> pd.DataFrame:
    """Per category: self score, reviewed score and the difference, largest gap first."""
    frame = pd.DataFrame({"self": own, "review": reviewed, "difference": reviewed - own})
    return frame.reindex(frame["difference"].abs().sort_values(ascending=False, kind="stable").index)
