"""The home page under AppTest: its figures equal the analysis layer's, which equal the scoring engine's
over the submitted and approved assessments; and the empty states (no cycle, no submission).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from readers import reader
from stores import copy_store, drop
from streamlit.testing.v1 import AppTest
from turns import in_turns, named

from analysis.summary import DEFAULT_SOURCE, department_summary, unit_summary
from i18n import translate
from i18n.format import date_label, level_label, score_text, status_label, thailand_today
from scoring import department_scores, framework_for_year, unit_item_scores
from storage import connect
from storage.admin.demo import DEMO_PASSWORD, STATUS_2570, UNITS
from storage.assessment import assessments, years
from storage.db import transaction
from storage.organisation import accounts, org
from ui.home_parts import phase_notice
from ui.text import WORD_BREAK

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "streamlit_app.py"
YEAR = 2570
ROLES_USERS = {"unit": "demo-unit", "committee": "demo-committee", "director": "demo-director", "admin": "demo-admin"}
DEPARTMENT_ROLES = ("director", "committee", "admin")
PASSWORD = "a-long-password"


@pytest.fixture
def open_app(monkeypatch) -> Callable[..., AppTest]:
    """``open_app(store_path, username, password, lang)``: the router on that store, signed in."""
    def run(path: Path, username: str, password: str, lang: str = "th") -> AppTest:
        monkeypatch.setenv("PMQA_DB", str(path))
        at = AppTest.from_file(str(APP), default_timeout=60)
        at.session_state["lang"] = lang
        at.run()
        at.text_input(key="login_username").input(username)
        at.text_input(key="login_password").input(password)
        at.main.button[0].click().run()
        assert not at.exception, [e.value for e in at.exception]
        assert "user_id" in at.session_state, [e.value for e in at.error]
        return at

    return run


@pytest.fixture
def demo_app(open_app, demo_path) -> Callable[..., AppTest]:
    def run(role: str, lang: str = "th") -> AppTest:
        return open_app(demo_path, ROLES_USERS[role], DEMO_PASSWORD, lang)

    return run


def metrics(at: AppTest) -> dict[str, str]:
    # a Thai label's words are marked for the page (ui.text.thai_lines)
    return {m.label: m.value.replace(WORD_BREAK, "") for m in at.metric}


def chart_bars(at: AppTest) -> pd.Series:
    """The category bars of the page's one Plotly chart, as drawn (category label -> height)."""
    charts = at.get("plotly_chart")
    assert len(charts) == 1, charts
    spec = json.loads(charts[0].proto.spec)
    bars = [trace for trace in spec["data"] if trace.get("type") == "bar"]
    assert len(bars) == 1
    return pd.Series(_values(bars[0]["y"]), index=_values(bars[0]["x"]))


def _values(array) -> list:
    """A Plotly JSON array: a plain list or a typed array {"dtype", "bdata"} (base64)."""
    if isinstance(array, dict):
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=np.dtype(array["dtype"])).tolist()
    return list(array)


def expected_bars(categories: pd.Series, lang: str) -> pd.Series:
    return pd.Series(categories.to_numpy(dtype=float),
                     index=[translate("category_short", lang, n=c) for c in categories.index])


# ---- the demo department -------------------------------------------------------------------------------


def test_demo_cycle_and_counted_units(demo_db):
    """What the other tests rely on: 2570 is the current cycle and score_inputs reads exactly the
    submitted, approved and returned assessments (a returned one by what it was submitted with)."""
    assert org.current_cycle(demo_db) == YEAR
    answers, kpis = assessments.score_inputs(demo_db, YEAR)
    read = set(answers["unit"]) | set(kpis["unit"])
    table = assessments.status_table(demo_db, reader(demo_db), YEAR)
    counted = set(table.loc[table["status"].isin(["submitted", "approved", "returned"]), "unit_id"])
    assert read == counted
    assert len(counted) == sum(s in ("submitted", "approved", "returned") for s in STATUS_2570) == 13
    assert len(table) == len(UNITS) == 20


