"""Assessments: status transitions, completeness, copying last year, and the frames for scoring."""

import threading

import pandas as pd
import pytest
from readers import reader

from scoring import default_framework, department_scores, unit_item_scores
from storage import connect
from storage.assessment import answers, assessments, years
from storage.errors import AccessDenied, InputError, NotEditable, VersionConflict
from storage.organisation import accounts, org


def complete(db, user, assessment_id, version):
    """Answer every item: one Basic tick per item 1.1-6.4, this year's value for every KPI."""
    framework = default_framework()
    ticks = {item.checkpoints.basic[0].id: True for item in framework.items() if not item.is_results}
    version = answers.save_checkpoints(db, user, assessment_id, version, ticks)
    year = db.execute("SELECT year FROM assessments WHERE id = ?", [assessment_id]).fetchone()[0]
    values = {(kpi.id, year): 90.0 for _, kpi in framework.kpis()}
    return answers.save_kpi_values(db, user, assessment_id, version, values)


@pytest.fixture
def setup(db):
    org.add_cycle(db, 2569, status="closed")
    org.add_cycle(db, 2570)
    unit_id = org.add_unit(db, "U1", "หน่วยทดสอบ", "Test unit", weight=10)
    other_id = org.add_unit(db, "U2", "หน่วยอื่น", "Other unit", weight=30)
    return {
        "unit": unit_id, "other": other_id,
        "user": accounts.create_user(db, "unit1", "correct horse", "unit", unit_id=unit_id),
        "other_user": accounts.create_user(db, "unit2", "correct horse", "unit", unit_id=other_id),
        "committee": accounts.create_user(db, "board", "correct horse", "committee"),
        "admin": accounts.create_user(db, "owner", "correct horse", "admin"),
    }


def test_ensure_creates_one_draft(db, setup):
    first = assessments.ensure(db, setup["user"], setup["unit"], 2570)
    second = assessments.ensure(db, setup["user"], setup["unit"], 2570)
    assert first["id"] == second["id"] and first["status"] == "draft" and first["version"] == 0


def test_unit_user_cannot_reach_another_unit(db, setup):
    with pytest.raises(AccessDenied):
        assessments.ensure(db, setup["user"], setup["other"], 2570)
    other = assessments.ensure(db, setup["other_user"], setup["other"], 2570)
    with pytest.raises(AccessDenied):
        answers.save_checkpoints(db, setup["user"], other["id"], 0, {"1.1.B1": True})
    with pytest.raises(AccessDenied):
        answers.load(db, setup["user"], other["id"])
    assert db.execute("SELECT COUNT(*) FROM checkpoint_answers").fetchone()[0] == 0


def test_submit_needs_every_item_and_lists_what_is_missing(db, setup):
    a = assessments.ensure(db, setup["user"], setup["unit"], 2570)
    v = answers.save_checkpoints(db, setup["user"], a["id"], 0, {"1.1.B1": True})
    with pytest.raises(InputError) as err:
        assessments.change_status(db, setup["user"], a["id"], v, "submit")
    assert err.value.key == "error_incomplete" and err.value.params["items"].startswith("1.2, 1.3")
    assert assessments.get(db, setup["unit"], 2570)["status"] == "draft"
    v = complete(db, setup["user"], a["id"], v)
    v = assessments.change_status(db, setup["user"], a["id"], v, "submit")
    assert assessments.get(db, setup["unit"], 2570)["status"] == "submitted"


def test_submitted_is_read_only_for_the_unit_until_returned(db, setup):
    a = assessments.ensure(db, setup["user"], setup["unit"], 2570)
    v = assessments.change_status(db, setup["user"], a["id"], complete(db, setup["user"], a["id"], 0), "submit")
    with pytest.raises(NotEditable):
        answers.save_checkpoints(db, setup["user"], a["id"], v, {"1.1.B2": True})
    with pytest.raises(InputError, match="error_reason_required"):
        assessments.change_status(db, setup["committee"], a["id"], v, "return", reason="  ")
    v = assessments.change_status(db, setup["committee"], a["id"], v, "return", reason="แนบหลักฐานเพิ่ม")
    assert assessments.get(db, setup["unit"], 2570)["return_reason"] == "แนบหลักฐานเพิ่ม"
    v = answers.save_checkpoints(db, setup["user"], a["id"], v, {"1.1.B2": True})  # editable again
    v = assessments.change_status(db, setup["user"], a["id"], v, "submit")
    v = assessments.change_status(db, setup["committee"], a["id"], v, "approve")
    with pytest.raises(NotEditable):
        answers.save_checkpoints(db, setup["user"], a["id"], v, {"1.1.B3": True})
    with pytest.raises(AccessDenied):
        assessments.change_status(db, setup["committee"], a["id"], v, "reopen", reason="x")
    assessments.change_status(db, setup["admin"], a["id"], v, "reopen", reason="แก้ไขตัวชี้วัด")
    assert assessments.get(db, setup["unit"], 2570)["status"] == "returned"


