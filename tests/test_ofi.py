"""The OFI engine: gaps ranked by total-score points per action (released locked points included),
gaps shared across units, and the fewest actions that reach an award threshold."""

import math

import numpy as np
import pandas as pd
import pytest
from scoring_helpers import (
    all_checkpoint_ids,
    answers_frame,
    apply_actions,
    brute_force_fewest,
    kpis_frame,
    mini_framework,
    rescore,
)

from scoring import department_scores, unit_item_scores
from scoring.ofi import AwardPlanner, department_gaps, gaps, unit_shares

pytestmark = pytest.mark.engine_free  # opens no store: run once, by make test (conftest.py)

FW = mini_framework()
CHECKPOINTS = all_checkpoint_ids(FW)
# Mini framework: category 1 has two items (weight 1/14 each), categories 2-6 one (1/7), category 7
# two (7.1 with K1 50 -> 100, 7.2 with K2 lower-is-better 10 -> 2). Item 1.1: Basic 2, Advance 1, Sig 1.


def _all_but(unit, missing, kpi_values=(90.0, 2.0)):
    """One unit with every checkpoint ticked except ``missing``; KPIs K1, K2 at the given values
    (by default K1 at 90 of 50 -> 100, scoring 420: see test_bug_gaps_when_no_kpi_is_below_its_ceiling)."""
    answers = answers_frame([(unit, cp, cp not in missing) for cp in CHECKPOINTS])
    kpis = kpis_frame([(unit, "K1", kpi_values[0]), (unit, "K2", kpi_values[1])])
    return answers, kpis


def _row(frame, ref, unit="A"):
    rows = frame[(frame["ref"] == ref) & (frame["unit"] == unit)]
    assert len(rows) == 1
    return rows.iloc[0]


@pytest.mark.parametrize(
    ("missing", "ref", "actions", "item_gain", "released"),
    [
        # one missing Basic with Advance and Significance ticked: 150 -> 500, 150 face + 200 released
        ({"1.1.B2"}, "1.1.B2", 1, 350.0, 200.0),
        # one missing Advance, Significance ticked: 300 -> 500, 100 face + 100 released
        ({"1.1.A1"}, "1.1.A1", 1, 200.0, 100.0),
        # Basic and Advance missing: the Advance gap's bundle is both levels, Significance released
        ({"1.1.B1", "1.1.A1"}, "1.1.A1", 2, 350.0, 100.0),
        ({"1.1.B1", "1.1.A1"}, "1.1.B1", 1, 150.0, 0.0),
        # nothing ticked in 1.1: bundles grow level by level, nothing to release
        ({"1.1.B1", "1.1.B2", "1.1.A1", "1.1.S1"}, "1.1.B2", 2, 300.0, 0.0),
        ({"1.1.B1", "1.1.B2", "1.1.A1", "1.1.S1"}, "1.1.A1", 3, 400.0, 0.0),
        ({"1.1.B1", "1.1.B2", "1.1.A1", "1.1.S1"}, "1.1.S1", 4, 500.0, 0.0),
        # Basic missing but Advance and Significance ticked: two actions release 200
        ({"1.1.B1", "1.1.B2"}, "1.1.B1", 2, 500.0, 200.0),
        # a one-item category weighs 1/7: 2.1 missing Significance only
        ({"2.1.S1"}, "2.1.S1", 1, 100.0, 0.0),
    ],
)
def test_checkpoint_gap_points_per_action(missing, ref, actions, item_gain, released):
    row = _row(gaps(*_all_but("A", missing), framework=FW), ref)
    weight = 1 / 14 if ref.startswith("1.") else 1 / 7
    assert (row["kind"], row["actions"]) == ("checkpoint", actions)
    assert row["item_gain"] == pytest.approx(item_gain)
    assert row["released"] == pytest.approx(released)
    assert row["points"] == pytest.approx(item_gain * weight / actions)


@pytest.mark.parametrize(
    ("kpi_values", "ref", "item_gain"),
    [
        ((75.0, 2.0), "K1", 200.0),  # 300 -> 500
        ((40.0, 2.0), "K1", 500.0),  # below floor: 0 -> 500
        ((None, 2.0), "K1", 500.0),  # no value
        ((100.0, 6.0), "K2", 200.0),  # lower is better: 6 of 10 -> 2 scores 300
        ((100.0, 12.0), "K2", 500.0),
    ],
)
def test_kpi_gap_is_raising_the_kpi_to_its_ceiling(kpi_values, ref, item_gain):
    result = gaps(*_all_but("A", set(), kpi_values), framework=FW)
    row = _row(result, ref)
    assert (row["kind"], row["actions"], row["released"], row["category"]) == ("kpi", 1, 0.0, 7)
    assert row["item_gain"] == pytest.approx(item_gain)
    assert row["points"] == pytest.approx(item_gain / 14)
    assert len(result) == 1  # every checkpoint ticked, the other KPI at its ceiling


