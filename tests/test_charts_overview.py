"""The director overview's charts: traces, values, level colours, threshold lines and rings, sort order."""

import pandas as pd
import pytest

from charts.overview import (
    CATEGORY_COLOURS,
    NEGATIVE_COLOUR,
    POSITIVE_COLOUR,
    category_radar,
    kpi_panels,
    lens_bars,
    ofi_pareto,
    self_vs_review,
    total_bullet,
    trend,
    unit_heatmap,
)
from charts.theme import FONT, LEVEL_COLOURS
from i18n import translate
from scoring import default_framework
from scoring.criteria import AwardThresholds, LevelThresholds, Thresholds

pytestmark = pytest.mark.engine_free  # opens no store: run once, by make test (conftest.py)

NAN = float("nan")
DEFAULT = default_framework().thresholds
# every boundary different from the defaults, and a Significance band below 500
CUSTOM = Thresholds(levels=LevelThresholds(basic=250, advance=350, significance=450),
                    awards=AwardThresholds(pmqa_total=420, pmqa_category_min=250, category=380),
                    ladder=(320, 360))
CATS = list(range(1, 8))


def _cats(*values):
    return pd.Series(values, index=CATS[: len(values)], dtype=float)


def _gaps(points, categories=None, **extra):
    refs = [f"G{i}" for i in range(len(points))]
    return pd.DataFrame({"ref": refs, "category": categories or [1] * len(points), "points": points, **extra})


def _kpis(rows):
    return pd.DataFrame(rows, columns=["kpi", "name", "fiscal_year", "value", "target", "floor", "ceiling"])


KPI_ROWS = [("RM1", "Plan achieved", 2567, 80.0, 90, 75, 95), ("RM1", "Plan achieved", 2568, NAN, 90, 75, 95),
            ("RM1", "Plan achieved", 2569, 92.5, 90, 75, 95), ("RM3", "Satisfaction", 2568, 70.0, 85, 75, 95),
            ("RM3", "Satisfaction", 2569, 88.0, 85, 75, 95)]
LENS = pd.DataFrame([("open", "goal", "เปิดกว้าง", 40.0, 35.5), ("citizen", "goal", "ประชาชน", NAN, 20.0),
                     ("innovation", "factor", "นวัตกรรม", 10.0, NAN)],
                    columns=["aim", "kind", "name", "self", "review"])
TREND = pd.DataFrame({"total": [320.0, 350.0], 1: [300.0, NAN], 2: [340.0, 360.0]}, index=[2568, 2567])

# each chart with small valid input, and the catalogue key of its title
CHARTS = {
    "bullet": (lambda lang: total_bullet(372.5, DEFAULT, lang), "ovc_bullet_title", {}),
    "radar": (lambda lang: category_radar({"a": _cats(300, 310, 320, 330, 340, 350, 360)}, DEFAULT, lang),
              "ovc_radar_title", {}),
    "heatmap": (lambda lang: unit_heatmap(pd.DataFrame([[300.0] * 7], index=[1], columns=CATS), DEFAULT, lang),
                "ovc_heatmap_title", {}),
    "pareto": (lambda lang: ofi_pareto(_gaps([5.0, 3.0, 2.0]), lang), "ovc_pareto_title", {"n": 3}),
    "self_vs_review": (lambda lang: self_vs_review(_cats(300, 400), _cats(280, 410), lang),
                       "ovc_self_review_title", {}),
    "trend": (lambda lang: trend(TREND, DEFAULT, lang), "ovc_trend_title", {}),
    "kpi_panels": (lambda lang: kpi_panels(_kpis(KPI_ROWS), lang), "ovc_kpi_title", {}),
    "lens": (lambda lang: lens_bars(LENS, lang), "ovc_lens_title", {}),
}


def _axis_titles(fig):
    """The titles set on the figure's axes (in a grid of panels only the outer axes carry one)."""
    layout = fig.to_dict()["layout"]
    titles = {name: axis["title"]["text"] for name, axis in layout.items()
              if name.startswith(("xaxis", "yaxis")) and "text" in axis.get("title", {})}
    if "text" in layout.get("polar", {}).get("radialaxis", {}).get("title", {}):
        titles["radialaxis"] = layout["polar"]["radialaxis"]["title"]["text"]
    return titles


