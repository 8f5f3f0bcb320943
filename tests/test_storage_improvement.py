"""Improvement plans on real SQLite files: made from OFIs by a unit for itself or by the committee, written only
while the improvement-planning phase is open, sent to the committee, sent back or accepted; accepting moves
the linked OFIs to "in progress"; every change checked first, versioned and audited."""

import json
from datetime import date, timedelta

import pytest

from i18n.format import thailand_today
from storage.assessment import years
from storage.errors import AccessDenied, InputError, NotEditable, VersionConflict
from storage.organisation import accounts, org
from storage.plans import improvement, ofis

YEAR = 2570
DUE = thailand_today() + timedelta(days=60)


@pytest.fixture
def world(db):
    org.add_cycle(db, YEAR)
    u1, u2 = org.add_unit(db, "U1", "หน่วยหนึ่ง", "One"), org.add_unit(db, "U2", "หน่วยสอง", "Two")
    people = {"admin": accounts.create_user(db, "owner", "correct horse", "admin"),
              "committee": accounts.create_user(db, "board", "correct horse", "committee"),
              "director": accounts.create_user(db, "boss", "correct horse", "director"),
              "unit": accounts.create_user(db, "unit1", "correct horse", "unit", unit_id=u1),
              "other": accounts.create_user(db, "unit2", "correct horse", "unit", unit_id=u2)}
    years.set_phase(db, people["admin"], YEAR, "planning", "open")
    mine = ofis.create(db, people["committee"], YEAR, "1.1", "ทบทวนวิสัยทัศน์ร่วมกับผู้มีส่วนได้ส่วนเสีย", "high",
                       "board", DUE, [u1])
    theirs = ofis.create(db, people["committee"], YEAR, "2.1", "แผนยุทธศาสตร์", "medium", "board", DUE, [u2])
    return people | {"u1": u1, "u2": u2, "mine": mine, "theirs": theirs}


ACTIONS = [{"text": "ประชุมทบทวนวิสัยทัศน์", "owner": "หัวหน้ากลุ่ม", "starts_on": "2027-03-01",
            "ends_on": "2027-04-30", "resources": "งบประมาณ 20,000 บาท"},
           {"text": "สื่อสารสู่บุคลากร", "starts_on": date(2027, 5, 1), "ends_on": None}]


def audited(db, action):
    return [json.loads(r["detail"]) for r in db.query(
        "SELECT detail FROM audit_log WHERE entity = 'plan' AND action = ? ORDER BY id", [action])]


def test_a_unit_plans_from_its_ofi_and_the_committee_accepts_it(db, world):
    unit, committee = world["unit"], world["committee"]
    plan_id = improvement.create(db, unit, YEAR, "1y", "ยกระดับการนำองค์การ", [world["mine"]], unit_id=world["u2"])
    plan = improvement.get(db, unit, plan_id)
    assert (plan["unit_id"], plan["status"], plan["version"], plan["ofis"]) == (world["u1"], "draft", 1,
                                                                              [world["mine"]])
    version = improvement.save(db, unit, plan_id, 1, title="ยกระดับการนำองค์การ", owner="ผอ.กอง",
                               starts_on="2027-03-01", ends_on="2027-09-30", resources="บุคลากร 3 คน",
                               actions=ACTIONS, targets=[("checkpoint", "1.1.B3"), ("kpi", "RM1")])
    plan = improvement.get(db, committee, plan_id)
    assert version == plan["version"] == 2
    assert [a["text"] for a in plan["actions"]] == ["ประชุมทบทวนวิสัยทัศน์", "สื่อสารสู่บุคลากร"]
    assert plan["actions"][1]["starts_on"] == "2027-05-01" and plan["targets"] == [("checkpoint", "1.1.B3"),
                                                                                   ("kpi", "RM1")]
    version = improvement.submit(db, unit, plan_id, version)
    improvement.comment(db, committee, plan_id, "ควรระบุตัวชี้วัดผลลัพธ์ให้ชัด")
    version = improvement.request_changes(db, committee, plan_id, version, "เพิ่มกิจกรรมติดตามผล")
    plan = improvement.get(db, unit, plan_id)
    assert plan["status"] == "changes_requested"
    assert [(c["kind"], c["text"]) for c in plan["comments"]] == [("comment", "ควรระบุตัวชี้วัดผลลัพธ์ให้ชัด"),
                                                                  ("changes", "เพิ่มกิจกรรมติดตามผล")]
    version = improvement.save(db, unit, plan_id, version, title="ยกระดับการนำองค์การ",
                               actions=[*ACTIONS, {"text": "ติดตามผลทุกไตรมาส"}], targets=plan["targets"])
    version = improvement.submit(db, unit, plan_id, version)
    improvement.accept(db, committee, plan_id, version)
    assert improvement.get(db, unit, plan_id)["status"] == "accepted"
    assert db.execute("SELECT status FROM ofis WHERE id = ?", [world["mine"]]).fetchone()[0] == "in_progress"
    assert [e["was"] for e in audited(db, "submit")] == ["draft", "changes_requested"]
    assert audited(db, "accept")[0]["was"] == "submitted"
    [ofi_entry] = [e for e in db.query("SELECT * FROM audit_log WHERE entity = 'ofi' AND action = 'update'")
                   if json.loads(e["detail"]).get("plan") == plan_id]
    assert json.loads(ofi_entry["detail"])["status"] == ["open", "in_progress"]
    with pytest.raises(NotEditable):  # an accepted plan is not rewritten
        improvement.save(db, unit, plan_id, version + 1, title="x")


