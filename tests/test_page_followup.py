"""The 6- and 12-month reports on the improvement plans page, and the plan progress page, with AppTest: a unit
reports on its accepted plan in the follow-up phases; the committee sends a report back and accepts it, and a
resolving 12-month report closes the plan; a late report stands out; the director, the owner and the committee
read progress; outside the phases nobody writes."""

from datetime import timedelta

import pytest
from streamlit.testing.v1 import AppTest
from test_page_plans import ok, person

from i18n import translate
from i18n.format import thailand_today
from storage.assessment import years
from storage.plans import followup, improvement, ofis

YEAR = 2570


@pytest.fixture
def plan(demo_db) -> int:
    """An accepted plan of the demo unit with two actions and a checkpoint and a KPI target."""
    admin, committee, unit = (person(demo_db, r) for r in ("admin", "committee", "unit"))
    years.set_phase(demo_db, admin, YEAR, "planning", "open")
    ofi = ofis.create(demo_db, committee, YEAR, "1.2", "กำหนดมาตรการป้องกันการทุจริต", "high", "demo-committee",
                      thailand_today() + timedelta(days=90), [unit.unit_id])
    plan_id = improvement.create(demo_db, unit, YEAR, "1y", "แผนป้องกันการทุจริต", [ofi])
    version = improvement.save(demo_db, unit, plan_id, 1, title="แผนป้องกันการทุจริต",
                               actions=[{"text": "ทบทวนมาตรการ", "ends_on": "2027-03-31"},
                                        {"text": "อบรมบุคลากร", "ends_on": "2027-08-31"}],
                               targets=[("checkpoint", "1.2.A1"), ("kpi", "RM1")])
    version = improvement.submit(demo_db, unit, plan_id, version)
    improvement.accept(demo_db, committee, plan_id, version, expected_points=0.5)
    years.set_phase(demo_db, admin, YEAR, "planning", "closed")
    return plan_id


@pytest.fixture
def open_page(app):
    """``open_page(role, lang, page, tab)``: the page as that role; on the plans page, the plan's ``tab`` open (a
    round, "6m" or "12m", or "plan") as a click on it does."""
    def run(role: str, lang: str = "th", page: str = "pages/plans.py", tab: str = "plan") -> AppTest:
        at = app(role, lang, page=page)
        if tab != "plan":
            at.session_state["pl_tab"] = translate(f"fu_round_{tab}", lang)
            at.run()
        return ok(at)

    return run


def press(at: AppTest, key: str, lang: str = "th", form: str = "fu:") -> AppTest:
    """The enabled button labelled ``key`` in a form whose key starts with ``form``."""
    next(b for b in at.button if b.label == translate(key, lang) and not b.disabled
         and (b.form_id or "").startswith(form)).click().run()
    return ok(at)


def report_editor(db, plan_id: int, round_: str, part: str = "actions") -> str:
    """The key of the report's editor as shown (it carries the report's version)."""
    version = followup.get(db, person(db, "committee"), plan_id, round_)["version"]
    return f"fu:{plan_id}:{round_}:{version}:{part}"


@pytest.mark.parametrize("lang", ["th", "en"])
def test_a_unit_reports_six_month_progress_and_sends_it(open_page, demo_db, plan, lang):
    years.set_phase(demo_db, person(demo_db, "admin"), YEAR, "followup_6m", "open")
    at = open_page("unit", lang, tab="6m")
    report = translate("fu_round_6m", lang)
    assert translate("pl_reports_open", lang, report=report) in [i.value for i in at.info]
    labels = [tab.label for tab in at.tabs]
    assert labels == [translate(k, lang) for k in ("fu_plan_tab", "fu_round_6m", "fu_round_12m")]
    at.session_state[report_editor(demo_db, plan, "6m")] = {
        "edited_rows": {0: {"percent": 100, "done": "ประกาศมาตรการแล้ว", "evidence": "https://intra.example/m"},
                        1: {"percent": 40, "problems": "ติดช่วงปิดงบประมาณ"}}, "added_rows": [], "deleted_rows": []}
    press(at, "fu_submit", lang)
    assert [s.value for s in at.success] == [translate("fu_submitted", lang)]
    report = followup.get(demo_db, person(demo_db, "unit"), plan, "6m")
    assert report["status"] == "submitted"
    assert [(a["percent"], a["done"], a["problems"]) for a in report["actions"]] == [
        (100, "ประกาศมาตรการแล้ว", ""), (40, "", "ติดช่วงปิดงบประมาณ")]
    assert not at.data_editor  # sent: the unit reads it now


