"""The 6- and 12-month follow-up of accepted plans on real SQLite files: written only in their phases and only on
an accepted plan, checked first, versioned and audited; the committee comments, sends back and accepts; a
12-month report that resolves the plan closes it and marks its OFIs done; late reports stand out; the year's
progress per action."""

import json
from datetime import date, timedelta

import pytest

from analysis.improvement import state_counts
from i18n.format import thailand_today
from storage.assessment import years
from storage.errors import AccessDenied, InputError, NotEditable, VersionConflict
from storage.organisation import accounts, org
from storage.plans import followup, improvement, ofis

YEAR = 2570
DUE = thailand_today() + timedelta(days=60)
ACTIONS = [{"text": "ประชุมทบทวนวิสัยทัศน์", "ends_on": "2027-04-30"}, {"text": "สื่อสารสู่บุคลากร"}]


@pytest.fixture
def world(db):
    org.add_cycle(db, YEAR)
    u1, u2 = org.add_unit(db, "U1", "หน่วยหนึ่ง", "One"), org.add_unit(db, "U2", "หน่วยสอง", "Two")
    people = {"admin": accounts.create_user(db, "owner", "correct horse", "admin"),
              "committee": accounts.create_user(db, "board", "correct horse", "committee"),
              "director": accounts.create_user(db, "boss", "correct horse", "director"),
              "unit": accounts.create_user(db, "unit1", "correct horse", "unit", unit_id=u1),
              "other": accounts.create_user(db, "unit2", "correct horse", "unit", unit_id=u2)}
    admin, unit, committee = people["admin"], people["unit"], people["committee"]
    years.set_phase(db, admin, YEAR, "planning", "open")
    ofi = ofis.create(db, committee, YEAR, "1.1", "ทบทวนวิสัยทัศน์", "high", "board", DUE, [u1])
    plan_id = improvement.create(db, unit, YEAR, "1y", "ยกระดับการนำองค์การ", [ofi])
    version = improvement.save(db, unit, plan_id, 1, title="ยกระดับการนำองค์การ", actions=ACTIONS,
                               targets=[("checkpoint", "1.1.A1"), ("kpi", "RM1")])
    version = improvement.submit(db, unit, plan_id, version)
    improvement.accept(db, committee, plan_id, version, expected_points=1.25)
    actions = [a["id"] for a in improvement.get(db, unit, plan_id)["actions"]]
    return people | {"u1": u1, "plan": plan_id, "ofi": ofi, "actions": actions}


def rows(world, *percents):
    return [{"id": a, "percent": p, "done": f"ทำแล้ว {p}%", "evidence": "https://intra.example/doc",
             "problems": ""} for a, p in zip(world["actions"], percents, strict=True)]


def audited(db, action):
    return [json.loads(r["detail"]) for r in db.query(
        "SELECT detail FROM audit_log WHERE entity = 'plan_report' AND action = ? ORDER BY id", [action])]


