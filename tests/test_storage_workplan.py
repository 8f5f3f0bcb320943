"""The year's work plan on real SQLite files: started from the ten-step template, edited as one table by the
PMQA owner (add, remove, reorder, reschedule, progress), approved by the director; every change checked,
versioned and audited; a schedule change after approval asks for approval again."""

import json
from datetime import date

import pytest

from storage import accounts, org, workplan
from storage.errors import AccessDenied, InputError, NotEditable, VersionConflict

YEAR = 2570


@pytest.fixture
def people(db):
    org.add_cycle(db, YEAR)
    unit_id = org.add_unit(db, "U1", "หน่วยทดสอบ", "Test unit")
    return {role: accounts.create_user(db, role, "correct horse", role, unit_id=unit_id if role == "unit" else None)
            for role in ("admin", "director", "committee", "unit")}


def audited(db, action):
    return [json.loads(r["detail"]) for r in db.query(
        "SELECT detail FROM audit_log WHERE entity = 'workplan' AND action = ? ORDER BY id", [action])]


def test_the_template_has_the_ten_steps_of_the_procedure_in_the_fiscal_year(db, people):
    plan = workplan.start(db, people["admin"], YEAR)
    assert plan.version == 1 and plan.status == "draft" and len(plan.steps) == 10
    assert plan.steps[0]["title_th"] == "แต่งตั้งผู้รับผิดชอบงาน PMQA"
    assert plan.steps[0]["start_month"] == "2026-10" and plan.steps[-1]["end_month"] == "2027-09"
    assert all(s["status"] == "not_started" and s["roles"] for s in plan.steps)
    assert audited(db, "start") == [{"steps": 10}]
    with pytest.raises(InputError, match="error_wp_exists"):
        workplan.start(db, people["admin"], YEAR)
    for role in ("director", "committee", "unit"):  # everyone reads it
        assert workplan.get(db, people[role], YEAR).steps == plan.steps


@pytest.mark.parametrize("role", ["director", "committee", "unit"])
def test_only_the_pmqa_owner_starts_and_edits_the_plan(db, people, role):
    with pytest.raises(AccessDenied):
        workplan.start(db, people[role], YEAR)
    plan = workplan.start(db, people["admin"], YEAR)
    with pytest.raises(AccessDenied):
        workplan.save(db, people[role], YEAR, plan.version, plan.steps)


def test_add_remove_reorder_and_reschedule_in_one_save(db, people):
    admin = people["admin"]
    plan = workplan.start(db, admin, YEAR)
    steps = plan.steps
    edited = [steps[1], steps[0] | {"end_month": "2026-11", "owner": "นางสาวกานดา"}, *steps[2:9],
              {"id": None, "title_th": "ตรวจเยี่ยมพื้นที่", "title_en": "Site visit", "start_month": "2027-06",
               "end_month": "2027-07", "roles": ["committee", "director"], "status": "not_started"}]
    version = workplan.save(db, admin, YEAR, plan.version, edited)
    saved = workplan.get(db, admin, YEAR)
    assert version == saved.version == 2
    assert [s["title_th"] for s in saved.steps] == [s["title_th"] for s in edited]
    assert saved.steps[1]["end_month"] == "2026-11" and saved.steps[1]["owner"] == "นางสาวกานดา"
    assert saved.steps[-1]["roles"] == ["committee", "director"]
    [entry] = audited(db, "save")
    assert entry["added"] == ["ตรวจเยี่ยมพื้นที่"] and entry["removed"] == [steps[9]["title_th"]]
    assert entry["reordered"] is True
    assert entry["changed"][str(steps[0]["id"])] == {"end_month": ["2026-10", "2026-11"],
                                                     "owner": ["", "นางสาวกานดา"]}


def test_approval_holds_for_progress_and_is_asked_again_for_a_new_schedule(db, people):
    admin, director = people["admin"], people["director"]
    plan = workplan.start(db, admin, YEAR)
    version = workplan.approve(db, director, YEAR, plan.version)
    assert workplan.get(db, admin, YEAR).status == "approved"
    with pytest.raises(InputError, match="error_wp_approved"):
        workplan.approve(db, director, YEAR, version)
    steps = workplan.get(db, admin, YEAR).steps
    done = [steps[0] | {"status": "done", "done_on": "2026-10-20", "documents": [
        {"title": "คำสั่งแต่งตั้ง", "url": "https://intranet.example.go.th/order.pdf"}]}, *steps[1:]]
    version = workplan.save(db, admin, YEAR, version, done)
    saved = workplan.get(db, admin, YEAR)
    assert saved.status == "approved" and saved.steps[0]["done_on"] == "2026-10-20"
    assert saved.steps[0]["documents"][0]["title"] == "คำสั่งแต่งตั้ง"
    version = workplan.save(db, admin, YEAR, version, [*saved.steps[:5], saved.steps[5] | {"end_month": "2027-01"},
                                                       *saved.steps[6:]])
    assert workplan.get(db, admin, YEAR).status == "changed"
    workplan.approve(db, director, YEAR, version)
    plan = workplan.get(db, admin, YEAR)
    assert plan.status == "approved" and plan.approved_by == "director"
    assert [e["was"] for e in audited(db, "approve")] == ["draft", "changed"]


