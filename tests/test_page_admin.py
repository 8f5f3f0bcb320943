"""The admin page under AppTest, as the PMQA owner: every tab in Thai and English, every action with what it
shows and what it stores (each change audited), refusals with their message and nothing changed; who can
reach the page; a temporary password changed at sign-in; the home page's setup checklist on a new store;
a missing store file."""

from __future__ import annotations

import json
from contextlib import closing
from datetime import date
from pathlib import Path

import pytest
from addresses import open_address
from stores import copy_store, drop, new_location, only_on_sqlite
from streamlit.testing.v1 import AppTest

from i18n import translate
from i18n.format import level_label, rules_text
from scoring import default_framework
from storage import audit, connect
from storage.__main__ import init_production
from storage.admin.demo import DEMO_PASSWORD
from storage.assessment import years
from storage.assessment.years import accepted_framework
from storage.db import transaction
from storage.engine import holds_store
from storage.organisation import accounts, org
from storage.organisation.accounts import authenticate
from storage.schema import PHASES
from ui.admin import TABS
from ui.admin.years import this_fiscal_year
from ui.home_parts import phase_notice
from ui.text import WORD_BREAK, md

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "streamlit_app.py")
PAGE = "pages/admin.py"
YEAR = 2570
NEW_PASSWORD = "a-new-long-password"


# ---- helpers ----------------------------------------------------------------------------------------------

def ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.fixture
def admin_page(app):
    """``admin_page(tab, lang)``: the admin page signed in as demo-admin, that tab open."""
    def open_page(tab: str = "years", lang: str = "th") -> AppTest:
        at = app("admin", lang, page=PAGE)
        if tab != "years":  # the first tab is open at first; another is opened as a click on it does
            at.session_state["adm_tab"] = translate(TABS[tab], lang)
            at.run()
        return ok(at)

    return open_page


@pytest.fixture
def sign_in(monkeypatch):
    """``sign_in(path, username, password, lang)``: the app on that store after the sign-in form."""
    def run(path: Path, username: str, password: str, lang: str = "th") -> AppTest:
        monkeypatch.setenv("PMQA_DB", str(path))
        at = AppTest.from_file(APP, default_timeout=60)
        at.session_state["lang"] = lang
        at.run()
        at.text_input(key="login_username").input(username)
        at.text_input(key="login_password").input(password)
        at.main.button[0].click().run()
        assert "user_id" in at.session_state, [e.value for e in at.error]
        return ok(at)

    return run


def button(at: AppTest, key: str, lang: str = "th", **values):
    text = translate(key, lang, **values)
    found = [b for b in at.main.button if b.label == text]
    assert len(found) == 1, (text, [b.label for b in at.main.button])
    return found[0]


def labelled(widgets, key: str, lang: str = "th"):
    text = translate(key, lang)
    return next(w for w in widgets if w.label == text)


def click(at: AppTest, key: str, lang: str = "th", **values) -> AppTest:
    button(at, key, lang, **values).click().run()
    return ok(at)


def errors(at: AppTest) -> list[str]:
    return [e.value for e in at.error]


def toasts(at: AppTest) -> list[str]:
    return [e.value for e in at.toast]


def audited(db, action: str, entity: str) -> list[dict]:
    return [dict(r, detail=json.loads(r["detail"]) if r["detail"] else None)
            for r in db.query("SELECT * FROM audit_log WHERE action = ? AND entity = ? ORDER BY id", [action, entity])]


def audit_count(db) -> int:
    """Audited changes (sign-ins and sign-outs, audited as "session", change nothing)."""
    return db.execute("SELECT count(*) FROM audit_log WHERE entity != 'session'").fetchone()[0]


def phase_states(db, year: int) -> dict[str, str]:
    return {p["phase"]: p["status"] for p in years.phases(db, year)}


# ---- who sees what ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["th", "en"])
@pytest.mark.parametrize("tab", list(TABS))
def test_every_tab_renders_for_the_admin(admin_page, tab, lang):
    at = admin_page(tab, lang)
    assert at.title[0].value == translate("adm_title", lang)
    assert not at.main.error
    assert [w.value for w in at.main.warning] == ([translate("adm_restore_warning", lang)] if tab == "backup" else [])
    assert [t.label for t in at.tabs] == [translate(key, lang) for key in TABS.values()]
    keys = {w.key for w in [*at.selectbox, *at.text_input, *at.checkbox]}
    marker = {"years": "adm:year", "identity": "adm:identity:name_th", "units": "adm:new_unit:0:code",
              "users": "adm:new_user:0:name",
              "criteria": "adm:criteria_year", "backup": None, "audit": "adm:audit_who"}
    built = {name: key in keys for name, key in marker.items() if key}
    assert built == {name: name == tab for name in built}  # only the open tab is built
    if tab == "backup":
        assert button(at, "adm_backup_make", lang)


@pytest.mark.parametrize("role", ["unit", "committee", "director"])
def test_no_other_role_can_reach_the_admin_page(app, role):
    at = app(role)
    assert translate("page_admin", "th") not in [link.proto.label for link in at.sidebar.get("page_link")]
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(PAGE)
    ok(open_address(at, "admin"))
    assert [w.value for w in at.main.warning] == [translate("not_for_role", "th")]
    assert not at.title and not at.tabs and not at.main.button


# ---- years and phases ------------------------------------------------------------------------------------

def open_year(at: AppTest, year: int, lang: str = "th") -> AppTest:
    labelled(at.number_input, "adm_year_number", lang).set_value(year)
    return click(at, "adm_open_year_button", lang)


@pytest.mark.parametrize("lang", ["th", "en"])
def test_open_a_new_year(admin_page, demo_db, lang):
    at = open_year(admin_page("years", lang), 2571, lang)
    assert not at.error
    assert toasts(at) == [translate("adm_year_opened", lang, year=2571)]
    assert years.cycle(demo_db, 2571)["status"] == "open"
    assert phase_states(demo_db, 2571) == {phase: "open" if phase == "self_assessment" else "pending"
                                           for phase in PHASES}
    [entry] = audited(demo_db, "open", "cycle")
    assert (entry["username"], entry["entity_id"]) == ("demo-admin", "2571")
    assert at.selectbox(key="adm:year").value == 2571  # the newest year is shown first
    assert "2571" in at.dataframe[0].value.iloc[0, 0]


def test_opening_a_year_that_exists_is_refused(admin_page, demo_db):
    before = audit_count(demo_db)
    at = open_year(admin_page(), YEAR)
    assert errors(at) == [translate("error_year_exists", "th", year=YEAR)]
    assert not at.toast
    assert [c["year"] for c in org.cycles(demo_db)] == [2568, 2569, 2570]
    assert audit_count(demo_db) == before


