"""Department results: unit item scores aggregated item by item (mean, weighted, median, min), then
rolled up: category = mean of its items (absent = 0), total = mean of the 7 categories."""

import math

import pandas as pd
import pytest

from scoring import default_framework, department_scores

pytestmark = pytest.mark.engine_free  # opens no store: run once, by make test (conftest.py)

# Worked example (default criteria: categories 1-6 have 4 items, category 7 has 6):
#   A: 1.1=500, 2.1=400, 7.1=300     B: 1.1=300, 7.1=150 (2.1 absent = 0)     C: 1.1=100, 2.1=100, 7.1=60
ROWS = [
    ("A", "1.1", 500.0), ("A", "2.1", 400.0), ("A", "7.1", 300.0),
    ("B", "1.1", 300.0), ("B", "7.1", 150.0),
    ("C", "1.1", 100.0), ("C", "2.1", 100.0), ("C", "7.1", 60.0),
]


@pytest.fixture
def unit_items():
    return pd.DataFrame(ROWS, columns=["unit", "item", "score"])


@pytest.mark.parametrize(
    ("method", "weights", "items", "categories"),
    [
        # mean: 1.1 = 900/3, 2.1 = 500/3, 7.1 = 510/3; categories 300/4, (500/3)/4, 170/6
        ("mean", None, {"1.1": 300, "2.1": 500 / 3, "7.1": 170}, {1: 75, 2: 500 / 12, 7: 170 / 6}),
        # weighted 2:1:1: 1.1 = (1000+300+100)/4, 2.1 = (800+0+100)/4, 7.1 = (600+150+60)/4
        ("weighted", {"A": 2, "B": 1, "C": 1}, {"1.1": 350, "2.1": 225, "7.1": 202.5},
         {1: 87.5, 2: 56.25, 7: 33.75}),
        # median: 1.1 of (500, 300, 100), 2.1 of (400, 0, 100), 7.1 of (300, 150, 60)
        ("median", None, {"1.1": 300, "2.1": 100, "7.1": 150}, {1: 75, 2: 25, 7: 25}),
        # min (weakest unit): B's absent 2.1 counts 0
        ("min", None, {"1.1": 100, "2.1": 0, "7.1": 60}, {1: 25, 2: 0, 7: 10}),
    ],
)
def test_department_scores_worked_examples(unit_items, method, weights, items, categories):
    result = department_scores(unit_items, method, weights)
    expected_items = pd.Series(0.0, index=default_framework().item_ids())
    expected_items[list(items)] = list(items.values())
    assert result.items.to_dict() == pytest.approx(expected_items.to_dict())
    expected_categories = {c: categories.get(c, 0.0) for c in range(1, 8)}
    assert result.categories.to_dict() == pytest.approx(expected_categories)
    assert result.total == pytest.approx(sum(expected_categories.values()) / 7)
    assert result.units == 3


@pytest.mark.parametrize(("method", "total"), [("mean", 145 / 7), ("median", 125 / 7), ("min", 35 / 7)])
def test_department_total_by_hand(unit_items, method, total):
    assert department_scores(unit_items, method).total == pytest.approx(total)


def test_weighted_with_equal_weights_is_the_mean(unit_items):
    weighted = department_scores(unit_items, "weighted", {"A": 7, "B": 7, "C": 7})
    mean = department_scores(unit_items)
    assert weighted.items.to_dict() == pytest.approx(mean.items.to_dict())
    assert weighted.total == pytest.approx(mean.total)


def test_extra_weights_for_absent_units_are_ignored(unit_items):
    result = department_scores(unit_items, "weighted", {"A": 2, "B": 1, "C": 1, "Z": 100})
    assert result.items["1.1"] == pytest.approx(350)


def test_results_cover_every_item_and_category():
    result = department_scores(pd.DataFrame({"unit": ["A"], "item": ["4.3"], "score": [400.0]}))
    assert list(result.items.index) == default_framework().item_ids()
    assert list(result.categories.index) == list(range(1, 8))
    assert result.items["4.3"] == 400
    assert result.categories[4] == 100
    assert result.total == pytest.approx(100 / 7)
    assert result.units == 1


def test_a_single_unit_full_marks_is_500():
    rows = [("A", item, 500.0) for item in default_framework().item_ids()]
    result = department_scores(pd.DataFrame(rows, columns=["unit", "item", "score"]))
    assert result.total == 500
    assert set(result.categories) == {500}


@pytest.mark.parametrize(
    ("change", "method", "weights", "message"),
    [
        (None, "max", None, "unknown method"),
        (None, "weighted", None, "needs weights"),
        (None, "weighted", {"A": 1, "B": 1}, "no weight for unit.*C"),
        (None, "weighted", {"A": 1, "B": 0, "C": 1}, "positive"),
        (None, "weighted", {"A": 1, "B": -2, "C": 1}, "positive"),
        (None, "weighted", {"A": 1, "B": math.nan, "C": 1}, "positive"),
        ({"item": "9.9"}, "mean", None, "unknown item.*9.9"),
        ({"item": "7.7"}, "mean", None, "unknown item.*7.7"),
        ({"score": 500.5}, "mean", None, "0 to 500"),
        ({"score": -1.0}, "mean", None, "0 to 500"),
        ({"score": math.nan}, "mean", None, "0 to 500"),
        ({"score": math.inf}, "mean", None, "0 to 500"),
    ],
)
def test_department_scores_rejects(unit_items, change, method, weights, message):
    if change:
        for column, value in change.items():
            unit_items.loc[0, column] = value
    with pytest.raises(ValueError, match=message):
        department_scores(unit_items, method, weights)


def test_an_empty_frame_is_rejected():
    with pytest.raises(ValueError, match="empty"):
        department_scores(pd.DataFrame(columns=["unit", "item", "score"]))


def test_a_frame_without_the_score_column_is_rejected(unit_items):
    with pytest.raises(ValueError, match="score"):
        department_scores(unit_items.drop(columns="score"))
