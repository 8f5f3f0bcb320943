"""Rules a year chooses: how a missing KPI value counts, which categories are assessed, and the committee's
judgement of the KPIs units add themselves. Scoring tables and properties first, then the store."""

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from readers import reader
from scoring_helpers import answers_frame, kpis_frame, mini_framework

from analysis.scores import cycle_scores, rules_of
from analysis.summary import department_summary
from scoring import CriteriaError, default_framework, department_scores, parse_framework, roll_up, unit_item_scores
from scoring.ofi import gaps
from scoring.tables import item_table
from storage.assessment import answers, assessments, years
from storage.errors import AccessDenied, InputError, NotEditable

pytestmark = pytest.mark.filterwarnings("error")

FW = mini_framework()
SIX = (1, 2, 3, 4, 5, 6)
YEAR = 2570


# -- the rules in the criteria file -----------------------------------------------------------------

def test_the_default_rules_count_missing_values_as_zero_and_assess_every_category():
    rules = default_framework().rules
    assert (rules.missing_kpis, rules.categories) == ("zero", (1, 2, 3, 4, 5, 6, 7))
    assert rules_of(default_framework()) == {"unit_kpis": "percent_of_target", "missing_kpis": "zero"}


@pytest.mark.parametrize(("rules", "message"), [
    ({"categories": []}, "at least one category"),
    ({"categories": [1, 8]}, "among 1-7"),
    ({"categories": [0]}, "among 1-7"),
    ({"categories": [1, 1, 2]}, "duplicate category"),
    ({"missing_kpis": "skip"}, "missing_kpis"),
])
def test_a_criteria_file_with_wrong_rules_is_refused_naming_the_place(rules, message):
    data = default_framework().model_dump(mode="json")
    data["rules"] |= rules
    with pytest.raises(CriteriaError, match=message) as caught:
        parse_framework(json.dumps(data), source="x.yaml")
    assert "rules" in str(caught.value)


def test_with_rules_validates_and_leaves_the_original_alone():
    six = FW.with_rules(categories=[6, 1, 2, 3, 4, 5], missing_kpis="entered_only")
    assert (six.rules.categories, six.rules.missing_kpis) == (SIX, "entered_only")
    assert FW.rules.categories == (1, 2, 3, 4, 5, 6, 7) and hash(six) != hash(FW)
    assert [c.id for c in six.assessed()] == list(SIX)
    with pytest.raises(ValueError, match="at least one"):
        FW.with_rules(categories=[])


# -- categories assessed ----------------------------------------------------------------------------

ITEMS = {"1.1": 300.0, "1.2": 100.0, "2.1": 500.0, "3.1": 400.0, "4.1": 0.0, "5.1": 250.0, "6.1": 350.0,
         "7.1": 420.0, "7.2": 100.0}


@pytest.mark.parametrize(("assessed", "categories", "total"), [
    ((1, 2, 3, 4, 5, 6, 7), {1: 200.0, 2: 500.0, 3: 400.0, 4: 0.0, 5: 250.0, 6: 350.0, 7: 260.0}, 280.0),
    (SIX, {1: 200.0, 2: 500.0, 3: 400.0, 4: 0.0, 5: 250.0, 6: 350.0}, 1700.0 / 6),
    ((1, 7), {1: 200.0, 7: 260.0}, 230.0),
    ((4,), {4: 0.0}, 0.0),
])
def test_the_total_is_the_mean_of_the_categories_assessed(assessed, categories, total):
    got, got_total = roll_up(pd.Series(ITEMS), FW.with_rules(categories=assessed))
    assert got.to_dict() == pytest.approx(categories)
    assert got_total == pytest.approx(total)


@given(st.lists(st.sampled_from(range(1, 8)), min_size=1, unique=True),
       st.lists(st.floats(0, 500), min_size=9, max_size=9))
def test_a_subset_of_categories_keeps_their_scores_and_averages_them(assessed, values):
    scores = pd.Series(values, index=list(ITEMS))
    every, _ = roll_up(scores, FW)
    some, total = roll_up(scores, FW.with_rules(categories=assessed))
    assert some.to_dict() == pytest.approx(every[sorted(assessed)].to_dict())
    assert total == pytest.approx(every[sorted(assessed)].mean())


@pytest.mark.parametrize("assessed", [(1, 2, 3, 4, 5, 6, 7), SIX, (2, 7), (7,)])
def test_item_weights_share_the_total_among_the_categories_assessed(assessed):
    table = item_table(FW.with_rules(categories=assessed))
    assert table["weight"].sum() == pytest.approx(1.0)
    assert (table.loc[~table["category"].isin(assessed), "weight"] == 0).all()


def test_department_scores_with_six_categories_leave_category_7_out():
    six = FW.with_rules(categories=SIX)
    frame = pd.DataFrame({"unit": "A", "item": list(ITEMS), "score": list(ITEMS.values())})
    result = department_scores(frame, framework=six)
    assert list(result.categories.index) == list(SIX)
    assert result.total == pytest.approx(1700.0 / 6)
    assert department_scores(frame, framework=FW).total == pytest.approx(280.0)  # today's rule by default