def test_close_a_phase_then_reopen_it_only_with_a_reason(admin_page, demo_db):
    at = admin_page()
    at.button(key=f"adm:phase:{YEAR}:review").click().run()
    assert ok(at) and not at.error
    assert phase_states(demo_db, YEAR)["review"] == "closed"
    assert at.button(key=f"adm:phase:{YEAR}:review").label == translate("adm_reopen_phase", "th")

    at.button(key=f"adm:phase:{YEAR}:review").click().run()
    assert errors(at) == [translate("error_reason_required", "th")]
    assert phase_states(demo_db, YEAR)["review"] == "closed"

    at.text_input(key=f"adm:phase_reason:{YEAR}").input("คณะกรรมการขอทบทวนเพิ่ม")
    at.button(key=f"adm:phase:{YEAR}:review").click().run()
    assert ok(at) and not at.error
    assert phase_states(demo_db, YEAR)["review"] == "open"
    closed, opened = audited(demo_db, "close_phase", "cycle"), audited(demo_db, "open_phase", "cycle")
    assert [e["detail"]["phase"] for e in closed] == ["review"]
    assert [(e["detail"]["phase"], e["detail"]["reason"]) for e in opened] == [("review", "คณะกรรมการขอทบทวนเพิ่ม")]


def test_open_a_pending_phase_needs_no_reason(admin_page, demo_db):
    at = admin_page(lang="en")
    assert at.button(key=f"adm:phase:{YEAR}:planning").label == translate("adm_open_phase", "en")
    at.button(key=f"adm:phase:{YEAR}:planning").click().run()
    assert ok(at) and not at.error
    assert toasts(at) == [translate("adm_saved", "en")]
    assert phase_states(demo_db, YEAR)["planning"] == "open"


def test_close_the_year_after_confirming_then_reopen_it_with_a_reason(admin_page, demo_db):
    at = admin_page()
    assert at.button(key=f"adm:close:{YEAR}").disabled
    at.checkbox(key=f"adm:close_sure:{YEAR}").check().run()
    assert not at.button(key=f"adm:close:{YEAR}").disabled
    at.button(key=f"adm:close:{YEAR}").click().run()
    ok(at)
    assert toasts(at) == [translate("adm_year_closed", "th", year=YEAR)]
    assert years.cycle(demo_db, YEAR)["status"] == "closed"
    assert set(phase_states(demo_db, YEAR).values()) == {"closed"}
    assert len(audited(demo_db, "close", "cycle")) == 1
    assert at.info and at.info[0].value.startswith(translate("adm_year_closed_note", "th", when="")[:20])
    assert not [b for b in at.button if (b.key or "").startswith(f"adm:phase:{YEAR}")]

    at.button(key=f"adm:reopen:{YEAR}").click().run()
    assert errors(at) == [translate("error_reason_required", "th")]
    assert years.cycle(demo_db, YEAR)["status"] == "closed"

    at.text_input(key=f"adm:reopen_reason:{YEAR}").input("แก้ไขคะแนนหลังการทบทวน")
    at.button(key=f"adm:reopen:{YEAR}").click().run()
    ok(at)
    assert toasts(at) == [translate("adm_year_reopened", "th", year=YEAR)]
    assert years.cycle(demo_db, YEAR)["status"] == "open"
    assert set(phase_states(demo_db, YEAR).values()) == {"closed"}  # phases stay closed
    [entry] = audited(demo_db, "reopen", "cycle")
    assert entry["detail"] == {"reason": "แก้ไขคะแนนหลังการทบทวน"}


def edit_dates(at: AppTest, year: int, rows: dict[int, dict]) -> None:
    """Cell edits in the dates table, as the browser sends them (the editor's state before the form submits)."""
    at.session_state[f"adm:dates:{year}"] = {"edited_rows": rows, "added_rows": [], "deleted_rows": []}


def test_save_phase_dates_from_the_table(admin_page, demo_db):
    at = admin_page()
    edit_dates(at, YEAR, {0: {"ends_on": "2026-12-15"}, 1: {"starts_on": "2026-12-16"}})
    click(at, "adm_save_dates")
    assert not at.error
    assert toasts(at) == [translate("adm_saved", "th")]
    stored = {p["phase"]: (p["starts_on"], p["ends_on"]) for p in years.phases(demo_db, YEAR)}
    assert stored["self_assessment"] == ("2026-10-01", "2026-12-15")
    assert stored["review"] == ("2026-12-16", "2027-02-28")
    [entry] = audited(demo_db, "set_dates", "cycle")
    assert entry["detail"]["phases"]["self_assessment"] == ["2026-10-01", "2026-12-15"]
    [table] = at.data_editor
    assert table.key == f"adm:dates:{YEAR}"
    assert [str(d)[:10] for d in table.value["ends_on"][:2]] == ["2026-12-15", "2027-02-28"]  # the stored dates


def test_dates_in_the_wrong_order_are_refused(admin_page, demo_db):
    before = years.phases(demo_db, YEAR)
    at = admin_page()
    edit_dates(at, YEAR, {2: {"starts_on": "2027-03-31", "ends_on": "2027-03-01"}})
    click(at, "adm_save_dates")
    assert errors(at) == [translate("error_phase_order", "th", phase="planning")]
    assert years.phases(demo_db, YEAR) == before


# ---- units -----------------------------------------------------------------------------------------------

def fill_unit(at: AppTest, prefix: str, **values) -> None:
    for field, value in values.items():
        key = f"{prefix}:{field}"
        widget = at.number_input(key=key) if field == "weight" else at.text_input(key=key)
        widget.set_value(value)


@pytest.mark.parametrize("lang", ["th", "en"])
def test_add_a_unit(admin_page, demo_db, lang):
    at = admin_page("units", lang)
    fill_unit(at, "adm:new_unit:0", code=" QA ", name_th="กลุ่มพัฒนาคุณภาพ", name_en="Quality Group", kind="ส่วนกลาง",
              weight=12.0)
    click(at, "adm_add_unit", lang)
    assert not at.error
    assert toasts(at) == [translate("adm_unit_added", lang, code="QA")]
    unit = org.unit(demo_db, org.unit_id_of(demo_db, "QA"))
    assert (unit["name_th"], unit["name_en"], unit["kind"], unit["weight"], unit["active"]) == \
        ("กลุ่มพัฒนาคุณภาพ", "Quality Group", "ส่วนกลาง", 12.0, 1)
    [entry] = audited(demo_db, "create", "unit")[-1:]
    assert (entry["username"], entry["entity_id"], entry["detail"]["code"]) == ("demo-admin", str(unit["id"]), "QA")
    assert "QA" in list(at.dataframe[0].value[translate("adm_unit_code", lang)])


def test_a_bad_unit_code_is_refused_with_a_message(admin_page, demo_db):
    before, logged = len(org.all_units(demo_db)), audit_count(demo_db)
    at = admin_page("units")
    fill_unit(at, "adm:new_unit:0", code="กอง 1", name_th="กองหนึ่ง")
    click(at, "adm_add_unit")
    assert errors(at) == [translate("error_unit_code", "th", code="กอง 1")]
    assert not at.toast
    assert len(org.all_units(demo_db)) == before and audit_count(demo_db) == logged


def test_a_taken_unit_code_is_refused(admin_page, demo_db):
    at = admin_page("units")
    fill_unit(at, "adm:new_unit:0", code="PLAN", name_th="กองแผนงานซ้ำ")
    click(at, "adm_add_unit")
    assert errors(at) == [translate("error_unit_code_taken", "th", code="PLAN")]
    assert len(org.all_units(demo_db)) == 20