def test_a_plan_is_followed_at_six_and_twelve_months_and_closed(db, world):
    admin, unit, committee, plan = world["admin"], world["unit"], world["committee"], world["plan"]
    assert db.execute("SELECT expected_points FROM improvement_plans WHERE id = ?", [plan]).fetchone()[0] == 1.25
    with pytest.raises(NotEditable):  # the 6-month phase is not open yet
        followup.save(db, unit, plan, "6m", 0, actions=rows(world, 50, 0))
    years.set_phase(db, admin, YEAR, "followup_6m", "open")
    report = followup.get(db, unit, plan, "6m")
    assert (report["status"], report["version"], report["results"]) == ("none", 0, [])
    version = followup.save(db, unit, plan, "6m", 0, actions=rows(world, 50, 0))
    version = followup.submit(db, unit, plan, "6m", version)
    followup.comment(db, committee, plan, "6m", "ควรแนบรายงานการประชุม")
    version = followup.request_changes(db, committee, plan, "6m", version, "แนบหลักฐาน")
    version = followup.save(db, unit, plan, "6m", version, actions=rows(world, 60, 10))
    version = followup.submit(db, unit, plan, "6m", version)
    followup.accept(db, committee, plan, "6m", version)
    report = followup.get(db, committee, plan, "6m")
    assert report["status"] == "accepted" and [a["percent"] for a in report["actions"]] == [60, 10]
    assert [(c["kind"], c["text"]) for c in report["comments"]] == [("comment", "ควรแนบรายงานการประชุม"),
                                                                    ("changes", "แนบหลักฐาน")]
    assert improvement.get(db, unit, plan)["comments"] == []  # the plan's own comments stay apart
    assert [e["was"] for e in audited(db, "submit")] == ["draft", "changes_requested"]

    with pytest.raises(NotEditable):
        followup.save(db, unit, plan, "12m", 0, actions=rows(world, 100, 100))
    years.set_phase(db, admin, YEAR, "results_12m", "open")
    started = followup.get(db, unit, plan, "12m")
    assert started["status"] == "none" and [a["percent"] for a in started["actions"]] == [60, 10]  # from 6 months
    assert [(r["kind"], r["ref"]) for r in started["results"]] == [("checkpoint", "1.1.A1"), ("kpi", "RM1")]
    version = followup.save(db, unit, plan, "12m", 0, actions=rows(world, 100, 100), summary="บรรลุเป้าหมาย",
                            results=[{"kind": "kpi", "ref": "RM1", "value": 4.5, "note": "ตามรายงานประจำปี"},
                                     {"kind": "checkpoint", "ref": "1.1.A1", "met": True}], closes=True)
    version = followup.submit(db, unit, plan, "12m", version)
    assert ofis.get(db, committee, world["ofi"])["status"] == "in_progress"
    followup.accept(db, committee, plan, "12m", version)
    assert improvement.get(db, unit, plan)["status"] == "closed"
    assert ofis.get(db, committee, world["ofi"])["status"] == "done"
    report = followup.get(db, unit, plan, "12m")
    assert [(r["ref"], r["value"], r["met"]) for r in report["results"]] == [("1.1.A1", None, 1), ("RM1", 4.5, None)]
    [entry] = [e for e in db.query("SELECT detail FROM audit_log WHERE entity = 'ofi'")
               if json.loads(e["detail"]).get("plan") == plan and json.loads(e["detail"])["status"][1:] == ["done"]]
    assert json.loads(entry["detail"])["status"] == ["in_progress", "done"]
    assert [e["round"] for e in audited(db, "accept")] == ["6m", "12m"]


def test_a_twelve_month_report_that_does_not_resolve_the_plan_leaves_it_followed(db, world):
    years.set_phase(db, world["admin"], YEAR, "results_12m", "open")
    version = followup.save(db, world["unit"], world["plan"], "12m", 0, actions=rows(world, 80, 100),
                            summary="ยังไม่บรรลุทุกเป้าหมาย", results=[{"kind": "kpi", "ref": "RM1", "value": 80.0}])
    version = followup.submit(db, world["unit"], world["plan"], "12m", version)
    followup.accept(db, world["committee"], world["plan"], "12m", version)
    assert improvement.get(db, world["unit"], world["plan"])["status"] == "accepted"
    assert ofis.get(db, world["committee"], world["ofi"])["status"] == "in_progress"


@pytest.mark.parametrize(("change", "error"), [
    (lambda w: {"actions": [{"id": w["actions"][0], "percent": 101}]}, "error_report_percent"),
    (lambda w: {"actions": [{"id": w["actions"][0], "percent": 50.5}]}, "error_report_percent"),
    (lambda w: {"actions": [{"id": w["actions"][0], "percent": "ครึ่ง"}]}, "error_report_percent"),
    (lambda w: {"actions": [{"id": w["actions"][0], "percent": True}]}, "error_report_percent"),
    (lambda w: {"actions": [{"id": 9999, "percent": 10}]}, "error_report_action"),
    (lambda w: {"actions": [{"id": w["actions"][0]}, {"id": w["actions"][0]}]}, "error_report_action"),
    (lambda w: {"actions": [{"id": w["actions"][0], "done": "ก" * 2001}]}, "error_plan_text"),
    (lambda w: {"results": [{"kind": "kpi", "ref": "RM1", "value": 3}]}, "error_report_results"),  # at 6 months
    (lambda w: {"closes": True}, "error_report_results"),
])
def test_a_bad_six_month_report_is_refused_and_changes_nothing(db, world, change, error):
    years.set_phase(db, world["admin"], YEAR, "followup_6m", "open")
    with pytest.raises(InputError) as caught:
        followup.save(db, world["unit"], world["plan"], "6m", 0, **change(world))
    assert caught.value.key == error
    assert db["plan_reports"].count == 0


