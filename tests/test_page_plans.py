"""The improvement plans page with AppTest: a unit makes a plan from its OFI in the planning phase, writes its
actions and targets and sends it; the committee comments, sends it back and accepts it; the director and the
PMQA owner read; outside the phase nobody writes."""

from datetime import timedelta

import pytest
from streamlit.testing.v1 import AppTest

from i18n import translate
from i18n.format import thailand_today
from storage.admin.demo import DEMO_PASSWORD
from storage.assessment import years
from storage.organisation import accounts
from storage.plans import improvement, ofis
from ui.text import md

PAGE = "pages/plans.py"
YEAR = 2570


def ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


def person(db, role):
    return accounts.authenticate(db, f"demo-{role}", DEMO_PASSWORD)


@pytest.fixture
def planning(demo_db):
    """The planning phase open, and an OFI of the demo unit to plan from."""
    years.set_phase(demo_db, person(demo_db, "admin"), YEAR, "planning", "open")
    ofis.create(demo_db, person(demo_db, "committee"), YEAR, "1.2", "กำหนดมาตรการป้องกันการทุจริตให้ครอบคลุม",
                "high", "demo-committee", thailand_today() + timedelta(days=90), [person(demo_db, "unit").unit_id])


@pytest.fixture
def open_page(app):
    def run(role: str, lang: str = "th") -> AppTest:
        at = app(role, lang, page=PAGE)
        return ok(at)

    return run


def labelled(widgets, key: str, lang: str = "th"):
    text = translate(key, lang)
    return next(w for w in widgets if w.label == text)


def press(at: AppTest, key: str, lang: str = "th") -> AppTest:
    next(b for b in at.button if b.label == translate(key, lang)).click().run()
    return ok(at)


def unit_ofi(db) -> int:
    unit = person(db, "unit")
    return int(ofis.register(db, unit, YEAR)["id"].iloc[0])


@pytest.mark.parametrize("lang", ["th", "en"])
def test_a_unit_makes_a_plan_from_its_ofi_and_sends_it(open_page, demo_db, planning, lang):
    at = open_page("unit", lang)
    labelled(at.text_input, "pl_title", lang).input("ยกระดับการนำองค์การ")
    labelled(at.multiselect, "pl_ofis", lang).set_value([unit_ofi(demo_db)])
    press(at, "pl_create", lang)
    assert [s.value for s in at.success] == [translate("pl_created", lang)]
    [plan] = improvement.listing(demo_db, person(demo_db, "unit"), YEAR)
    assert plan["status"] == "draft" and plan["unit_id"] == person(demo_db, "unit").unit_id

    at.session_state[f"pl:actions:{plan['id']}"] = {
        "edited_rows": {}, "deleted_rows": [],
        "added_rows": [{"text": "ประชุมทบทวนทุกไตรมาส", "owner": "หัวหน้ากลุ่ม", "starts_on": "2027-03-01",
                        "ends_on": "2027-09-30"}]}
    labelled(at.multiselect, "pl_targets", lang).set_value([("checkpoint", plan_checkpoint(demo_db, plan["id"]))])
    press(at, "pl_submit", lang)
    assert [s.value for s in at.success] == [translate("pl_submitted", lang)]
    saved = improvement.get(demo_db, person(demo_db, "committee"), plan["id"])
    assert saved["status"] == "submitted" and [a["text"] for a in saved["actions"]] == ["ประชุมทบทวนทุกไตรมาส"]
    assert saved["actions"][0]["ends_on"] == "2027-09-30"
    assert not at.data_editor  # sent: the unit reads it now


def plan_checkpoint(db, plan_id: int) -> str:
    """A checkpoint of the plan's OFI's item."""
    item = db.execute("SELECT o.item FROM ofis o JOIN plan_ofis p ON p.ofi_id = o.id WHERE p.plan_id = ?",
                      [plan_id]).fetchone()[0]
    framework = years.framework_of(db, YEAR)
    return next(cp.id for it, _, cp in framework.checkpoints() if it.id == item)


