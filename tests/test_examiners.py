"""The committee as the award's examiners: the band arithmetic and the weights worked by hand (scoring.examiner),
properties of the consensus, and the store's rules on a real SQLite store (storage.assessment.examiners): members
score on their own and read no one else's score before they submit; the agreed score needs a reason; all audited."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring import default_framework
from scoring.examiner import PercentError, checked_percent, item_weights, points, spread
from storage import audit
from storage.assessment import examiners, years
from storage.errors import AccessDenied, FieldConflict, InputError, NotEditable, StoreError
from storage.organisation import accounts

YEAR = 2570
FW = default_framework()
WEIGHTS = item_weights(FW)


# ---- the arithmetic ---------------------------------------------------------------------------------------

def test_the_weights_share_each_category_among_its_items_and_make_the_scale():
    categories = dict(FW.award_scoring.weights)
    assert sum(WEIGHTS.values()) == pytest.approx(FW.award_scoring.scale) == pytest.approx(1000)
    for category in FW.categories:
        items = [item.id for item in category.items]
        assert sum(WEIGHTS[i] for i in items) == pytest.approx(categories[category.id])
        assert len({WEIGHTS[i] for i in items}) == 1  # shared equally: the file names no item of its own


def test_a_scored_example_worked_by_hand():
    # category 1: 120 points over 4 items = 30 each; category 7: 450 over 6 = 75 each
    # member a: 1.1 at 50% = 15, 1.2 at 35% = 10.5, 7.1 at 60% = 45 -> cat 1 25.5, cat 7 45, total 70.5
    frame = pd.DataFrame({"scorer": ["a", "a", "a"], "item": ["1.1", "1.2", "7.1"], "percent": [50, 35, 60]})
    got = points(frame, WEIGHTS).set_index("category")["points"].to_dict()
    assert got == {"1": 25.5, "7": 45.0, "total": 70.5}


@pytest.mark.parametrize(("percent", "band"), [(0, "0-5"), (5, "0-5"), (10, "10-25"), (25, "10-25"), (30, "30-45"),
                                               (65, "50-65"), (70, "70-85"), (90, "90-100"), (100, "90-100")])
def test_a_percentage_falls_in_its_band(percent, band):
    assert FW.award_scoring.band_of(checked_percent(FW, percent)).id == band


@pytest.mark.parametrize("percent", [-5, 3, 101, 105, 52.5, "50", True, None, float("nan")])
def test_only_whole_steps_of_5_from_0_to_100(percent):
    with pytest.raises(PercentError):
        checked_percent(FW, percent)


PERCENT = st.integers(0, 20).map(lambda n: n * 5)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(PERCENT, min_size=len(WEIGHTS), max_size=len(WEIGHTS)), min_size=1, max_size=5),
       st.lists(st.floats(0, 1), min_size=len(WEIGHTS), max_size=len(WEIGHTS)))
def test_an_agreed_total_lies_within_the_members_item_ranges(members, where):
    # each agreed item's percentage somewhere in the members' range of that item (as a step of 5): the agreed total
    # lies between the sums of the lowest and of the highest (not between the lowest and the highest member's
    # total: one member high on one item and another on another can both total less than the agreement)
    items = list(WEIGHTS)
    scores = pd.DataFrame([(f"m{m}", item, p) for m, row in enumerate(members) for item, p in zip(items, row,
                                                                                                  strict=True)],
                          columns=["scorer", "item", "percent"])
    ranges = spread(scores, FW.award_scoring.spread_flag).set_index("item")
    agreed = [(item, int(ranges.loc[item, "low"] + round((ranges.loc[item, "high"] - ranges.loc[item, "low"]) * w / 5)
               * 5)) for item, w in zip(items, where, strict=True)]
    total = points(pd.DataFrame([("agreed", i, p) for i, p in agreed], columns=["scorer", "item", "percent"]),
                   WEIGHTS).set_index("category").loc["total", "points"]
    lowest = sum(ranges.loc[i, "low"] / 100 * WEIGHTS[i] for i in items)
    highest = sum(ranges.loc[i, "high"] / 100 * WEIGHTS[i] for i in items)
    assert lowest - 1e-6 <= total <= highest + 1e-6
    assert 0 <= total <= FW.award_scoring.scale + 1e-6
    members_totals = points(scores, WEIGHTS).query("category == 'total'")["points"]
    if len(members) == 1:
        assert total == pytest.approx(members_totals.iloc[0])


def test_the_widest_disagreements_come_first():
    frame = pd.DataFrame({"scorer": ["a", "b"] * 3, "item": ["2.1", "2.1", "1.1", "1.1", "1.2", "1.2"],
                          "percent": [40, 65, 10, 50, 30, 35]})
    table = spread(frame, 20)
    assert table["item"].tolist() == ["1.1", "2.1", "1.2"] and table["flagged"].tolist() == [True, True, False]


# ---- the store ------------------------------------------------------------------------------------------

@pytest.fixture
def members(demo_db, demo_user):
    """Two committee members: the demo's and a second one."""
    second = accounts.create_user(demo_db, "committee-two", "another-long-pass-9", "committee",
                                  display_name="กรรมการสอง", actor="test", weak_password=True)
    return demo_user("committee"), second


