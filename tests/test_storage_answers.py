"""Saving what a unit enters: every value checked before anything is written, every save audited."""

import json
import math

import pytest

from analysis.self_assessment import by_target, kpi_score_of
from scoring.rules import target_score
from storage.assessment import answers, assessments, years
from storage.errors import AccessDenied, FieldConflict, InputError, VersionConflict
from storage.organisation import accounts, org


@pytest.fixture
def form(db):
    org.add_cycle(db, 2570)
    unit_id = org.add_unit(db, "U1", "หน่วยทดสอบ", "Test unit")
    user = accounts.create_user(db, "unit1", "correct horse", "unit", unit_id=unit_id)
    a = assessments.ensure(db, user, unit_id, 2570)
    return {"user": user, "id": a["id"], "committee": accounts.create_user(db, "board", "correct horse", "committee")}


def audit_count(db):
    return db.execute("SELECT COUNT(*) FROM audit_log").fetchone()[0]


def test_ticks_round_trip(db, form):
    v = answers.save_checkpoints(db, form["user"], form["id"], 0, {"1.1.B1": True, "1.1.A1": True})
    v = answers.save_checkpoints(db, form["user"], form["id"], v, {"1.1.A1": False})
    loaded = answers.load(db, form["user"], form["id"])
    assert {cp: t["self"] for cp, t in loaded.ticks.items()} == {"1.1.B1": True, "1.1.A1": False}
    assert loaded.assessment["version"] == v == 2


def test_second_editor_with_stale_version_is_refused_and_told_who_saved(db, form):
    answers.save_checkpoints(db, form["user"], form["id"], 0, {"1.1.B1": True})
    before = audit_count(db)
    with pytest.raises(VersionConflict) as err:
        answers.save_checkpoints(db, form["user"], form["id"], 0, {"1.1.B1": False})
    assert err.value.params == {"version": 1, "by": "unit1"}
    assert answers.load(db, form["user"], form["id"]).ticks["1.1.B1"]["self"] is True
    assert audit_count(db) == before


def test_saves_that_name_what_they_showed_merge_unless_they_touch_the_same_field(db, form):
    colleague = accounts.create_user(db, "unit2", "correct horse", "unit", unit_id=form["user"].unit_id)
    aid, me = form["id"], form["user"]
    # both opened version 0; the colleague saves a tick, a KPI value and a narrative first
    v = answers.save_checkpoints(db, colleague, aid, 0, {"1.2.A2": True}, before={"1.2.A2": False})
    v = answers.save_kpi_values(db, colleague, aid, v, {("RM1", 2570): 80.0}, before={("RM1", 2570): None})
    answers.save_narrative(db, colleague, aid, v, "1.1", "basic", "theirs", before="")
    # other fields from the stale version go through
    assert answers.save_checkpoints(db, me, aid, 0, {"1.1.B1": True}, before={"1.1.B1": False}) == 4
    answers.save_kpi_values(db, me, aid, 0, {("RM1", 2569): 70.0}, before={("RM1", 2569): None})
    answers.save_narrative(db, me, aid, 0, "1.1", "advance", "mine", before="")
    # the same fields are refused, naming who changed them and what they hold now
    cases = [(lambda: answers.save_checkpoints(db, me, aid, 0, {"1.2.A2": False}, before={"1.2.A2": False}),
              "1.2.A2", True),
             (lambda: answers.save_kpi_values(db, me, aid, 0, {("RM1", 2570): 60.0}, before={("RM1", 2570): None}),
              "RM1/2570", 80.0),
             (lambda: answers.save_narrative(db, me, aid, 0, "1.1", "basic", "mine", before=""), "1.1/basic", "theirs")]
    before = audit_count(db)
    for save, field, stored in cases:
        with pytest.raises(FieldConflict) as err:
            save()
        assert err.value.params == {"by": "unit2", "field": field} and err.value.stored == stored
    assert audit_count(db) == before
    loaded = answers.load(db, me, aid)
    assert loaded.ticks["1.2.A2"]["self"] and loaded.ticks["1.1.B1"]["self"]
    assert loaded.kpi_values[("RM1", 2570)]["self"] == 80.0 and loaded.kpi_values[("RM1", 2569)]["self"] == 70.0
    assert loaded.narratives == {("1.1", "basic"): "theirs", ("1.1", "advance"): "mine"}
    # shown up to date, the change goes through
    answers.save_checkpoints(db, me, aid, 0, {"1.2.A2": False}, before={"1.2.A2": True})
    assert answers.load(db, me, aid).ticks["1.2.A2"]["self"] is False