def test_edit_a_units_name(admin_page, demo_db):
    plan = org.unit_id_of(demo_db, "PLAN")
    at = admin_page("units")
    at.selectbox(key="adm:edit_unit").set_value(plan).run()
    assert at.text_input(key=f"adm:unit:{plan}:name_th").value == org.unit(demo_db, plan)["name_th"]
    fill_unit(at, f"adm:unit:{plan}", name_th="กองยุทธศาสตร์และแผนงาน", weight=75.0)
    click(at, "adm_save")
    assert not at.error and toasts(at) == [translate("adm_saved", "th")]
    stored = org.unit(demo_db, plan)
    assert (stored["code"], stored["name_th"], stored["weight"]) == ("PLAN", "กองยุทธศาสตร์และแผนงาน", 75.0)
    [entry] = audited(demo_db, "update", "unit")
    assert entry["entity_id"] == str(plan)
    assert entry["detail"]["name_th"][1] == "กองยุทธศาสตร์และแผนงาน" and entry["detail"]["weight"][1] == 75.0
    assert "กองยุทธศาสตร์และแผนงาน" in list(at.dataframe[0].value[translate("adm_unit_name_th", "th")])


def test_deactivate_a_unit_then_reactivate_it(admin_page, demo_db):
    rc12 = org.unit_id_of(demo_db, "RC12")
    at = admin_page("units", "en")
    at.selectbox(key="adm:edit_unit").set_value(rc12).run()
    at.button(key=f"adm:unit_off:{rc12}").click().run()
    ok(at)
    assert org.unit(demo_db, rc12)["active"] == 0
    assert rc12 not in list(org.units(demo_db)["id"])  # not offered for new assessments or users
    table = at.dataframe[0].value
    assert table.loc[table[translate("adm_unit_code", "en")] == "RC12", translate("adm_active", "en")].item() == \
        translate("word_no", "en")
    [entry] = audited(demo_db, "disable", "unit")
    assert (entry["entity_id"], entry["detail"]) == (str(rc12), {"code": "RC12"})
    at.button(key=f"adm:unit_on:{rc12}").click().run()
    ok(at)
    assert org.unit(demo_db, rc12)["active"] == 1 and len(audited(demo_db, "enable", "unit")) == 1


IMPORT = ("code,name_th,name_en,group,weight\n"
          "PLAN,กองแผนงาน,Planning Division,central,99\n"
          "QA,กลุ่มพัฒนาคุณภาพ,Quality Group,central,12\n").encode("utf-8-sig")


def test_import_units_from_a_csv_file(admin_page, demo_db):
    plan_id = org.unit_id_of(demo_db, "PLAN")
    at = admin_page("units")
    at.get("file_uploader")[0].upload("units.csv", IMPORT, "text/csv").run()
    ok(at)
    assert [s.value for s in at.success] == [translate("adm_import_preview", "th", added=1, changed=1, unchanged=0)]
    added, changed = at.dataframe[1].value, at.dataframe[2].value
    assert list(added.columns) == [translate(f"adm_unit_{c}", "th") for c in ("code", "name_th", "name_en", "group",
                                                                              "weight")]
    assert list(added[translate("adm_unit_code", "th")]) == ["QA"]
    assert changed.to_dict("records") == [{translate("adm_unit_code", "th"): "PLAN", translate(
        "adm_import_changes", "th"): f"{translate('adm_unit_weight', 'th')}: 60 → 99"}]
    assert len(org.all_units(demo_db)) == 20  # nothing changes before the import is confirmed
    click(at, "adm_import_apply", n=2)
    assert not at.error
    assert toasts(at) == [translate("adm_import_done", "th", added=1, changed=1)]
    assert org.unit(demo_db, plan_id)["weight"] == 99.0
    assert org.unit(demo_db, org.unit_id_of(demo_db, "QA"))["name_en"] == "Quality Group"
    [entry] = audited(demo_db, "import", "units")
    assert entry["detail"] == {"file": "units.csv", "added": 1, "changed": 1, "unchanged": 0}
    [uploader] = at.get("file_uploader")
    assert uploader.key == "adm:import:1" and uploader.value is None  # a fresh uploader for the next file
    assert not at.success


def test_an_import_with_problems_lists_them_and_changes_nothing(admin_page, demo_db):
    logged = audit_count(demo_db)
    at = admin_page("units")
    bad = "code,name_th,weight\nกอง 1,กองหนึ่ง,10\nQA,,-3\n".encode()
    at.get("file_uploader")[0].upload("units.csv", bad, "text/csv").run()
    ok(at)
    [problems] = errors(at)
    assert problems == translate("adm_import_problems", "th", n=3)
    table = at.dataframe[1].value
    assert list(table[translate("adm_import_row", "th")]) == [2, 3, 3]
    assert list(table[translate("adm_import_problem", "th")]) == [
        translate("import_problem_code_chars", "th", value="กอง 1"),
        translate("import_problem_required", "th", column="name_th"),
        translate("import_problem_weight", "th", value="-3", limit=org.MAX_WEIGHT)]
    assert not [b for b in at.main.button if b.label.startswith(translate("adm_import_apply", "th", n=0)[:6])]
    assert len(org.all_units(demo_db)) == 20 and audit_count(demo_db) == logged


# ---- users -----------------------------------------------------------------------------------------------

TEMPORARY = "temp-password-1"


def add_assessor(at: AppTest, demo_db, lang: str = "th", username: str = "qa-assessor") -> AppTest:
    at.text_input(key="adm:new_user:0:name").input(username)
    at.text_input(key="adm:new_user:0:display").input("ผู้ประเมิน กองแผนงาน")
    at.text_input(key="adm:new_user:0:email").input("qa@example.go.th")
    at.text_input(key="adm:new_user:0:password").input(TEMPORARY)
    at.selectbox(key="adm:new_user:0:role").set_value("unit")
    at.selectbox(key="adm:new_user:0:unit").set_value(org.unit_id_of(demo_db, "PLAN"))
    return click(at, "adm_add_user", lang)


@pytest.mark.parametrize("lang", ["th", "en"])
def test_add_a_unit_assessor_with_a_temporary_password(admin_page, demo_db, lang):
    at = add_assessor(admin_page("users", lang), demo_db, lang)
    assert not at.error
    assert toasts(at) == [translate("adm_user_added", lang, name="qa-assessor")]
    [row] = [u for u in accounts.users(demo_db) if u["username"] == "qa-assessor"]
    assert (row["role"], row["unit_code"], row["display_name"], row["email"], row["must_change_password"],
            row["active"]) == ("unit", "PLAN", "ผู้ประเมิน กองแผนงาน", "qa@example.go.th", 1, 1)
    assert authenticate(demo_db, "qa-assessor", TEMPORARY).must_change_password
    [entry] = [e for e in audited(demo_db, "create", "user") if e["username"] == "demo-admin"]
    assert entry["entity_id"] == str(row["id"])
    assert "qa-assessor" in list(at.dataframe[0].value[translate("username", lang)])


