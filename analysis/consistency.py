"""Consistency between processes and results, as an examiner reads them: an item of categories 1-6 that claims a
high level while the KPIs tracking it are below target or falling is flagged, with both figures. Which KPI tracks
which items, and which levels and trends are flagged, are data (the criteria file's ``tracks`` per KPI and its
``consistency`` rule; the committee's choice of tracked items for the year, on the department page, where made).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from scoring import Framework

COLUMNS = ["item", "level", "kpi", "fiscal_year", "value", "target", "previous", "below_target", "falling"]


def worse(direction: str, value: float, than: float) -> bool:
    """Whether ``value`` is worse than ``than`` for a KPI of ``direction`` ("higher" or "lower" is better)."""
    return value < than if direction == "higher" else value > than


def flags(framework: Framework, levels: Mapping[str, str | None], values: pd.DataFrame,
          tracks: Mapping[str, Sequence[str]], claims: Sequence[str], falling: int) -> pd.DataFrame:
    """Per item claiming one of ``claims`` (its level in ``levels``: item -> the highest level reached, or None)
    and per KPI tracking it (``tracks``: KPI -> items) whose latest value is below its target or has fallen
    ``falling`` years in a row (0: never flagged for falling): the item, its level, the KPI, its latest fiscal year
    and value, the target, the value the year before, and which of the two it is.

    ``values``: kpi, fiscal_year, value (the department's).
    """
    kpis = {kpi.id: kpi for _, kpi in framework.kpis()}
    series = {kpi: frame.dropna(subset=["value"]).sort_values("fiscal_year")
              for kpi, frame in values.groupby("kpi")} if not values.empty else {}
    rows = []
    for kpi_id, items in tracks.items():
        kpi, data = kpis.get(kpi_id), series.get(kpi_id)
        if kpi is None or data is None or data.empty:
            continue
        years, figures = data["fiscal_year"].tolist(), data["value"].astype(float).tolist()
        below = worse(kpi.direction, figures[-1], kpi.target)
        down = falling > 0 and len(figures) > falling and all(
            worse(kpi.direction, figures[-n], figures[-n - 1]) for n in range(1, falling + 1))
        if not (below or down):
            continue
        for item in items:
            level = levels.get(item)
            if level in claims:
                rows.append((item, level, kpi_id, int(years[-1]), figures[-1], kpi.target,
                             figures[-2] if len(figures) > 1 else None, below, down))
    out = pd.DataFrame(rows, columns=COLUMNS)
    if out.empty:
        return out
    key = out["item"].map(lambda item: tuple(int(part) for part in item.split(".")))
    return out.assign(_key=key).sort_values(["_key", "kpi"]).drop(columns="_key").reset_index(drop=True)