def _score_all(db, member, percent: int) -> None:
    for item in examiners.scored_items(years.framework_of(db, YEAR)):
        examiners.save(db, member, YEAR, item, percent=percent, rationale=f"เหตุผล {item}")


def test_a_member_reads_no_one_elses_score_before_submitting(demo_db, members):
    one, two = members
    examiners.save(demo_db, one, YEAR, "1.1", percent=55, rationale="แนวทางเป็นระบบ", strengths="มีแผน",
                   ofis="ยังไม่ทบทวน")
    assert examiners.own(demo_db, one, YEAR)["1.1"]["percent"] == 55
    assert examiners.own(demo_db, two, YEAR) == {}  # not the other's
    for member in (one, two):
        with pytest.raises(AccessDenied):
            examiners.submitted_scores(demo_db, member, YEAR)
        with pytest.raises(AccessDenied):
            examiners.agreed(demo_db, member, YEAR)
    with pytest.raises(InputError):  # not every item scored
        examiners.submit(demo_db, one, YEAR)
    _score_all(demo_db, one, 50)
    examiners.submit(demo_db, one, YEAR)
    seen = examiners.submitted_scores(demo_db, one, YEAR)
    assert set(seen["scorer"]) == {"demo-committee"}  # two's drafts are not there
    _score_all(demo_db, two, 70)
    assert set(examiners.submitted_scores(demo_db, one, YEAR)["scorer"]) == {"demo-committee"}
    examiners.submit(demo_db, two, YEAR)
    assert set(examiners.submitted_scores(demo_db, two, YEAR)["scorer"]) == {"demo-committee", "committee-two"}
    with pytest.raises(NotEditable):  # submitted: final
        examiners.save(demo_db, one, YEAR, "1.1", percent=60)
    actions = audit.entries(demo_db, entity="cycle")["action"].tolist()
    assert actions.count("exam_submit") == 2 and "exam_score" in actions


@pytest.mark.parametrize("role", ["admin", "director"])
def test_the_owner_and_the_director_read_what_was_submitted_and_score_nothing(demo_db, members, demo_user, role):
    one, _ = members
    _score_all(demo_db, one, 45)
    reader = demo_user(role)
    assert examiners.submitted_scores(demo_db, reader, YEAR).empty  # nothing submitted yet
    examiners.submit(demo_db, one, YEAR)
    assert len(examiners.submitted_scores(demo_db, reader, YEAR)) == len(examiners.scored_items(FW))
    with pytest.raises(AccessDenied):
        examiners.save(demo_db, reader, YEAR, "1.1", percent=50)


def test_a_unit_reads_nothing(demo_db, demo_user):
    with pytest.raises(AccessDenied):
        examiners.submitted_scores(demo_db, demo_user("unit"), YEAR)


@pytest.mark.parametrize(("changes", "error"), [({"percent": 52}, InputError), ({"percent": 105}, InputError),
                                                ({"rationale": "ก" * 4001}, InputError), ({"band": "x"}, InputError)])
