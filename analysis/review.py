"""The committee's view: every unit's status with its self and reviewed scores."""

from __future__ import annotations

import pandas as pd
from sqlite_utils import Database

from scoring import Framework, framework_for_year, unit_item_grid, unit_item_scores
from scoring.tables import item_table
from storage import assessments

REVIEWABLE = ("submitted", "returned", "approved")


def unit_category_scores(db: Database, year: int, source: str, statuses: tuple[str, ...] | None,
                         framework: Framework) -> pd.DataFrame:
    """Units x categories 1-7 plus ``total``, for the cycle's assessments in ``statuses``."""
    answers, kpis = assessments.score_inputs(db, year, source, statuses=statuses)
    units = assessments.units_with_assessment(db, year, statuses, source)
    if not units:
        return pd.DataFrame(columns=[*range(1, 8), "total"])
    scores = unit_item_scores(answers, kpis, framework, keys=pd.DataFrame({"unit": units}))
    grid = unit_item_grid(scores, framework)
    categories = grid.T.groupby(item_table(framework).set_index("item")["category"]).mean().T
    return categories.assign(total=categories.mean(axis=1))


def review_queue(db: Database, year: int) -> pd.DataFrame:
    """One row per active unit: status, last change, self total, reviewed total (once submitted) and
    their difference (reviewed - self)."""
    framework = framework_for_year(year)
    table = assessments.status_table(db, year)
    own = unit_category_scores(db, year, "self", None, framework)["total"].rename("self_total")
    reviewed = unit_category_scores(db, year, "review", REVIEWABLE, framework)["total"].rename("review_total")
    table = table.join(own, on="unit_id").join(reviewed, on="unit_id")
    return table.assign(difference=table["review_total"] - table["self_total"])


def category_comparison(own: pd.Series, reviewed: pd.Series) -> pd.DataFrame:
    """Per category: self score, reviewed score and the difference, largest gap first."""
    frame = pd.DataFrame({"self": own, "review": reviewed, "difference": reviewed - own})
    return frame.reindex(frame["difference"].abs().sort_values(ascending=False, kind="stable").index)
