"""The ministry's pages on a generated ministry (PostgreSQL): its viewer signs in to the roll-up of its
departments, in Thai and English, opens a department's overview read-only, and a department's own accounts never
see the ministry's pages."""

from __future__ import annotations

import json
from contextlib import closing

import pytest
from addresses import open_address
from conftest import APP, MINISTRY_SIZE
from stores import copy_store, drop, on_server
from streamlit.testing.v1 import AppTest

from i18n import translate
from storage import connect
from storage.admin import demo
from storage.assessment import answers, assessments, years
from storage.organisation import accounts

pytestmark = pytest.mark.skipif(not on_server(), reason="a ministry's store is PostgreSQL (make test-postgres)")
DEPARTMENTS, UNITS = MINISTRY_SIZE
FIRST = 1  # the store's first department, the generated ministry's first (d01)


@pytest.fixture
def signed_in(ministry_template, tmp_path, monkeypatch):
    location = copy_store(ministry_template, tmp_path, "ministry.db")
    monkeypatch.setenv("PMQA_DB", str(location))

    def run(username: str, lang: str = "th") -> AppTest:
        at = AppTest.from_file(APP, default_timeout=90)
        at.session_state["lang"] = lang
        at.run()
        at.text_input(key="login_username").input(username)
        at.text_input(key="login_password").input(demo.DEMO_PASSWORD)
        at.button[0].click().run()
        assert not at.exception, [e.value for e in at.exception]
        return at

    run.location = location
    yield run
    drop(location)


@pytest.mark.parametrize("lang", ["th", "en"])
def test_the_ministry_viewer_starts_at_the_roll_up_of_its_departments(signed_in, lang):
    at = signed_in("ministry-viewer", lang)
    assert at.title[0].value.startswith("ภาพรวมกรมในสังกัดกระทรวงสาธิต" if lang == "th" else
                                        "Departments of Ministry of Demonstration")
    charts = at.get("plotly_chart")
    assert len(charts) == 4  # heatmap, readiness, progress, trends
    heat = json.dumps(json.loads(charts[0].proto.spec), ensure_ascii=False)
    for n in range(1, DEPARTMENTS + 1):
        assert (f"กส.{n}" if lang == "th" else f"DD{n}") in heat
    assert not at.error and not at.exception


def test_the_ministry_viewer_reads_a_department_s_overview_and_no_other_page(signed_in):
    at = signed_in("ministry-viewer", "en")
    at.switch_page("pages/overview.py").run()
    assert not at.exception, [e.value for e in at.exception]
    department = at.sidebar.selectbox(key="mn:department:en")
    assert department.options == [f"Demonstration Department {n}" for n in range(1, DEPARTMENTS + 1)]
    department.select_index(1).run()
    assert not at.exception and "Read only" in " ".join(c.value for c in at.sidebar.caption)
    open_address(at, "review")  # a department's page: the ministry's accounts are told it is not theirs
    assert not at.exception and any("not available to your role" in w.value for w in at.warning)


def test_a_department_s_account_never_sees_the_ministry_s_pages(signed_in):
    """A department's director starts at the department's Home, with no ministry page in the menu."""
    at = signed_in("d02-director", "en")
    assert not at.exception
    assert not any(title.value.startswith("Departments of") for title in at.title)
    assert all("Ministry" not in link.proto.label for link in at.sidebar.get("page_link"))


@pytest.mark.parametrize("lang", ["th", "en"])
def test_the_ministry_admin_sees_each_department_s_set_up_and_adds_one(signed_in, lang):
    at = signed_in("ministry-admin", lang)
    at.switch_page("pages/departments.py").run()
    assert not at.exception, [e.value for e in at.exception]
    table = at.dataframe[0].value
    assert len(table) == DEPARTMENTS
    fields = {w.key.split(":")[-1]: w for w in at.text_input if w.key and w.key.startswith("md:new:")}
    for name, value in {"code": "new-dept", "name_th": "กรมใหม่", "name_en": "New Department", "name": "newadmin",
                        "password": "a long temporary pass 7"}.items():
        fields[name].input(value)
    at.button(key="FormSubmitter:md_add-" + ("เพิ่มกรม" if lang == "th" else "Add a department")).click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert len(at.dataframe[0].value) == DEPARTMENTS + 1


def heat_rows(at: AppTest) -> dict[str, list]:
    """The roll-up heatmap's cells by department key: each department's row of shares."""
    heat = json.loads(at.get("plotly_chart")[0].proto.spec)["data"][0]
    return {row[0][0]: z for row, z in zip(heat["customdata"], heat["z"], strict=True)}


def application_states(at: AppTest) -> dict[str, str]:
    """The progress chart's application column: each department's state as the chart prints it."""
    spec = json.loads(at.get("plotly_chart")[2].proto.spec)
    column = translate("mn_application", "en")
    return {y: text for trace in spec["data"] if trace["type"] == "scatter"
            for x, y, text in zip(trace["x"], trace["y"], trace["text"], strict=True) if x == column}


def test_the_roll_up_shows_a_save_in_one_department_s_year_and_an_application_built_at_once(signed_in):
    """The cached figures follow each department's year: a committee's save in one department's year and that
    department's application built (no change of its data) show on the viewer's next run; the other departments
    are unchanged."""
    at = signed_in("ministry-viewer", "en")
    year = max(demo.YEARS)
    heat, states = heat_rows(at), application_states(at)
    with closing(connect(signed_in.location)) as db:
        db.act_for(FIRST)
        committee = accounts.get_user(db, accounts.user_id_of(db, "d01-committee"))
        table = assessments.status_table(db, committee, year)
        aid = int(table.loc[table["status"] == "submitted", "assessment_id"].iloc[0])
        version = db.execute("SELECT version FROM assessments WHERE id = ?", [aid]).fetchone()[0]
        unmet = {c.id: False for item, _, c in years.framework_of(db, year).checkpoints() if item.id.startswith("1.")}
        answers.save_checkpoints(db, committee, aid, version, unmet, source="review")
        db.execute("INSERT INTO document_jobs (kind, parameters, lang, requested_by, state, data_version, "
                   "created_at) VALUES ('application', ?, 'th', 'd01-committee', 'done', 'x', 'now')",
                   [json.dumps({"year": year})])
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    changed = {key for key, row in heat_rows(at).items() if row != heat[key]}
    assert changed == {str(FIRST)}
    assert heat_rows(at)[str(FIRST)][0] < heat[str(FIRST)][0]  # category 1 fell
    after = application_states(at)
    assert after["DD1"] == translate("mn_built_yes", "en") != states["DD1"]
    assert {k: v for k, v in after.items() if k != "DD1"} == {k: v for k, v in states.items() if k != "DD1"}