def test_a_unit_assessor_without_a_unit_is_refused(admin_page, demo_db):
    at = admin_page("users")
    at.text_input(key="adm:new_user:0:name").input("no-unit")
    at.text_input(key="adm:new_user:0:password").input(TEMPORARY)
    click(at, "adm_add_user")
    assert errors(at) == [translate("error_user_unit", "th")]
    assert "no-unit" not in [u["username"] for u in accounts.users(demo_db)]


@pytest.mark.parametrize("lang", ["th", "en"])
@pytest.mark.parametrize(("password", "key"), [("password123", "error_password_common"),
                                               ("qa-assessor-1", "error_password_username"),
                                               ("short1", "error_password_short")])
def test_a_weak_temporary_password_is_refused_with_its_reason(admin_page, demo_db, lang, password, key):
    at = admin_page("users", lang)
    at.text_input(key="adm:new_user:0:name").input("qa-assessor")
    at.text_input(key="adm:new_user:0:password").input(password)
    at.selectbox(key="adm:new_user:0:role").set_value("committee")
    click(at, "adm_add_user", lang)
    assert errors(at) == [translate(key, lang, n=accounts.MIN_PASSWORD)]
    assert "qa-assessor" not in [u["username"] for u in accounts.users(demo_db)]


def test_a_refused_new_user_keeps_everything_typed_and_an_added_one_empties_the_form(admin_page, demo_db):
    # regression (issue 25): a weak temporary password emptied every field of the form (clear_on_submit)
    at = admin_page("users")
    typed = {"name": "qa-assessor", "display": "ผู้ประเมิน กองแผนงาน", "email": "qa@example.go.th",
             "password": "password123"}
    for field, value in typed.items():
        at.text_input(key=f"adm:new_user:0:{field}").input(value)
    at.selectbox(key="adm:new_user:0:role").set_value("committee")
    click(at, "adm_add_user")
    assert errors(at) == [translate("error_password_common", "th")]
    assert {field: at.text_input(key=f"adm:new_user:0:{field}").value for field in typed} == typed
    assert at.selectbox(key="adm:new_user:0:role").value == "committee"
    at.text_input(key="adm:new_user:0:password").input(TEMPORARY)
    click(at, "adm_add_user")
    assert not at.error and "qa-assessor" in [u["username"] for u in accounts.users(demo_db)]
    assert {field: at.text_input(key=f"adm:new_user:1:{field}").value for field in typed} == dict.fromkeys(typed, "")


def test_a_refused_new_unit_keeps_everything_typed(admin_page, demo_db):
    at = admin_page("units")
    fill_unit(at, "adm:new_unit:0", code="PLAN", name_th="กองแผนงานซ้ำ", name_en="Plans again", weight=7.0)
    click(at, "adm_add_unit")
    assert errors(at) == [translate("error_unit_code_taken", "th", code="PLAN")]
    assert [at.text_input(key=f"adm:new_unit:0:{f}").value for f in ("code", "name_th", "name_en")] == [
        "PLAN", "กองแผนงานซ้ำ", "Plans again"]
    assert at.number_input(key="adm:new_unit:0:weight").value == 7.0


def test_an_account_form_shows_what_another_admin_saved_meanwhile_and_saves_only_that(admin_page, demo_db):
    # regression (issue 25): the form kept the values it was first drawn with, so a save wrote them back
    director = next(u for u in accounts.users(demo_db) if u["username"] == "demo-director")
    at = admin_page("users")
    at.selectbox(key="adm:edit_user").set_value(director["id"]).run()
    assert at.text_input(key=f"adm:user:{director['id']}:email").value == (director["email"] or "")
    admin = authenticate(demo_db, "demo-admin", DEMO_PASSWORD)
    accounts.update_user(demo_db, admin, director["id"], "director", None, director["display_name"],
                         "director@example.go.th")
    at.run()
    assert at.text_input(key=f"adm:user:{director['id']}:email").value == "director@example.go.th"
    at.text_input(key=f"adm:user:{director['id']}:display").input("ผู้อำนวยการกอง")
    click(at, "adm_save")
    [row] = [u for u in accounts.users(demo_db) if u["id"] == director["id"]]
    assert (row["display_name"], row["email"]) == ("ผู้อำนวยการกอง", "director@example.go.th")


def test_a_new_user_changes_the_temporary_password_at_the_first_sign_in(admin_page, demo_db, demo_path, sign_in):
    add_assessor(admin_page("users"), demo_db)
    at = sign_in(demo_path, "qa-assessor", TEMPORARY)
    assert at.title[0].value == translate("pw_title", "th")  # at home
    assert not at.sidebar.get("page_link")  # no menu until the password is changed
    ok(open_address(at, "self_assessment"))
    assert at.title[0].value == translate("pw_title", "th")  # and at every other address

    at.text_input(key="pw_current").input(TEMPORARY)
    at.text_input(key="pw_new").input(NEW_PASSWORD)
    at.text_input(key="pw_again").input(NEW_PASSWORD + "x")
    click(at, "pw_save")
    assert errors(at) == [translate("pw_differ", "th")]
    at.text_input(key="pw_current").input("wrong-password")
    at.text_input(key="pw_new").input(NEW_PASSWORD)
    at.text_input(key="pw_again").input(NEW_PASSWORD)
    click(at, "pw_save")
    assert errors(at) == [translate("error_password_current", "th")]
    assert authenticate(demo_db, "qa-assessor", TEMPORARY).must_change_password

    at.text_input(key="pw_current").input(TEMPORARY)
    click(at, "pw_save")
    assert not at.error
    plan = org.unit(demo_db, org.unit_id_of(demo_db, "PLAN"))
    assert at.title[0].value == translate("sa_title", "th", unit=plan["name_th"])
    user = authenticate(demo_db, "qa-assessor", NEW_PASSWORD)
    assert user is not None and not user.must_change_password
    assert authenticate(demo_db, "qa-assessor", TEMPORARY) is None
    assert [e["entity_id"] for e in audited(demo_db, "change_password", "user")] == [str(user.id)]


def open_user(at: AppTest, db, username: str) -> int:
    user_id = accounts.user_id_of(db, username)
    at.selectbox(key="adm:edit_user").set_value(user_id).run()
    ok(at)
    return user_id


def test_disabling_the_last_admin_is_refused(admin_page, demo_db):
    logged = audit_count(demo_db)
    at = admin_page("users")
    admin = open_user(at, demo_db, "demo-admin")
    at.button(key=f"adm:user:{admin}:off").click().run()
    assert errors(at) == [translate("error_last_admin", "th")]
    assert authenticate(demo_db, "demo-admin", DEMO_PASSWORD) is not None
    assert audit_count(demo_db) == logged
    assert at.title[0].value == translate("adm_title", "th")  # still signed in, still the admin