def test_a_three_year_plan_has_a_milestone_for_each_of_the_next_three_years(db, world):
    committee = world["committee"]
    plan_id = improvement.create(db, committee, YEAR, "3y", "พัฒนาระบบข้อมูลระดับกรม", [world["mine"], world["theirs"]])
    version = improvement.save(db, committee, plan_id, 1, title="พัฒนาระบบข้อมูลระดับกรม", actions=ACTIONS[:1],
                               targets=[("checkpoint", "4.1.B1")],
                               milestones={2571: "ฐานข้อมูลกลาง", 2572: "เชื่อมโยงหน่วยงาน", 2573: "เปิดข้อมูล"})
    plan = improvement.get(db, world["unit"], plan_id)  # a department plan: every unit reads it
    assert plan["unit_id"] is None and plan["milestones"] == {2571: "ฐานข้อมูลกลาง", 2572: "เชื่อมโยงหน่วยงาน",
                                                              2573: "เปิดข้อมูล"}
    with pytest.raises(InputError, match="error_plan_milestones"):
        improvement.save(db, committee, plan_id, version, title="x", milestones={2575: "ไกลเกินไป"})
    with pytest.raises(AccessDenied):  # a unit does not write the department's plan
        improvement.save(db, world["unit"], plan_id, version, title="x")


@pytest.mark.parametrize(("role", "error"), [("director", AccessDenied), ("admin", AccessDenied)])
def test_the_director_and_the_owner_read_plans_but_do_not_make_them(db, world, role, error):
    with pytest.raises(error):
        improvement.create(db, world[role], YEAR, "1y", "แผน", [world["mine"]])
    plan_id = improvement.create(db, world["unit"], YEAR, "1y", "แผน", [world["mine"]])
    assert improvement.get(db, world[role], plan_id)["title"] == "แผน"
    with pytest.raises(AccessDenied):
        improvement.comment(db, world[role], plan_id, "ความเห็น")


def test_a_unit_reaches_neither_another_units_ofi_nor_its_plan(db, world):
    with pytest.raises(InputError, match="error_plan_ofi"):
        improvement.create(db, world["unit"], YEAR, "1y", "แผน", [world["theirs"]])
    plan_id = improvement.create(db, world["other"], YEAR, "1y", "แผนของหน่วยสอง", [world["theirs"]])
    with pytest.raises(AccessDenied):
        improvement.get(db, world["unit"], plan_id)
    with pytest.raises(AccessDenied):
        improvement.save(db, world["unit"], plan_id, 1, title="x")
    assert [p["title"] for p in improvement.listing(db, world["unit"], YEAR)] == []
    assert [p["title"] for p in improvement.listing(db, world["committee"], YEAR)] == ["แผนของหน่วยสอง"]


