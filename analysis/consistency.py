"""Consistency between processes and results, as an examiner reads them: an item of categories 1-6 that claims a
high level while the KPIs tracking it are below target or falling is flagged, with both figures. Which KPI tracks
which items, and which levels and trends are flagged, are data (the criteria file's ``tracks`` per KPI and its
``consistency`` rule; the committee's choice of tracked items for the year, on the department page, where made).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

import pandas as pd

from analysis.self_assessment import item_view
from scoring import Framework
from storage.assessment import years
from storage.engine import Store
from storage.record import department

COLUMNS = ["item", "level", "kpi", "fiscal_year", "value", "target", "previous", "below_target", "falling"]


def worse(direction: str, value: float, than: float) -> bool:
    """Whether ``value`` is worse than ``than`` for a KPI of ``direction`` ("higher" or "lower" is better)."""
    return value < than if direction == "higher" else value > than


def flags(framework: Framework, levels: Mapping[str, str | None], values: pd.DataFrame,
          tracks: Mapping[str, Sequence[str]], claims: Sequence[str], falling: int,
          below_target: bool = True) -> pd.DataFrame:
    """Per item claiming one of ``claims`` (its level in ``levels``: item -> the highest level reached, or None)
    and per KPI tracking it (``tracks``: KPI -> items) whose latest value is below its target or has fallen
    ``falling`` years in a row (0: never flagged for falling; ``below_target`` False: never for the target): the
    item, its level, the KPI, its latest fiscal year
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
        below = below_target and worse(kpi.direction, figures[-1], kpi.target)
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


def department_flags(db: Store, year: int) -> pd.DataFrame:
    """The department's assessment of record read as an examiner would: each item's level from its answers, each
    KPI's values (up to five years) and the items it tracks (the committee's choice for the year where it made
    one, else the criteria file's), by the criteria's rule; empty before the record is started."""
    record = db.execute("SELECT 1 FROM dept_records WHERE year = ?", [year]).fetchone()
    framework = years.framework_of(db, year)
    if record is None:
        return pd.DataFrame(columns=COLUMNS)
    ticks = {cp: bool(met) for cp, met in db.execute("SELECT checkpoint, met FROM dept_answers WHERE year = ?",
                                                      [year])}
    levels = {item.id: item_view(item, ticks, framework).level for item in framework.items() if not item.is_results}
    chosen = {kpi: json.loads(items or "[]") for kpi, items in db.execute(
        "SELECT kpi, items FROM dept_kpi_notes WHERE year = ?", [year])}
    tracks = {kpi.id: chosen.get(kpi.id) or list(kpi.tracks) for _, kpi in framework.kpis()}
    rule = framework.consistency
    return flags(framework, levels, department.kpi_results(db, year), tracks, rule.claims, rule.falling,
                 rule.below_target)