def test_reset_a_password(admin_page, demo_db):
    at = admin_page("users", "en")
    unit_user = open_user(at, demo_db, "demo-unit")
    at.text_input(key=f"adm:user:{unit_user}:password:0").input("short")
    click(at, "adm_reset_password", "en")
    assert errors(at) == [translate("error_password_short", "en", n=accounts.MIN_PASSWORD)]
    assert authenticate(demo_db, "demo-unit", DEMO_PASSWORD) is not None
    at.text_input(key=f"adm:user:{unit_user}:password:0").input(TEMPORARY)
    click(at, "adm_reset_password", "en")
    assert toasts(at) == [translate("adm_password_reset", "en", name="demo-unit")]
    assert authenticate(demo_db, "demo-unit", DEMO_PASSWORD) is None
    assert authenticate(demo_db, "demo-unit", TEMPORARY).must_change_password
    [entry] = audited(demo_db, "reset_password", "user")
    assert (entry["username"], entry["entity_id"]) == ("demo-admin", str(unit_user))


def test_change_a_users_role_and_disable_the_account(admin_page, demo_db):
    at = admin_page("users")
    director = open_user(at, demo_db, "demo-director")
    at.selectbox(key=f"adm:user:{director}:role").set_value("committee")
    click(at, "adm_save")
    assert not at.error
    assert authenticate(demo_db, "demo-director", DEMO_PASSWORD).role == "committee"
    assert audited(demo_db, "update", "user")[0]["detail"]["role"] == ["director", "committee"]
    at.button(key=f"adm:user:{director}:off").click().run()
    ok(at)
    assert authenticate(demo_db, "demo-director", DEMO_PASSWORD) is None
    [entry] = audited(demo_db, "disable", "user")
    assert (entry["username"], entry["entity_id"]) == ("demo-admin", str(director))
    assert at.button(key=f"adm:user:{director}:on").label == translate("adm_enable_user", "th")


# ---- criteria and thresholds -----------------------------------------------------------------------------

def set_thresholds(at: AppTest, year: int = YEAR, ladder: str | None = None, **values: float) -> None:
    for name, value in values.items():
        at.number_input(key=f"adm:th:{year}:{name}").set_value(value)
    if ladder is not None:
        at.text_input(key=f"adm:th:{year}:ladder").input(ladder)


def test_thresholds_that_do_not_rise_are_refused(admin_page, demo_db):
    logged, before = audit_count(demo_db), years.cycle(demo_db, YEAR)["thresholds"]
    at = admin_page("criteria")
    set_thresholds(at, basic=400.0, advance=300.0)
    click(at, "adm_save_thresholds")
    assert errors(at) == [translate("error_thresholds_levels", "th")]
    assert years.cycle(demo_db, YEAR)["thresholds"] == before
    assert audit_count(demo_db) == logged


def test_the_criteria_forms_show_what_another_admin_saved_meanwhile(admin_page, demo_db):
    # regression (issue 25): the thresholds and rules forms kept the values first drawn, and saved them back
    at = admin_page("criteria")
    admin = authenticate(demo_db, "demo-admin", DEMO_PASSWORD)
    values = years.framework_of(demo_db, YEAR).thresholds.model_dump()
    values["levels"]["basic"] = 310.0
    years.set_thresholds(demo_db, admin, YEAR, values)
    years.set_rules(demo_db, admin, YEAR, "entered_only", [1, 2, 3, 4, 5, 6])
    at.run()
    assert at.number_input(key=f"adm:th:{YEAR}:basic").value == 310.0
    assert at.radio(key=f"adm:rules:{YEAR}:missing:th").value == "entered_only"
    assert at.multiselect(key=f"adm:rules:{YEAR}:categories:th").value == [1, 2, 3, 4, 5, 6]
    set_thresholds(at, advance=410.0)
    click(at, "adm_save_thresholds")
    saved = years.framework_of(demo_db, YEAR).thresholds.levels
    assert (saved.basic, saved.advance) == (310.0, 410.0)


def metric(at: AppTest, key: str, lang: str = "th") -> str:
    # a Thai label's words are marked for the page (ui.text.thai_lines)
    return next(m.value.replace(WORD_BREAK, "") for m in at.metric if m.label == translate(key, lang))


@pytest.mark.parametrize("lang", ["th", "en"])
def test_saved_thresholds_are_stored_and_used_by_home_and_overview(admin_page, demo_db, lang):
    at = admin_page("criteria", lang)
    at.switch_page("pages/home.py").run()
    assert metric(at, "level", lang) == level_label("basic", lang)  # the demo total is about 361
    at.switch_page(PAGE).run()
    at.session_state["adm_tab"] = translate(TABS["criteria"], lang)
    at.run()
    set_thresholds(at, basic=380.0, advance=420.0, significance=480.0, ladder="380, 420; 460")
    click(at, "adm_save_thresholds", lang)
    assert not at.error and toasts(at) == [translate("adm_saved", lang)]
    stored = json.loads(years.cycle(demo_db, YEAR)["thresholds"])
    assert stored["levels"] == {"basic": 380.0, "advance": 420.0, "significance": 480.0}
    assert stored["ladder"] == [380.0, 420.0, 460.0]
    assert [(tier["id"], tier["total"], tier["category_min"]) for tier in stored["awards"]["tiers"]] == [
        (tier.id, tier.total, tier.category_min) for tier in default_framework().thresholds.awards.tiers]
    assert [tier["id"] for tier in stored["awards"]["tiers"]] == ["advance"]  # the default's one tier
    assert stored["awards"]["category"] == 400.0
    [entry] = audited(demo_db, "set_thresholds", "cycle")[-1:]
    assert entry["detail"]["before"]["levels"]["basic"] == 300.0 and entry["detail"]["after"] == stored
    captions = [c.value for c in at.caption]
    assert translate("adm_thresholds_saved", lang) in captions and translate("adm_rules_from_file", lang) in captions
    assert years.framework_of(demo_db, YEAR).thresholds.levels.basic == 380.0

    at.switch_page("pages/home.py").run()
    ok(at)
    assert metric(at, "level", lang) == level_label("below_basic", lang)
    at.switch_page("pages/overview.py").run()
    ok(at)
    assert metric(at, "level", lang) == level_label("below_basic", lang)


@pytest.mark.parametrize("lang", ["th", "en"])
def test_the_years_rules_are_saved_audited_and_named_wherever_scores_show(admin_page, demo_db, demo_path, lang, app):
    at = admin_page("criteria", lang)
    at.radio(key=f"adm:rules:{YEAR}:missing:{lang}").set_value("entered_only")
    at.multiselect(key=f"adm:rules:{YEAR}:categories:{lang}").unselect(7)
    click(at, "adm_save_rules", lang)
    assert not at.error and toasts(at) == [translate("adm_saved", lang)]
    assert json.loads(years.cycle(demo_db, YEAR)["rules"]) == {"missing_kpis": "entered_only",
                                                               "categories": [1, 2, 3, 4, 5, 6]}
    [entry] = audited(demo_db, "set_rules", "cycle")
    assert entry["detail"]["after"]["categories"] == [1, 2, 3, 4, 5, 6] and entry["entity_id"] == str(YEAR)
    assert translate("adm_rules_saved", lang) in [c.value for c in at.caption]
    in_force = rules_text(years.framework_of(demo_db, YEAR).rules, lang)
    assert "1–6" in in_force
    for page in ("pages/home.py", "pages/overview.py"):
        at.switch_page(page).run()
        assert in_force in [c.value for c in ok(at).caption], page
    unit = ok(app("unit", lang))
    assert any(in_force in c.value for c in unit.caption)
    unit.switch_page("pages/self_assessment.py").run()
    assert in_force in [c.value for c in ok(unit).caption]
    offered = next(w for w in unit.get("button_group") if w.label == translate("category", lang)).options
    assert len(offered) == 6


