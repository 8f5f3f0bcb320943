"""The work plan page for every role, with AppTest: the PMQA owner starts and edits the plan as a table, the
director approves it, everyone reads it with its timeline, and each home page lists what is due."""

import pytest
from streamlit.testing.v1 import AppTest

from i18n import translate
from i18n.format import thailand_today
from storage.admin.demo import DEMO_PASSWORD
from storage.organisation import accounts
from storage.plans import workplan
from ui.text import md

PAGE = "pages/workplan.py"
YEAR = 2570


def ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.fixture
def open_page(app):
    def run(role: str, lang: str = "th") -> AppTest:
        at = app(role, lang, page=PAGE)
        return ok(at)

    return run


def user(db, role):
    return accounts.authenticate(db, f"demo-{role}", DEMO_PASSWORD)


def button(at: AppTest, key: str, lang: str = "th"):
    return next(b for b in at.button if b.label == translate(key, lang))


def edit(at: AppTest, version: int, edited: dict | None = None, added: list | None = None,
         deleted: list | None = None) -> None:
    """Edits in the plan's table, as the browser sends them before the form submits."""
    at.session_state[f"wp:editor:{version}"] = {"edited_rows": edited or {}, "added_rows": added or [],
                                                "deleted_rows": deleted or []}


def test_the_pmqa_owner_starts_the_plan_from_the_template_and_sees_its_timeline(open_page, demo_db):
    at = open_page("admin")
    assert [i.value for i in at.info] == [translate("wp_none_yet", "th", year=YEAR)]
    button(at, "wp_start").click().run()
    ok(at)
    plan = workplan.get(demo_db, user(demo_db, "admin"), YEAR)
    assert len(plan.steps) == 10
    [table] = at.data_editor
    assert list(table.value["title_th"]) == [s["title_th"] for s in plan.steps]
    assert len(at.get("plotly_chart")) == 1
    assert at.info[0].value == translate("wp_draft", "th")


def test_the_owner_edits_adds_removes_and_reorders_in_one_save(open_page, demo_db):
    admin = user(demo_db, "admin")
    plan = workplan.start(demo_db, admin, YEAR)
    at = open_page("admin")
    edit(at, plan.version, edited={0: {"owner": "นางสาวกานดา", "status": "done", "done_on": "2026-10-20"},
                                   2: {"order": 1}},
         added=[{"order": 11, "title_th": "ตรวจเยี่ยมพื้นที่", "start_month": "2027-06", "end_month": "2027-07",
                 "roles": ["committee"], "status": "not_started",
                 "documents": ["กำหนดการ https://example.go.th/visit"]}],
         deleted=[9])
    button(at, "wp_save").click().run()
    ok(at)
    assert [s.value for s in at.success] == [translate("wp_saved", "th")]
    saved = workplan.get(demo_db, admin, YEAR)
    titles = [s["title_th"] for s in saved.steps]
    assert titles[:2] == [plan.steps[0]["title_th"], plan.steps[2]["title_th"]]  # both numbered 1: table order
    assert titles[-1] == "ตรวจเยี่ยมพื้นที่" and plan.steps[9]["title_th"] not in titles
    assert saved.steps[0]["owner"] == "นางสาวกานดา" and saved.steps[0]["done_on"] == "2026-10-20"
    assert saved.steps[-1]["documents"] == [{"title": "กำหนดการ", "url": "https://example.go.th/visit"}]


@pytest.mark.parametrize("lang", ["th", "en"])
def test_a_bad_row_is_refused_in_the_users_language_and_nothing_changes(open_page, demo_db, lang):
    admin = user(demo_db, "admin")
    plan = workplan.start(demo_db, admin, YEAR)
    at = open_page("admin", lang)
    edit(at, plan.version, edited={3: {"start_month": "2027-05", "end_month": "2027-02"}})
    button(at, "wp_save", lang).click().run()
    ok(at)
    assert [e.value for e in at.error] == [translate("error_wp_order", lang, row=4)]
    assert workplan.get(demo_db, admin, YEAR) == plan


@pytest.mark.parametrize("lang", ["th", "en"])
def test_the_director_reads_the_plan_and_approves_it(open_page, demo_db, lang):
    plan = workplan.start(demo_db, user(demo_db, "admin"), YEAR)
    at = open_page("director", lang)
    assert not at.data_editor and len(at.dataframe) == 1
    assert len(at.dataframe[0].value) == len(plan.steps)
    button(at, "wp_approve", lang).click().run()
    ok(at)
    assert [s.value for s in at.success][:1] == [translate("wp_approved_now", lang)]
    assert workplan.get(demo_db, user(demo_db, "director"), YEAR).status == "approved"
    assert not [b for b in at.button if b.label == translate("wp_approve", lang)]


@pytest.mark.parametrize("role", ["committee", "unit"])
def test_the_committee_and_units_read_the_plan_only(open_page, demo_db, role):
    workplan.start(demo_db, user(demo_db, "admin"), YEAR)
    at = open_page(role)
    assert not at.data_editor and len(at.dataframe) == 1 and len(at.get("plotly_chart")) == 1
    assert not [b for b in at.button if b.label in (translate("wp_approve", "th"), translate("wp_save", "th"))]


@pytest.mark.parametrize("role", ["committee", "unit", "director"])
def test_without_a_plan_other_roles_are_told_and_offered_nothing(open_page, role):
    at = open_page(role)
    assert [i.value for i in at.info] == [translate("wp_none_yet", "th", year=YEAR)]
    assert not [b for b in at.button if b.label == translate("wp_start", "th")]


def test_a_closed_year_shows_the_plan_read_only(open_page, demo_db):
    workplan.start(demo_db, user(demo_db, "admin"), YEAR)
    demo_db.execute("UPDATE cycles SET status = 'closed' WHERE year = ?", [YEAR])
    at = open_page("admin")
    assert not at.data_editor and len(at.dataframe) == 1
    assert translate("wp_year_closed", "th", year=YEAR) in [c.value for c in at.caption]


@pytest.mark.parametrize("role", ["admin", "committee", "director", "unit"])
def test_each_home_page_lists_the_steps_due_for_its_role(app, demo_db, role):
    plan = workplan.start(demo_db, user(demo_db, "admin"), YEAR)
    due = workplan.due(plan, role, thailand_today())
    at = ok(app(role))
    text = "\n".join(m.value for m in at.markdown)
    if due:
        assert translate("wp_due_title", "th") in text
        assert all(md(step["title_th"]) in text for step in due)
    else:
        assert translate("wp_due_title", "th") not in text
