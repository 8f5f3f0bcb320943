"""The page budget under AppTest: the committee builds the application on the Documents page and sees each part's
pages against the year's limits (the parts over them warned of, where the limits come from); the PMQA owner
edits the year's limits on the criteria tab of the admin page (the file's shown beside them, a closed year
refused)."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from i18n import translate
from reports.page_budget import part_name
from scoring import default_framework
from scoring.criteria import BUDGET_PARTS
from storage.admin.demo import DEMO_PASSWORD
from storage.assessment import years
from storage.organisation import accounts
from storage.record import department
from ui.admin import TABS

DOCUMENTS, ADMIN = "pages/documents.py", "pages/admin.py"
YEAR = 2570
FILE_LIMITS = {"profile": 5, "1": 6, "2": 6, "3": 6, "4": 6, "5": 6, "6": 6, "7": 10, "annex": None}


def ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


def press(at: AppTest, key: str, lang: str = "th") -> AppTest:
    text = translate(key, lang)
    (found,) = [b for b in at.main.button if b.label == text]
    found.click().run()
    return at


def budget_table(at: AppTest, lang: str = "th") -> list[dict]:
    columns = [translate(key, lang) for key in ("pb_col_part", "pb_col_pages", "pb_col_limit", "pb_col_over")]
    (table,) = [d.value for d in at.dataframe if list(d.value.columns) == columns]
    return [dict(zip(("part", "pages", "limit", "over"), row, strict=True)) for row in table.itertuples(index=False)]


@pytest.fixture
def admin(demo_db):
    return accounts.authenticate(demo_db, "demo-admin", DEMO_PASSWORD)


@pytest.fixture
def without_charts(monkeypatch):
    """The application without its chart images (drawn by Chromium, seconds each): the budget is about the parts.
    (The job's builder, ``jobs.kinds``, runs in this test process: the in-process executor's thread on SQLite, the
    worker ``finish_jobs`` runs on a thread on the test server.)"""
    import jobs.kinds
    from reports.application import application_report

    monkeypatch.setattr(jobs.kinds, "application_report", lambda figures, lang="th", charts=True,
                        edition="application": application_report(figures, lang, charts=False, edition=edition))


# ---- the Documents page ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["th", "en"])
def test_the_committee_builds_the_application_and_sees_its_page_budget(app, full_demo_path, full_demo_db,
                                                                      monkeypatch, without_charts, finish_jobs, lang):
    monkeypatch.setenv("PMQA_DB", str(full_demo_path))  # the demo as made: its application cites evidence (annex)
    admin = accounts.authenticate(full_demo_db, "demo-admin", DEMO_PASSWORD)
    years.set_page_limits(full_demo_db, admin, YEAR, {"profile": 1, "annex": 50})  # the profile takes more than 1
    at = ok(app("committee", lang, page=DOCUMENTS))
    assert not at.dataframe  # nothing before the application is built
    ok(finish_jobs(ok(press(at, "doc_build_application", lang))))
    rows = budget_table(at, lang)
    assert [r["part"] for r in rows] == [part_name(p, lang) for p in BUDGET_PARTS]  # every part, in order
    assert [r["limit"] for r in rows] == ["1", "6", "6", "6", "6", "6", "6", "10", "50"]
    assert all(isinstance(r["pages"], int) and r["pages"] >= 1 for r in rows)
    profile = rows[0]
    assert profile["pages"] > 1 and profile["over"] == translate("pb_over_yes", lang)
    over = [r for r in rows if r["over"] == translate("pb_over_yes", lang)]
    assert over and all(r["pages"] > int(r["limit"]) for r in over)
    assert all(r["over"] == translate("pb_over_no", lang) for r in rows if r not in over)
    (warning,) = at.main.warning
    assert warning.value == translate("pb_over_warning", lang, n=len(over), parts=", ".join(
        translate("pb_over_part", lang, part=r["part"], pages=r["pages"], limit=r["limit"]) for r in over))
    note = default_framework().application.page_limits_note.get(lang)
    assert translate("pb_note", lang, note=note) in [c.value for c in at.caption]
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == [translate("doc_download", lang, name=f"pmqa-application-{YEAR}-{lang}.{s}")
                      for s in ("docx", "pdf")]

    at.run()  # kept while the store is as it was
    assert budget_table(at, lang) == rows
    assert not at.main.warning or at.main.warning[0].value != translate("doc_job_stale", lang)
    years.set_page_limits(full_demo_db, admin, YEAR, {})  # the store changed: said, and built again on request
    at.run()
    assert translate("doc_job_stale", lang) in [w.value for w in at.main.warning]
    assert budget_table(at, lang) == rows  # the files built before, still offered, and what they were built with


def test_within_every_limit_it_says_so_and_the_review_edition_shows_no_budget(app, demo_db, without_charts,
                                                                              finish_jobs):
    department.start(demo_db, accounts.authenticate(demo_db, "demo-committee", DEMO_PASSWORD), YEAR)
    at = ok(app("committee", page=DOCUMENTS))
    ok(finish_jobs(ok(press(at, "doc_build_review"))))
    assert not at.dataframe and len(at.get("download_button")) == 2
    ok(finish_jobs(ok(press(at, "doc_build_application"))))
    rows = budget_table(at)
    present = [p for p in BUDGET_PARTS if p != "annex"]  # nothing cited yet: no annex
    assert [r["part"] for r in rows] == [part_name(p, "th") for p in present]
    assert [r["limit"] for r in rows] == [str(FILE_LIMITS[p]) for p in present]
    assert all(r["over"] == translate("pb_over_no", "th") for r in rows)
    assert not at.main.warning
    assert [s.value for s in at.success] == [translate("pb_within", "th")]


# ---- the admin page's criteria tab ----------------------------------------------------------------------------

def criteria_tab(app, lang: str = "th") -> AppTest:
    at = app("admin", lang, page=ADMIN)
    at.session_state["adm_tab"] = translate(TABS["criteria"], lang)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def shown(at: AppTest, year: int = YEAR) -> dict:
    return {part: at.number_input(key=f"adm:pl:{year}:{part}").value for part in BUDGET_PARTS}


def audited(db) -> list[dict]:
    return [json.loads(r[0]) for r in db.execute(
        "SELECT detail FROM audit_log WHERE action = 'set_page_limits' AND entity = 'cycle' AND username = ? "
        "ORDER BY id", ["demo-admin"])]


@pytest.mark.parametrize("lang", ["th", "en"])
def test_the_form_shows_each_parts_limit_the_files_and_its_note(app, lang):
    at = criteria_tab(app, lang)
    assert shown(at) == FILE_LIMITS
    assert [at.number_input(key=f"adm:pl:{YEAR}:{p}").label for p in BUDGET_PARTS] == [
        part_name(p, lang) for p in BUDGET_PARTS]
    captions = [c.value for c in at.caption]
    defaults = ", ".join(f"{part_name(p, lang)} {FILE_LIMITS[p] or translate('pb_no_limit', lang)}"
                         for p in BUDGET_PARTS)
    assert translate("adm_page_limits_defaults", lang, limits=defaults) in captions
    note = default_framework().application.page_limits_note.get(lang)
    assert translate("adm_page_limits_note", lang, note=note) in captions
    assert translate("adm_page_limits_from_file", lang) in captions
    assert translate("adm_page_limits_use_file", lang) not in [b.label for b in at.main.button]


def test_saving_the_years_limits(app, demo_db):
    at = criteria_tab(app)
    at.number_input(key=f"adm:pl:{YEAR}:1").set_value(8)
    at.number_input(key=f"adm:pl:{YEAR}:2").set_value(30)
    at.number_input(key=f"adm:pl:{YEAR}:profile").set_value(0)  # 0: no limit
    ok(press(at, "adm_save_page_limits"))  # the annex's input left empty: still no limit
    saved = FILE_LIMITS | {"1": 8, "2": 30, "profile": None}
    assert years.page_limits_of(years.framework_of(demo_db, YEAR)) == saved
    assert years.page_limits_of(years.framework_of(demo_db, YEAR - 1)) == FILE_LIMITS
    assert audited(demo_db) == [{"before": FILE_LIMITS, "after": saved}]
    assert [toast.value for toast in at.toast] == [translate("adm_saved", "th")]
    assert shown(at) == saved
    assert translate("adm_page_limits_saved", "th") in [c.value for c in at.caption]

    ok(press(at, "adm_page_limits_use_file"))  # back to the file's
    assert years.cycle(demo_db, YEAR)["page_limits"] is None
    assert years.page_limits_of(years.framework_of(demo_db, YEAR)) == FILE_LIMITS
    assert shown(at) == FILE_LIMITS
    assert len(audited(demo_db)) == 2


def test_the_form_shows_what_another_admin_saved_meanwhile(app, demo_db, admin):
    at = criteria_tab(app)
    years.set_page_limits(demo_db, admin, YEAR, {"3": 12})
    at.run()
    assert shown(at)["3"] == 12
    at.number_input(key=f"adm:pl:{YEAR}:4").set_value(9)
    ok(press(at, "adm_save_page_limits"))
    assert years.page_limits_of(years.framework_of(demo_db, YEAR)) == FILE_LIMITS | {"3": 12, "4": 9}


def test_a_closed_years_limits_are_refused_with_a_message(app, demo_db):
    at = criteria_tab(app)
    at.selectbox(key="adm:criteria_year").set_value(YEAR - 1).run()
    before = years.cycle(demo_db, YEAR - 1)
    at.number_input(key=f"adm:pl:{YEAR - 1}:1").set_value(3)
    press(at, "adm_save_page_limits")
    assert not at.exception
    assert [e.value for e in at.error] == [translate("error_year_closed", "th", year=YEAR - 1)]
    assert years.cycle(demo_db, YEAR - 1) == before and not audited(demo_db)