# regression: gaps() raises IntCastingNaNError when no KPI is below its ceiling
def test_gaps_when_no_kpi_is_below_its_ceiling():
    # In gaps(), kp[kp["score"] < MAX_SCORE].assign(item_gain=<Series on the unfiltered index>, ...) on an
    # empty frame adopts that Series' index: rows of NaN appear and .astype(int) on "actions" fails.
    result = gaps(*_all_but("A", {"1.1.B2"}, (100.0, 2.0)), framework=FW)
    assert list(result["ref"]) == ["1.1.B2"]


# regression: gaps() raises IntCastingNaNError when no KPI is below its ceiling
def test_no_gaps_when_everything_is_met():
    assert gaps(*_all_but("A", set(), (100.0, 2.0)), framework=FW).empty


# regression: the award planner took the max of an empty array when no item had a missing checkpoint
@pytest.mark.parametrize("kpi_values", [(100.0, 2.0), (80.0, 5.0)])
def test_award_paths_when_every_checkpoint_is_met(kpi_values):
    answers, kpis = _all_but("A", set(), kpi_values)
    planner = _planner(answers, kpis)
    kpis_below = sum(1 for value, ceiling in zip(kpi_values, (100.0, 2.0), strict=True) if value != ceiling)
    path = planner.total(500)
    assert path.reachable and len(path.actions) == kpis_below and set(path.actions["kind"]) <= {"kpi"}
    assert planner.category(1, 500).actions.empty


def test_no_checkpoint_gaps_when_every_checkpoint_is_met():
    assert list(gaps(*_all_but("A", set()), framework=FW)["ref"]) == ["K1"]


def test_gaps_are_ranked_by_points():
    result = gaps(*_all_but("A", {"1.1.B1", "2.1.A1", "6.1.S1", "4.1.S2"}, (80.0, 5.0)), framework=FW)
    assert list(result["points"]) == sorted(result["points"], reverse=True)
    assert set(result["ref"]) == {"1.1.B1", "2.1.A1", "6.1.S1", "4.1.S2", "K1", "K2"}


def test_one_missing_basic_releases_the_advance_level_in_the_default_criteria():
    # 1.2 in the default file: Basic 3, Advance 3, Significance 3. B3 missing, every Advance ticked.
    ticked = ["1.2.B1", "1.2.B2", "1.2.A1", "1.2.A2", "1.2.A3"]
    result = gaps(answers_frame([("A", cp, True) for cp in ticked]))
    row = _row(result, "1.2.B3")
    assert (row["actions"], row["item_gain"], row["released"]) == (1, 200.0, 100.0)
    assert row["points"] == pytest.approx(200 / 28)


def test_unit_shares():
    assert unit_shares(["A", "B", "C", "D"]).to_dict() == {"A": 0.25, "B": 0.25, "C": 0.25, "D": 0.25}
    assert unit_shares(["A", "B"], "weighted", {"A": 3, "B": 1}).to_dict() == {"A": 0.75, "B": 0.25}


@pytest.mark.parametrize(
    ("method", "weights", "message"),
    [
        ("median", None, "median"),
        ("min", None, "min"),
        ("weighted", None, "weights"),
        ("weighted", {"A": 0}, "positive"),
    ],
)
def test_unit_shares_rejects(method, weights, message):
    with pytest.raises(ValueError, match=message):
        unit_shares(["A"], method, weights)


def test_department_gaps_count_the_units_sharing_a_gap():
    a1, k1 = _all_but("A", {"1.1.B2", "3.1.S1"})  # K1 at 90: 420
    a2, k2 = _all_but("B", {"1.1.B2"}, (75.0, 2.0))  # K1 at 75: 300
    a3, k3 = _all_but("C", {"1.1.B2", "3.1.S1"}, (90.0, 6.0))  # K2 at 6: 300
    answers, kpis = pd.concat([a1, a2, a3]), pd.concat([k1, k2, k3])
    shared = department_gaps(gaps(answers, kpis, framework=FW, shares=unit_shares(["A", "B", "C"])))
    by_ref = shared.set_index("ref")
    assert by_ref.loc["1.1.B2", "units"] == 3
    assert by_ref.loc["3.1.S1", "units"] == 2
    assert by_ref.loc["K1", "units"] == 3
    assert by_ref.loc["K2", "units"] == 1
    # department total points if every unit closes it, each unit's share 1/3:
    assert by_ref.loc["1.1.B2", "points"] == pytest.approx(3 * 350 / 14 / 3)
    assert by_ref.loc["3.1.S1", "points"] == pytest.approx(2 * 100 / 7 / 3)
    assert by_ref.loc["K1", "points"] == pytest.approx((80 + 200 + 80) / 14 / 3)
    assert by_ref.loc["K2", "points"] == pytest.approx(200 / 14 / 3)
    assert list(shared["points"]) == sorted(shared["points"], reverse=True)


def test_department_gaps_of_no_gaps_is_empty():
    assert department_gaps(gaps(answers_frame([]), None, framework=FW)).empty


# --- award path -------------------------------------------------------------------------------


def _scenario(seed, units, missing_per_unit):
    rng = np.random.default_rng(seed)
    answers, kpis = [], []
    for unit in units:
        missing = set(rng.choice(CHECKPOINTS, missing_per_unit, replace=False))
        a, k = _all_but(unit, missing, (float(rng.choice([40.0, 75.0, 100.0])), float(rng.choice([12.0, 6.0, 2.0]))))
        answers.append(a)
        kpis.append(k)
    return pd.concat(answers, ignore_index=True), pd.concat(kpis, ignore_index=True)


