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


def test_the_department_record_read_by_the_criteria_rule(demo_db, demo_user):
    from analysis.consistency import department_flags
    from storage.record import department

    assert department_flags(demo_db, 2570).empty  # not started
    committee = demo_user("committee")
    record = department.start(demo_db, committee, 2570)
    item = RM1.tracks[0]
    ticks = {cp.id: True for level in ("basic", "advance") for cp in FW.item(item).level_checkpoints(level)}
    version = department.save_answers(demo_db, committee, 2570, record.version, ticks)
    version = department.save_kpi_values(demo_db, committee, 2570, version, {("RM1", y): v for y, v in (
        (2568, T + 6), (2569, T + 3), (2570, T + 1))})  # above target, falling two years
    table = department_flags(demo_db, 2570)
    row = table[(table["item"] == item) & (table["kpi"] == "RM1")].iloc[0]
    assert row["level"] in ("advance", "significance") and bool(row["falling"]) and not bool(row["below_target"])
    # the committee says RM1 tracks another item this year: the flag moves with it
    department.save_kpi_note(demo_db, committee, 2570, version, "RM1", items=["3.1"])
    assert item not in set(department_flags(demo_db, 2570).query("kpi == 'RM1'")["item"])


def test_the_department_page_shows_a_flag_with_both_figures(app, demo_db, demo_user):
    from i18n import translate
    from i18n.format import level_label
    from storage.record import department

    committee = demo_user("committee")
    record = department.start(demo_db, committee, 2570)
    item = RM1.tracks[0]
    ticks = {cp.id: True for level in ("basic", "advance") for cp in FW.item(item).level_checkpoints(level)}
    version = department.save_answers(demo_db, committee, 2570, record.version, ticks)
    department.save_kpi_values(demo_db, committee, 2570, version, {("RM1", 2570): T - 4})
    at = app("committee", page="pages/department.py")
    category = int(item.split(".")[0])
    at.segmented_control(key="dp:category").set_value(category).run()
    warnings = [w.value for w in at.warning if translate("eg_flags_title", "th", n=1) in w.value]
    level = department_flags_level(demo_db, item)
    assert warnings and translate("eg_flag_below", "th", value=f"{T - 4:,.2f}", target=f"{T:g}", year=2570) \
        in warnings[0] and level_label(level, "th") in warnings[0]


def department_flags_level(db, item):
    from analysis.consistency import department_flags

    table = department_flags(db, 2570)
    return table[table["item"] == item]["level"].iloc[0]