def test_a_bad_percent_is_refused_with_a_message_and_nothing_saved(open_page, demo_db, plan):
    years.set_phase(demo_db, person(demo_db, "admin"), YEAR, "followup_6m", "open")
    at = open_page("unit", tab="6m")
    at.session_state[report_editor(demo_db, plan, "6m")] = {"edited_rows": {0: {"percent": 150}}, "added_rows": [],
                                                       "deleted_rows": []}
    press(at, "fu_save")
    assert [e.value for e in at.error] == [translate("error_report_percent", "th", n=1)]
    assert followup.get(demo_db, person(demo_db, "unit"), plan, "6m")["status"] == "none"


def sent_report(db, plan: int):
    """The unit's 6-month report, filled and sent in the open phase; the unit."""
    unit = person(db, "unit")
    years.set_phase(db, person(db, "admin"), YEAR, "followup_6m", "open")
    actions = [{"id": a["id"], "percent": 50, "done": "เริ่ม"} for a in improvement.get(db, unit, plan)["actions"]]
    followup.submit(db, unit, plan, "6m", followup.save(db, unit, plan, "6m", 0, actions=actions))
    return unit


def test_the_committee_sends_a_report_back_then_accepts_it(open_page, demo_db, plan):
    unit = sent_report(demo_db, plan)
    at = open_page("committee", tab="6m")
    next(a for a in at.text_area if a.label == translate("pl_comment", "th") and a.form_id.startswith("fu:")
         ).input("โปรดแนบหลักฐานการอบรม")
    press(at, "pl_request_changes", form="fu:comment")
    assert followup.get(demo_db, unit, plan, "6m")["status"] == "changes_requested"
    assert any("โปรดแนบหลักฐานการอบรม" in w.value for w in at.warning)
    report = followup.get(demo_db, unit, plan, "6m")
    followup.submit(demo_db, unit, plan, "6m", report["version"])
    at.run()
    press(at, "fu_accept", form="fu:comment")
    assert followup.get(demo_db, unit, plan, "6m")["status"] == "accepted"


def comment_box(at: AppTest):
    return next(a for a in at.text_area if a.label == translate("pl_comment", "th") and a.form_id.startswith("fu:"))


def test_a_comment_keeps_the_report_tab_open_and_a_refused_one_keeps_its_text(open_page, demo_db, plan):
    # regression (issue 25): the page went back to its first tab after a comment, and a refused comment emptied
    unit = sent_report(demo_db, plan)
    at = open_page("committee", tab="6m")
    request = "โปรดแนบรายชื่อผู้เข้าอบรมและภาพกิจกรรม"
    comment_box(at).input(request)
    report = followup.get(demo_db, unit, plan, "6m")  # meanwhile another member accepts the report
    followup.accept(demo_db, person(demo_db, "committee"), plan, "6m", report["version"])
    press(at, "pl_request_changes", form="fu:comment")  # too late: the button is off now, the text stays
    assert followup.get(demo_db, unit, plan, "6m")["status"] == "accepted"
    assert comment_box(at).value == request
    comment_box(at).input("โปรดแนบรายชื่อผู้เข้าอบรม")
    press(at, "pl_add_comment", form="fu:comment")
    assert [s.value for s in at.success] == [translate("pl_commented", "th")]
    assert at.session_state["pl_tab"] == translate("fu_round_6m", "th")
    assert comment_box(at).value == ""  # the report's tab, its comment box emptied, the comment in its thread
    assert any("โปรดแนบรายชื่อผู้เข้าอบรม" in i.value for i in at.info)