def _level_at(colorscale, value):
    """The colour a stepped colorscale over 0-500 gives ``value``: the last stop at or below it."""
    position = value / 500
    return [colour for stop, colour in colorscale if stop <= position][-1]


def _by_name(fig):
    return {trace.name: trace for trace in fig.data}


# titles, axis titles and font, every chart, both languages -----------------------------------------------

@pytest.mark.parametrize("lang", ["th", "en"])
@pytest.mark.parametrize("chart", sorted(CHARTS))
def test_every_chart_has_its_title_axis_titles_and_the_theme_font(chart, lang):
    build, key, values = CHARTS[chart]
    fig = build(lang)
    assert fig.layout.title.text == translate(key, lang, **values)
    assert fig.layout.font.family == FONT
    titles = _axis_titles(fig)
    assert all(text and text.strip() for text in titles.values()), titles
    kinds = {name[0] for name in titles}
    # no rotated title where it says nothing the chart does not: the heatmap's rows are units' names, the
    # bullet is one bar, and the radar's score axis would cross the polygons (its scale is in the caption)
    # and the lens's rows are the goals' and factors' names
    expected = set() if chart == "radar" else {"x"} if chart in ("heatmap", "bullet", "lens") else {"x", "y"}
    assert kinds == expected, titles


@pytest.mark.parametrize(
    ("chart", "english"),
    [("bullet", "Department total against the thresholds"),
     ("radar", "Category scores against the thresholds"),
     ("trend", "Total and category scores over the years")],
)
def test_english_titles(chart, english):
    build, _, _ = CHARTS[chart]
    assert build("en").layout.title.text == english
    assert build("th").layout.title.text != english


@pytest.mark.parametrize(
    ("build", "key"),
    [(lambda: unit_heatmap(pd.DataFrame(), DEFAULT, "en"), "ovc_heatmap_title"),
     (lambda: ofi_pareto(_gaps([]), "en"), "ovc_pareto_title"),
     (lambda: self_vs_review(pd.Series(dtype=float), pd.Series(dtype=float), "en"), "ovc_self_review_title"),
     (lambda: trend(pd.DataFrame(), DEFAULT, "en"), "ovc_trend_title"),
     (lambda: kpi_panels(_kpis([]), "en"), "ovc_kpi_title"),
     (lambda: lens_bars(LENS.iloc[:0], "en"), "ovc_lens_title")],
)
def test_empty_input_gives_a_titled_figure_saying_there_is_no_data(build, key):
    fig = build()
    assert not fig.data
    assert fig.layout.title.text == translate(key, "en", n=20)  # the Pareto's title names the top asked for
    assert [a.text for a in fig.layout.annotations] == ["No data yet"]


# 1. total_bullet -----------------------------------------------------------------------------------------

def _rects(fig):
    return [(s.x0, s.x1, s.fillcolor) for s in fig.layout.shapes if s.type == "rect"]


@pytest.mark.parametrize(
    ("thresholds", "bands"),
    [(DEFAULT, [(0, 300, "below_basic"), (300, 400, "basic"), (400, 500, "advance")]),  # Significance is 500 only
     (CUSTOM, [(0, 250, "below_basic"), (250, 350, "basic"), (350, 450, "advance"), (450, 500, "significance")])],
)
def test_bullet_level_bands(thresholds, bands):
    fig = total_bullet(300.0, thresholds, "th")
    assert _rects(fig) == [(x0, x1, LEVEL_COLOURS[level]) for x0, x1, level in bands]
    assert fig.layout.xaxis.range == (0, 500)


@pytest.mark.parametrize(
    ("total", "level"), [(0.0, "below_basic"), (299.9, "below_basic"), (300.0, "basic"), (372.5, "basic"),
                         (400.0, "advance"), (500.0, "significance")],
)
def test_bullet_bar_is_the_total_coloured_by_its_level(total, level):
    (bar,) = total_bullet(total, DEFAULT, "th").data
    assert bar.orientation == "h" and list(bar.x) == [total]
    assert bar.marker.color == LEVEL_COLOURS[level]
    assert bar.text[0].endswith(translate(f"level_{level}", "th"))