def test_stale_status_change_is_refused(db, setup):
    a = assessments.ensure(db, setup["user"], setup["unit"], 2570)
    v = complete(db, setup["user"], a["id"], 0)
    with pytest.raises(VersionConflict):
        assessments.change_status(db, setup["user"], a["id"], v - 1, "submit")


def test_concurrent_saves_from_two_connections_lose_nothing(tmp_path):
    path = tmp_path / "shared.db"
    db = connect(path)
    org.add_cycle(db, 2570)
    unit_id = org.add_unit(db, "U1", "หน่วยทดสอบ", "Test unit")
    user = accounts.create_user(db, "unit1", "correct horse", "unit", unit_id=unit_id)
    a = assessments.ensure(db, user, unit_id, 2570)

    def save(checkpoint):
        conn = connect(path)
        version = conn.execute("SELECT version FROM assessments WHERE id = ?", [a["id"]]).fetchone()[0]
        while True:  # a refused save re-reads the latest version and tries again, as the page does
            try:
                answers.save_checkpoints(conn, user, a["id"], version, {checkpoint: True})
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
    v = complete(db, setup["user"], a["id"], 0)
    assessments.change_status(db, setup["user"], a["id"], v, "submit")
    actions = [r[0] for r in db.execute("SELECT action FROM audit_log WHERE entity = 'assessment' ORDER BY id")]
    assert actions == ["create", "save_self", "save_self_kpi", "submit"]


def test_copy_previous_marks_everything_for_confirmation(db, setup):
    years.reopen_year(db, setup["admin"], 2569, "last year's form, for this test")
    years.set_phase(db, setup["admin"], 2569, "self_assessment", "open", "last year's form, for this test")
    old = assessments.ensure(db, setup["user"], setup["unit"], 2569)
    v = answers.save_checkpoints(db, setup["user"], old["id"], 0, {"1.1.B1": True, "1.1.B2": False})
    v = answers.save_narrative(db, setup["user"], old["id"], v, "1.1", "basic", "ทบทวนวิสัยทัศน์ทุกปี")
    answers.save_kpi_values(db, setup["user"], old["id"], v, {("RM1", 2569): 88.0, ("RM1", 2567): 70.0})
    years.close_year(db, setup["admin"], 2569)
    new = assessments.ensure(db, setup["user"], setup["unit"], 2570)
    v = assessments.copy_previous(db, setup["user"], new["id"], 0)
    form = answers.load(db, setup["user"], new["id"])
    assert form.ticks["1.1.B1"] == {"self": True, "review": None, "needs_confirm": True}
    assert form.narratives[("1.1", "basic")] == "ทบทวนวิสัยทัศน์ทุกปี"
    assert form.kpi_values == {("RM1", 2569): {"self": 88.0, "review": None}}  # 2567 is outside 2568-2570
    assert "1.1" in assessments.unanswered_items(form, default_framework())
    v = answers.confirm_item(db, setup["user"], new["id"], v, "1.1")
    assert "1.1" not in assessments.unanswered_items(answers.load(db, setup["user"], new["id"]), default_framework())
    with pytest.raises(InputError, match="error_copy_not_empty"):
        assessments.copy_previous(db, setup["user"], new["id"], v)


def test_copy_previous_without_last_year_says_so(db, setup):
    a = assessments.ensure(db, setup["user"], setup["unit"], 2570)
    with pytest.raises(InputError, match="error_no_previous"):
        assessments.copy_previous(db, setup["user"], a["id"], 0)


def test_score_inputs_counts_only_submitted_and_reads_the_chosen_source(db, setup):
    a = assessments.ensure(db, setup["user"], setup["unit"], 2570)
    b = assessments.ensure(db, setup["other_user"], setup["other"], 2570)
    ticks = {f"1.2.{level}{n}": True for level in "BA" for n in (1, 2, 3)}
    v = answers.save_checkpoints(db, setup["user"], a["id"], complete(db, setup["user"], a["id"], 0), ticks)
    v = assessments.change_status(db, setup["user"], a["id"], v, "submit")
    answers.save_checkpoints(db, setup["committee"], a["id"], v, {"1.2.A1": False}, source="review")
    answers.save_checkpoints(db, setup["other_user"], b["id"], 0, {"2.1.B1": True})  # a draft: not counted

    self_answers, kpis = assessments.score_inputs(db, 2570, "self")
    assert set(self_answers["unit"]) == {setup["unit"]} and set(kpis["unit"]) == {setup["unit"]}
    self_score = unit_item_scores(self_answers).set_index("item")["score"]["1.2"]
    review_answers, _ = assessments.score_inputs(db, 2570, "review")
    review_score = unit_item_scores(review_answers).set_index("item")["score"]["1.2"]
    assert (self_score, review_score) == (400.0, pytest.approx(300 + 200 / 3))
    assert assessments.units_with_assessment(db, 2570, assessments.COUNTED) == [setup["unit"]]


def test_score_inputs_of_demo_store_match_department_scores(demo_db):
    answers_, kpis = assessments.score_inputs(demo_db, 2569)
    result = department_scores(unit_item_scores(answers_, kpis))
    assert result.units == 20 and 0 < result.total < 500
    table = assessments.status_table(demo_db, reader(demo_db), 2570)
    assert len(table) == 20 and set(table["status"]) >= {"not_started", "draft", "submitted", "approved"}


