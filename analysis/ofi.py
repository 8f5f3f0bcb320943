"""Gaps from the store, ready to become OFIs: for the department (shared across units) or one unit."""

from __future__ import annotations

import pandas as pd

from scoring import Framework
from scoring.ofi import department_gaps, gaps, unit_shares
from storage.assessment import assessments, years
from storage.engine import Store

GAP_COLUMNS = ["kind", "ref", "item", "category", "level", "units", "unit_ids", "points", "text"]


def gap_table(db: Store, year: int, lang: str = "th", unit_id: int | None = None, source: str = "best",
              limit: int | None = None) -> pd.DataFrame:
    """Gaps ranked by the total-score points closing them would gain for the department (mean over
    the submitted and approved units), with how many units and which ones share each; for one unit
    when ``unit_id`` is given, in that unit's own points."""
    statuses = None if unit_id is not None else assessments.COUNTED
    answers, kpis = assessments.score_inputs(db, year, source, statuses=statuses, unit_id=unit_id)
    units = [unit_id] if unit_id is not None else assessments.units_with_assessment(db, year, statuses, source)
    shares = unit_shares(units) if unit_id is None else pd.Series(1.0, index=pd.Index(units, name="unit"))
    table = ranked_gaps(answers, kpis, shares, years.framework_of(db, year), lang)
    return table.head(limit) if limit else table


def ranked_gaps(answers: pd.DataFrame, kpis: pd.DataFrame, shares: pd.Series, framework: Framework,
                lang: str = "th") -> pd.DataFrame:
    """``gap_table`` on score inputs already read: each unit's points weighted by its share."""
    if shares.empty:
        return pd.DataFrame(columns=GAP_COLUMNS)
    found = gaps(answers, kpis, framework, shares)
    if found.empty:
        return pd.DataFrame(columns=GAP_COLUMNS)
    table = department_gaps(found)
    table["text"] = [text.get(lang) if (text := framework.text_of(ref)) else ref for ref in table["ref"]]
    return table[GAP_COLUMNS].reset_index(drop=True)
