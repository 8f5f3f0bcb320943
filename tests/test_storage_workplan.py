"""The year's work plan on real SQLite files: started from the ten-step template, edited as one table by the
PMQA owner (add, remove, reorder, reschedule, progress), approved by the director; every change checked,
versioned and audited; a schedule change after approval asks for approval again."""

import json
from datetime import date

import pytest

from i18n.format import thailand_today
from storage.errors import AccessDenied, InputError, NotEditable, VersionConflict
from storage.organisation import accounts, org
from storage.plans import workplan

YEAR = 2570
START = date(2026, 10, 1)  # the fiscal year's first day: the template's own months


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
    plan = workplan.start(db, people["admin"], YEAR, START)
    assert plan.version == 1 and plan.status == "draft" and len(plan.steps) == 10
    assert plan.steps[0]["title_th"] == "แต่งตั้งผู้รับผิดชอบงาน PMQA"
    assert plan.steps[0]["start_month"] == "2026-10" and plan.steps[-1]["end_month"] == "2027-09"
    assert all(s["status"] == "not_started" and s["roles"] for s in plan.steps)
    assert audited(db, "start") == [{"steps": 10, "dated_from": "2026-10-01"}]
    with pytest.raises(InputError, match="error_wp_exists"):
        workplan.start(db, people["admin"], YEAR, START)
    for role in ("director", "committee", "unit"):  # everyone reads it
        assert workplan.get(db, people[role], YEAR).steps == plan.steps


@pytest.mark.parametrize("role", ["director", "committee", "unit"])
def test_only_the_pmqa_owner_starts_and_edits_the_plan(db, people, role):
    with pytest.raises(AccessDenied):
        workplan.start(db, people[role], YEAR, START)
    plan = workplan.start(db, people["admin"], YEAR, START)
    with pytest.raises(AccessDenied):
        workplan.save(db, people[role], YEAR, plan.version, plan.steps)


def test_add_remove_reorder_and_reschedule_in_one_save(db, people):
    admin = people["admin"]
    plan = workplan.start(db, admin, YEAR, START)
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
    plan = workplan.start(db, admin, YEAR, START)
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
    plan = workplan.start(db, people["admin"], YEAR, START)
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
    plan = workplan.start(db, admin, YEAR, START)
    with pytest.raises(InputError) as refused:
        workplan.save(db, admin, YEAR, plan.version, [*plan.steps[:2], plan.steps[2] | change, *plan.steps[3:]])
    assert refused.value.key == key and refused.value.params.get("row", 3) == 3
    assert workplan.get(db, admin, YEAR) == plan and audited(db, "save") == []


def test_done_without_a_date_is_done_today_and_undone_clears_the_date(db, people):
    admin = people["admin"]
    plan = workplan.start(db, admin, YEAR, START)
    version = workplan.save(db, admin, YEAR, plan.version, [plan.steps[0] | {"status": "done"}, *plan.steps[1:]])
    assert workplan.get(db, admin, YEAR).steps[0]["done_on"] == thailand_today().isoformat()
    workplan.save(db, admin, YEAR, version, [plan.steps[0] | {"status": "in_progress", "done_on": "2026-10-01"},
                                            *plan.steps[1:]])
    assert workplan.get(db, admin, YEAR).steps[0]["done_on"] is None


def test_a_stale_save_or_a_step_of_another_plan_is_refused(db, people):
    admin = people["admin"]
    plan = workplan.start(db, admin, YEAR, START)
    workplan.save(db, admin, YEAR, plan.version, plan.steps[:9])
    with pytest.raises(VersionConflict):
        workplan.save(db, admin, YEAR, plan.version, plan.steps)
    current = workplan.get(db, admin, YEAR)
    with pytest.raises(InputError, match="error_wp_unknown_step"):
        workplan.save(db, admin, YEAR, current.version, [*current.steps, plan.steps[9]])  # removed meanwhile
    with pytest.raises(InputError, match="error_wp_empty"):
        workplan.save(db, admin, YEAR, current.version, [])


def test_a_closed_year_cannot_be_planned_or_approved(db, people):
    plan = workplan.start(db, people["admin"], YEAR, START)
    db.execute("UPDATE cycles SET status = 'closed' WHERE year = ?", [YEAR])
    with pytest.raises(NotEditable):
        workplan.save(db, people["admin"], YEAR, plan.version, plan.steps)
    with pytest.raises(NotEditable):
        workplan.approve(db, people["director"], YEAR, plan.version)