def submitted_plan(db) -> dict:
    unit = person(db, "unit")
    plan_id = improvement.create(db, unit, YEAR, "1y", "แผนของหน่วยงาน", [unit_ofi(db)])
    version = improvement.save(db, unit, plan_id, 1, title="แผนของหน่วยงาน", actions=[{"text": "อบรมบุคลากร"}],
                               targets=[("checkpoint", plan_checkpoint(db, plan_id))])
    improvement.submit(db, unit, plan_id, version)
    return improvement.get(db, unit, plan_id)


def test_the_committee_sends_a_plan_back_then_accepts_it(open_page, demo_db, planning):
    plan = submitted_plan(demo_db)
    at = open_page("committee")
    labelled(at.text_area, "pl_comment").input("เพิ่มตัวชี้วัดผลลัพธ์")
    press(at, "pl_request_changes")
    assert improvement.get(demo_db, person(demo_db, "unit"), plan["id"])["status"] == "changes_requested"
    assert any("เพิ่มตัวชี้วัดผลลัพธ์" in w.value for w in at.warning)  # the request, shown with the plan

    unit = person(demo_db, "unit")
    current = improvement.get(demo_db, unit, plan["id"])
    version = improvement.save(demo_db, unit, plan["id"], current["version"], title=current["title"],
                               actions=[{"text": "อบรมบุคลากร"}, {"text": "วัดผลหลังอบรม"}],
                               targets=current["targets"])
    improvement.submit(demo_db, unit, plan["id"], version)
    at.run()
    press(at, "pl_accept")
    assert improvement.get(demo_db, unit, plan["id"])["status"] == "accepted"
    status = demo_db.execute("SELECT status FROM ofis WHERE id = ?", [plan["ofis"][0]]).fetchone()[0]
    assert status in ("in_progress", "done")


@pytest.mark.parametrize("role", ["director", "admin"])
def test_the_director_and_the_owner_read_plans_with_their_expected_points(open_page, demo_db, planning, role):
    submitted_plan(demo_db)
    at = open_page(role)
    [table] = at.dataframe[:1]
    assert list(table.value[translate("pl_title", "th")]) == ["แผนของหน่วยงาน"]
    assert table.value[translate("pl_expected", "th")].iloc[0] >= 0
    assert not at.data_editor and not [b for b in at.button if b.label == translate("pl_accept", "th")]
    assert not [b for b in at.button if b.label == translate("pl_create", "th")]


def test_outside_the_planning_phase_plans_are_read_only(open_page, demo_db):
    at = open_page("unit")
    assert translate("pl_phase_closed", "th", year=YEAR) in [i.value for i in at.info]
    assert not [b for b in at.button if b.label == translate("pl_create", "th")]


@pytest.mark.parametrize("lang", ["th", "en"])
def test_an_ofi_made_from_a_gap_is_listed_in_the_readers_language(open_page, demo_db, planning, lang):
    """Issue 25: OFIs made from gaps stayed Thai in English screens."""
    unit = person(demo_db, "unit")
    gap = {"kind": "checkpoint", "ref": "1.1.B1", "item": "1.1", "unit": unit.unit_id, "points": 1.0}
    ofi_id = ofis.from_gap(demo_db, person(demo_db, "committee"), YEAR, gap, "demo-unit",
                           thailand_today() + timedelta(days=90))
    expected = ofis.gap_description(demo_db, YEAR, gap, lang)
    at = open_page("unit", lang)
    assert f"1.1 · {expected[:90]}" in labelled(at.multiselect, "pl_ofis", lang).options
    labelled(at.text_input, "pl_title", lang).input("ทบทวนวิสัยทัศน์")
    labelled(at.multiselect, "pl_ofis", lang).set_value([ofi_id])
    press(at, "pl_create", lang)
    assert any(md(expected) in m.value for m in at.markdown)  # the plan lists its OFI