@pytest.mark.parametrize(("thresholds", "award", "ladder"),
                         [(DEFAULT, 400, [300, 350, 400]), (CUSTOM, 420, [320, 360])])
def test_bullet_award_marker_and_dashed_ladder(thresholds, award, ladder):
    fig = total_bullet(350.0, thresholds, "en")
    lines = [s for s in fig.layout.shapes if s.type == "line"]
    solid = [(s.x0, s.x1) for s in lines if s.line.dash is None]
    assert solid == [(award, award)]
    assert [(s.x0, s.x1) for s in lines if s.line.dash == "dash"] == [(v, v) for v in ladder]
    texts = {a.text for a in fig.layout.annotations}
    assert f"Award readiness {award}" in texts
    assert {f"{v:g}" for v in ladder} <= texts  # short: the caption names the ladder (long labels overlapped)


def test_bullet_without_a_total_has_no_bar_and_says_so():
    fig = total_bullet(NAN, DEFAULT, "th")
    assert not fig.data
    assert translate("ovc_no_data", "th") in {a.text for a in fig.layout.annotations}


# 2. category_radar ---------------------------------------------------------------------------------------

def test_radar_one_closed_polygon_per_series_with_thai_category_labels():
    fig = category_radar({"ปี 2569": _cats(300, 310, 320, 330, 340, 350, 360),
                          "ปี 2568": _cats(100, 200, 300, 400, 500, 0, 250)}, DEFAULT, "th")
    this, last = fig.data[0], fig.data[1]
    assert (this.name, last.name) == ("ปี 2569", "ปี 2568")
    assert list(this.theta) == [f"หมวด {n}" for n in [*CATS, 1]]
    assert list(this.r) == [300, 310, 320, 330, 340, 350, 360, 300]
    assert list(last.marker.color) == [LEVEL_COLOURS[lv] for lv in
                                       ["below_basic", "below_basic", "basic", "advance", "significance",
                                        "below_basic", "below_basic", "below_basic"]]
    assert fig.layout.polar.radialaxis.range == (0, 500)


def test_radar_missing_values_are_gaps_not_zeros():
    values = pd.Series({1: 300.0, 2: NAN, 3: 320.0, 4: 330.0, 6: 350.0, 7: 360.0})  # 5 absent, 2 NaN
    (trace, *_) = category_radar({"unit": values}, DEFAULT, "en").data
    assert list(trace.r) == [300.0, None, 320.0, 330.0, None, 350.0, 360.0, 300.0]
    assert trace.connectgaps is False
    assert list(trace.theta)[:2] == ["Cat. 1", "Cat. 2"]


def test_radar_missing_first_category_leaves_the_polygon_open():
    (trace, *_) = category_radar({"u": _cats(NAN, 310, 320, 330, 340, 350, 360)}, DEFAULT, "th").data
    assert trace.r[0] is None and trace.r[-1] is None


@pytest.mark.parametrize(
    ("thresholds", "rings"),
    [(DEFAULT, {300: "Basic threshold 300", 400: "Category award readiness 400"}),
     (CUSTOM, {250: "Basic threshold 250", 380: "Category award readiness 380"}),
     (Thresholds(levels=LevelThresholds(basic=300, advance=400, significance=500),
                 awards=AwardThresholds(pmqa_total=400, pmqa_category_min=300, category=300), ladder=(300,)),
      {300: "Basic threshold 300"})],  # coinciding rings are drawn once
)
def test_radar_dashed_threshold_rings(thresholds, rings):
    fig = category_radar({"a": _cats(300, 300, 300, 300, 300, 300, 300)}, thresholds, "en")
    dashed = [t for t in fig.data if t.line.dash == "dash"]
    assert {t.r[0]: t.name for t in dashed} == rings
    assert all(len(set(t.r)) == 1 and len(t.r) == 8 for t in dashed)


# 3. unit_heatmap -----------------------------------------------------------------------------------------

MATRIX = pd.DataFrame([[400.0, 420.0, 410.0], [100.0, 200.0, 150.0], [300.0, NAN, 320.0]],
                      index=[11, 12, 13], columns=[1, 2, 3])


