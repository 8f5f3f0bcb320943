"""Each year's own version (storage.db.year_versions), which keys the ministry roll-up's cached figures of one
department's year: it moves with every change that can move that year's figures and with nothing that belongs to
another year; on real stores of either engine."""

import pytest
from readers import reader

from storage import audit
from storage.assessment import answers, assessments, years
from storage.db import data_version, year_versions
from storage.organisation import org, signin

YEARS = [2568, 2569, 2570]


def moved(db, change) -> list[int]:
    """The years whose version ``change`` moves, and the data version moves whenever one does."""
    before, whole = year_versions(db, YEARS), data_version(db)
    change()
    after = year_versions(db, YEARS)
    if after != before:
        assert data_version(db) != whole
    return [year for year in YEARS if after[year] != before[year]]


def test_a_save_in_a_years_assessment_moves_that_year_only(full_demo_db):
    db, committee = full_demo_db, reader(full_demo_db, "committee")
    table = assessments.status_table(db, committee, 2570)
    aid = int(table.loc[table["status"] == "submitted", "assessment_id"].iloc[0])
    version = db.execute("SELECT version FROM assessments WHERE id = ?", [aid]).fetchone()[0]
    assert moved(db, lambda: answers.save_checkpoints(db, committee, aid, version, {"1.1.B1": False},
                                                      source="review")) == [2570]


def test_reopening_a_closed_year_moves_that_year_only(full_demo_db):
    db, admin = full_demo_db, reader(full_demo_db, "admin")
    assert years.cycle(db, 2568)["status"] == "closed"
    assert moved(db, lambda: years.reopen_year(db, admin, 2568, "แก้ไขข้อมูลย้อนหลัง")) == [2568]


def test_a_change_to_what_every_year_reads_moves_every_year(full_demo_db):
    db, admin = full_demo_db, reader(full_demo_db, "admin")
    unit = org.units(db).iloc[0]
    assert moved(db, lambda: org.update_unit(db, admin, int(unit["id"]), unit["code"], unit["name_th"],
                                             unit["name_en"], unit["kind"], float(unit["weight"]) + 1)) == YEARS


@pytest.mark.parametrize(("entity", "entity_id", "years_moved"), [
    ("assessment", "by id", [2569]),  # an assessment's entries name the assessment, of its own year
    ("cycle", 2569, [2569]),
    ("dept_record", 2570, [2570]),
    ("workplan", 2568, [2568]),
    ("cycle", None, YEARS),  # a year's record naming no year: every year, to be safe
    ("assessment", 999_999, YEARS),  # an assessment the store no longer has
    ("ofi", 1, YEARS),  # not known to belong to one year: every year
    ("unit", 1, YEARS),
    ("session", 1, []),  # signing in and out, and the documents' queue, change no figure
    ("document_job", 1, []),
])
def test_which_years_an_audited_change_moves(full_demo_db, entity, entity_id, years_moved):
    db = full_demo_db
    if entity_id == "by id":
        entity_id = db.execute("SELECT MIN(id) FROM assessments WHERE year = 2569").fetchone()[0]
    assert moved(db, lambda: audit.record(db, "someone", "change", entity, entity_id)) == years_moved


def test_signing_in_moves_no_year_and_years_differ_and_name_the_department(full_demo_db):
    db = full_demo_db
    assert moved(db, lambda: signin.sign_in(db, "demo-director", "wrong password", "c")) == []
    versions = year_versions(db, YEARS)
    assert len(set(versions.values())) == len(YEARS)
    assert all(v.startswith(f"{db.department}: {year} ") for year, v in versions.items())
    assert year_versions(db, []) == {}


def test_a_store_without_changes_has_a_version_for_each_year(db):
    assert year_versions(db, [2570]) == {2570: f"{db.department}: 2570 0 "}
