"""Consistency between processes and results (analysis.consistency): an item claiming a high level while a KPI
tracking it is below target or falling is flagged with both figures; a table of cases."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.consistency import flags, worse
from scoring import default_framework

FW = default_framework()
RM1 = next(k for _, k in FW.kpis() if k.id == "RM1")  # higher is better


def values(*series):
    return pd.DataFrame([(kpi, year, value) for kpi, points in series for year, value in points],
                        columns=["kpi", "fiscal_year", "value"])


def run(levels, data, tracks=None, claims=("advance", "significance"), falling=2):
    table = flags(FW, levels, data, tracks or {"RM1": ["1.1", "2.1"]}, claims, falling)
    return [(r.item, r.kpi, r.below_target, r.falling) for r in table.itertuples()]


T = RM1.target


@pytest.mark.parametrize(("case", "levels", "data", "expected"), [
    ("below target, claiming advance", {"1.1": "advance"}, values(("RM1", [(2570, T - 5)])),
     [("1.1", "RM1", True, False)]),
    ("below target, claiming basic only", {"1.1": "basic"}, values(("RM1", [(2570, T - 5)])), []),
    ("at target, rising", {"1.1": "significance"}, values(("RM1", [(2568, T), (2569, T + 1), (2570, T + 2)])), []),
    ("above target but falling two years", {"1.1": "advance", "2.1": "significance"},
     values(("RM1", [(2568, T + 9), (2569, T + 6), (2570, T + 3)])),
     [("1.1", "RM1", False, True), ("2.1", "RM1", False, True)]),
    ("one fall is not a trend", {"1.1": "advance"}, values(("RM1", [(2568, T + 3), (2569, T + 9), (2570, T + 6)])),
     []),
    ("an item the KPI does not track", {"3.1": "advance"}, values(("RM1", [(2570, T - 5)])), []),
    ("no values", {"1.1": "advance"}, values(), []),
    ("the latest value counts, gaps skipped", {"1.1": "advance"},
     values(("RM1", [(2568, T - 10), (2569, None), (2570, T + 1)])), []),
])
def test_cases(case, levels, data, expected):
    assert run(levels, data) == expected, case


def test_both_figures_are_given():
    table = flags(FW, {"1.1": "advance"}, values(("RM1", [(2569, T + 1), (2570, T - 2)])), {"RM1": ["1.1"]},
                  ("advance",), 1)
    row = table.iloc[0]
    assert (row["value"], row["target"], row["previous"], row["fiscal_year"]) == (T - 2, T, T + 1, 2570)
    assert bool(row["below_target"]) and bool(row["falling"])


def test_lower_is_better_reverses_worse():
    assert worse("lower", 12.0, 10.0) and not worse("lower", 8.0, 10.0) and worse("higher", 8.0, 10.0)