def test_department_summary_equals_the_scoring_engine(demo_db):
    summary = department_summary(demo_db, reader(demo_db), YEAR)
    framework = framework_for_year(YEAR)
    answers, kpis = assessments.score_inputs(demo_db, YEAR, DEFAULT_SOURCE)
    scores = unit_item_scores(answers, kpis, framework, unit_kpis=framework.rules.unit_kpis)
    result = department_scores(scores, framework=framework)
    assert result.units == summary.units_counted == 13
    assert summary.total == pytest.approx(result.total, abs=1e-9)
    pd.testing.assert_series_equal(summary.categories, result.categories, check_names=False)
    assert summary.units_total == 20


def test_home_and_overview_show_one_department_total_by_default(demo_db):
    """regression: home showed 361.2 (self scores, source not named) while the overview showed 342.0."""
    from analysis import overview

    home = department_summary(demo_db, reader(demo_db), YEAR)
    head = overview.headline(demo_db, reader(demo_db), YEAR)
    assert (home.source, home.method) == (head.source, head.method) == ("best", "mean")
    assert home.total == pytest.approx(head.result.total, abs=1e-9)
    assert home.units_counted == head.result.units


@pytest.mark.parametrize("lang", ["th", "en"])
@pytest.mark.parametrize("role", DEPARTMENT_ROLES)
def test_department_metrics_equal_department_summary(demo_app, demo_db, role, lang):
    at = demo_app(role, lang)
    summary = department_summary(demo_db, reader(demo_db), YEAR)
    framework = framework_for_year(YEAR)
    answers, kpis = assessments.score_inputs(demo_db, YEAR, DEFAULT_SOURCE)
    engine = department_scores(unit_item_scores(answers, kpis, framework, unit_kpis=framework.rules.unit_kpis),
                               framework=framework)
    shown = metrics(at)
    assert shown[translate("department_total", lang)] == score_text(summary.total) == f"{engine.total:,.1f}"
    assert shown[translate("level", lang)] == level_label(summary.level, lang)
    done = sum(s in ("submitted", "approved") for s in STATUS_2570)
    assert shown[translate("submissions", lang)] == f"{done}/{len(UNITS)}"  # short: a metric cuts a long value
    if lang == "th":
        assert shown[translate("submissions", lang)] == "11/20"
    returned = STATUS_2570.count("returned")
    covers = translate("ov_covers", lang, n=done + returned, total=len(UNITS),
                       source=translate("ov_source_best", lang), method=translate("ov_method_mean", lang))
    assert f"{covers} · {translate('ov_kept', lang, n=returned)}" in [c.value for c in at.caption]
    assert [s.value for s in at.subheader] == [translate("fiscal_year", lang, year=YEAR)]
    assert [e.value for e in [*at.main.info, *at.main.error]] == [phase_notice(demo_db, YEAR, lang)[1]]
    assert not at.main.warning
    pd.testing.assert_series_equal(chart_bars(at), expected_bars(summary.categories, lang), check_names=False)
    # readiness, never an award: the headline tier's missing points, its name and the caveat in the help
    [ready] = [m for m in at.metric if m.label == translate("award_readiness", lang)]
    tier = framework.thresholds.awards.tiers[0]
    assert ready.value.replace(WORD_BREAK, "") == translate("award_missing_short", lang,
                                                            points=score_text(summary.award.total_missing))
    assert tier.name.get(lang) in ready.proto.help and translate("award_readiness_note", lang) in ready.proto.help


@pytest.mark.parametrize("lang", ["th", "en"])
def test_unit_metrics_equal_unit_summary(demo_app, demo_db, demo_user, lang):
    at = demo_app("unit", lang)
    user = demo_user("unit")
    summary = unit_summary(demo_db, user, user.unit_id, YEAR)
    assert summary.status == STATUS_2570[0] == "draft"
    shown = metrics(at)
    assert shown[translate("your_unit_status", lang)] == status_label(summary.status, lang)
    assert shown[translate("home_self_total", lang)] == f"{summary.total:,.1f}"
    assert shown[translate("home_self_level", lang)] == level_label(summary.level, lang)
    assert shown[translate("items_answered", lang)] == translate(
        "items_answered_value", lang, done=summary.items_answered, total=summary.items_total)
    assert summary.reviewed is None and translate("home_reviewed_total", lang) not in shown  # a draft
    # a unit sees its own figures only, never the department's
    assert translate("department_total", lang) not in shown
    assert translate("submissions", lang) not in shown
    unit = org.unit(demo_db, user.unit_id)
    name = unit["name_en" if lang == "en" else "name_th"]
    assert any(name in m.value for m in at.markdown)
    pd.testing.assert_series_equal(chart_bars(at), expected_bars(summary.categories, lang), check_names=False)