def test_what_is_due_for_a_role_this_month_overdue_first(db, people):
    plan = workplan.start(db, people["admin"], YEAR, START)
    today = date(2026, 12, 5)  # the third fiscal month: the six steps of October and November are overdue
    mine = workplan.due(plan, "admin", today)
    assert [s["title_th"] for s in mine] == [s["title_th"] for s in plan.steps[:8]]  # not those from January
    assert [workplan.overdue(s, today) for s in mine] == [True] * 6 + [False] * 2
    assert workplan.due(plan, "unit", today) == plan.steps[6:8]  # the briefing and the application
    assert workplan.due(plan, "unit", date(2026, 10, 15)) == []  # nothing of the units' starts in October
    assert workplan.due(plan, "director", date(2027, 9, 1))[-1] == plan.steps[9]
    assert workplan.due(None, "admin", today) == []


# (start, end) fiscal months of the template's ten steps (data/workplan.yaml), 1 = October
TEMPLATE = [(1, 1), (1, 1), (1, 2), (1, 2), (2, 2), (2, 2), (2, 3), (3, 10), (4, 11), (12, 12)]
# those steps in calendar months (October is "10"), as a plan started on or before the year's first day has them
TEMPLATE_MONTHS = [("10", "10"), ("10", "10"), ("10", "11"), ("10", "11"), ("11", "11"), ("11", "11"),
                   ("11", "12"), ("12", "07"), ("01", "08"), ("09", "09")]


@pytest.mark.parametrize(("today", "expected"), [
    # before the year or on its first day: the template's own months, October to September
    (date(2026, 8, 15), TEMPLATE_MONTHS),
    (date(2026, 10, 1), TEMPLATE_MONTHS),
    # a few days in: the first steps run into November
    (date(2026, 10, 20), [("10", "11"), ("10", "11"), ("10", "12"), ("10", "12"), ("11", "12"), ("11", "12"),
                          ("11", "01"), ("12", "08"), ("01", "09"), ("09", "09")]),
    # issue 25: started on 6 December, the plan opened with six steps overdue (October and November)
    (date(2026, 12, 6), [("12", "12"), ("12", "12"), ("12", "01"), ("12", "01"), ("12", "01"), ("12", "01"),
                         ("12", "02"), ("01", "08"), ("02", "09"), ("09", "09")]),
    (date(2027, 4, 1), [("04", "04"), ("04", "04"), ("04", "04"), ("04", "04"), ("04", "04"), ("04", "04"),
                        ("04", "05"), ("05", "08"), ("05", "09"), ("09", "09")]),
    (date(2027, 6, 15), [("06", "06"), ("06", "06"), ("06", "07"), ("06", "07"), ("06", "07"), ("06", "07"),
                         ("06", "07"), ("07", "09"), ("07", "09"), ("09", "09")]),
    # late in the year, or after it: every step in September, none after it
    (date(2027, 9, 20), [("09", "09")] * 10),
    (date(2027, 11, 2), [("09", "09")] * 10),
])
def test_the_template_is_dated_from_the_day_it_starts_within_the_year(today, expected):
    dated = workplan.dated(TEMPLATE, YEAR, today)
    assert [(s[5:], e[5:]) for s, e in dated] == expected
    months = workplan.fiscal_months(YEAR)
    first_day, last_day = workplan.fiscal_days(YEAR)
    first = workplan.month_of(min(max(today, first_day), last_day))  # never a month already past ...
    assert all(first <= start <= end <= months[-1] for start, end in dated)  # ... nor one after September
    starts = [months.index(s) for s, _ in dated]
    ends = [months.index(e) for _, e in dated]
    assert starts == sorted(starts) and ends == sorted(ends)  # in the template's order
    lengths = [e - s for s, e in zip(starts, ends, strict=True)]
    assert lengths[7] >= lengths[6] >= lengths[0] and lengths[8] >= lengths[4]  # longer steps stay longer


def test_the_template_matches_the_steps_these_tests_date():
    assert [(s.start, s.end) for s in workplan.template()] == TEMPLATE


def test_a_plan_started_mid_year_is_dated_from_that_day_and_nothing_is_overdue(db, people):
    # issue 25: the template was dated October-November whatever the day the plan started
    today = date(2026, 12, 6)
    plan = workplan.start(db, people["admin"], YEAR, today)
    assert [(s["start_month"], s["end_month"]) for s in plan.steps] == workplan.dated(TEMPLATE, YEAR, today)
    assert plan.steps[0]["start_month"] == "2026-12" and plan.steps[-1]["end_month"] == "2027-09"
    assert not any(workplan.overdue(s, today) for s in plan.steps)
    assert audited(db, "start") == [{"steps": 10, "dated_from": "2026-12-06"}]
