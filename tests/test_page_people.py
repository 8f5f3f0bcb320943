"""Every page names people as the admin entered them, in Thai and in English (issue 25: the login name stood
where a person's name was entered: saves, comments, announcements, approvals, conflicts, the audit log, the OFI
register). The demo accounts get display names that differ from their user names."""

from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

from i18n import translate
from i18n.format import thailand_today
from storage.admin import announcements
from storage.admin.demo import DEMO_PASSWORD
from storage.assessment import answers, assessments, reviews
from storage.db import transaction
from storage.organisation import accounts
from storage.plans import ofis, workplan
from storage.record import department
from ui.text import md

YEAR = 2570
NAMES = {"demo-unit": "สมชาย ใจดี", "demo-committee": "สมศรี กรรมการ", "demo-director": "สุดา ผู้อำนวยการ",
         "demo-admin": "กานดา เจ้าของงาน"}


@pytest.fixture
def named(demo_db):
    """The demo store with each demo account's ชื่อ-สกุล entered; ``named(role)`` signs that account in."""
    with transaction(demo_db):
        for username, name in NAMES.items():
            demo_db.execute("UPDATE users SET display_name = ? WHERE username = ?", [name, username])

    def user(role: str):
        return accounts.authenticate(demo_db, f"demo-{role}", DEMO_PASSWORD)

    return user


def ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


def texts(at: AppTest) -> str:
    """Everything the page wrote as text: markdown, captions and alerts."""
    return "\n".join(e.value for kind in ("markdown", "caption", "info", "success", "warning", "error")
                     for e in getattr(at, kind))


def no_login_names(text: str) -> bool:
    return not any(username in text or md(username) in text for username in NAMES)


@pytest.mark.parametrize("lang", ["th", "en"])
def test_the_unit_form_says_who_saved_it_last_by_name(app, demo_db, named, lang):
    unit = named("unit")
    found = assessments.get(demo_db, unit.unit_id, YEAR)
    answers.save_checkpoints(demo_db, unit, found["id"], found["version"], {"1.1.B1": True})
    at = app("unit", lang, page="pages/self_assessment.py")
    [caption] = [c.value for c in ok(at).caption if c.value.startswith(translate("sa_last_saved", lang, time="",
                                                                                   user="", version="")[:8])]
    assert NAMES["demo-unit"] in caption and no_login_names(caption)


@pytest.mark.parametrize("lang", ["th", "en"])
def test_a_value_someone_just_changed_names_them(app, demo_db, named, lang):
    unit = named("unit")
    at = app("unit", lang, page="pages/self_assessment.py")
    at.segmented_control(key="sa:category").set_value(7).run()
    found = assessments.get(demo_db, unit.unit_id, YEAR)
    answers.save_kpi_values(demo_db, unit, found["id"], found["version"], {("RM1", YEAR): 80.0})  # meanwhile
    at.number_input(key="sa:kpi:RM1:2570").set_value(85.0).run()
    assert [e.value for e in ok(at).error] == [translate("error_field_conflict", lang, by=NAMES["demo-unit"])]


@pytest.mark.parametrize("lang", ["th", "en"])
def test_committee_notes_name_their_author_in_the_review_and_the_unit_form(app, demo_db, named, lang):
    unit, committee = named("unit"), named("committee")
    found = assessments.get(demo_db, unit.unit_id, YEAR)
    with transaction(demo_db):  # submitted, so the committee reviews it
        demo_db.execute("UPDATE assessments SET status = 'submitted' WHERE id = ?", [found["id"]])
    reviews.add_note(demo_db, committee, found["id"], "1.1", "comment", "แนบหลักฐานเพิ่ม")
    note = translate("note_comment", lang, author=md(NAMES["demo-committee"]), text=md("แนบหลักฐานเพิ่ม"))
    review = app("committee", lang, page="pages/review.py")
    review.selectbox(key=f"rv:unit:{lang}").set_value(unit.unit_id).run()
    assert note in [w.value for w in ok(review).warning]
    with transaction(demo_db):
        demo_db.execute("UPDATE assessments SET status = 'returned' WHERE id = ?", [found["id"]])
    form = app("unit", lang, page="pages/self_assessment.py")
    assert note in [w.value for w in ok(form).warning]