UNANSWERED_1_6 = ("1.1", "1.2", "1.4", "2.1", "2.2", "2.4", "3.1", "3.2", "3.4", "4.1", "5.1", "5.2", "5.3", "6.1",
                  "6.2")  # the demo unit's items of categories 1-6 with no tick and no account


# regression (issue 25): Home counted an item answered only by a ticked checkpoint or a KPI value ("26/30") while
# the form, and its submission, also count the answer "none met yet" and a written account ("30/30").
@pytest.mark.parametrize(("none_met", "written", "answered"), [
    ((), (), 14),
    (("1.1", "1.2", "2.1", "3.1"), (), 18),
    ((), ("1.4", "2.2"), 16),
    (UNANSWERED_1_6, (), 29),  # only 7.4 left: a KPI without its value
])
def test_home_counts_the_items_answered_as_the_form_does(demo_app, demo_db, demo_user, none_met, written, answered):
    from analysis.self_assessment import progress
    from storage.assessment import answers, years

    user = demo_user("unit")
    found = assessments.get(demo_db, user.unit_id, YEAR)
    aid, version = found["id"], found["version"]
    for item in none_met:
        version = answers.save_none_met(demo_db, user, aid, version, item, True)
    for item in written:
        version = answers.save_narrative(demo_db, user, aid, version, item, "basic", "เราทำตามแผนทุกไตรมาส")
    done = progress(answers.load(demo_db, user, aid), years.framework_of(demo_db, YEAR))
    assert sum(done.answered.values()) == answered
    shown = translate("items_answered_value", "th", done=answered, total=30)
    at = demo_app("unit")
    assert metrics(at)[translate("items_answered", "th")] == shown
    at.switch_page("pages/self_assessment.py").run()
    assert not at.exception
    assert metrics(at)[translate("items_answered", "th")] == shown


# regression (issue 25): after approval a unit's Home showed only its own score, never the committee's.
@pytest.mark.parametrize("lang", ["th", "en"])
@pytest.mark.parametrize(("status", "shows_review"), [
    ("draft", False), ("submitted", False), ("returned", False), ("approved", True)])
def test_a_unit_sees_the_committees_reviewed_score_beside_its_own_once_approved(
        demo_app, demo_db, demo_user, status, shows_review, lang):
    from analysis.self_assessment import live_scores
    from storage.assessment import answers, years

    user = demo_user("unit")
    aid = assessments.get(demo_db, user.unit_id, YEAR)["id"]
    # the committee found 1.1's first two Basic checkpoints met and RM1 lower than the unit did
    with transaction(demo_db):
        demo_db.execute("UPDATE assessments SET status = ?, return_reason = 'x' WHERE id = ?", [status, aid])
        demo_db.execute("INSERT INTO checkpoint_answers (assessment_id, checkpoint, self_met, review_met) "
                        "VALUES (?, '1.1.B1', 0, 1), (?, '1.1.B2', 0, 1) "
                        "ON CONFLICT (assessment_id, checkpoint) DO UPDATE SET self_met = 0, review_met = 1",
                        [aid, aid])
        demo_db.execute("INSERT INTO kpi_results (assessment_id, kpi, fiscal_year, self_value, review_value) "
                        "VALUES (?, 'RM1', ?, 90, 76) ON CONFLICT (assessment_id, kpi, fiscal_year) "
                        "DO UPDATE SET self_value = 90, review_value = 76",
                        [aid, YEAR])
    form, framework = answers.load(demo_db, user, aid), years.framework_of(demo_db, YEAR)
    own, reviewed = live_scores(form, framework), live_scores(form, framework, "review")
    assert own.total != reviewed.total
    at = demo_app("unit", lang)
    shown = metrics(at)
    assert (translate("home_reviewed_note", lang) in [c.value for c in at.caption]) == shows_review
    assert shown[translate("home_self_total", lang)] == score_text(own.total)
    assert shown[translate("home_self_level", lang)] == level_label(own.level, lang)
    labels = ("home_reviewed_total", "home_reviewed_level", "rv_difference")
    if not shows_review:
        assert not {translate(k, lang) for k in labels} & set(shown)
        return
    assert [shown[translate(k, lang)] for k in labels] == [
        score_text(reviewed.total), level_label(reviewed.level, lang), f"{reviewed.total - own.total:+.1f}"]


