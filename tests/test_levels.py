"""Levels: below 300 below_basic, >= 300 basic, >= 400 advance, 500 significance (thresholds configurable)."""

import math

import pytest

from scoring import default_framework, level_for

pytestmark = pytest.mark.engine_free  # opens no store: run once, by make test (conftest.py)


@pytest.mark.parametrize(
    ("score", "expected"),
    [
        (0, "below_basic"),
        (299.99, "below_basic"),
        (300, "basic"),
        (399.9, "basic"),
        (400, "advance"),
        (499.9, "advance"),
        (500, "significance"),
        (350.0, "basic"),
    ],
)
def test_level_for_default_thresholds(score, expected):
    assert level_for(score) == expected


@pytest.mark.parametrize(
    ("score", "expected"),
    [
        (249.99, "below_basic"),
        (250, "basic"),
        (349.99, "basic"),
        (350, "advance"),
        (449.99, "advance"),
        (450, "significance"),
        (500, "significance"),
    ],
)
def test_level_for_thresholds_given_as_a_dict(score, expected):
    assert level_for(score, {"basic": 250, "advance": 350, "significance": 450}) == expected


def test_level_for_accepts_the_frameworks_thresholds():
    levels = default_framework().thresholds.levels
    assert [level_for(s, levels) for s in (299, 300, 400, 500)] == ["below_basic", "basic", "advance", "significance"]


@pytest.mark.parametrize("score", [-0.01, 500.01, -1, 1000, math.nan, math.inf, -math.inf, None])
def test_level_for_rejects_scores_outside_0_to_500(score):
    with pytest.raises(ValueError, match="0 to 500"):
        level_for(score)


@pytest.mark.parametrize(
    "thresholds",
    [
        {"basic": 300, "advance": 400},  # a key missing
        {"basic": 400, "advance": 300, "significance": 500},  # not rising
    ],
)
def test_level_for_rejects_bad_thresholds(thresholds):
    with pytest.raises(ValueError):
        level_for(350, thresholds)