@pytest.mark.parametrize("role", ["admin", "committee", "unit"])
def test_only_the_director_approves(db, people, role):
    plan = workplan.start(db, people["admin"], YEAR)
    with pytest.raises(AccessDenied):
        workplan.approve(db, people[role], YEAR, plan.version)


@pytest.mark.parametrize(("change", "key"), [
    ({"title_th": "  "}, "error_wp_title"),
    ({"title_th": "ก" * 201}, "error_wp_text"),
    ({"start_month": "2027-10"}, "error_wp_month"),
    ({"end_month": "2570-01"}, "error_wp_month"),
    ({"start_month": "2027-03", "end_month": "2027-02"}, "error_wp_order"),
    ({"roles": ["unit", "boss"]}, "error_wp_roles"),
    ({"status": "finished"}, "error_wp_status"),
    ({"status": "done", "done_on": "2099-01-01"}, "error_wp_done_on"),
    ({"status": "done", "done_on": "yesterday"}, "error_wp_done_on"),
    ({"documents": [{"title": "x", "url": "javascript:alert(1)"}]}, "error_wp_document"),
    ({"documents": [{"url": f"https://example.go.th/{n}"} for n in range(11)]}, "error_wp_documents"),
])
def test_a_bad_row_is_refused_naming_it_and_nothing_changes(db, people, change, key):
    admin = people["admin"]
    plan = workplan.start(db, admin, YEAR)
    with pytest.raises(InputError) as refused:
        workplan.save(db, admin, YEAR, plan.version, [*plan.steps[:2], plan.steps[2] | change, *plan.steps[3:]])
    assert refused.value.key == key and refused.value.params.get("row", 3) == 3
    assert workplan.get(db, admin, YEAR) == plan and audited(db, "save") == []


def test_done_without_a_date_is_done_today_and_undone_clears_the_date(db, people):
    admin = people["admin"]
    plan = workplan.start(db, admin, YEAR)
    version = workplan.save(db, admin, YEAR, plan.version, [plan.steps[0] | {"status": "done"}, *plan.steps[1:]])
    assert workplan.get(db, admin, YEAR).steps[0]["done_on"] == date.today().isoformat()
    workplan.save(db, admin, YEAR, version, [plan.steps[0] | {"status": "in_progress", "done_on": "2026-10-01"},
                                            *plan.steps[1:]])
    assert workplan.get(db, admin, YEAR).steps[0]["done_on"] is None


def test_a_stale_save_or_a_step_of_another_plan_is_refused(db, people):
    admin = people["admin"]
    plan = workplan.start(db, admin, YEAR)
    workplan.save(db, admin, YEAR, plan.version, plan.steps[:9])
    with pytest.raises(VersionConflict):
        workplan.save(db, admin, YEAR, plan.version, plan.steps)
    current = workplan.get(db, admin, YEAR)
    with pytest.raises(InputError, match="error_wp_unknown_step"):
        workplan.save(db, admin, YEAR, current.version, [*current.steps, plan.steps[9]])  # removed meanwhile
    with pytest.raises(InputError, match="error_wp_empty"):
        workplan.save(db, admin, YEAR, current.version, [])


def test_a_closed_year_cannot_be_planned_or_approved(db, people):
    plan = workplan.start(db, people["admin"], YEAR)
    db.execute("UPDATE cycles SET status = 'closed' WHERE year = ?", [YEAR])
    db.conn.commit()
    with pytest.raises(NotEditable):
        workplan.save(db, people["admin"], YEAR, plan.version, plan.steps)
    with pytest.raises(NotEditable):
        workplan.approve(db, people["director"], YEAR, plan.version)


def test_what_is_due_for_a_role_this_month_overdue_first(db, people):
    plan = workplan.start(db, people["admin"], YEAR)
    today = date(2026, 12, 5)  # the third fiscal month: the six steps of October and November are overdue
    mine = workplan.due(plan, "admin", today)
    assert [s["title_th"] for s in mine] == [s["title_th"] for s in plan.steps[:8]]  # not those from January
    assert [workplan.overdue(s, today) for s in mine] == [True] * 6 + [False] * 2
    assert workplan.due(plan, "unit", today) == plan.steps[6:8]  # the briefing and the application
    assert workplan.due(plan, "unit", date(2026, 10, 15)) == []  # nothing of the units' starts in October
    assert workplan.due(plan, "director", date(2027, 9, 1))[-1] == plan.steps[9]
    assert workplan.due(None, "admin", today) == []
