"""What an examiner checks first (analysis.evidence_gaps): met levels with no evidence or no account, KPIs with
fewer than three years, no target or no comparison; case by case on small frames, then on a real store for the
units and the department."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.evidence_gaps import DEPARTMENT, counts, gaps, year_gaps
from scoring import default_framework
from storage.record import department

FW = default_framework()
YEAR = 2570


def frame(rows, columns):
    return pd.DataFrame(rows, columns=columns)


ANSWERS = ["scope", "checkpoint", "met"]
PLACES = ["scope", "item", "level"]
KPIS = ["scope", "kpi", "item", "fiscal_year", "value", "target"]


def found(answers=(), evidence_rows=(), accounts=(), kpis=(), compared=None):
    table = gaps(FW, frame(list(answers), ANSWERS), frame(list(evidence_rows), PLACES), frame(list(accounts), PLACES),
                 frame(list(kpis), KPIS), compared)
    return [tuple(None if pd.isna(v) else v for v in row) for row in table.itertuples(index=False)]


@pytest.mark.parametrize(("case", "kwargs", "expected"), [
    ("a met level with neither", {"answers": [("HR", "1.1.B1", True)]},
     [("HR", "1.1", "basic", None, "met_no_evidence"), ("HR", "1.1", "basic", None, "met_no_account")]),
    ("an unmet checkpoint asks nothing", {"answers": [("HR", "1.1.B1", False)]}, []),
    ("evidence and an account of that level", {"answers": [("HR", "1.1.B1", True)],
                                              "evidence_rows": [("HR", "1.1", "basic")],
                                              "accounts": [("HR", "1.1", "basic")]}, []),
    ("evidence of another level does not count", {"answers": [("HR", "1.1.B1", True)],
                                                 "evidence_rows": [("HR", "1.1", "advance")],
                                                 "accounts": [("HR", "1.1", "basic")]},
     [("HR", "1.1", "basic", None, "met_no_evidence")]),
    ("another unit's evidence does not count", {"answers": [("HR", "1.1.B1", True)],
                                               "evidence_rows": [("FIN", "1.1", "basic")],
                                               "accounts": [("HR", "1.1", "basic")]},
     [("HR", "1.1", "basic", None, "met_no_evidence")]),
    ("the department's cover the whole item", {"answers": [(DEPARTMENT, "1.1.B1", True), (DEPARTMENT, "1.1.A1", True)],
                                               "evidence_rows": [(DEPARTMENT, "1.1", None)],
                                               "accounts": [(DEPARTMENT, "1.1", None)]}, []),
    ("two met checkpoints of a level: one gap", {"answers": [("HR", "1.1.B1", True), ("HR", "1.1.B2", True)],
                                                 "accounts": [("HR", "1.1", "basic")]},
     [("HR", "1.1", "basic", None, "met_no_evidence")]),
    ("a KPI of two years", {"kpis": [("HR", "RM1", "7.1", 2569, 80.0, 85.0), ("HR", "RM1", "7.1", 2570, 82.0, 85.0),
                                     ("HR", "RM1", "7.1", 2568, None, 85.0)]},
     [("HR", "7.1", None, "RM1", "kpi_few_years")]),
    ("a KPI of three years", {"kpis": [("HR", "RM1", "7.1", y, 80.0, 85.0) for y in (2568, 2569, 2570)]}, []),
    ("no target", {"kpis": [("HR", "U1", "7.2", y, 10.0, None) for y in (2568, 2569, 2570)]},
     [("HR", "7.2", None, "U1", "kpi_no_target")]),
    ("the department's KPI with no comparison", {
        "kpis": [(DEPARTMENT, "RM1", "7.1", y, 80.0, 85.0) for y in (2568, 2569, 2570)], "compared": set()},
     [(DEPARTMENT, "7.1", None, "RM1", "kpi_no_comparison")]),
    ("with one", {"kpis": [(DEPARTMENT, "RM1", "7.1", y, 80.0, 85.0) for y in (2568, 2569, 2570)],
                  "compared": {(DEPARTMENT, "RM1")}}, []),
    ("a unit is never asked for comparisons", {
        "kpis": [("HR", "RM1", "7.1", y, 80.0, 85.0) for y in (2568, 2569, 2570)], "compared": set()}, []),
])
def test_each_kind_of_gap(case, kwargs, expected):
    assert found(**kwargs) == expected, case


def test_on_the_store_the_units_and_the_department(demo_db, demo_user):
    before = year_gaps(demo_db, YEAR)
    assert DEPARTMENT not in set(before["scope"])  # not started: no department gaps
    units = set(before["scope"])
    assert units and units <= {r[0] for r in demo_db.execute("SELECT code FROM units")}
    committee = demo_user("committee")
    record = department.start(demo_db, committee, YEAR)
    after = year_gaps(demo_db, YEAR)
    mine = after[after["scope"] == DEPARTMENT]
    met_items = {cp.rsplit(".", 1)[0] for cp, met in record.ticks.items() if met}
    assert set(mine[mine["kind"] == "met_no_account"]["item"]) == met_items  # nothing written yet
    assert set(mine[mine["kind"] == "kpi_no_comparison"]["kpi"]) == {k.id for _, k in FW.kpis()}
    # an account and a citation close the item's two gaps
    item = sorted(met_items)[0]
    version = department.save_adli(demo_db, committee, YEAR, record.version, item, "approach", "แนวทาง")
    assessment = demo_db.execute("SELECT id FROM assessments WHERE year = ? AND status = 'submitted' ORDER BY id "
                                 "LIMIT 1", [YEAR]).fetchone()[0]
    demo_db["evidence"].insert({"assessment_id": assessment, "item": item, "level": "basic", "kind": "link",
                                "filename": "หลักฐาน", "url": "https://www.example.go.th/x", "confidential": 0,
                                "added_by": "demo-unit", "added_at": "2026-12-01T00:00:00+00:00"})
    department.cite(demo_db, committee, YEAR, version, item, [int(i) for i in department.citable(demo_db, YEAR,
                                                                                                  item)["id"]])
    again = year_gaps(demo_db, YEAR)
    mine = again[(again["scope"] == DEPARTMENT) & (again["item"] == item)]
    assert not {"met_no_account", "met_no_evidence"} & set(mine["kind"])
    assert counts(again) == {"department": int((again["scope"] == DEPARTMENT).sum()),
                             "units": int((again["scope"] != DEPARTMENT).sum())}