def test_rules_without_a_category_are_refused_and_change_nothing(admin_page, demo_db):
    logged = audit_count(demo_db)
    at = admin_page("criteria")
    for category in range(1, 8):
        at.multiselect(key=f"adm:rules:{YEAR}:categories:th").unselect(category)
    click(at, "adm_save_rules")
    assert errors(at) == [translate("error_rules_no_category", "th")]
    assert years.cycle(demo_db, YEAR)["rules"] is None and audit_count(demo_db) == logged


CRITERIA = ROOT / "data" / "frameworks" / "pmqa4-default.yaml"


def test_upload_a_criteria_file_see_what_it_changes_accept_it_then_go_back_to_the_default(admin_page, demo_db):
    old = "ผู้บริหารกำหนดวิสัยทัศน์ พันธกิจ และค่านิยมขององค์การไว้เป็นลายลักษณ์อักษร"
    text = CRITERIA.read_text(encoding="utf-8")
    assert old in text
    data = text.replace(old, "ผู้บริหารกำหนดและเผยแพร่วิสัยทัศน์ พันธกิจ และค่านิยมขององค์การ").encode()
    at = admin_page("criteria")
    [uploader] = at.get("file_uploader")
    uploader.upload("pmqa4-2570.yaml", data, "application/x-yaml").run()
    ok(at)
    assert not at.error
    diff = at.dataframe[0].value
    assert list(diff[translate("diff_col_ref", "th")]) == ["1.1.B1"]
    assert list(diff[translate("diff_col_change", "th")]) == [translate("diff_change_reworded", "th")]
    assert years.cycle(demo_db, YEAR)["criteria_sha"] is None  # nothing before it is accepted

    click(at, "adm_criteria_accept", year=YEAR)
    assert not at.error and toasts(at) == [translate("adm_criteria_accepted", "th")]
    sha = years.cycle(demo_db, YEAR)["criteria_sha"]
    assert sha and years.framework_of(demo_db, YEAR).text_of("1.1.B1").th.startswith("ผู้บริหารกำหนดและ")
    [entry] = audited(demo_db, "set_criteria", "cycle")
    assert (entry["detail"]["file"], entry["detail"]["sha256"]) == ("pmqa4-2570.yaml", sha)
    assert any(md("pmqa4-2570.yaml") in m.value for m in at.markdown)
    assert at.get("file_uploader")[0].value is None  # a fresh uploader

    assert any(e.label == translate("adm_criteria_default_diff", "th", name=default_framework().name.th)
               for e in at.expander)  # what going back would change: the one checkpoint, back
    click(at, "adm_criteria_use_default")
    assert years.framework_of(demo_db, YEAR) == default_framework()
    assert accepted_framework(demo_db, years.cycle(demo_db, YEAR)["criteria_sha"]) == default_framework()
    assert [e["detail"]["file"] for e in audited(demo_db, "set_criteria", "cycle")] == ["pmqa4-2570.yaml", None]
    assert not [b for b in at.button if b.label == translate("adm_criteria_use_default", "th")]


def test_a_broken_criteria_file_is_refused_with_a_message(admin_page, demo_db):
    at = admin_page("criteria", "en")
    at.get("file_uploader")[0].upload("broken.yaml", b"id: x\ncategories: [", "application/x-yaml").run()
    ok(at)
    [message] = errors(at)
    assert message.startswith(translate("error_criteria_file", "en", name="broken.yaml", message="")[:30])
    assert not [b for b in at.main.button if b.label == translate("adm_criteria_accept", "en", year=YEAR)]
    assert years.cycle(demo_db, YEAR)["criteria_sha"] is None


# ---- backup and restore ----------------------------------------------------------------------------------

def test_back_up_now_then_restore_the_archive(admin_page, demo_db, demo_path, tmp_path, monkeypatch):
    from storage.admin import backup

    monkeypatch.setenv("PMQA_BACKUPS", str(tmp_path / "backups"))  # a PostgreSQL store's (a SQLite file's: beside it)
    at = admin_page("backup")
    click(at, "adm_backup_make")
    assert not at.error
    [archive] = backup.backups_folder(demo_db).glob("*.zip")
    assert [s.value for s in at.success] == [translate(
        "adm_backup_ready", "th", name=archive.name, size=f"{archive.stat().st_size / 1_048_576:,.1f}")]
    [download] = at.get("download_button")
    assert download.proto.label == translate("adm_backup_download", "th")
    [entry] = audited(demo_db, "backup", "store")
    assert (entry["username"], entry["detail"]["archive"]) == ("demo-admin", archive.name)

    admin = authenticate(demo_db, "demo-admin", DEMO_PASSWORD)
    org.add_unit(demo_db, "LATE", "หน่วยที่เพิ่มหลังสำรอง", "", actor=admin)  # undone by the restore
    [uploader] = at.get("file_uploader")
    uploader.upload(archive.name, archive.read_bytes(), "application/zip").run()
    ok(at)
    assert at.info[0].value.startswith(translate("adm_restore_found", "th", when="", files=0, rows=0)[:20])
    assert button(at, "adm_restore_button").disabled
    at.text_input(key="adm:restore_typed:0").input("restore").run()
    assert button(at, "adm_restore_button").disabled  # only the word shown
    at.text_input(key="adm:restore_typed:0").input(translate("adm_restore_word", "th")).run()
    click(at, "adm_restore_button")
    assert not at.error and toasts(at) == [translate("adm_restore_done", "th")]
    restored = connect(demo_path)
    assert "LATE" not in list(org.all_units(restored)["code"])
    [entry] = audited(restored, "restore", "store")
    assert (entry["username"], entry["detail"]["archive"]) == ("demo-admin", archive.name)
    restored.close()
    assert at.get("file_uploader")[-1].key == "adm:restore:1"


def test_the_admin_who_restores_stays_signed_in(admin_page, units_only_template, tmp_path):
    """A restore brings back the archive's sign-ins and ends every other; the admin who ran it keeps working
    (the archive here was taken before this admin signed in, so it does not hold their sign-in)."""
    from storage.admin import backup

    at = admin_page("backup")
    earlier_location = copy_store(units_only_template, tmp_path, "before.db")  # the store the page runs on, earlier
    try:
        with closing(connect(earlier_location)) as earlier:
            with transaction(earlier):
                earlier.execute("DELETE FROM web_sessions")
            archive = backup.backup(earlier, tmp_path / "archives")
    finally:
        drop(earlier_location)
    at.get("file_uploader")[0].upload(archive.name, archive.read_bytes(), "application/zip").run()
    at.text_input(key="adm:restore_typed:0").input(translate("adm_restore_word", "th")).run()
    click(at, "adm_restore_button")
    at.run()
    assert not at.error and at.session_state["user_id"] and translate("page_admin", "th") in [
        t.value for t in at.title]