def test_a_resolving_twelve_month_report_closes_the_plan_and_its_ofi(open_page, demo_db, plan):
    years.set_phase(demo_db, person(demo_db, "admin"), YEAR, "results_12m", "open")
    at = open_page("unit", tab="12m")
    at.session_state[report_editor(demo_db, plan, "12m")] = {
        "edited_rows": {0: {"percent": 100, "done": "ทบทวนแล้ว"}, 1: {"percent": 100, "done": "อบรมครบ"}},
        "added_rows": [], "deleted_rows": []}
    press(at, "fu_submit")  # not yet: the results and the summary are left to fill; what was typed is saved
    assert [e.value for e in at.error] == [translate("error_report_values_missing", "th", refs="RM1")]
    assert followup.get(demo_db, person(demo_db, "unit"), plan, "12m")["actions"][1]["done"] == "อบรมครบ"
    next(a for a in at.text_area if a.label == translate("fu_summary", "th")).input("ป้องกันการทุจริตครบทุกกระบวนงาน")
    at.session_state[report_editor(demo_db, plan, "12m", "kpis")] = {
        "edited_rows": {0: {"value": 4.2, "note": "รายงานประจำปี"}}, "added_rows": [], "deleted_rows": []}
    at.session_state[report_editor(demo_db, plan, "12m", "checkpoints")] = {
        "edited_rows": {0: {"met": True}}, "added_rows": [], "deleted_rows": []}
    next(c for c in at.checkbox if c.label == translate("fu_closes", "th")).check()
    press(at, "fu_submit")
    report = followup.get(demo_db, person(demo_db, "committee"), plan, "12m")
    assert report["status"] == "submitted" and report["closes"] == 1
    assert [(r["ref"], r["value"], r["met"]) for r in report["results"]] == [("1.2.A1", None, 1), ("RM1", 4.2, None)]

    at = open_page("committee", tab="12m")
    press(at, "fu_accept", form="fu:comment")
    assert improvement.get(demo_db, person(demo_db, "unit"), plan)["status"] == "closed"
    [ofi] = improvement.get(demo_db, person(demo_db, "unit"), plan)["ofis"]
    assert ofis.get(demo_db, person(demo_db, "committee"), ofi)["status"] == "done"


@pytest.mark.parametrize("role", ["unit", "committee", "director", "admin"])
def test_outside_the_phases_reports_are_read_only_and_a_late_one_stands_out(open_page, demo_db, plan, role):
    yesterday = thailand_today() - timedelta(days=1)
    years.set_dates(demo_db, person(demo_db, "admin"), YEAR, {"followup_6m": (yesterday - timedelta(days=30),
                                                                               yesterday)})
    at = open_page(role, tab="6m")
    assert not at.data_editor
    assert translate("fu_phase_closed_6m", "th", year=YEAR) in [i.value for i in at.info]
    late = translate("fu_late_warning", "th", day=f"{yesterday.day}")
    assert any(e.value.startswith(late.split("{")[0][:20]) for e in at.error)
    table = at.dataframe[0].value
    assert translate("fu_late", "th") in table[translate("fu_col_6m", "th")].iloc[0]


@pytest.mark.parametrize(("role", "lang"), [("director", "th"), ("director", "en"), ("committee", "th"),
                                            ("admin", "en"), ("unit", "th")])
def test_the_progress_page_shows_each_role_the_plans_it_may_read(open_page, demo_db, plan, role, lang):
    unit = person(demo_db, "unit")
    years.set_phase(demo_db, person(demo_db, "admin"), YEAR, "followup_6m", "open")
    actions = improvement.get(demo_db, unit, plan)["actions"]
    version = followup.save(demo_db, unit, plan, "6m", 0, actions=[
        {"id": actions[0]["id"], "percent": 100, "done": "ประกาศแล้ว"},
        {"id": actions[1]["id"], "percent": 30, "problems": "รองบประมาณ"}])
    followup.submit(demo_db, unit, plan, "6m", version)
    at = open_page(role, lang, "pages/progress.py")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics[translate("pg_plans", lang)] == "1" and metrics[translate("pg_done", lang)] == "1"
    assert len(at.get("plotly_chart")) == (2 if role == "unit" else 3)  # by category (and unit), points
    points = at.dataframe[-1].value
    assert list(points[translate("pg_expected", lang)]) == ["0.50"]
    assert list(points[translate("pg_won", lang)]) == [translate("pg_won_pending", lang, next=YEAR + 1)]


def test_the_progress_page_says_when_no_plan_is_followed(open_page, demo_db):
    at = open_page("director", page="pages/progress.py")
    assert translate("pg_none", "th") in [i.value for i in at.info]
