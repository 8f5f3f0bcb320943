"""A unit's own KPI scored on the percentage of target, as the field does: rate = value / target x 100
(lower is better: 200 - value / target x 100); below 100 gives 3 x rate, up to 101 gives 300, up to 105
gives 400, above 105 gives 500. Checked one value at a time, vectorised, and inside item scores."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from scoring import unit_item_scores
from scoring.frames import target_scores
from scoring.rules import target_rate, target_score

pytestmark = pytest.mark.engine_free  # opens no store: run once, by make test (conftest.py)

NAN = float("nan")

CASES = [
    # value, target, direction, expected
    (0, 100, "higher", 0.0),
    (50, 100, "higher", 150.0),
    (99, 100, "higher", 297.0),
    (99.99, 100, "higher", 299.97),
    (100, 100, "higher", 300.0),   # exactly on target
    (100.5, 100, "higher", 300.0),
    (101, 100, "higher", 300.0),   # the 101 % step is still 300
    (101.01, 100, "higher", 400.0),
    (105, 100, "higher", 400.0),   # the 105 % step is still 400
    (105.01, 100, "higher", 500.0),
    (300, 100, "higher", 500.0),
    (10.1, 10, "higher", 300.0),   # 101 % through binary fractions
    (2.1, 2, "higher", 400.0),     # 105 %
    (80, 80, "higher", 300.0),
    # lower is better: 200 - value / target x 100
    (100, 100, "lower", 300.0),
    (99, 100, "lower", 300.0),     # 101 %
    (98, 100, "lower", 400.0),     # 102 %
    (95, 100, "lower", 400.0),     # 105 %
    (94, 100, "lower", 500.0),     # 106 %
    (0, 100, "lower", 500.0),
    (110, 100, "lower", 270.0),    # 90 %
    (200, 100, "lower", 0.0),
    (250, 100, "lower", 0.0),      # a negative rate scores 0, not below
    # no value
    (None, 100, "higher", 0.0),
    (NAN, 100, "lower", 0.0),
]


@pytest.mark.parametrize(("value", "target", "direction", "expected"), CASES)
def test_target_score_table(value, target, direction, expected):
    assert target_score(value, target, direction) == pytest.approx(expected)


def test_the_vectorised_scores_match_the_table():
    values, targets, directions, expected = map(list, zip(*CASES, strict=True))
    values = [NAN if v is None else v for v in values]
    got = target_scores(values, targets, np.array(directions, dtype=object))
    assert got == pytest.approx(expected)


@pytest.mark.parametrize("call", [lambda: target_score(5, 0), lambda: target_score(None, 0),
                                  lambda: target_rate(5, 0, "lower"), lambda: target_scores([5, 6], [10, 0], "higher")])
def test_a_zero_target_is_refused(call):
    with pytest.raises(ValueError, match="target other than 0"):
        call()


def test_a_wrong_direction_is_refused():
    with pytest.raises(ValueError, match="direction"):
        target_score(5, 10, "up")
    with pytest.raises(ValueError, match="direction"):
        target_scores([5], [10], ["up"])


values = st.floats(min_value=0, max_value=1e6, allow_nan=False)
targets = st.floats(min_value=0.01, max_value=1e6, allow_nan=False)


@given(values, values, targets, st.sampled_from(["higher", "lower"]))
def test_a_better_value_never_scores_less(a, b, target, direction):
    low, high = sorted((a, b))
    better, worse = (high, low) if direction == "higher" else (low, high)
    assert target_score(better, target, direction) >= target_score(worse, target, direction)


@given(values, targets, st.sampled_from(["higher", "lower"]))
def test_the_score_is_one_of_the_steps_or_three_times_the_rate(value, target, direction):
    score = target_score(value, target, direction)
    assert 0 <= score <= 500
    if score >= 300:
        assert score in (300.0, 400.0, 500.0)
    else:
        assert score == pytest.approx(max(0.0, 3 * target_rate(value, target, direction)))


def _own(value, **extra):
    return pd.DataFrame([{"unit": "A", "kpi": "U1", "value": value, "item": "7.1", "floor": 0.0, "ceiling": 200.0,
                          "target": 100.0, "direction": "higher", **extra}])


def _item(frame, item="7.1", **rules):
    scores = unit_item_scores(pd.DataFrame(columns=["unit", "checkpoint", "met"]), frame, **rules)
    return scores.set_index("item").loc[item]


def test_an_own_kpi_is_scored_on_floor_and_ceiling_by_default_and_on_target_when_asked():
    # with 7.1's two KPIs of the criteria at 0 (no value), the item is the mean of three
    assert _item(_own(102.0))["score"] == pytest.approx((100 + 400 * 102 / 200) / 3)
    assert _item(_own(102.0), unit_kpis="percent_of_target")["score"] == pytest.approx(400 / 3)


def test_an_own_kpi_scored_on_target_needs_its_target_and_direction():
    with pytest.raises(ValueError, match="target, direction"):
        _item(_own(102.0, target=None), unit_kpis="percent_of_target")


def test_missing_kpis_count_as_zero_by_default_or_are_left_out_on_request():
    kpis = pd.DataFrame([{"unit": "A", "kpi": "RM1", "value": 100.0}])  # 7.1 holds RM1 and RM2
    zero = _item(kpis)
    entered = _item(kpis, missing_kpis="entered_only")
    rm1 = float(unit_item_scores(pd.DataFrame(columns=["unit", "checkpoint", "met"]),
                                 kpis).set_index("item").loc["7.1", "score"]) * 2
    assert zero["score"] == pytest.approx(rm1 / 2)
    assert "assessed" not in zero.index
    assert entered["score"] == pytest.approx(rm1)
    assert not entered["assessed"]


def test_an_item_is_assessed_once_every_kpi_of_the_criteria_has_a_value():
    kpis = pd.DataFrame([{"unit": "A", "kpi": k, "value": 100.0} for k in ("RM1", "RM2")])
    scores = unit_item_scores(pd.DataFrame(columns=["unit", "checkpoint", "met"]), kpis, missing_kpis="entered_only")
    assessed = scores.set_index("item")["assessed"]
    assert assessed["7.1"]
    assert not assessed["7.2"]           # no value yet: not assessed, and it scores 0
    assert scores.set_index("item").loc["7.2", "score"] == 0.0
    assert assessed["1.1"]                # checkpoint items are always assessed


def test_an_own_kpi_without_a_value_is_left_out_under_entered_only():
    kpis = pd.concat([pd.DataFrame([{"unit": "A", "kpi": k, "value": 100.0} for k in ("RM1", "RM2")]),
                      _own(NAN)], ignore_index=True)
    both = pd.DataFrame([{"unit": "A", "kpi": k, "value": 100.0} for k in ("RM1", "RM2")])
    assert _item(kpis, missing_kpis="entered_only")["score"] == pytest.approx(
        _item(both, missing_kpis="entered_only")["score"])
    assert _item(kpis)["score"] < _item(both)["score"]


def test_an_unknown_rule_is_refused():
    with pytest.raises(ValueError, match="unit_kpis"):
        _item(_own(1.0), unit_kpis="target")
    with pytest.raises(ValueError, match="missing_kpis"):
        _item(_own(1.0), missing_kpis="skip")