def test_heatmap_weakest_unit_first_and_drawn_at_the_top():
    fig = unit_heatmap(MATRIX, DEFAULT, "th", {11: "กอง ก", 12: "กอง ข"})
    heat, cells, *legend = fig.data
    assert list(heat.y) == ["กอง ข", "13", "กอง ก"]  # means 150, 310 (NaN skipped), 410; 13 has no label
    assert fig.layout.yaxis.autorange == "reversed"
    assert [list(row) for row in heat.z] == [[100.0, 200.0, 150.0], [300.0, None, 320.0], [400.0, 420.0, 410.0]]
    assert [set(row) for row in heat.customdata] == [{12}, {13}, {11}]
    assert list(heat.x) == ["หมวด 1", "หมวด 2", "หมวด 3"]
    assert fig.layout.xaxis.title.text == translate("category", "th")
    # a click lands on a cell's invisible marker, which carries the unit's id and the score (none for a gap)
    assert cells.type == "scatter" and cells.marker.opacity == 0 and heat.hoverinfo == "skip"
    assert [list(c)[:2] for c in cells.customdata] == [[12, 100.0], [12, 200.0], [12, 150.0], [13, 300.0],
                                                       [13, 320.0], [11, 400.0], [11, 420.0], [11, 410.0]]
    assert {c[2] for c in cells.customdata} == {"กอง ข", "13", "กอง ก"}  # the hover's name: the label by default
    assert list(zip(cells.x, cells.y, strict=True))[3:5] == [("หมวด 1", "13"), ("หมวด 3", "13")]
    # the level bands as a legend below (a colour bar's names took a third of the width)
    assert heat.showscale is False and not cells.showlegend
    assert [(t.name, t.marker.color) for t in legend] == [
        (f"{v} {translate(f'level_{lv}', 'th')}", LEVEL_COLOURS[lv])
        for v, lv in ((0, "below_basic"), (300, "basic"), (400, "advance"), (500, "significance"))]


def test_heatmap_rows_can_be_short_codes_with_full_names_on_hover():
    """On a phone the full names took most of the width: the overview labels rows by code."""
    heat, cells, *_ = unit_heatmap(MATRIX, DEFAULT, "th", {11: "A", 12: "B", 13: "C"},
                                   {11: "A · กอง ก", 12: "B · <b>กอง ข</b>", 13: "C · กอง ค"}).data
    assert list(heat.y) == ["B", "C", "A"]
    assert cells.customdata[0][2] == "B · &lt;b&gt;กอง ข&lt;/b&gt;" and "customdata[2]" in cells.hovertemplate


def test_heatmap_by_item_leaves_numbers_to_the_hover():
    grid = pd.DataFrame([[300.0] * 30], index=[1], columns=[f"{c}.{n}" for c in range(1, 7) for n in range(1, 6)])
    heat, cells, *_ = unit_heatmap(grid, DEFAULT, "th").data
    assert heat.texttemplate == "" and "customdata[1]" in cells.hovertemplate


def test_heatmap_item_columns_and_duplicate_labels():
    grid = pd.DataFrame([[500.0, 0.0], [300.0, 300.0]], index=["u1", "u2"], columns=["1.1", "1.2"])
    fig = unit_heatmap(grid, DEFAULT, "en", {"u1": "Same", "u2": "Same"})
    heat = fig.data[0]
    assert list(heat.x) == ["1.1", "1.2"]
    assert fig.layout.xaxis.title.text == "Item"
    assert list(heat.y) == ["Same", "Same (u2)"]  # u1 (mean 250) is weaker than u2 (300)


def test_heatmap_unit_names_and_pareto_texts_are_text_not_tags():
    """Plotly reads <b>, <a href> and <br> in labels and hovers: a name or a unit's own KPI name is escaped."""
    grid = pd.DataFrame([[100.0]], index=[1], columns=["1"])
    heat = unit_heatmap(grid, DEFAULT, "th", {1: 'กอง <a href="https://evil.example">x</a> & <b>ข</b>'}).data[0]
    assert list(heat.y) == ['กอง &lt;a href="https://evil.example"&gt;x&lt;/a&gt; &amp; &lt;b&gt;ข&lt;/b&gt;']
    gaps = pd.DataFrame({"ref": ["U1-1"], "category": [7], "points": [5.0],
                         "text": ["<a href='https://evil.example'>KPI</a>"]})
    (bars,) = [t for t in ofi_pareto(gaps, "th").data if t.type == "bar"]
    assert bars.customdata[0][0] == "&lt;a href='https://evil.example'&gt;KPI&lt;/a&gt;"