@pytest.mark.parametrize("role", ["unit", *DEPARTMENT_ROLES])
def test_plotly_chart_present_for_each_role(demo_app, role):
    at = demo_app(role)
    assert len(at.get("plotly_chart")) == 1
    assert translate("score_by_category_caption", "th") in [c.value for c in at.caption]


def test_department_total_follows_a_new_submission(demo_app, demo_db):
    """The page reads the store on each run: approving one more unit changes the figures shown."""
    at = demo_app("director")
    before = department_summary(demo_db, reader(demo_db), YEAR)
    table = assessments.status_table(demo_db, reader(demo_db), YEAR)
    draft_unit = int(table.query("status == 'draft'")["unit_id"].iloc[0])
    with transaction(demo_db):
        demo_db.execute("UPDATE assessments SET status = 'submitted' WHERE unit_id = ? AND year = ?",
                        [draft_unit, YEAR])
    after = department_summary(demo_db, reader(demo_db), YEAR)
    assert after.units_counted == before.units_counted + 1
    at.run()
    assert not at.exception
    shown = metrics(at)
    assert shown[translate("department_total", "th")] == score_text(after.total)
    assert shown[translate("submissions", "th")] == "12/20"


# ---- the department's assessment of record -------------------------------------------------------------

def _record(db, committee, state: str) -> None:
    """The year's record as the committee leaves it: not started, a draft, or approved."""
    from storage.record import department

    if state != "none":
        record = department.start(db, committee, YEAR)
    if state == "approved":
        department.approve(db, committee, YEAR, record.version)


# regression (issue 25): Home never showed the approved department assessment's total (the figure sent to OPDC).
# every state for every role, each in both languages (the languages take turns: 9 runs, not 18)
RECORD_VIEWS = in_turns(("th", "en"), ("none", "draft", "approved"), DEPARTMENT_ROLES)


@pytest.mark.parametrize(("state", "role", "lang"), RECORD_VIEWS, ids=named(RECORD_VIEWS))
def test_home_shows_the_department_assessment_sent_to_opdc_apart_from_the_units_mean(
        demo_app, demo_db, demo_user, role, state, lang):
    from analysis.department_record import record_scores
    from i18n.format import local_time
    from storage.record import department

    committee = demo_user("committee")
    _record(demo_db, committee, state)
    with transaction(demo_db):  # issue 25: the login name stood where the person's name was entered
        demo_db.execute("UPDATE users SET display_name = 'สมศรี กรรมการ' WHERE username = 'demo-committee'")
    at = demo_app(role, lang)
    assert not at.exception
    shown = metrics(at)
    mean = department_summary(demo_db, reader(demo_db), YEAR)
    assert shown[translate("department_total", lang)] == score_text(mean.total)  # the units' mean stays, labelled
    [total] = [m for m in at.metric if m.label == translate("department_total", lang)]
    assert total.proto.help == translate("home_department_total_help", lang)
    assert f"**{translate('home_record_title', lang, year=YEAR)}**" in [m.value for m in at.markdown]
    labels = {translate("home_record_total", lang), translate("home_record_level", lang)}
    infos = [i.value for i in at.main.info]
    captions = [c.value for c in at.caption]
    if state == "none":
        assert not labels & set(shown) and translate("home_record_none", lang) in captions
        return
    row = department.get(demo_db, committee, YEAR).record
    if state == "draft":
        assert not labels & set(shown)
        assert translate("home_record_draft", lang, time=local_time(row["updated_at"], lang),
                         user="สมศรี กรรมการ") in infos
        return
    scores = record_scores(demo_db, YEAR)
    assert shown[translate("home_record_total", lang)] == score_text(scores.total) != score_text(mean.total)
    assert shown[translate("home_record_level", lang)] == level_label(scores.level, lang)
    assert translate("home_record_approved", lang, time=local_time(row["approved_at"], lang),
                     user="สมศรี กรรมการ") in captions