@pytest.mark.parametrize(("change", "key"), [
    ({"title": " "}, "error_plan_title"),
    ({"starts_on": "2027-09-01", "ends_on": "2027-03-01"}, "error_plan_dates"),
    ({"starts_on": "not a date"}, "error_plan_dates"),
    ({"actions": [{"text": ""}]}, "error_plan_action_text"),
    ({"actions": [{"text": "x", "starts_on": "2027-05-01", "ends_on": "2027-04-01"}]}, "error_plan_action_dates"),
    ({"actions": [{"text": f"กิจกรรม {n}"} for n in range(21)]}, "error_plan_actions"),
    ({"targets": [("checkpoint", "9.9.Z9")]}, "error_plan_target"),
    ({"targets": [("goal", "1.1.B1")]}, "error_plan_target"),
    ({"milestones": {2571: "ไม่ใช่แผน 3 ปี"}}, "error_plan_milestones"),
    ({"kpis": ["U1-99"]}, "error_plan_kpi"),
    ({"resources": "ข" * 2001}, "error_plan_text"),
])
def test_a_bad_plan_is_refused_and_nothing_changes(db, world, change, key):
    plan_id = improvement.create(db, world["unit"], YEAR, "1y", "แผน", [world["mine"]])
    before = improvement.get(db, world["unit"], plan_id)
    with pytest.raises(InputError) as refused:
        improvement.save(db, world["unit"], plan_id, 1, **({"title": "แผน"} | change))
    assert refused.value.key == key
    assert improvement.get(db, world["unit"], plan_id) == before


def test_outside_the_planning_phase_plans_are_not_written_but_comments_are(db, world):
    plan_id = improvement.create(db, world["unit"], YEAR, "1y", "แผน", [world["mine"]])
    years.set_phase(db, world["admin"], YEAR, "planning", "closed")
    with pytest.raises(NotEditable, match="error_plan_phase"):
        improvement.create(db, world["unit"], YEAR, "1y", "แผนใหม่", [world["mine"]])
    with pytest.raises(NotEditable, match="error_plan_phase"):
        improvement.save(db, world["unit"], plan_id, 1, title="แผน", actions=ACTIONS)
    improvement.comment(db, world["committee"], plan_id, "ยังเขียนความเห็นได้")


def test_stale_saves_and_unready_or_out_of_turn_moves_are_refused(db, world):
    unit, committee = world["unit"], world["committee"]
    plan_id = improvement.create(db, unit, YEAR, "1y", "แผน", [world["mine"]])
    with pytest.raises(InputError, match="error_plan_incomplete"):
        improvement.submit(db, unit, plan_id, 1)
    with pytest.raises(NotEditable):  # nothing to accept yet
        improvement.accept(db, committee, plan_id, 1)
    version = improvement.save(db, unit, plan_id, 1, title="แผน", actions=ACTIONS, targets=[("kpi", "RM1")])
    with pytest.raises(VersionConflict):
        improvement.save(db, unit, plan_id, 1, title="แผนเก่า")
    with pytest.raises(AccessDenied):  # a unit does not accept its own plan
        improvement.accept(db, unit, plan_id, version)
    improvement.submit(db, unit, plan_id, version)
    with pytest.raises(NotEditable):  # submitted: waiting for the committee
        improvement.save(db, unit, plan_id, version + 1, title="แผน")
    with pytest.raises(InputError, match="error_plan_comment"):
        improvement.request_changes(db, committee, plan_id, version + 1, "  ")


def test_the_register_knows_each_ofis_plans(db, world):
    first = improvement.create(db, world["unit"], YEAR, "1y", "แผน 1", [world["mine"]])
    second = improvement.create(db, world["committee"], YEAR, "3y", "แผน 3 ปี", [world["mine"], world["theirs"]])
    assert improvement.ofi_plans(db, [world["mine"], world["theirs"]]) == {world["mine"]: [first, second],
                                                                          world["theirs"]: [second]}