@pytest.mark.parametrize(
    ("thresholds", "cases"),
    [(DEFAULT, [(0, "below_basic"), (299.9, "below_basic"), (300, "basic"), (399.9, "basic"), (400, "advance"),
                (499.9, "advance"), (500, "significance")]),
     (CUSTOM, [(249, "below_basic"), (250, "basic"), (350, "advance"), (449, "advance"), (450, "significance"),
               (500, "significance")])],
)
def test_heatmap_discrete_colours_by_level_band(thresholds, cases):
    heat = unit_heatmap(MATRIX, thresholds, "th").data[0]
    assert (heat.zmin, heat.zmax) == (0, 500)
    assert heat.texttemplate == "%{z:.0f}"
    scale = [(stop, colour) for stop, colour in heat.colorscale]
    for value, level in cases:
        assert _level_at(scale, value) == LEVEL_COLOURS[level], value


# 4. ofi_pareto -------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("points", "top", "bars", "cumulative"),
    [([2.0, 5.0, 3.0], 20, [5.0, 3.0, 2.0], [50.0, 80.0, 100.0]),
     ([2.0, 5.0, 3.0], 2, [5.0, 3.0], [50.0, 80.0]),  # the percentage counts every gap given, shown or not
     ([1.0, 1.0, 1.0, 1.0], 20, [1.0] * 4, [25.0, 50.0, 75.0, 100.0])],
)
def test_pareto_bars_sorted_and_cumulative_percent(points, top, bars, cumulative):
    fig = ofi_pareto(_gaps(points), "th", top=top)
    *bar_traces, line = fig.data
    order = list(fig.layout.xaxis.categoryarray)
    heights = {x: y for trace in bar_traces for x, y in zip(trace.x, trace.y, strict=True)}
    assert [heights[ref] for ref in order] == bars
    assert list(line.x) == order and list(line.y) == pytest.approx(cumulative)
    assert line.yaxis == "y2" and fig.layout.yaxis2.range == (0, 100)
    assert fig.layout.title.text == translate("ovc_pareto_title", "th", n=len(bars))


def test_pareto_one_trace_per_category_coloured_by_category_with_hover_text_and_units():
    gaps = _gaps([1.0, 4.0, 2.0, 3.0], categories=[2, 1, 2, 7], units=[3, 1, 2, 5],
                 text=["ทบทวนแผน", "วิสัยทัศน์", "ติดตามผล", None])
    fig = ofi_pareto(gaps, "th")
    bars = _by_name(fig)
    assert list(bars) == ["หมวด 1", "หมวด 7", "หมวด 2", "ร้อยละสะสม"]
    assert {name: bars[name].marker.color for name in ["หมวด 1", "หมวด 2", "หมวด 7"]} == {
        "หมวด 1": CATEGORY_COLOURS[1], "หมวด 2": CATEGORY_COLOURS[2], "หมวด 7": CATEGORY_COLOURS[7]}
    assert list(bars["หมวด 2"].x) == ["G2", "G0"] and list(bars["หมวด 2"].y) == [2.0, 1.0]
    assert [list(c) for c in bars["หมวด 2"].customdata] == [["ติดตามผล", "พบใน 2 หน่วยงาน"],
                                                           ["ทบทวนแผน", "พบใน 3 หน่วยงาน"]]
    assert list(bars["หมวด 7"].customdata[0]) == ["", "พบใน 5 หน่วยงาน"]
    assert "customdata[0]" in bars["หมวด 1"].hovertemplate and "customdata[1]" in bars["หมวด 1"].hovertemplate


def test_pareto_without_units_or_text_columns():
    fig = ofi_pareto(_gaps([3.0, 1.0]), "en")
    assert list(fig.data[0].customdata[0]) == ["", ""]
    assert fig.data[0].name == "Cat. 1" and fig.data[-1].name == "Cumulative %"


# 5. self_vs_review ---------------------------------------------------------------------------------------