def test_a_reviewers_field_compares_what_the_review_showed(db, form):
    v = answers.save_checkpoints(db, form["user"], form["id"], 0, {"1.1.B1": True})
    answers.save_kpi_values(db, form["user"], form["id"], v, {("RM1", 2570): 80.0})
    db.execute("UPDATE assessments SET status = 'submitted' WHERE id = ?", [form["id"]])  # submitted as it stands
    board = form["committee"]
    # the review shows the unit's values where the committee set none
    answers.save_checkpoints(db, board, form["id"], 0, {"1.1.B1": False}, "review", before={"1.1.B1": True})
    answers.save_kpi_values(db, board, form["id"], 0, {("RM1", 2570): 75.0}, "review", before={("RM1", 2570): 80.0})
    with pytest.raises(FieldConflict):
        answers.save_checkpoints(db, board, form["id"], 0, {"1.1.B1": True}, "review", before={"1.1.B1": True})


@pytest.mark.parametrize(
    ("values", "key"),
    [
        ({("RM1", 2570): 101.0}, "error_kpi_range"),
        ({("RM1", 2570): -1.0}, "error_kpi_range"),
        ({("RM1", 2570): math.nan}, "error_not_number"),
        ({("RM1", 2570): "ninety"}, "error_not_number"),
        ({("RM1", 2570): True}, "error_not_number"),
        ({("RM1", 2566): 90.0}, "error_fiscal_year"),
        ({("RM99", 2570): 90.0}, "error_unknown_kpi"),
        ({("RM1", 2570): 90.0, ("RM2", 2570): 200.0}, "error_kpi_range"),  # one bad value: nothing stored
    ],
)
def test_bad_kpi_values_are_refused_and_change_nothing(db, form, values, key):
    before = audit_count(db)
    with pytest.raises(InputError) as err:
        answers.save_kpi_values(db, form["user"], form["id"], 0, values)
    assert err.value.key == key
    assert db.execute("SELECT COUNT(*) FROM kpi_results").fetchone()[0] == 0
    assert audit_count(db) == before
    assert answers.load(db, form["user"], form["id"]).assessment["version"] == 0


def test_kpi_values_round_trip_and_can_be_cleared(db, form):
    v = answers.save_kpi_values(db, form["user"], form["id"], 0, {("RM1", 2570): 88.5, ("RM1", 2568): 80})
    v = answers.save_kpi_values(db, form["user"], form["id"], v, {("RM1", 2568): None})
    values = answers.load(db, form["user"], form["id"]).kpi_values
    assert values[("RM1", 2570)]["self"] == 88.5 and values[("RM1", 2568)]["self"] is None


def test_unknown_checkpoint_is_refused(db, form):
    with pytest.raises(InputError, match="error_unknown_checkpoint"):
        answers.save_checkpoints(db, form["user"], form["id"], 0, {"9.9.B1": True})


def test_narrative_is_bounded(db, form):
    with pytest.raises(InputError, match="error_text_length"):
        answers.save_narrative(db, form["user"], form["id"], 0, "1.1", "basic", "ก" * (answers.MAX_NARRATIVE + 1))
    with pytest.raises(InputError, match="error_unknown_item"):
        answers.save_narrative(db, form["user"], form["id"], 0, "7.1", "basic", "ok")
    v = answers.save_narrative(db, form["user"], form["id"], 0, "1.1", "advance", "  มีการทบทวนแผนทุกไตรมาส  ")
    assert answers.load(db, form["user"], form["id"]).narratives == {("1.1", "advance"): "มีการทบทวนแผนทุกไตรมาส"}
    assert v == 1


def test_committee_cannot_write_self_values(db, form):
    with pytest.raises(AccessDenied):
        answers.save_checkpoints(db, form["committee"], form["id"], 0, {"1.1.B1": True})
    with pytest.raises(AccessDenied):
        answers.save_kpi_values(db, form["committee"], form["id"], 0, {("RM1", 2570): 80.0})


def scored_on_floor_and_ceiling(db, year: int = 2570) -> None:
    """The year scores a unit's own KPIs on floor and ceiling (the default file scores them on the target)."""
    db.execute("UPDATE cycles SET rules = ? WHERE year = ?", [json.dumps({"unit_kpis": "floor_ceiling"}), year])