@pytest.mark.parametrize("result", [
    {"kind": "kpi", "ref": "RM1", "value": "มาก"}, {"kind": "kpi", "ref": "RM1", "value": float("inf")},
    {"kind": "checkpoint", "ref": "1.1.A1", "value": 3}, {"kind": "kpi", "ref": "RM1", "met": True},
    {"kind": "kpi", "ref": "RM2", "value": 3},  # not a target of the plan
])
def test_a_bad_result_is_refused(db, world, result):
    years.set_phase(db, world["admin"], YEAR, "results_12m", "open")
    with pytest.raises(InputError):
        followup.save(db, world["unit"], world["plan"], "12m", 0, results=[result])
    assert db["plan_reports"].count == 0


def test_only_the_plans_writers_report_and_only_the_committee_reviews(db, world):
    years.set_phase(db, world["admin"], YEAR, "followup_6m", "open")
    plan = world["plan"]
    for who in ("other", "director", "admin"):
        with pytest.raises(AccessDenied):
            followup.save(db, world[who], plan, "6m", 0, actions=rows(world, 10, 10))
    with pytest.raises(AccessDenied):
        followup.get(db, world["other"], plan, "6m")
    version = followup.save(db, world["committee"], plan, "6m", 0, actions=rows(world, 10, 10))  # for the unit
    version = followup.submit(db, world["unit"], plan, "6m", version)
    for who in ("unit", "director", "admin"):
        with pytest.raises(AccessDenied):
            followup.accept(db, world[who], plan, "6m", version)
        with pytest.raises(AccessDenied):
            followup.comment(db, world[who], plan, "6m", "ดี")
    with pytest.raises(InputError):  # nothing to comment on yet
        followup.comment(db, world["committee"], plan, "12m", "ดี")


def test_reports_need_an_accepted_plan_every_action_and_the_version_shown(db, world):
    admin, unit, committee = world["admin"], world["unit"], world["committee"]
    years.set_phase(db, admin, YEAR, "followup_6m", "open")
    draft = improvement.create(db, unit, YEAR, "1y", "ร่าง", [world["ofi"]])
    with pytest.raises(NotEditable):
        followup.save(db, unit, draft, "6m", 0)
    version = followup.save(db, unit, world["plan"], "6m", 0, actions=rows(world, 10, 20)[:1])
    with pytest.raises(InputError) as caught:
        followup.submit(db, unit, world["plan"], "6m", version)
    assert (caught.value.key, caught.value.params) == ("error_report_percent_missing", {"actions": "2"})
    with pytest.raises(VersionConflict):  # a second writer who opened the report before the first save
        followup.save(db, committee, world["plan"], "6m", 0, actions=rows(world, 30, 30))
    assert followup.get(db, unit, world["plan"], "6m")["actions"][0]["percent"] == 10
    with pytest.raises(InputError):
        followup.get(db, unit, world["plan"], "9m")


def test_a_report_is_late_when_its_phase_has_ended_without_it(db, world):
    admin, unit, plan = world["admin"], world["unit"], world["plan"]
    years.set_dates(db, admin, YEAR, {"followup_6m": ("2027-04-01", "2027-04-30"),
                                      "results_12m": ("2027-09-01", "2027-09-30")})
    years.set_phase(db, admin, YEAR, "followup_6m", "open")
    assert not followup.rounds(db, unit, YEAR, today=date(2027, 4, 30))[plan]["6m"]["late"]
    table = followup.rounds(db, unit, YEAR, today=date(2027, 5, 1))[plan]
    assert table["6m"] == {"status": "none", "due": "2027-04-30", "late": True} and not table["12m"]["late"]
    version = followup.save(db, unit, plan, "6m", 0, actions=rows(world, 10, 10))
    followup.submit(db, unit, plan, "6m", version)  # submitted today: on time until the due day is past
    submitted = db.execute("SELECT submitted_at FROM plan_reports").fetchone()[0]
    assert not followup.is_late(submitted, thailand_today().isoformat(), date(2099, 1, 1))
    assert followup.is_late("2027-05-02T03:00:00+00:00", "2027-04-30", date(2027, 4, 1))
    assert followup.is_late("2027-04-30T18:00:00+00:00", "2027-04-30", date(2027, 4, 1))  # 1 May in Thailand
    assert not followup.is_late("2027-04-30T16:59:00+00:00", "2027-04-30", date(2027, 4, 1))
    assert not followup.is_late(None, None, date(2099, 1, 1))