def _planner(answers, kpis, method="mean", weights=None, framework=FW):
    units = sorted(set(answers["unit"]))
    result = department_scores(unit_item_scores(answers, kpis, framework=framework), method, weights,
                               framework=framework)
    return AwardPlanner(answers, kpis, result.categories, unit_shares(units, method, weights), framework=framework)


SCENARIOS = [(0, ("A",), 7), (2, ("A",), 8), (5, ("A",), 8), (1, ("A", "B"), 4), (3, ("A", "B"), 5), (9, ("A", "B"), 4)]


@pytest.mark.parametrize(("seed", "units", "missing"), SCENARIOS)
@pytest.mark.parametrize(("threshold", "category_min"), [(400, 300), (450, 0), (480, 400), (500, 0)])
def test_total_path_reaches_the_threshold_with_the_fewest_actions(seed, units, missing, threshold, category_min):
    answers, kpis = _scenario(seed, units, missing)
    path = _planner(answers, kpis).total(threshold, category_min)

    after = rescore(*apply_actions(answers, kpis, path.actions.to_dict("records"), FW), FW)
    assert path.reachable
    assert after.total >= threshold - 1e-9
    assert after.categories.min() >= category_min - 1e-9

    def reached(categories, total):
        return total >= threshold - 1e-9 and min(categories.values()) >= category_min - 1e-9

    assert len(path.actions) == brute_force_fewest(answers, kpis, FW, reached)


@pytest.mark.parametrize(("seed", "units", "missing"), SCENARIOS[:3])
@pytest.mark.parametrize(("threshold", "category_min"), [(400, 300), (480, 400)])
def test_with_categories_1_to_6_assessed_the_total_path_plans_those_alone(seed, units, missing, threshold,
                                                                         category_min):
    six = FW.with_rules(categories=[1, 2, 3, 4, 5, 6])
    answers, kpis = _scenario(seed, units, missing)
    path = _planner(answers, kpis, framework=six).total(threshold, category_min)

    after = rescore(*apply_actions(answers, kpis, path.actions.to_dict("records"), six), six)
    assert path.reachable and list(after.categories.index) == [1, 2, 3, 4, 5, 6]
    assert after.total >= threshold - 1e-9 and after.categories.min() >= category_min - 1e-9
    assert "kpi" not in set(path.actions["kind"])

    def reached(categories, total):
        return total >= threshold - 1e-9 and min(categories.values()) >= category_min - 1e-9

    assert len(path.actions) == brute_force_fewest(answers, kpis, six, reached)


@pytest.mark.parametrize(("seed", "units", "missing"), SCENARIOS[:4])
@pytest.mark.parametrize(("category", "threshold"), [(1, 400), (1, 500), (4, 450), (6, 500), (7, 400)])
def test_category_path_reaches_the_threshold_with_the_fewest_actions(seed, units, missing, category, threshold):
    answers, kpis = _scenario(seed, units, missing)
    path = _planner(answers, kpis).category(category, threshold)

    after = rescore(*apply_actions(answers, kpis, path.actions.to_dict("records"), FW), FW)
    assert path.reachable
    assert after.categories[category] >= threshold - 1e-9
    assert {FW.item(i).category for i in path.actions["item"]} <= {category}
    assert len(path.actions) == brute_force_fewest(answers, kpis, FW, lambda c, _: c[category] >= threshold - 1e-9)


def test_weighted_department_path_reaches_the_threshold():
    answers, kpis = _scenario(4, ("A", "B", "C"), 4)
    weights = {"A": 5, "B": 1, "C": 2}
    path = _planner(answers, kpis, "weighted", weights).total(450, 300)
    after = apply_actions(answers, kpis, path.actions.to_dict("records"), FW)
    result = department_scores(unit_item_scores(*after, framework=FW), "weighted", weights, framework=FW)
    assert path.reachable
    assert result.total >= 450 - 1e-9


def test_a_threshold_already_met_needs_no_action():
    answers, kpis = _scenario(0, ("A",), 3)
    planner = _planner(answers, kpis)
    for path in (planner.total(0), planner.category(3, 0)):
        assert path.reachable
        assert path.actions.empty


@pytest.mark.parametrize(("threshold", "category_min"), [(500.5, 0), (400, 501)])
def test_an_unreachable_threshold_says_so_and_lists_every_gap(threshold, category_min):
    answers, kpis = _scenario(2, ("A",), 5)
    path = _planner(answers, kpis).total(threshold, category_min)
    assert not path.reachable
    closed = rescore(*apply_actions(answers, kpis, path.actions.to_dict("records"), FW), FW)
    assert closed.total == pytest.approx(500)  # every gap closed
    assert math.isclose(path.points, 500 - rescore(answers, kpis, FW).total)


def test_an_unreachable_category_threshold():
    answers, kpis = _scenario(2, ("A",), 5)
    assert not _planner(answers, kpis).category(2, 600).reachable