@pytest.mark.parametrize("lang", ["th", "en"])
def test_the_department_record_names_who_saved_and_approved_it(app, demo_db, named, lang):
    record = department.start(demo_db, named("committee"), YEAR)
    department.approve(demo_db, named("committee"), YEAR, record.version)
    at = app("director", lang, page="pages/department.py")
    note = next(c.value for c in ok(at).caption if translate("dp_approved_note", lang, user="", time="")[:6] in c.value)
    assert note.count(NAMES["demo-committee"]) == 2 and no_login_names(note)  # saved by, approved by
    home = ok(app("director", lang))
    approved = next(c.value for c in home.caption if NAMES["demo-committee"] in c.value)
    assert no_login_names(approved)


@pytest.mark.parametrize("lang", ["th", "en"])
def test_the_work_plan_names_the_director_who_approved_it(app, demo_db, named, lang):
    plan = workplan.start(demo_db, named("admin"), YEAR, date(2026, 10, 1))
    workplan.approve(demo_db, named("director"), YEAR, plan.version)
    at = app("committee", lang, page="pages/workplan.py")
    [banner] = ok(at).success
    assert NAMES["demo-director"] in banner.value and no_login_names(banner.value)


@pytest.mark.parametrize("lang", ["th", "en"])
def test_an_announcement_is_from_its_author_by_name(app, demo_db, named, lang):
    announcements.publish(demo_db, named("admin"), "ประชุมชี้แจงเกณฑ์", "", roles=["unit"])
    at = ok(app("unit", lang))
    [sender] = [c.value for c in at.caption if c.value.startswith(translate("ann_from", lang, who="", at="")[:3])]
    assert NAMES["demo-admin"] in sender and no_login_names(sender)


@pytest.mark.parametrize("lang", ["th", "en"])
def test_the_ofi_register_names_owners_and_note_authors(app, demo_db, named, lang):
    committee = named("committee")
    ofi_id = ofis.create(demo_db, committee, YEAR, "1.1", "ทบทวนวิสัยทัศน์", "high", "demo-unit",
                         thailand_today().replace(year=thailand_today().year + 1), [named("unit").unit_id])
    ofis.add_note(demo_db, committee, ofi_id, "เริ่มแล้ว")
    at = app("committee", lang, page="pages/ofi_register.py")
    [table] = ok(at).data_editor
    assert NAMES["demo-unit"] in set(table.value["owner"]) and not set(NAMES) & set(table.value["owner"])
    at.selectbox(key="ofi:notes_for").set_value(ofi_id).run()
    [line] = [m.value for m in ok(at).markdown if "เริ่มแล้ว" in m.value]
    assert NAMES["demo-committee"] in line and no_login_names(line)
    owners = at.selectbox(key=f"ofi:f:owner:{lang}")
    assert NAMES["demo-unit"] in owners.options and "demo-unit" not in owners.options


@pytest.mark.parametrize("lang", ["th", "en"])
def test_the_audit_log_says_who_by_name_and_its_csv_keeps_the_account(app, demo_db, named, lang):
    from storage import audit
    from ui.admin.audit import table

    named("admin")  # signing in is audited
    at = app("admin", lang, page="pages/admin.py")
    at.session_state["adm_tab"] = translate("adm_tab_audit", lang)
    at.run()
    who = ok(at).dataframe[0].value[translate("adm_audit_who", lang)]
    assert NAMES["demo-admin"] in set(who) and not set(NAMES) & set(who)
    assert NAMES["demo-admin"] in at.selectbox(key="adm:audit_who").options
    rows = table(audit.entries(demo_db, "demo-admin"), {}, lang, accounts.people(demo_db))
    assert set(rows[translate("adm_audit_who", lang)]) == {NAMES["demo-admin"]}
    assert set(rows[translate("adm_audit_account", lang)]) == {"demo-admin"}  # the account, for the CSV
