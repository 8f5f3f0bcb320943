"""The department's assessment of record (storage.record.department) on a real SQLite copy of the demo store: started
from the units by a rule, edited by the committee only, versioned, checked, audited, approved and reopened,
and scored by the scoring package."""

from __future__ import annotations

import pandas as pd
import pytest

from scoring import roll_up, unit_item_scores
from storage import audit
from storage.admin.demo import DEMO_PASSWORD
from storage.assessment import assessments, years
from storage.errors import AccessDenied, FieldConflict, InputError, NotEditable, VersionConflict
from storage.files import evidence
from storage.organisation import accounts
from storage.record import department

YEAR = 2570


@pytest.fixture
def committee(demo_user):
    return demo_user("committee")


def _met_counts(db) -> tuple[dict, int]:
    answers, _ = assessments.score_inputs(db, YEAR, "best")
    units = assessments.units_with_assessment(db, YEAR, assessments.COUNTED, "best")
    return answers[answers["met"]].groupby("checkpoint")["unit"].nunique().to_dict(), len(units)


@pytest.mark.parametrize("rule", department.RULES)
def test_start_suggests_each_answer_from_the_counted_units(demo_db, committee, rule):
    counts, counted = _met_counts(demo_db)
    record = department.start(demo_db, committee, YEAR, rule)
    framework = years.framework_of(demo_db, YEAR)
    assert counted == 13 and set(record.ticks) == {cp.id for _, _, cp in framework.checkpoints()}
    for cp, met in record.ticks.items():
        n = counts.get(cp, 0)
        assert met == {"half": 2 * n >= counted, "all": n == counted, "any": n > 0}[rule], cp
    assert (record.version, record.record["status"], record.record["rule"]) == (1, "draft", rule)
    entry = audit.entries(demo_db, action="dept_start").iloc[0]
    assert (entry["username"], entry["entity_id"]) == ("demo-committee", str(YEAR))


def test_unit_answers_counts_met_checkpoints_over_the_counted_units(demo_db):
    frame, counted = department.unit_answers(demo_db, YEAR)
    counts, expected = _met_counts(demo_db)
    assert counted == expected
    assert dict(zip(frame["checkpoint"], frame["units_met"], strict=True)) == {
        cp: counts.get(cp, 0) for cp in frame["checkpoint"]}


@pytest.mark.parametrize("role", ["unit", "director", "admin"])
def test_only_the_committee_writes(demo_db, demo_user, committee, role):
    with pytest.raises(AccessDenied):
        department.start(demo_db, demo_user(role), YEAR)
    record = department.start(demo_db, committee, YEAR)
    with pytest.raises(AccessDenied):
        department.save_answers(demo_db, demo_user(role), YEAR, record.version, {"1.1.B1": True})
    if role == "unit":
        with pytest.raises(AccessDenied):
            department.get(demo_db, demo_user(role), YEAR)
    else:
        assert department.get(demo_db, demo_user(role), YEAR).ticks == record.ticks


def test_a_second_start_or_a_closed_year_is_refused(demo_db, committee):
    department.start(demo_db, committee, YEAR)
    with pytest.raises(InputError) as refused:
        department.start(demo_db, committee, YEAR, "all")
    assert refused.value.key == "error_dept_started"
    with pytest.raises(NotEditable):
        department.start(demo_db, committee, 2569)  # closed
    assert department.get(demo_db, committee, 2569) is None
    with pytest.raises(InputError) as not_started:
        department.save_answers(demo_db, committee, YEAR + 1, 1, {})
    assert not_started.value.key in ("error_no_cycle", "error_dept_not_started")