def test_self_vs_review_bars_difference_and_colours():
    own, reviewed = _cats(300, 400, 250, 350), _cats(250, 410, 250, NAN)
    fig = self_vs_review(own, reviewed, "th")
    self_bar, review_bar, difference = fig.data
    assert self_bar.name == translate("rv_self_total", "th") and review_bar.name == translate("rv_review_total", "th")
    assert list(self_bar.x) == ["หมวด 1", "หมวด 2", "หมวด 3", "หมวด 4"]
    assert list(self_bar.y) == [300, 400, 250, 350] and list(review_bar.y) == [250, 410, 250, None]
    assert list(self_bar.marker.color) == [LEVEL_COLOURS[lv] for lv in ["basic", "advance", "below_basic", "basic"]]
    assert list(review_bar.marker.color)[:3] == [LEVEL_COLOURS[lv] for lv in ["below_basic", "advance", "below_basic"]]
    assert list(difference.y) == [-50.0, 10.0, 0.0, None]
    assert list(difference.marker.color)[:2] == [NEGATIVE_COLOUR, POSITIVE_COLOUR]
    assert list(difference.marker.line.width) == [3, 0, 0, 0]  # the largest gap between the two stands out
    assert difference.yaxis == "y2" and self_bar.yaxis == "y"
    assert self_bar.marker.pattern.shape == "/" and review_bar.marker.pattern.shape == ""


def test_self_vs_review_aligns_categories_and_uses_given_thresholds():
    fig = self_vs_review(pd.Series({2: 260.0, 1: 240.0}), pd.Series({1: 260.0, 3: 300.0}), "en", thresholds=CUSTOM)
    self_bar, review_bar, difference = fig.data
    assert list(self_bar.x) == ["Cat. 1", "Cat. 2", "Cat. 3"]
    assert list(self_bar.y) == [240.0, 260.0, None] and list(review_bar.y) == [260.0, None, 300.0]
    assert list(difference.y) == [20.0, None, None]
    assert list(self_bar.marker.color)[:2] == [LEVEL_COLOURS["below_basic"], LEVEL_COLOURS["basic"]]


# 6. trend ------------------------------------------------------------------------------------------------

def test_trend_total_thick_categories_thin_years_sorted_and_gaps():
    fig = trend(TREND, DEFAULT, "th")
    lines = _by_name(fig)
    total = lines["คะแนนรวม"]
    assert list(total.x) == ["2567", "2568"] and list(total.y) == [350.0, 320.0]
    assert list(lines["หมวด 1"].y) == [None, 300.0] and lines["หมวด 1"].connectgaps is False
    assert list(lines["หมวด 2"].y) == [360.0, 340.0]
    assert total.line.width > lines["หมวด 1"].line.width
    assert list(total.marker.color) == [LEVEL_COLOURS["basic"]] * 2
    assert fig.layout.xaxis.type == "category"


@pytest.mark.parametrize(
    ("thresholds", "lines", "labels"),
    [(DEFAULT, [300, 400], {"Basic 300", "Advance · Award readiness 400"}),
     (CUSTOM, [250, 350, 420], {"Basic 250", "Advance 350", "Award readiness 420"})],
)
def test_trend_threshold_lines(thresholds, lines, labels):
    fig = trend(TREND, thresholds, "en")
    assert sorted(s.y0 for s in fig.layout.shapes) == lines
    assert all(s.line.dash == "dash" for s in fig.layout.shapes)
    assert {a.text for a in fig.layout.annotations} == labels


# 7. kpi_panels -------------------------------------------------------------------------------------------