def test_bad_input_changes_nothing(demo_db, members, changes, error):
    one, _ = members
    with pytest.raises(error):
        examiners.save(demo_db, one, YEAR, "1.1", **changes)
    with pytest.raises(InputError):
        examiners.save(demo_db, one, YEAR, "9.9", percent=50)
    assert examiners.own(demo_db, one, YEAR) == {}


def test_a_field_changed_in_another_window_is_refused(demo_db, members):
    one, _ = members
    examiners.save(demo_db, one, YEAR, "2.1", rationale="ฉบับแรก", before={"rationale": ""})
    with pytest.raises(FieldConflict):
        examiners.save(demo_db, one, YEAR, "2.1", rationale="อีกหน้าต่าง", before={"rationale": ""})
    examiners.save(demo_db, one, YEAR, "2.1", percent=40, before={"percent": None})  # another field: kept both
    assert examiners.own(demo_db, one, YEAR)["2.1"] | {"updated_at": None} == {
        "percent": 40, "rationale": "ฉบับแรก", "strengths": "", "ofis": "", "updated_at": None}


def test_the_agreed_score_needs_a_submitted_member_and_a_reason(demo_db, members):
    one, two = members
    _score_all(demo_db, one, 40)
    with pytest.raises(AccessDenied):  # not submitted yet
        examiners.agree(demo_db, one, YEAR, "1.1", 45, "ตกลงกัน")
    examiners.submit(demo_db, one, YEAR)
    with pytest.raises(InputError):
        examiners.agree(demo_db, one, YEAR, "1.1", 45, "  ")
    with pytest.raises(InputError):
        examiners.agree(demo_db, one, YEAR, "1.1", 47, "ตกลงกัน")
    examiners.agree(demo_db, one, YEAR, "1.1", 45, "หลักฐานการถ่ายทอดครบ", "มีแผน", "ยังไม่วัดผล")
    assert examiners.agreed(demo_db, one, YEAR)["1.1"]["percent"] == 45
    _score_all(demo_db, two, 60)
    examiners.submit(demo_db, two, YEAR)
    with pytest.raises(FieldConflict):  # two saw no agreed score; one agreed 45 meanwhile
        examiners.agree(demo_db, two, YEAR, "1.1", 55, "สูงกว่า", before=None)
    examiners.agree(demo_db, two, YEAR, "1.1", 55, "ทบทวนร่วมกันแล้ว", before=45)
    row = examiners.agreed(demo_db, one, YEAR)["1.1"]
    assert (row["percent"], row["agreed_by"], row["reason"]) == (55, "committee-two", "ทบทวนร่วมกันแล้ว")


def test_a_closed_year_changes_nothing(demo_db, members):
    one, _ = members
    with pytest.raises(StoreError) as refused:
        examiners.save(demo_db, one, 2569, "1.1", percent=50)
    assert refused.value.key == "error_year_closed"
    assert examiners.own(demo_db, one, 2569) == {}


def test_the_agreed_ofis_go_into_the_register_once(demo_db, members):
    from datetime import date

    from storage.plans import ofis

    one, _ = members
    _score_all(demo_db, one, 40)
    examiners.submit(demo_db, one, YEAR)
    with pytest.raises(InputError):  # nothing agreed yet
        examiners.to_register(demo_db, one, YEAR, "2.1")
    examiners.agree(demo_db, one, YEAR, "2.1", 45, "ตามหลักฐาน", ofis="- ยังไม่ถ่ายทอดแผนสู่ภูมิภาค\n- ไม่มีตัวชี้วัดนำ\n")
    ids = examiners.to_register(demo_db, one, YEAR, "2.1", today=date(2026, 12, 7))
    register = ofis.register(demo_db, one, YEAR).set_index("id").loc[ids]
    assert register["description"].tolist() == ["ยังไม่ถ่ายทอดแผนสู่ภูมิภาค", "ไม่มีตัวชี้วัดนำ"]
    assert set(register["source"]) == {"examiner"} and set(register["item"]) == {"2.1"}
    assert examiners.to_register(demo_db, one, YEAR, "2.1", today=date(2026, 12, 7)) == []  # not twice