def test_saves_are_versioned_checked_and_audited(demo_db, committee):
    record = department.start(demo_db, committee, YEAR)
    version = department.save_answers(demo_db, committee, YEAR, record.version, {"1.1.B1": False, "1.1.A1": True})
    with pytest.raises(VersionConflict):  # a save from the version before
        department.save_answers(demo_db, committee, YEAR, record.version, {"1.1.B1": True})
    with pytest.raises(InputError):
        department.save_answers(demo_db, committee, YEAR, version, {"9.9.B1": True})
    version = department.save_narrative(demo_db, committee, YEAR, version, "1.1", "  ผู้บริหารสื่อสารทิศทาง  ")
    version = department.save_narrative(demo_db, committee, YEAR, version, "7.1", "ผลลัพธ์ตามพันธกิจ")
    with pytest.raises(InputError):
        department.save_narrative(demo_db, committee, YEAR, version, "1.1", "ก" * (department.MAX_NARRATIVE + 1))
    version = department.save_kpi_values(demo_db, committee, YEAR, version, {("RM1", YEAR): 91.5, ("RM1", 2568): 80})
    for bad in ({("RM1", YEAR): 1e6}, {("RM1", 2565): 80.0}, {("XX", YEAR): 1.0}, {("RM1", YEAR): float("nan")},
                {("RM1", YEAR): True}):
        with pytest.raises(InputError):
            department.save_kpi_values(demo_db, committee, YEAR, version, bad)
    saved = department.get(demo_db, committee, YEAR)
    assert saved.version == version == 5
    assert (saved.ticks["1.1.B1"], saved.ticks["1.1.A1"]) == (False, True)
    assert saved.narratives == {"1.1": "ผู้บริหารสื่อสารทิศทาง", "7.1": "ผลลัพธ์ตามพันธกิจ"}
    assert saved.kpi_values == {("RM1", YEAR): 91.5, ("RM1", 2568): 80.0}
    actions = audit.entries(demo_db, entity="dept_record", year=YEAR)["action"].tolist()
    assert sorted(actions) == sorted(["dept_start", "dept_answers", "dept_narrative", "dept_narrative", "dept_kpis"])


def test_citations_are_the_years_unit_evidence_for_the_item(demo_db, committee):
    record = department.start(demo_db, committee, YEAR)
    aid = int(assessments.status_table(demo_db, committee, YEAR).dropna(subset=["assessment_id"])
              ["assessment_id"].iloc[0])
    ids = [demo_db["evidence"].insert({"assessment_id": aid, "item": item, "level": "basic", "kind": "link",
                                       "url": f"https://example.go.th/{item}", "filename": f"แผน {item}",
                                       "confidential": 0}).last_pk for item in ("1.1", "1.1", "1.2")]
    assert department.citable(demo_db, YEAR, "1.1")["id"].tolist() == ids[:2]
    version = department.cite(demo_db, committee, YEAR, record.version, "1.1", [ids[1], ids[0], ids[0]])
    with pytest.raises(InputError) as refused:  # 1.2's evidence cited for 1.1
        department.cite(demo_db, committee, YEAR, version, "1.1", [ids[2]])
    assert refused.value.key == "error_dept_evidence"
    version = department.cite(demo_db, committee, YEAR, version, "1.2", [ids[2]])
    version = department.cite(demo_db, committee, YEAR, version, "1.1", [ids[1]])  # replaces the earlier choice
    assert department.get(demo_db, committee, YEAR).citations == {"1.1": [ids[1]], "1.2": [ids[2]]}


def test_approval_locks_the_record_until_reopened_with_a_reason(demo_db, committee):
    record = department.start(demo_db, committee, YEAR)
    version = department.approve(demo_db, committee, YEAR, record.version)
    with pytest.raises(NotEditable):
        department.save_narrative(demo_db, committee, YEAR, version, "1.1", "x")
    with pytest.raises(InputError):
        department.reopen(demo_db, committee, YEAR, version, "  ")
    version = department.reopen(demo_db, committee, YEAR, version, "แก้ผลตัวชี้วัดตามข้อมูลล่าสุด")
    assert department.get(demo_db, committee, YEAR).record["status"] == "draft"
    department.save_narrative(demo_db, committee, YEAR, version, "1.1", "x")
    reason = audit.entries(demo_db, action="dept_reopen").iloc[0]["detail"]
    assert "แก้ผลตัวชี้วัดตามข้อมูลล่าสุด" in reason


def test_the_record_is_scored_by_the_scoring_package(demo_db, committee):
    assert department.score_inputs(demo_db, YEAR) is None
    framework = years.framework_of(demo_db, YEAR)
    record = department.start(demo_db, committee, YEAR, "any")
    every = {cp.id: True for _, _, cp in framework.checkpoints()}
    version = department.save_answers(demo_db, committee, YEAR, record.version, every)
    values = {(k.id, YEAR): k.ceiling for _, k in framework.kpis()}
    department.save_kpi_values(demo_db, committee, YEAR, version, {**values, ("RM1", YEAR - 1): 0.0})
    answers, kpis = department.score_inputs(demo_db, YEAR)
    assert len(answers) == 160 and answers["met"].all() and len(kpis) == 10  # this year's values only
    scores = unit_item_scores(answers, kpis, framework, keys=pd.DataFrame({"unit": [department.UNIT]}))
    categories, total = roll_up(scores.set_index("item")["score"], framework)
    assert total == 500.0 and (categories == 500.0).all()