def test_gaps_leave_out_a_category_not_assessed():
    answers = answers_frame([("A", "1.1.B1", True)])
    kpis = kpis_frame([("A", "K1", 60.0)])
    every = gaps(answers, kpis, FW)
    six = gaps(answers, kpis, FW.with_rules(categories=SIX))
    assert 7 in set(every["category"]) and 7 not in set(six["category"])
    assert set(six["ref"]) == set(every.loc[every["category"] != 7, "ref"])
    # each remaining gap is worth 7/6 of what it was: the total is now the mean of six categories
    joined = every.merge(six, on=["unit", "ref"], suffixes=("_7", "_6"))
    assert (joined["points_6"] / joined["points_7"]).to_numpy() == pytest.approx(np.full(len(joined), 7 / 6))


# -- missing KPI values -----------------------------------------------------------------------------

@pytest.mark.parametrize(("values", "zero", "entered", "assessed"), [
    # 7.1 has K1 (floor 50, ceiling 100): 75 scores 300
    ({"K1": 75.0}, 300.0, 300.0, True),
    ({}, 0.0, 0.0, False),
])
def test_missing_kpi_values_by_rule(values, zero, entered, assessed):
    kpis = kpis_frame([("A", k, v) for k, v in values.items()]) if values else None
    keys = pd.DataFrame({"unit": ["A"]})
    empty = answers_frame([])
    by_zero = unit_item_scores(empty, kpis, FW, keys=keys).set_index("item")
    by_entered = unit_item_scores(empty, kpis, FW, keys=keys, missing_kpis="entered_only").set_index("item")
    assert by_zero.loc["7.1", "score"] == zero and "assessed" not in by_zero.columns
    assert by_entered.loc["7.1", "score"] == entered
    assert bool(by_entered.loc["7.1", "assessed"]) is assessed
    assert by_entered.loc["1.1", "assessed"]  # items 1.1-6.x are always assessed


# -- the store: the year's rules --------------------------------------------------------------------

def _audit(db, action):
    return [json.loads(r[0]) for r in db.execute("SELECT detail FROM audit_log WHERE action = ? ORDER BY id",
                                                 [action])]


def test_the_owner_sets_a_years_rules_and_its_scores_follow(demo_db, demo_user):
    before = cycle_scores(demo_db, YEAR, "best")
    years.set_rules(demo_db, demo_user("admin"), YEAR, "entered_only", [1, 2, 3, 4, 5, 6])
    framework = years.framework_of(demo_db, YEAR)
    assert (framework.rules.missing_kpis, framework.rules.categories) == ("entered_only", SIX)
    assert years.framework_of(demo_db, YEAR - 1).rules.categories == (1, 2, 3, 4, 5, 6, 7)  # this year only
    after = cycle_scores(demo_db, YEAR, "best")
    assert list(after.result.categories.index) == list(SIX)
    assert after.result.total == pytest.approx(before.result.categories[list(SIX)].mean())
    summary = department_summary(demo_db, reader(demo_db), YEAR)
    assert summary.total == pytest.approx(after.result.total)
    assert 7 not in summary.award.category_awards.index
    [entry] = _audit(demo_db, "set_rules")
    assert entry == {"before": {"missing_kpis": "zero", "categories": [1, 2, 3, 4, 5, 6, 7]},
                     "after": {"missing_kpis": "entered_only", "categories": [1, 2, 3, 4, 5, 6]}}


@pytest.mark.parametrize(("role", "missing", "categories", "error"), [
    ("committee", "zero", [1], AccessDenied),
    ("admin", "zero", [], InputError),
    ("admin", "sometimes", [1], InputError),
    ("admin", "zero", [1, 9], InputError),
    ("admin", "zero", ["x"], InputError),
])
def test_refused_rules_change_nothing(demo_db, demo_user, role, missing, categories, error):
    with pytest.raises(error):
        years.set_rules(demo_db, demo_user(role), YEAR, missing, categories)
    assert years.cycle(demo_db, YEAR)["rules"] is None and not _audit(demo_db, "set_rules")


def test_a_closed_years_rules_cannot_change(demo_db, demo_user):
    with pytest.raises(NotEditable):
        years.set_rules(demo_db, demo_user("admin"), YEAR - 1, "zero", [1])


def _unit_form(demo_db, demo_user):
    unit = demo_user("unit")
    found = assessments.get(demo_db, unit.unit_id, YEAR)
    return unit, answers.load(demo_db, unit, found["id"])


def test_a_unit_need_not_answer_what_the_year_does_not_count(demo_db, demo_user):
    _, form = _unit_form(demo_db, demo_user)
    framework = years.framework_of(demo_db, YEAR)
    form.kpi_values.clear()
    assert {"7.1", "7.6"} <= set(assessments.unanswered_items(form, framework))
    entered = framework.with_rules(missing_kpis="entered_only")
    assert not any(i.startswith("7.") for i in assessments.unanswered_items(form, entered))
    six = framework.with_rules(categories=SIX)
    assert not any(i.startswith("7.") for i in assessments.unanswered_items(form, six))


