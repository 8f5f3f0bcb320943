"""Charts are pure functions: inspect their traces, colours and threshold lines."""

import pandas as pd
import pytest

from charts import category_bars
from charts.theme import LEVEL_COLOURS
from scoring import default_framework

pytestmark = pytest.mark.engine_free  # opens no store: run once, by make test (conftest.py)


def _lines(fig):
    return sorted(shape.y0 for shape in fig.layout.shapes)


def test_category_bars_values_colours_and_thresholds():
    thresholds = default_framework().thresholds
    categories = pd.Series([250.0, 300.0, 399.9, 400.0, 500.0, 0.0, 350.0], index=range(1, 8))
    fig = category_bars(categories, thresholds, "th")
    (bar,) = fig.data
    assert list(bar.y) == list(categories)
    assert list(bar.x) == [f"หมวด {n}" for n in range(1, 8)]
    assert list(bar.marker.color) == [LEVEL_COLOURS[lv] for lv in
                                      ["below_basic", "basic", "basic", "advance", "significance",
                                       "below_basic", "basic"]]
    assert _lines(fig) == [300.0, 400.0]  # Basic; Advance and the category award coincide at 400
    assert fig.layout.title.text == "คะแนนรายหมวด"
    assert fig.layout.yaxis.range == (0, 520)


def test_category_bars_in_english():
    thresholds = default_framework().thresholds
    fig = category_bars(pd.Series([100.0] * 7, index=range(1, 8)), thresholds, "en")
    assert fig.layout.title.text == "Score by category"
    assert fig.data[0].x[0] == "Cat. 1"


def test_threshold_labels_sit_in_the_right_margin_not_on_the_bars():
    fig = category_bars(pd.Series([300.0] * 7, index=range(1, 8)), default_framework().thresholds, "th")
    labels = {(a.text, a.y, a.xref, a.x, a.xanchor) for a in fig.layout.annotations}
    assert labels == {("พื้นฐาน 300", 300.0, "paper", 1.0, "left"), ("ก้าวหน้า 400", 400.0, "paper", 1.0, "left")}


def test_kpi_sparkline_has_gaps_target_and_floor():
    from charts import kpi_sparkline

    fig = kpi_sparkline([2568, 2569, 2570], [80.0, None, 90.5], target=90, floor=75)
    (line,) = fig.data
    assert list(line.x) == ["2568", "2569", "2570"] and list(line.y) == [80.0, None, 90.5]
    assert line.connectgaps is False and list(line.text) == ["80", "", "90.5"]
    assert sorted((s.y0, s.line.dash) for s in fig.layout.shapes) == [(75, "dot"), (90, "dash")]