def test_the_organisation_profile_is_saved_per_part_checked_and_audited(demo_db, demo_user, committee):
    part = years.framework_of(demo_db, YEAR).profile[0].id
    assert department.save_profile(demo_db, committee, YEAR, part, " พันธกิจ ", before="") == 1
    assert department.profile(demo_db, demo_user("director"), YEAR)[part]["text"] == "พันธกิจ"
    with pytest.raises(FieldConflict):  # shown empty, but someone wrote it since
        department.save_profile(demo_db, committee, YEAR, part, "อื่น", before="")
    assert department.save_profile(demo_db, committee, YEAR, part, "พันธกิจ 3 ด้าน", before="พันธกิจ") == 2
    for bad_part, text in (("P9z", "x"), (part, "ก" * (department.MAX_NARRATIVE + 1))):
        with pytest.raises(InputError):
            department.save_profile(demo_db, committee, YEAR, bad_part, text, before="พันธกิจ 3 ด้าน")
    with pytest.raises(AccessDenied):
        department.save_profile(demo_db, demo_user("director"), YEAR, part, "x", before="พันธกิจ 3 ด้าน")
    with pytest.raises(AccessDenied):
        department.profile(demo_db, demo_user("unit"), YEAR)
    assert department.profile_version(demo_db, YEAR) == 2
    assert audit.entries(demo_db, action="profile", year=YEAR)["username"].tolist() == ["demo-committee"] * 2


def test_two_members_editing_different_fields_both_keep_their_work(demo_db, committee):
    # two committee sessions opened the record at the same version; each saves what its editor showed
    record = department.start(demo_db, committee, YEAR)
    shown = record.version
    department.save_narrative(demo_db, committee, YEAR, shown, "1.1", "ของคนแรก", before="")
    cp = next(c for c, met in record.ticks.items() if not met)
    department.save_answers(demo_db, committee, YEAR, shown, {cp: True}, before={cp: False})
    department.save_kpi_values(demo_db, committee, YEAR, shown, {("RM1", YEAR): 88.0},
                               before={("RM1", YEAR): record.kpi_values.get(("RM1", YEAR))})
    after = department.get(demo_db, committee, YEAR)
    assert (after.narratives["1.1"], after.ticks[cp], after.kpi_values[("RM1", YEAR)]) == ("ของคนแรก", True, 88.0)
    assert after.version == shown + 3


@pytest.mark.parametrize("field", ["narrative", "kpi", "cite"])
def test_a_change_to_a_field_someone_changed_since_it_was_shown_is_refused_with_their_value(demo_db, committee,
                                                                                              field):
    record = department.start(demo_db, committee, YEAR)
    v = record.version
    saves = {
        "narrative": (lambda before: department.save_narrative(demo_db, committee, YEAR, v, "1.1", "ของเรา",
                                                               before=before), "", "ของเพื่อน",
                      lambda: department.save_narrative(demo_db, committee, YEAR, v, "1.1", "ของเพื่อน")),
        "kpi": (lambda before: department.save_kpi_values(demo_db, committee, YEAR, v, {("RM1", YEAR): 90.0},
                                                          before={("RM1", YEAR): before}), None, 80.0,
                lambda: department.save_kpi_values(demo_db, committee, YEAR, v, {("RM1", YEAR): 80.0})),
    }
    if field == "cite":
        unit = accounts.authenticate(demo_db, "demo-unit", DEMO_PASSWORD)
        aid = assessments.get(demo_db, unit.unit_id, YEAR)["id"]
        ids = [evidence.add_link(demo_db, unit, aid, "1.1", "basic", f"https://intra.example/{n}", f"แผน {n}", False)
               for n in (1, 2)]
        department.cite(demo_db, committee, YEAR, v, "1.1", [ids[0]])
        with pytest.raises(FieldConflict) as refused:
            department.cite(demo_db, committee, YEAR, v, "1.1", [ids[1]], before=[])
        assert refused.value.stored == [ids[0]]
        return
    save, shown, theirs, their_save = saves[field]
    their_save()
    with pytest.raises(FieldConflict) as refused:
        save(shown)
    assert refused.value.stored == theirs and refused.value.params["by"] == "demo-committee"
    save(theirs)  # now up to date: it goes through