def test_own_kpi_is_validated_added_scored_and_removed(db, form):
    scored_on_floor_and_ceiling(db)
    with pytest.raises(InputError, match="error_kpi_floor_ceiling"):
        answers.add_own_kpi(db, form["user"], form["id"], 0, "7.1", "อัตราการตอบกลับ", "ร้อยละ", "higher", 90, 90, 90)
    with pytest.raises(InputError, match="error_kpi_direction"):
        answers.add_own_kpi(db, form["user"], form["id"], 0, "7.1", "เวลารอคอย", "นาที", "higher", 30, 10, 15)
    with pytest.raises(InputError, match="error_kpi_bounds"):
        answers.add_own_kpi(db, form["user"], form["id"], 0, "7.1", "เวลารอคอย", "นาที", "lower", 30, 10, 15, 50, 0)
    with pytest.raises(InputError, match="error_kpi_outside"):
        answers.add_own_kpi(db, form["user"], form["id"], 0, "7.1", "เวลารอคอย", "นาที", "lower", 300, 10, 15)
    with pytest.raises(InputError, match="error_unknown_item"):
        answers.add_own_kpi(db, form["user"], form["id"], 0, "1.1", "x", "y", "higher", 10, 20, 15)
    with pytest.raises(InputError, match="error_kpi_name"):
        answers.add_own_kpi(db, form["user"], form["id"], 0, "7.1", " ", "นาที", "lower", 30, 10, 15)
    v, kpi_id = answers.add_own_kpi(db, form["user"], form["id"], 0, "7.2", "เวลารอคอยเฉลี่ย", "นาที", "lower",
                                    30, 10, 15, max_value=120)
    v = answers.save_kpi_values(db, form["user"], form["id"], v, {(kpi_id, 2570): 20.0})
    with pytest.raises(InputError, match="error_kpi_range"):
        answers.save_kpi_values(db, form["user"], form["id"], v, {(kpi_id, 2570): 121.0})
    assert answers.load(db, form["user"], form["id"]).own_kpis[0]["item"] == "7.2"
    answers.remove_own_kpi(db, form["user"], form["id"], v, kpi_id)
    loaded = answers.load(db, form["user"], form["id"])
    assert loaded.own_kpis == [] and loaded.kpi_values == {}


def test_a_kpi_scored_on_its_target_needs_no_floor_or_ceiling(db, form):
    # regression (issue 25): the form asked for a floor and a ceiling "(100/500 points)" that the year's rule
    # does not use: 95 against a target of 90 scores 500
    assert years.framework_of(db, 2570).rules.unit_kpis == "percent_of_target"
    for target, error in ((0.0, "error_kpi_zero_target"), (150.0, "error_kpi_outside")):
        with pytest.raises(InputError, match=error):
            answers.add_own_kpi(db, form["user"], form["id"], 0, "7.1", "อัตราการตอบกลับ", "ร้อยละ", "higher", None,
                                None, target)
    v, kpi_id = answers.add_own_kpi(db, form["user"], form["id"], 0, "7.1", "อัตราการตอบกลับ", "ร้อยละ", "higher",
                                    None, None, 98.0)
    [row] = answers.load(db, form["user"], form["id"]).own_kpis
    assert (row["target"], row["floor"], row["ceiling"]) == (98.0, 0.0, 100.0)  # the scale, within 0-100
    v = answers.save_kpi_values(db, form["user"], form["id"], v, {(kpi_id, 2570): 95.0})
    framework = years.framework_of(db, 2570)
    loaded = answers.load(db, form["user"], form["id"])
    kpi = answers.kpi_definition(db, framework, form["id"], kpi_id)
    scored = kpi_score_of(kpi, 95.0, by_target(framework, loaded, kpi_id))
    assert scored == target_score(95.0, 98.0) == pytest.approx(3 * 95 / 98 * 100)
    assert target_score(95.0, 90.0) == 500.0  # the walk's figure: above 105 % of the target
    v, lower = answers.add_own_kpi(db, form["user"], form["id"], v, "7.2", "เวลารอคอย", "นาที", "lower", None, None,
                                   20.0, 0.0, 120.0)
    assert [(r["floor"], r["ceiling"]) for r in answers.load(db, form["user"], form["id"]).own_kpis
            if r["kpi"] == lower] == [(40.0, 19.0)]