def _no_phase(db, admin):
    for phase in years.phases(db, YEAR):
        if phase["status"] == "open":
            years.set_phase(db, admin, YEAR, phase["phase"], "closed")


def _overdue(db, admin):
    years.set_dates(db, admin, YEAR, {"self_assessment": ("2020-10-01", "2020-12-31")})


def _closed(db, admin):
    years.close_year(db, admin, YEAR)


# regression (issue 25): the admin's own Home told it to ask the PMQA owner, which it is.
# every role under every change, each in both languages (the languages take turns: 12 runs, not 24)
NOTICES = in_turns(("th", "en"), (
    (_no_phase, "home_no_phase", "home_no_phase_admin"),
    (_overdue, "home_phase_overdue", "home_phase_overdue_admin"),
    (_closed, "home_no_phase", "home_year_closed_admin"),
), ("unit", *DEPARTMENT_ROLES))


@pytest.mark.parametrize(("notice", "role", "lang"), NOTICES,
                         ids=[f"{notice[0].__name__.strip('_')}-{role}-{lang}" for notice, role, lang in NOTICES])
def test_the_admins_home_says_what_to_do_itself_and_the_others_what_stands(
        demo_app, demo_db, demo_user, notice, role, lang):
    change, general, owner = notice
    change(demo_db, demo_user("admin"))
    at = demo_app(role, lang)
    assert not at.exception
    texts = [e.value for e in [*at.main.caption, *at.main.error]]
    text = phase_notice(demo_db, YEAR, lang, role=role)[1]
    assert text in texts
    days = (thailand_today() - date(2020, 12, 31)).days
    expected = translate(owner if role == "admin" else general, lang, year=YEAR, days=days, date=date_label(
        "2020-12-31", lang), phase=translate("phase_self_assessment", lang))
    assert text == expected


# ---- empty states -------------------------------------------------------------------------------------


@pytest.fixture
def fresh_store(tmp_path, empty_template):
    """A new, empty store: a copy of the migrated empty one (``conftest.empty_template``), as a new store is."""
    path = copy_store(empty_template, tmp_path, "fresh.db")
    db = connect(path)
    yield path, db
    db.close()
    drop(path)


@pytest.mark.parametrize("lang", ["th", "en"])
@pytest.mark.parametrize("role", DEPARTMENT_ROLES)
def test_store_without_cycles_shows_no_cycle(open_app, fresh_store, role, lang):
    path, db = fresh_store
    accounts.create_user(db, f"first-{role}", PASSWORD, role)
    at = open_app(path, f"first-{role}", PASSWORD, lang)
    assert not at.exception
    # the admin is the PMQA owner: its Home says what to do, not whom to ask (regression, issue 25)
    assert [w.value for w in at.main.warning] == [translate("no_cycle_admin" if role == "admin" else "no_cycle", lang)]
    assert not at.metric and not at.get("plotly_chart")
    assert not at.sidebar.warning  # a real (non-demo) store: no demo notice
    assert at.sidebar.button  # still signed in, can sign out


def test_unit_without_cycle_shows_no_cycle(open_app, fresh_store):
    path, db = fresh_store
    unit_id = org.add_unit(db, "U1", "หน่วยทดสอบ", "Test unit")
    accounts.create_user(db, "unit-1", PASSWORD, "unit", unit_id=unit_id)
    at = open_app(path, "unit-1", PASSWORD)
    assert [w.value for w in at.main.warning] == [translate("no_cycle", "th")]
    assert not at.metric and not at.get("plotly_chart")