def test_kpi_results_keep_three_fiscal_years(demo_db):
    history = assessments.kpi_results(demo_db, 2570, statuses=None).query("unit == 1")
    assert set(history["fiscal_year"]) == {2568, 2569, 2570}
    assert isinstance(history, pd.DataFrame) and history["value"].between(0, 100).all()


def test_review_source_covers_reviewed_assessments_and_best_covers_all(db, setup):
    a = assessments.ensure(db, setup["user"], setup["unit"], 2570)
    b = assessments.ensure(db, setup["other_user"], setup["other"], 2570)
    va = assessments.change_status(db, setup["user"], a["id"], complete(db, setup["user"], a["id"], 0), "submit")
    assessments.change_status(db, setup["other_user"], b["id"], complete(db, setup["other_user"], b["id"], 0), "submit")
    answers.save_checkpoints(db, setup["committee"], a["id"], va, {"1.1.B1": False}, source="review")
    reviewed, _ = assessments.score_inputs(db, 2570, "review")
    best, _ = assessments.score_inputs(db, 2570, "best")
    assert set(reviewed["unit"]) == {setup["unit"]}  # the other unit is not reviewed yet
    assert set(best["unit"]) == {setup["unit"], setup["other"]}
    assert assessments.units_with_assessment(db, 2570, source="review") == [setup["unit"]]
    met = best.set_index(["unit", "checkpoint"])["met"]
    assert not met[(setup["unit"], "1.1.B1")] and met[(setup["other"], "1.1.B1")]


def test_kpi_results_read_every_year_from_the_chosen_source(db, setup):
    a = assessments.ensure(db, setup["user"], setup["unit"], 2570)
    v = complete(db, setup["user"], a["id"], 0)
    v = answers.save_kpi_values(db, setup["user"], a["id"], v, {("RM1", 2568): 70.0})
    v = assessments.change_status(db, setup["user"], a["id"], v, "submit")
    answers.save_kpi_values(db, setup["committee"], a["id"], v, {("RM1", 2570): 80.0}, source="review")
    own = assessments.kpi_results(db, 2570, "self").set_index(["kpi", "fiscal_year"])["value"]
    best = assessments.kpi_results(db, 2570, "best").set_index(["kpi", "fiscal_year"])["value"]
    assert (own[("RM1", 2570)], own[("RM1", 2568)]) == (90.0, 70.0)
    assert (best[("RM1", 2570)], best[("RM1", 2568)]) == (80.0, 70.0)


@pytest.mark.parametrize("way", ["return", "reopen"])
def test_a_returned_unit_keeps_counting_by_what_it_submitted_until_it_submits_again(db, setup, way):
    """Issue 11: re-opening one unit moved the department total; now the record of its last submitted (or
    approved) values counts while the unit corrects its form."""
    from analysis.summary import department_summary

    a = assessments.ensure(db, setup["user"], setup["unit"], 2570)
    v = answers.save_checkpoints(db, setup["user"], a["id"], complete(db, setup["user"], a["id"], 0),
                                 {"1.1.B2": True, "1.1.B3": True})
    v = assessments.change_status(db, setup["user"], a["id"], v, "submit")
    v = answers.save_checkpoints(db, setup["committee"], a["id"], v, {"1.1.B3": False}, source="review")
    if way == "reopen":
        v = assessments.change_status(db, setup["committee"], a["id"], v, "approve")
        v = assessments.change_status(db, setup["admin"], a["id"], v, "reopen", "แก้ตัวชี้วัด")
    else:
        v = assessments.change_status(db, setup["committee"], a["id"], v, "return", "เพิ่มหลักฐาน")
    before = {s: assessments.score_inputs(db, 2570, s) for s in assessments.SOURCES}
    summary = department_summary(db, setup["committee"], 2570)
    assert summary.units_counted == 1 and summary.kept == 1 and summary.total > 0

    # the unit corrects its form: the department's figures do not move
    v = answers.save_checkpoints(db, setup["user"], a["id"], v, {"1.1.B1": False, "2.1.B1": True, "1.1.A1": True})
    v = answers.save_kpi_values(db, setup["user"], a["id"], v, {(kpi.id, 2570): 10.0 for _, kpi in
                                                               default_framework().kpis()})
    for source, (answers_before, kpis_before) in before.items():
        answers_now, kpis_now = assessments.score_inputs(db, 2570, source)
        pd.testing.assert_frame_equal(answers_now, answers_before)
        pd.testing.assert_frame_equal(kpis_now, kpis_before)
    assert department_summary(db, setup["committee"], 2570).total == summary.total
    # its own view shows its live values
    own, _ = assessments.score_inputs(db, 2570, "self", statuses=None, unit_id=setup["unit"])
    assert set(own.loc[own["met"], "checkpoint"]) >= {"2.1.B1", "1.1.A1"}

    # submitted again: the new values count, and the caption's note goes
    assessments.change_status(db, setup["user"], a["id"], v, "submit")
    again = department_summary(db, setup["committee"], 2570)
    assert again.kept == 0 and again.total != summary.total
