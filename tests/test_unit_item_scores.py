"""unit_item_scores: every item of every assessment scored from checkpoint ticks and KPI values."""

import math

import numpy as np
import pandas as pd
import pytest
from scoring_helpers import all_checkpoint_ids, answers_frame, as_dict, kpis_frame, reference_scores

from scoring import default_framework, kpi_score, unit_item_scores

pytestmark = pytest.mark.engine_free  # opens no store: run once, by make test (conftest.py)


@pytest.fixture(scope="module")
def framework():
    return default_framework()


def _random_assessments(framework, keys, seed, by=("unit",)):
    rng = np.random.default_rng(seed)
    chance = {"basic": 0.85, "advance": 0.6, "significance": 0.3}
    answers = answers_frame(
        [(*key, cp.id, bool(rng.random() < chance[level])) for key in keys for _, level, cp in framework.checkpoints()
         if rng.random() < 0.9],  # some checkpoints have no row at all
        by,
    )
    kpis = kpis_frame(
        [(*key, k.id, float(rng.uniform(k.floor - 10, k.ceiling + 5)) if rng.random() < 0.9 else math.nan)
         for key in keys for _, k in framework.kpis()],
        by,
    )
    return answers, kpis


def test_one_unit_by_hand(framework):
    answers = answers_frame([
        ("A", "1.1.B1", True), ("A", "1.1.B2", True), ("A", "1.1.B3", True), ("A", "1.1.A1", True),
        ("A", "1.2.A1", True),  # locked: 1.2 has no Basic ticked
        ("A", "1.3.B1", True), ("A", "1.3.B2", False),
    ])
    kpis = kpis_frame([("A", "RM1", 85.0), ("A", "RM3", 95.0), ("A", "RM8", 96.0), ("A", "RM9", math.nan)])
    scores = as_dict(unit_item_scores(answers, kpis))
    expected = dict.fromkeys(framework.item_ids(), 0.0)
    expected |= {
        "1.1": 300 + 100,  # 1.1 has one Advance checkpoint: all or nothing
        "1.3": 100.0,
        "7.1": (300 + 0) / 2,  # RM2 has no row: 0
        "7.2": 500.0,
        "7.5": 300.0,
    }
    assert scores == pytest.approx({("A", item): score for item, score in expected.items()})


def test_every_item_of_every_unit_is_scored(framework):
    answers = answers_frame([("A", "2.2.B1", True), ("B", "6.4.S2", False)])
    kpis = kpis_frame([("C", "RM4", 90.0)])  # a unit named only by its KPIs
    result = unit_item_scores(answers, kpis)
    assert list(result.columns) == ["unit", "item", "score"]
    assert len(result) == 3 * len(framework.item_ids())
    assert set(map(tuple, result[["unit", "item"]].to_numpy())) == {
        (u, i) for u in "ABC" for i in framework.item_ids()
    }
    scores = as_dict(result)
    assert scores[("A", "2.2")] == 150  # one of 2.2's two Basic checkpoints
    assert scores[("C", "7.3")] == pytest.approx(300 / 2)
    assert sum(scores.values()) == pytest.approx(150 + 150)  # everything else missing = 0


def test_no_answers_at_all_scores_zero(framework):
    result = unit_item_scores(answers_frame([("A", cp, False) for cp in all_checkpoint_ids(framework)]))
    assert (result["score"] == 0).all()
    assert len(result) == len(framework.item_ids())


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_matches_item_score_and_kpi_score_one_by_one(framework, seed):
    answers, kpis = _random_assessments(framework, [(u,) for u in ("U1", "U2", "U3", "U4")], seed)
    result = unit_item_scores(answers, kpis)
    assert as_dict(result) == pytest.approx(reference_scores(answers, kpis, framework), abs=1e-9)


def test_scores_by_year_and_unit(framework):
    by = ("year", "unit")
    keys = [(year, unit) for year in (2567, 2568) for unit in ("A", "B")]
    answers, kpis = _random_assessments(framework, keys, 7, by=by)
    result = unit_item_scores(answers, kpis, by=by)
    assert list(result.columns) == ["year", "unit", "item", "score"]
    assert as_dict(result, by) == pytest.approx(reference_scores(answers, kpis, framework, by), abs=1e-9)