@pytest.mark.parametrize("units", [0, 1, 3])
@pytest.mark.parametrize("role", DEPARTMENT_ROLES)
def test_cycle_without_submissions_shows_no_submissions(open_app, fresh_store, role, units):
    path, db = fresh_store
    org.add_cycle(db, YEAR)
    accounts.create_user(db, "owner", PASSWORD, "admin")
    unit_ids = [org.add_unit(db, f"U{n}", f"หน่วย {n}", f"Unit {n}") for n in range(units)]
    if unit_ids:
        assessor = accounts.create_user(db, "assessor", PASSWORD, "unit", unit_id=unit_ids[0])
        assessments.ensure(db, assessor, unit_ids[0], YEAR)  # a draft does not count
    if role != "admin":
        accounts.create_user(db, f"a-{role}", PASSWORD, role)
    at = open_app(path, "owner" if role == "admin" else f"a-{role}", PASSWORD)
    assert not at.exception, [e.value for e in at.exception]
    assert [i.value for i in at.info] == [phase_notice(db, YEAR, "th")[1], translate("no_submissions", "th")]
    shown = metrics(at)
    assert shown == {translate("submissions", "th"): f"0/{units}"}
    assert not at.get("plotly_chart")
    assert not at.main.warning


def test_unit_not_started_sees_zero_and_a_hint(open_app, fresh_store):
    path, db = fresh_store
    org.add_cycle(db, YEAR)
    unit_id = org.add_unit(db, "U1", "หน่วยทดสอบ", "Test unit")
    accounts.create_user(db, "unit-1", PASSWORD, "unit", unit_id=unit_id)
    at = open_app(path, "unit-1", PASSWORD)
    assert not at.exception, [e.value for e in at.exception]
    summary = unit_summary(db, accounts.authenticate(db, "unit-1", PASSWORD), unit_id, YEAR)
    shown = metrics(at)
    assert shown[translate("your_unit_status", "th")] == status_label("not_started", "th")
    assert shown[translate("home_self_total", "th")] == score_text(summary.total) == "0.0"
    assert shown[translate("home_self_level", "th")] == level_label(summary.level, "th")
    assert shown[translate("items_answered", "th")] == "0/30"
    assert translate("no_assessment", "th") in [i.value for i in at.info]
    assert len(at.get("plotly_chart")) == 1


@pytest.mark.parametrize("lang", ["th", "en"])
def test_a_returned_unit_sees_why_by_when_and_a_link_and_the_committees_answers_in_its_form(
        demo_app, demo_db, demo_user, lang):
    user = demo_user("unit")
    aid = assessments.get(demo_db, user.unit_id, YEAR)["id"]
    with transaction(demo_db):
        demo_db.execute("UPDATE assessments SET status = 'returned', return_reason = ? WHERE id = ?",
                        ["แนบหลักฐาน 1.1 เพิ่ม", aid])
        demo_db.execute("UPDATE phases SET ends_on = '2027-01-31' WHERE year = ? AND phase = 'self_assessment'",
                        [YEAR])
        demo_db.execute("INSERT INTO checkpoint_answers (assessment_id, checkpoint, self_met, review_met) "
                        "VALUES (?, '1.1.B1', 1, 0) ON CONFLICT (assessment_id, checkpoint) "
                        "DO UPDATE SET self_met = 1, review_met = 0", [aid])
        demo_db.execute("INSERT INTO kpi_results (assessment_id, kpi, fiscal_year, self_value, review_value) "
                        "VALUES (?, 'RM1', ?, 80, 72.5) ON CONFLICT (assessment_id, kpi, fiscal_year) "
                        "DO UPDATE SET self_value = 80, review_value = 72.5",
                        [aid, YEAR])
    at = demo_app("unit", lang)
    assert translate("home_returned", lang, reason="แนบหลักฐาน 1\\.1 เพิ่ม") in [e.value for e in at.main.error]
    due = "31 ม.ค. 2570" if lang == "th" else "31 Jan 2027"  # one calendar per language (issue 25)
    assert translate("home_returned_due", lang, date=due) in [m.value for m in at.main.markdown]
    link = [p for p in at.get("page_link") if p.proto.label == translate("home_returned_go", lang)]
    assert link and link[0].proto.page.endswith("self_assessment")

    at.switch_page("pages/self_assessment.py").run()
    assert not at.exception
    assert translate("sa_committee_not_met", lang) in [c.value for c in at.main.caption]
    if lang == "en":  # AppTest formats a set_value outside the script's run, where the language is Thai
        return
    at.segmented_control(key="sa:category").set_value(7).run()
    assert translate("sa_committee_value", lang, value="72.50") in [c.value for c in at.main.caption]