def test_a_file_that_is_not_an_archive_is_refused(admin_page, demo_db):
    at = admin_page("backup", "en")
    at.get("file_uploader")[0].upload("notes.zip", b"not a zip file", "application/zip").run()
    ok(at)
    assert errors(at) == [translate("error_backup_not_archive", "en", name="notes.zip")]
    assert not [b for b in at.main.button if b.label == translate("adm_restore_button", "en")]
    assert len(org.all_units(demo_db)) == 20


# ---- audit log -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["th", "en"])
def test_the_audit_log_filters_by_user_and_offers_a_csv(admin_page, demo_db, lang):
    admin = authenticate(demo_db, "demo-admin", DEMO_PASSWORD)
    years.set_phase(demo_db, admin, YEAR, "planning", "open")
    years.set_phase(demo_db, admin, YEAR, "planning", "closed")
    at = admin_page("audit", lang)
    everyone = len(audit.entries(demo_db))
    assert at.caption[0].value == translate("adm_audit_count", lang, n=everyone, shown=everyone)
    assert len(at.dataframe[0].value) == everyone
    who = translate("adm_audit_who", lang)
    assert set(at.dataframe[0].value[who]) > {"demo-admin"}

    at.selectbox(key="adm:audit_who").set_value("demo-admin").run()
    ok(at)
    table = at.dataframe[0].value
    assert set(table[who]) == {"demo-admin"} and 2 <= len(table) < everyone
    assert len(table) == len(audit.entries(demo_db, "demo-admin"))
    # regression (issue 25): the table showed raw codes ("close_phase") and JSON; it reads in words now
    signed_in = translate("audit_act_sign_in", lang)
    actions = [a for a in table[translate("adm_audit_action", lang)] if a != signed_in]  # signing in is audited too
    assert actions[:2] == [translate("audit_act_close_phase", lang), translate("audit_act_open_phase", lang)]
    phase = translate("phase_planning", lang)
    details = [d for d in table[translate("adm_audit_detail", lang)] if phase in d]
    assert details == [translate("audit_sum_close_phase", lang, phase=phase, year=YEAR, reason=""),
                       translate("audit_sum_open_phase", lang, phase=phase, year=YEAR, reason="")]
    assert translate("audit_ent_cycle", lang) in set(table[translate("adm_audit_entity", lang)])
    assert not any("{" in d for d in table[translate("adm_audit_detail", lang)])
    assert translate("adm_audit_detail_raw", lang) not in table.columns  # the raw JSON is for the CSV
    action = at.selectbox(key="adm:audit_action")
    assert translate("audit_act_open_phase", lang) in action.options
    action.set_value("open_phase").run()
    assert len(at.dataframe[0].value) == 1
    [download] = at.get("download_button")
    assert download.proto.label == translate("adm_audit_csv", lang)


@pytest.mark.parametrize("lang", ["th", "en"])
def test_the_audit_csv_keeps_the_raw_codes_and_json_beside_the_words(demo_db, lang):
    from ui.admin.audit import table

    admin = authenticate(demo_db, "demo-admin", DEMO_PASSWORD)
    years.set_phase(demo_db, admin, YEAR, "planning", "open")
    rows = table(audit.entries(demo_db, action="open_phase"), {}, lang)
    [row] = rows.to_dict("records")
    assert row[translate("adm_audit_action", lang)] == translate("audit_act_open_phase", lang)
    assert row[translate("adm_audit_action_code", lang)] == "open_phase"
    assert row[translate("adm_audit_entity_code", lang)] == "cycle"
    assert json.loads(row[translate("adm_audit_detail_raw", lang)]) == {"phase": "planning", "was": "pending",
                                                                        "reason": None}
    assert row[translate("adm_audit_detail", lang)] == translate(
        "audit_sum_open_phase", lang, phase=translate("phase_planning", lang), year=YEAR, reason="")


def test_the_audit_date_filter_uses_the_dates_shown_in_thailand_time(admin_page, demo_db):
    # 20:30 UTC on 24 November is 03:30 on 25 November in Thailand, as the table shows it
    demo_db.execute("INSERT INTO audit_log (at, username, action, entity) VALUES (?, ?, ?, ?)",
                    ["2030-11-24T20:30:00.000+00:00", "night-owl", "test", "store"])
    at = admin_page("audit")
    when, who = translate("adm_audit_when", "th"), translate("adm_audit_who", "th")
    at.date_input(key="adm:audit_dates").set_value((date(2030, 11, 25), date(2030, 11, 25))).run()
    ok(at)
    table = at.dataframe[0].value
    assert list(table[who]) == ["night-owl"] and list(table[when]) == ["25 พ.ย. 2573 03:30"]  # the Buddhist Era
    at.date_input(key="adm:audit_dates").set_value((date(2030, 11, 24), date(2030, 11, 24))).run()
    assert not at.dataframe  # none that day: the count says 0, and no empty table
    assert translate("adm_audit_count", "th", n=0, shown=0) in [c.value for c in at.caption]
    at.date_input(key="adm:audit_dates").set_value(date(2030, 11, 25)).run()  # one day picked, range not finished
    assert list(at.dataframe[0].value[who]) == ["night-owl"]


# ---- home: the setup checklist on a new store ------------------------------------------------------------

OWNER, SECRET = "owner", "a strong secret"


def checklist_steps(at: AppTest) -> dict[str, bool]:
    """Each step of the home page's checklist as shown: done (struck through) or not."""
    steps = {}
    for step in ("units", "users", "year", "thresholds"):
        title = translate(f"setup_{step}", "th")
        [shown] = [m.value for m in at.main.markdown if title in m.value]
        steps[step] = f"~~{title}~~" in shown
    return steps


def test_a_new_store_shows_the_setup_checklist_until_every_step_is_done(tmp_path, sign_in):
    path = tmp_path / "pmqa.db"
    init_production(path, OWNER, SECRET)
    at = sign_in(path, OWNER, SECRET)
    assert [s.value for s in at.main.subheader] == [translate("setup_title", "th")]
    assert checklist_steps(at) == dict.fromkeys(("units", "users", "year", "thresholds"), False)
    links = at.main.get("page_link")
    assert [link.proto.query_string for link in links] == ["adm_tab=units", "adm_tab=users", "", "adm_tab=criteria"]
    assert {link.proto.page for link in links} == {"admin"}
    assert [w.value for w in at.main.warning] == [translate("no_cycle_admin", "th")]
    at.query_params["adm_tab"] = "units"  # as the first step's link opens the admin page
    at.switch_page(PAGE).run()
    assert [i.value for i in ok(at).main.info] == [translate("adm_no_units", "th")]  # the units tab
    at.switch_page("pages/home.py").run()

    db = connect(path)
    owner = authenticate(db, OWNER, SECRET)
    unit = org.add_unit(db, "HQ", "สำนักงานเลขานุการกรม", "Secretariat", actor=owner)
    accounts.add_user(db, owner, "hq-assessor", "temp-password-1", "unit", unit_id=unit)
    at.run()
    assert checklist_steps(ok(at)) == {"units": True, "users": True, "year": False, "thresholds": False}
    assert len(at.main.get("page_link")) == 2

    years.open_year(db, owner, 2570)
    framework = years.framework_of(db, 2570).thresholds
    years.set_thresholds(db, owner, 2570, framework.model_dump())
    at.run()
    ok(at)
    assert translate("setup_title", "th") not in [s.value for s in at.main.subheader]
    assert not at.main.get("page_link")
    assert phase_notice(db, 2570, "th")[1] in [e.value for e in [*at.main.info, *at.main.error]]


