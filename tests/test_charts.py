"""Charts are pure functions: inspect their traces, colours and threshold lines."""

import pandas as pd

from charts import category_bars
from charts.theme import LEVEL_COLOURS
from scoring import default_framework


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