def test_item_7x_is_the_mean_of_its_kpis(framework):
    kpis = kpis_frame([("A", "RM4", 90.0), ("A", "RM5", 100.0), ("A", "RM6", 60.0), ("A", "RM7", 70.0)])
    scores = as_dict(unit_item_scores(answers_frame([]), kpis))
    assert scores[("A", "7.3")] == pytest.approx((kpi_score(90, 80, 100) + kpi_score(100, 80, 100)) / 2)
    assert scores[("A", "7.4")] == pytest.approx((300 + 0) / 2)


def test_a_unit_added_kpi_counts_in_its_items_mean():
    kpis = kpis_frame(
        [
            ("A", "RM1", 85.0, None, None, None),
            ("A", "RM2", 95.0, None, None, None),
            ("A", "OWN-1", 5.0, "7.1", 0.0, 10.0),  # 300
            ("A", "OWN-2", 3.0, "7.6", 10.0, 2.0),  # lower is better: 450
            ("B", "RM1", 85.0, None, None, None),
            ("B", "RM2", 95.0, None, None, None),
        ],
        own=True,
    )
    scores = as_dict(unit_item_scores(answers_frame([]), kpis))
    assert scores[("A", "7.1")] == pytest.approx((300 + 500 + 300) / 3)
    assert scores[("A", "7.6")] == pytest.approx((0 + 0 + 450) / 3)
    assert scores[("B", "7.1")] == pytest.approx((300 + 500) / 2)  # B did not add the KPI
    assert scores[("B", "7.6")] == 0


def test_a_unit_added_kpi_without_a_value_scores_zero_in_the_mean():
    kpis = kpis_frame([("A", "RM3", 95.0, None, None, None), ("A", "OWN", math.nan, "7.2", 0.0, 10.0)], own=True)
    assert as_dict(unit_item_scores(answers_frame([]), kpis))[("A", "7.2")] == pytest.approx(250)


def test_an_unticked_row_is_the_same_as_no_row():
    ticked = answers_frame([("A", "1.1.B1", True), ("A", "1.1.B2", True)])
    with_false = pd.concat([ticked, answers_frame([("A", "1.1.B3", False), ("A", "1.1.A1", False)])])
    assert unit_item_scores(ticked).equals(unit_item_scores(with_false))


def test_a_repeated_tick_counts_once():
    answers = answers_frame([("A", "1.1.B1", True)] * 3)
    assert as_dict(unit_item_scores(answers))[("A", "1.1")] == pytest.approx(100)  # 1 of 3 Basic


@pytest.mark.parametrize("checkpoint", ["9.9.B1", "1.1.B9", "RM1", ""])
def test_an_unknown_checkpoint_raises(checkpoint):
    with pytest.raises(ValueError, match="unknown checkpoint"):
        unit_item_scores(answers_frame([("A", "1.1.B1", True), ("A", checkpoint, True)]))


# regression: a NaN in answers.met counts as a ticked checkpoint (bool(nan) is True)
def test_a_missing_met_value_is_not_a_tick():
    # A NaN 'met' (e.g. a checkpoint row left blank after a merge) is not an answer; DESIGN.md:
    # "an incomplete form never inflates a score". 1.1.B3 should count as not met: 200, not 300.
    answers = answers_frame([("A", "1.1.B1", True), ("A", "1.1.B2", True), ("A", "1.1.B3", math.nan)])
    assert as_dict(unit_item_scores(answers))[("A", "1.1")] == pytest.approx(200)


@pytest.mark.parametrize("item", ["1.1", "7.9"])
def test_unit_added_kpi_outside_category_7_is_refused(item):
    kpis = pd.DataFrame({"unit": ["A"], "kpi": ["OWN"], "value": [50.0], "item": [item], "floor": [0.0],
                         "ceiling": [100.0]})
    with pytest.raises(ValueError, match="category-7 item"):
        unit_item_scores(pd.DataFrame(columns=["unit", "checkpoint", "met"]), kpis)