def test_every_tab_renders_on_a_new_store(tmp_path, sign_in):
    path = tmp_path / "pmqa.db"
    init_production(path, OWNER, SECRET)
    at = sign_in(path, OWNER, SECRET, "en")
    at.switch_page(PAGE).run()
    shown = {}
    for tab, label in TABS.items():
        at.session_state["adm_tab"] = translate(label, "en")
        at.run()
        ok(at)
        assert not at.main.error
        shown[tab] = [i.value for i in at.main.info]
    assert shown["units"] == [translate("adm_no_units", "en")]
    assert shown["criteria"] == [translate("adm_open_year_first", "en")]
    at.session_state["adm_tab"] = translate(TABS["years"], "en")
    at.run()
    assert at.expander[0].proto.expanded  # the form to open the first year, open
    assert labelled(at.number_input, "adm_year_number", "en").value == this_fiscal_year()
    assert "adm:year" not in {box.key for box in at.selectbox} and not at.dataframe  # no year to show yet


def test_the_phase_notice_names_the_open_phase_its_deadline_and_the_days_left(demo_db):
    admin = authenticate(demo_db, "demo-admin", DEMO_PASSWORD)
    phase = translate("phase_self_assessment", "en")
    assert phase_notice(demo_db, YEAR, "en", today=date(2026, 12, 21)) == (
        "info", translate("home_phase_until", "en", phase=phase, date="31 Dec 2026", days=10))
    assert phase_notice(demo_db, YEAR, "en", today=date(2027, 1, 5)) == (
        "error", translate("home_phase_overdue", "en", phase=phase, date="31 Dec 2026", days=5))
    years.set_phase(demo_db, admin, YEAR, "self_assessment", "closed")
    years.set_dates(demo_db, admin, YEAR, {"review": (None, None)})
    assert phase_notice(demo_db, YEAR, "th") == (
        "info", translate("home_phase", "th", phase=translate("phase_review", "th")))
    years.close_year(demo_db, admin, YEAR)
    assert phase_notice(demo_db, YEAR, "th") == ("caption", translate("home_no_phase", "th"))


# ---- a store file that does not exist ------------------------------------------------------------------

def first_page(monkeypatch, location) -> AppTest:
    """The app's first page, before anyone signs in, with ``PMQA_DB`` naming ``location``; run without an exception."""
    monkeypatch.setenv("PMQA_DB", str(location))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    ok(at)
    return at


def test_a_missing_store_file_is_named_and_not_created(tmp_path, monkeypatch):
    missing = tmp_path / "nowhere" / "pmqa.db"
    at = first_page(monkeypatch, missing)
    assert errors(at) == [translate("store_missing", "th")]
    assert str(tmp_path) not in repr(at.main)  # the server's path is for its log, not for visitors
    assert not missing.exists() and not missing.parent.exists()
    assert not at.text_input  # no sign-in form


def test_an_empty_store_file_is_not_made_a_store_without_accounts(tmp_path, monkeypatch):
    empty = tmp_path / "pmqa.db"
    empty.touch()
    at = first_page(monkeypatch, empty)
    assert errors(at) == [translate("store_missing", "th")] and empty.stat().st_size == 0


@only_on_sqlite("a damaged SQLite file (a PostgreSQL server checks its own pages); a server store that cannot be "
                "used, said at the first page: test_a_server_that_cannot_be_reached_is_said_at_the_first_page, "
                "test_a_location_holding_no_store_is_said_at_the_first_page")
@pytest.mark.parametrize("damage", ["not a database", "a damaged page"])
def test_a_damaged_store_is_said_at_the_first_page(tmp_path, monkeypatch, demo_path, damage):
    if damage == "not a database":
        demo_path.write_bytes(b"this is a spreadsheet, not a database" * 100)
    else:  # a page in the middle of the file overwritten: the first page still opens
        with demo_path.open("r+b") as file:
            file.seek(demo_path.stat().st_size // 2 // 4096 * 4096)
            file.write(b"\xff" * 4096)
    at = first_page(monkeypatch, demo_path)
    assert errors(at) == [translate("store_damaged", "th")]
    assert not at.text_input


def test_a_server_that_cannot_be_reached_is_said_at_the_first_page(monkeypatch):
    """A PostgreSQL store whose server is down (or its address wrong) when a session first opens it: the same
    plain 'the database cannot be reached' as during a session, no sign-in form, no address. (It needs no test
    server, only an address where none listens, so it runs on either engine's run.)"""
    import socket

    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    at = first_page(monkeypatch, f"postgresql://pmqa:secret@127.0.0.1:{port}/pmqa")
    assert errors(at) == [translate("error_unavailable", "th")]
    assert not at.text_input
    assert "127.0.0.1" not in repr(at.main) and "secret" not in repr(at.main)


def test_a_location_holding_no_store_is_said_at_the_first_page(tmp_path, monkeypatch):
    """``PMQA_DB`` names no store yet (a file not there; an empty database on the server): the store is missing,
    to be made with ``python -m storage init`` (not 'damaged, restore a backup'), and there is no sign-in form."""
    location = new_location(tmp_path / "nowhere", "pmqa.db")
    try:
        at = first_page(monkeypatch, location)
        assert errors(at) == [translate("store_missing", "th")]
        assert not at.text_input
        assert not holds_store(location)
    finally:
        drop(location)


def test_the_audit_table_holds_one_type_to_a_column_so_it_reaches_the_browser_as_it_is(demo_db):
    """Entries with a year and without one (a sign-in) side by side: the year column is text throughout, as its
    blanks are (numbers beside blanks made Streamlit's conversion fail and fall back, logging each time)."""
    import pyarrow as pa

    from storage.organisation import signin
    from ui.admin.audit import table

    assert signin.sign_in(demo_db, "demo-unit", DEMO_PASSWORD).user  # audited, without a year
    years.set_phase(demo_db, authenticate(demo_db, "demo-admin", DEMO_PASSWORD), YEAR, "planning", "open")  # a year
    rows = table(audit.entries(demo_db), {}, "th")
    year = rows[translate("adm_year", "th")]
    assert {type(v) for v in year} == {str}, set(year)
    assert "" in set(year) and str(YEAR) in set(year), set(year)
    pa.Table.from_pandas(rows)  # what st.dataframe does first: no mixed column to refuse