# -- the store: the committee's judgement of a unit's own KPI ---------------------------------------

def _own(demo_db):
    """The demo's submitted PLAN unit and its own KPI."""
    row = next(demo_db.query("SELECT u.assessment_id, u.kpi, a.unit_id, a.version FROM unit_kpis u JOIN assessments a "
                             "ON a.id = u.assessment_id WHERE a.status = 'submitted' ORDER BY u.id LIMIT 1"))
    return row["assessment_id"], row["kpi"], row["unit_id"], row["version"]


def _item_score(demo_db, source, unit_id, item):
    framework = years.framework_of(demo_db, YEAR)
    a, k = assessments.score_inputs(demo_db, YEAR, source, statuses=None, unit_id=unit_id)
    scores = unit_item_scores(a, k, framework, **rules_of(framework)).set_index("item")["score"]
    return scores[item], set(k["kpi"])


def test_an_unsuitable_kpi_leaves_the_reviewed_score_and_stays_in_the_units(demo_db, demo_user):
    aid, kpi, unit_id, version = _own(demo_db)
    committee = demo_user("committee")
    best_before, counted = _item_score(demo_db, "best", unit_id, "7.1")
    assert kpi in counted
    version = answers.judge_own_kpi(demo_db, committee, aid, version, kpi, False, "  วัดผลผลิต ไม่ใช่ผลลัพธ์ ")
    row = next(demo_db.query("SELECT suitable, suitable_reason FROM unit_kpis WHERE kpi = ?", [kpi]))
    assert row == {"suitable": 0, "suitable_reason": "วัดผลผลิต ไม่ใช่ผลลัพธ์"}
    _, self_kpis = _item_score(demo_db, "self", unit_id, "7.1")
    best_after, best_kpis = _item_score(demo_db, "best", unit_id, "7.1")
    assert kpi in self_kpis and kpi not in best_kpis
    assert best_after != best_before
    framework = years.framework_of(demo_db, YEAR)
    criteria_only = [k.id for k in framework.item("7.1").kpis]
    a, k = assessments.score_inputs(demo_db, YEAR, "best", statuses=None, unit_id=unit_id)
    alone = unit_item_scores(a, k[k["kpi"].isin(criteria_only)], framework).set_index("item")["score"]["7.1"]
    assert best_after == pytest.approx(alone)
    [entry] = _audit(demo_db, "judge_kpi")
    assert entry["kpi"] == kpi and entry["suitable"] is False and entry["was"] is None
    answers.judge_own_kpi(demo_db, committee, aid, version, kpi, None)  # withdrawn: it counts again
    assert _item_score(demo_db, "best", unit_id, "7.1")[0] == pytest.approx(best_before)


def test_a_record_keeps_the_judgement(demo_db, demo_user):
    aid, kpi, _unit_id, version = _own(demo_db)
    committee = demo_user("committee")
    version = answers.judge_own_kpi(demo_db, committee, aid, version, kpi, False, "ไม่สอดคล้องกับพันธกิจ")
    assessments.change_status(demo_db, committee, aid, version, "return", reason="แก้ตัวชี้วัด")
    rows = list(demo_db.query("SELECT suitable, suitable_reason FROM record_kpis WHERE assessment_id = ? AND kpi = ?",
                              [aid, kpi]))
    assert rows and all(r == {"suitable": 0, "suitable_reason": "ไม่สอดคล้องกับพันธกิจ"} for r in rows)
    # the department's count reads the returned unit by its record: the KPI stays out of the reviewed figures
    _, kpis = assessments.score_inputs(demo_db, YEAR, "best")
    assert kpi not in set(kpis["kpi"]) and len(kpis)


@pytest.mark.parametrize(("role", "suitable", "reason", "error"), [
    ("unit", True, "", AccessDenied),
    ("director", True, "", AccessDenied),
    ("committee", False, "   ", InputError),
    ("committee", "no", "x", InputError),
    ("committee", False, "x" * 1001, InputError),
])
def test_refused_judgements_change_nothing(demo_db, demo_user, role, suitable, reason, error):
    aid, kpi, _unit_id, version = _own(demo_db)
    with pytest.raises(error):
        answers.judge_own_kpi(demo_db, demo_user(role), aid, version, kpi, suitable, reason)
    assert next(demo_db.query("SELECT suitable FROM unit_kpis WHERE kpi = ?", [kpi]))["suitable"] is None
    assert not _audit(demo_db, "judge_kpi")


def test_only_a_units_own_kpi_can_be_judged(demo_db, demo_user):
    aid, _kpi, _unit_id, version = _own(demo_db)
    with pytest.raises(InputError):
        answers.judge_own_kpi(demo_db, demo_user("committee"), aid, version, "RM1", True)
    assert not _audit(demo_db, "judge_kpi")