def test_own_kpi_ids_stay_unique_after_a_removal(db, form):
    # regression: ids numbered by count collided once an earlier KPI was removed
    args = ("7.1", "อัตราการตอบกลับ", "ร้อยละ", "higher", 60, 90, 80)
    v, first = answers.add_own_kpi(db, form["user"], form["id"], 0, *args)
    v, second = answers.add_own_kpi(db, form["user"], form["id"], v, *args)
    v = answers.remove_own_kpi(db, form["user"], form["id"], v, first)
    v, third = answers.add_own_kpi(db, form["user"], form["id"], v, *args)
    assert len({first, second, third}) == 3


@pytest.mark.parametrize("bounds", [
    (0, math.inf, 50, 0, math.inf), (0, 100, 50, -math.inf, 100), (0, 100, math.nan, 0, 100),
    (0, 1e12, 50, 0, 1e12), (-1e10, 100, 50, -1e10, 100),
], ids=["infinite ceiling", "infinite minimum", "no target", "huge ceiling", "huge floor"])
def test_own_kpi_with_infinite_or_absurd_bounds_is_refused(db, form, bounds):
    """regression: such a KPI was stored, and the form then failed on a JavaScript number error."""
    floor, ceiling, target, low, high = bounds
    with pytest.raises(InputError, match="error_kpi_absurd"):
        answers.add_own_kpi(db, form["user"], form["id"], 0, "7.1", "ตัวชี้วัด", "ร้อยละ", "higher", floor, ceiling,
                            target, low, high)
    assert db.execute("SELECT COUNT(*) FROM unit_kpis").fetchone()[0] == 0


def test_none_met_is_an_answer_cleared_by_a_tick_and_refused_beside_one(db, form):
    from scoring import default_framework

    aid, me = form["id"], form["user"]
    missing = assessments.unanswered_items(answers.load(db, me, aid), default_framework())
    assert "1.1" in missing
    v = answers.save_none_met(db, me, aid, 0, "1.1", True, before=False)
    loaded = answers.load(db, me, aid)
    assert loaded.none_met == {"1.1"}
    assert "1.1" not in assessments.unanswered_items(loaded, default_framework())
    v = answers.save_checkpoints(db, me, aid, v, {"1.1.B1": True})  # a tick says otherwise: the answer goes
    assert answers.load(db, me, aid).none_met == set()
    with pytest.raises(InputError) as err:
        answers.save_none_met(db, me, aid, v, "1.1", True)
    assert err.value.key == "error_none_met_ticked"
    for bad in ("7.1", "9.9"):  # results items are answered by KPI values
        with pytest.raises(InputError):
            answers.save_none_met(db, me, aid, v, bad, True)
    assert db.execute("SELECT COUNT(*) FROM audit_log WHERE action = 'save_none_met'").fetchone()[0] == 1


def test_at_most_three_own_kpis_per_item_and_a_zero_target_is_refused_when_scored_on_target(db, form):
    args = ("อัตราการตอบกลับ", "ร้อยละ", "higher", 60, 90, 80)
    v = 0
    for _ in range(3):
        v, _kpi = answers.add_own_kpi(db, form["user"], form["id"], v, "7.1", *args)
    before = audit_count(db)
    with pytest.raises(InputError, match="error_kpi_too_many") as err:
        answers.add_own_kpi(db, form["user"], form["id"], v, "7.1", *args)
    assert err.value.params == {"item": "7.1", "limit": 3}
    v, _kpi = answers.add_own_kpi(db, form["user"], form["id"], v, "7.2", *args)  # another item has room
    with pytest.raises(InputError, match="error_kpi_zero_target"):
        answers.add_own_kpi(db, form["user"], form["id"], v, "7.3", "ข้อร้องเรียน", "เรื่อง", "lower", 10, 0, 0)
    assert audit_count(db) == before + 1
    assert len(answers.load(db, form["user"], form["id"]).own_kpis) == 4


def test_an_own_kpi_counts_on_the_percentage_of_target_in_the_unit_and_department_scores(db, form):
    from analysis.self_assessment import live_scores
    from scoring import framework_for_year

    v, kpi_id = answers.add_own_kpi(db, form["user"], form["id"], 0, "7.2", "ความพึงพอใจต่อบริการออนไลน์", "ร้อยละ",
                                    "higher", 60, 100, 80)
    v = answers.save_kpi_values(db, form["user"], form["id"], v, {(kpi_id, 2570): 84.0, ("RM3", 2570): 95.0})
    scores = live_scores(answers.load(db, form["user"], form["id"]), framework_for_year(2570))
    # 84 of a target of 80 is 105 %: 400 (on floor and ceiling it would have been 100 + 400 x 24 / 40 = 340)
    assert scores.items["7.2"] == pytest.approx((500 + 400) / 2)