def test_kpi_panels_values_targets_floors_ceilings():
    fig = kpi_panels(_kpis(KPI_ROWS), "th")
    values = [t for t in fig.data if t.x and t.x[0] is not None]
    assert [(t.xaxis, list(t.x), list(t.y)) for t in values] == [
        ("x", ["2567", "2568", "2569"], [80.0, None, 92.5]), ("x2", ["2568", "2569"], [70.0, 88.0])]
    assert all(t.mode == "lines+markers" and t.connectgaps is False for t in values)
    shapes = sorted((s.yref, s.y0, s.line.dash, s.line.color) for s in fig.layout.shapes)
    assert shapes == [("y", 75, "dot", "#d9534f"), ("y", 90, "dash", "#2e8b57"), ("y", 95, "dot", "#888888"),
                      ("y2", 75, "dot", "#d9534f"), ("y2", 85, "dash", "#2e8b57"), ("y2", 95, "dot", "#888888")]
    titles = [a.text for a in fig.layout.annotations]
    assert titles == ["RM1<br>Plan achieved", "RM3<br>Satisfaction"]
    assert (fig.layout.xaxis.title.text, fig.layout.xaxis2.title.text) == ("ปีงบประมาณ (พ.ศ.)",) * 2
    assert fig.layout.yaxis.title.text == "ค่าตัวชี้วัด" and fig.layout.yaxis2.title.text is None  # one per row
    legend = [t.name for t in fig.data if t.showlegend is not False]
    assert legend == ["ค่าของกรม", "ค่าเป้าหมาย", "ค่าต่ำสุดที่ยอมรับได้", "ค่าที่ดีที่สุด"]


@pytest.mark.parametrize(("n", "rows", "columns"), [(1, 1, 1), (2, 1, 2), (5, 3, 2), (7, 4, 2), (10, 5, 2)])
def test_kpi_panels_grid_has_at_most_two_columns(n, rows, columns):
    """Five columns were unreadable on a phone, their titles on top of each other."""
    frame = _kpis([(f"RM{i}", f"KPI {i}", 2569, 80.0, 90, 75, 95) for i in range(1, n + 1)])
    fig = kpi_panels(frame, "en")
    domains = {fig.layout[f"xaxis{i if i > 1 else ''}"].domain for i in range(1, n + 1)}
    heights = {fig.layout[f"yaxis{i if i > 1 else ''}"].domain for i in range(1, n + 1)}
    assert (len(heights), len(domains)) == (rows, columns)
    assert len([t for t in fig.data if t.x and t.x[0] is not None]) == n


def test_kpi_panel_titles_shorten_long_names():
    long = "ร้อยละความสำเร็จของการดำเนินงานตามแผนปฏิบัติราชการประจำปีงบประมาณ"
    fig = kpi_panels(_kpis([(f"RM{i}", long, 2569, 80.0, 90, 75, 95) for i in range(1, 6)]), "th")
    titles = [a.text for a in fig.layout.annotations]
    assert all(t.startswith(f"RM{i}<br>") and t.endswith("…") and len(t) < len(long) for i, t in enumerate(titles, 1))
    first, second = titles[0].split("<br>")[1:]
    assert (first, second) == ("ร้อยละความสำเร็จของการ", "ดำเนินงานตามแผนปฏิบัติ…")  # whole words, two lines
    assert list(fig.data[0].customdata[0]) == ["RM1", long]  # the full name is in the hover


def test_radar_has_a_spoke_per_category_assessed():
    six = pd.Series({c: 300.0 + c for c in range(1, 7)})
    (trace, *_) = category_radar({"six": six}, DEFAULT, "en", categories=range(1, 7)).data
    assert list(trace.theta) == [f"Cat. {n}" for n in [1, 2, 3, 4, 5, 6, 1]]
    assert list(trace.r) == [301.0, 302.0, 303.0, 304.0, 305.0, 306.0, 301.0]


# 8. lens_bars --------------------------------------------------------------------------------------------

def test_lens_goals_above_factors_self_hatched_and_missing_values_blank():
    fig = lens_bars(LENS, "th")
    assert [a.text for a in fig.layout.annotations] == ["เป้าหมาย", "ปัจจัยแห่งความสำเร็จ"]
    own = [t for t in fig.data if t.name == translate("rv_self_total", "th")]
    reviewed = [t for t in fig.data if t.name == translate("rv_review_total", "th")]
    assert [list(t.y) for t in own] == [["ประชาชน", "เปิดกว้าง"], ["นวัตกรรม"]]  # the first aim on top
    assert [list(t.x) for t in own] == [[None, 40.0], [10.0]]
    assert [list(t.x) for t in reviewed] == [[20.0, 35.5], [None]]
    assert [list(t.text) for t in reviewed] == [["20%", "36%"], [""]]
    assert own[0].marker.pattern.shape == "/" and not reviewed[0].marker.pattern.shape
    assert [t.showlegend for t in fig.data] == [True, True, False, False]
    assert list(fig.layout.xaxis.range) == [0, 112]