def test_progress_shows_each_action_by_the_latest_submitted_report(db, world):
    admin, unit, committee, plan = world["admin"], world["unit"], world["committee"], world["plan"]
    years.set_phase(db, admin, YEAR, "followup_6m", "open")
    frame = followup.progress(db, committee, YEAR, today=date(2027, 5, 1))
    assert list(frame["state"]) == ["overdue", "not_started"] and frame["percent"].isna().all()
    version = followup.save(db, unit, plan, "6m", 0, actions=rows(world, 100, 40))
    assert followup.progress(db, committee, YEAR, today=date(2027, 5, 1))["percent"].isna().all()  # a draft
    followup.submit(db, unit, plan, "6m", version)
    frame = followup.progress(db, committee, YEAR, today=date(2027, 5, 1))
    assert list(frame["state"]) == ["done", "in_progress"] and list(frame["categories"]) == [(1,), (1,)]
    assert followup.progress(db, world["other"], YEAR).empty  # another unit's plan is not theirs to see
    counts = state_counts(frame, "categories", followup.ACTION_STATES)
    assert counts.loc[1].to_dict() == {"done": 1, "overdue": 0, "in_progress": 1, "not_started": 0}
    assert state_counts(frame, "unit", followup.ACTION_STATES).loc[world["u1"], "done"] == 1
    assert followup.carry_over(db, committee, YEAR) == (1, 0)
    org.add_cycle(db, YEAR + 1)
    ofis.carry_over(db, committee, YEAR, YEAR + 1)
    assert followup.carry_over(db, committee, YEAR) == (1, 1)


@pytest.mark.parametrize(("percent", "ends_on", "state"), [
    (100, "2027-01-01", "done"), (None, "2027-04-30", "overdue"), (99, "2027-04-30", "overdue"),
    (0, None, "not_started"), (None, "2027-05-01", "not_started"), (1, "2027-05-01", "in_progress"),
])
def test_action_states(percent, ends_on, state):
    assert followup.action_state(percent, ends_on, date(2027, 5, 1)) == state


@pytest.mark.parametrize(("change", "key", "params"), [
    (lambda w: {"actions": []}, "error_report_percent_missing", {"actions": "1, 2"}),  # nothing filled
    (lambda w: {"actions": [{"id": a} for a in w["actions"]]}, "error_report_percent_missing", {"actions": "1, 2"}),
    (lambda w: {"actions": [{"id": a, "percent": 0} for a in w["actions"]]}, "error_report_text_missing",
     {"actions": "1, 2"}),
    (lambda w: {"actions": [{"id": w["actions"][0], "percent": 0, "problems": "รองบ"},
                            {"id": w["actions"][1], "percent": 20}]}, "error_report_text_missing", {"actions": "2"}),
])
def test_a_report_with_something_left_to_fill_is_not_sent_and_says_what(db, world, change, key, params):
    # regression (issue 25): a progress report could be sent with nothing filled (a blank percent counted as 0)
    years.set_phase(db, world["admin"], YEAR, "followup_6m", "open")
    version = followup.save(db, world["unit"], world["plan"], "6m", 0, **change(world))
    with pytest.raises(InputError) as caught:
        followup.submit(db, world["unit"], world["plan"], "6m", version)
    assert (caught.value.key, caught.value.params) == (key, params)
    assert followup.get(db, world["unit"], world["plan"], "6m")["status"] == "draft"


def test_a_twelve_month_report_needs_its_target_kpis_results_and_a_summary(db, world):
    years.set_phase(db, world["admin"], YEAR, "results_12m", "open")
    version = followup.save(db, world["unit"], world["plan"], "12m", 0, actions=rows(world, 100, 100))
    with pytest.raises(InputError) as caught:
        followup.submit(db, world["unit"], world["plan"], "12m", version)
    assert (caught.value.key, caught.value.params) == ("error_report_values_missing", {"refs": "RM1"})
    version = followup.save(db, world["unit"], world["plan"], "12m", version, actions=rows(world, 100, 100),
                            results=[{"kind": "kpi", "ref": "RM1", "value": 4.5}])
    with pytest.raises(InputError, match="error_report_summary_missing"):
        followup.submit(db, world["unit"], world["plan"], "12m", version)
