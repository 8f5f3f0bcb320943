"""Assessments: version-checked saves, statuses, and the frames handed to the scoring package."""

import threading

import pandas as pd
import pytest

from scoring import department_scores, unit_item_scores
from storage import accounts, assessments, connect, org
from storage.assessments import VersionConflict


@pytest.fixture
def setup(db):
    org.add_cycle(db, 2570)
    unit_id = org.add_unit(db, "U1", "หน่วยทดสอบ", "Test unit", weight=10)
    other_id = org.add_unit(db, "U2", "หน่วยอื่น", "Other unit", weight=30)
    user = accounts.create_user(db, "unit1", "correct horse", "unit", unit_id=unit_id)
    committee = accounts.create_user(db, "board", "correct horse", "committee")
    return {"unit": unit_id, "other": other_id, "user": user, "committee": committee}


def test_ensure_creates_one_draft(db, setup):
    first = assessments.ensure(db, setup["user"], setup["unit"], 2570)
    second = assessments.ensure(db, setup["user"], setup["unit"], 2570)
    assert first["id"] == second["id"] and first["status"] == "draft" and first["version"] == 0


def test_unit_user_cannot_touch_another_unit(db, setup):
    with pytest.raises(accounts.AccessDenied):
        assessments.ensure(db, setup["user"], setup["other"], 2570)
    other = assessments.ensure(db, setup["committee"], setup["other"], 2570)
    with pytest.raises(accounts.AccessDenied):
        assessments.save_checkpoints(db, setup["user"], other["id"], 0, {"1.1.B1": True})
    assert db.execute("SELECT COUNT(*) FROM checkpoint_answers").fetchone()[0] == 0


def test_save_bumps_version_and_stale_save_is_refused(db, setup):
    a = assessments.ensure(db, setup["user"], setup["unit"], 2570)
    v1 = assessments.save_checkpoints(db, setup["user"], a["id"], 0, {"1.1.B1": True})
    assert v1 == 1
    with pytest.raises(VersionConflict) as err:
        assessments.save_checkpoints(db, setup["user"], a["id"], 0, {"1.1.B1": False})
    assert err.value.current_version == 1
    met = db.execute("SELECT self_met FROM checkpoint_answers WHERE checkpoint = '1.1.B1'").fetchone()[0]
    assert met == 1  # the refused save changed nothing


def test_concurrent_saves_from_two_connections_lose_nothing(tmp_path):
    path = tmp_path / "shared.db"
    db = connect(path)
    org.add_cycle(db, 2570)
    unit_id = org.add_unit(db, "U1", "หน่วยทดสอบ", "Test unit")
    user = accounts.create_user(db, "unit1", "correct horse", "unit", unit_id=unit_id)
    a = assessments.ensure(db, user, unit_id, 2570)
    outcomes = []

    def save(checkpoint):
        conn = connect(path)
        version = conn.execute("SELECT version FROM assessments WHERE id = ?", [a["id"]]).fetchone()[0]
        while True:  # a refused save re-reads the latest version and tries again, as the page does
            try:
                assessments.save_checkpoints(conn, user, a["id"], version, {checkpoint: True})
                outcomes.append(checkpoint)
                return
            except VersionConflict as exc:
                version = exc.current_version

    threads = [threading.Thread(target=save, args=(f"1.1.B{n}",)) for n in (1, 2, 3)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    stored = {r[0] for r in db.execute("SELECT checkpoint FROM checkpoint_answers WHERE self_met = 1")}
    assert stored == {"1.1.B1", "1.1.B2", "1.1.B3"}
    assert db.execute("SELECT version FROM assessments WHERE id = ?", [a["id"]]).fetchone()[0] == 3
    assert db.execute("SELECT COUNT(*) FROM audit_log WHERE action = 'save_self'").fetchone()[0] == 3


def test_every_save_and_status_change_is_audited(db, setup):
    a = assessments.ensure(db, setup["user"], setup["unit"], 2570)
    v = assessments.save_checkpoints(db, setup["user"], a["id"], 0, {"1.1.B1": True})
    assessments.set_status(db, setup["user"], a["id"], v, "submitted")
    actions = [r[0] for r in db.execute("SELECT action FROM audit_log WHERE entity = 'assessment' ORDER BY id")]
    assert actions == ["create", "save_self", "status"]


def test_unknown_status_is_refused(db, setup):
    a = assessments.ensure(db, setup["user"], setup["unit"], 2570)
    with pytest.raises(ValueError, match="unknown status"):
        assessments.set_status(db, setup["user"], a["id"], 0, "finished")


def test_review_values_never_overwrite_self_values(db, setup):
    a = assessments.ensure(db, setup["user"], setup["unit"], 2570)
    v = assessments.save_checkpoints(db, setup["user"], a["id"], 0, {"1.1.B1": True, "1.1.B2": True})
    assessments.save_checkpoints(db, setup["committee"], a["id"], v, {"1.1.B2": False}, source="review")
    rows = dict((r[0], (r[1], r[2])) for r in db.execute(
        "SELECT checkpoint, self_met, review_met FROM checkpoint_answers"))
    assert rows == {"1.1.B1": (1, None), "1.1.B2": (1, 0)}
    with pytest.raises(accounts.AccessDenied):
        assessments.save_checkpoints(db, setup["user"], a["id"], v + 1, {"1.1.B2": True}, source="review")


def test_score_inputs_counts_only_submitted_and_reads_the_chosen_source(db, setup):
    a = assessments.ensure(db, setup["user"], setup["unit"], 2570)
    b = assessments.ensure(db, setup["committee"], setup["other"], 2570)
    ticks = {f"1.1.{level}{n}": True for level, count in (("B", 3), ("A", 3)) for n in range(1, count + 1)}
    v = assessments.save_checkpoints(db, setup["user"], a["id"], 0, ticks)
    v = assessments.save_checkpoints(db, setup["committee"], a["id"], v, {"1.1.A1": False}, source="review")
    assessments.set_status(db, setup["user"], a["id"], v, "submitted")
    other_user = accounts.create_user(db, "unit2", "correct horse", "unit", unit_id=setup["other"])
    assessments.save_checkpoints(db, other_user, b["id"], 0, {"2.1.B1": True})  # a draft: not counted

    self_answers, _ = assessments.score_inputs(db, 2570, "self")
    assert set(self_answers["unit"]) == {setup["unit"]}
    self_score = unit_item_scores(self_answers).set_index("item")["score"]["1.1"]
    review_answers, _ = assessments.score_inputs(db, 2570, "review")
    review_score = unit_item_scores(review_answers).set_index("item")["score"]["1.1"]
    assert (self_score, review_score) == (400.0, pytest.approx(300 + 200 / 3))
    assert assessments.counted_units(db, 2570) == [setup["unit"]]


def test_score_inputs_of_demo_store_match_department_scores(demo_db):
    answers, kpis = assessments.score_inputs(demo_db, 2569)
    result = department_scores(unit_item_scores(answers, kpis))
    assert result.units == 20 and 0 < result.total < 500
    table = assessments.status_table(demo_db, 2570)
    assert len(table) == 20 and set(table["status"]) >= {"not_started", "draft", "submitted", "approved"}


def test_kpi_results_keep_three_fiscal_years(demo_db):
    history = assessments.kpi_history(demo_db, 1, 2570)
    assert set(history["fiscal_year"]) == {2568, 2569, 2570}
    assert isinstance(history, pd.DataFrame) and history["self_value"].between(0, 100).all()
