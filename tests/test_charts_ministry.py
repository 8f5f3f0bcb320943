"""The ministry roll-up's charts (charts.ministry): their traces, values, marks and labels, in Thai and English,
from the figures of ``analysis.ministry``."""

import json

import pandas as pd
import plotly.graph_objects as go
import pytest
from ministry_helpers import TIERS, department

from analysis import ministry
from charts.ministry import REASON_KEYS, STATE_COLOURS, ministry_heatmap, progress_bars, readiness_bars, trend_lines
from charts.theme import FONT
from i18n import translate

pytestmark = pytest.mark.engine_free  # opens no store: run once, by make test (conftest.py)
SEVEN = dict.fromkeys(range(1, 8), 500.0)


def year_of_departments():
    return [department("A", {c: 300.0 + 20 * c for c in range(1, 8)}, name_th="กรมอนามัย", tiers=TIERS,
                       record="approved", built=True, units=20, submitted=18, reviewed=12),
            department("B", {c: 250.0 for c in range(1, 7)}, name_th="กรมควบคุมโรค <b>", record="draft", units=40,
                       submitted=10, reviewed=4),
            department("C", {**dict.fromkeys(range(1, 8), 420.0), 3: 700.0}, maxima={**SEVEN, 3: 1000.0},
                       name_th="กรมการแพทย์", tiers=TIERS, units=30, submitted=30, reviewed=30),
            department("D", None, name_th="กรมสุขภาพจิต", units=12, submitted=0, reviewed=0)]


def labels(made, lang="th"):
    return {d.key: d.label(lang) for d in made}


@pytest.mark.parametrize("lang", ["th", "en"])
def test_the_heatmap_shows_compared_shares_and_marks_what_is_left_out(lang):
    made = year_of_departments()
    found = ministry.heatmap(made)
    fig = ministry_heatmap(found.shares, found.scores, found.comparability.left_out, lang, labels(made, lang))
    heat, marks = fig.data
    assert (heat.type, marks.type) == ("heatmap", "scatter")
    assert fig.layout.title.text == translate("mn_heatmap_title", lang) and fig.layout.font.family == FONT
    assert list(heat.x) == [translate("category_short", lang, n=c) for c in range(1, 8)] + [
        translate("total_score", lang)]
    rows = list(heat.y)  # the weakest mean share on top
    shown = labels(made, lang)
    assert rows == [shown["B"].replace("<", "&lt;").replace(">", "&gt;") if lang == "th" else "B", shown["A"],
                    shown["C"]]
    b = rows.index(rows[0])
    assert heat.z[b][:6] == pytest.approx([50.0] * 6) and heat.z[b][6] is None and heat.z[b][7] is None
    assert list(heat.text[b]) == ["50%"] * 6 + ["–", "–"]
    c = rows.index(shown["C"])
    assert heat.z[c][2] is None and heat.text[c][2] == "–" and heat.z[c][0] == pytest.approx(84.0)
    assert heat.customdata[c][0][0] == "C" and heat.customdata[c][0][2] == pytest.approx(420.0)
    reasons = {(row[0], x): row[2] for row, x in zip(marks.customdata, marks.x, strict=True)}
    assert reasons[("C", translate("category_short", lang, n=3))] == translate(
        REASON_KEYS["other_maximum"], lang, maximum="1000", compared="500")
    assert reasons[("B", translate("total_score", lang))] == translate(REASON_KEYS["other_categories"], lang)
    assert "D" not in {row[0] for row in marks.customdata}  # no scores: no row (the note lists it)


def test_the_heatmap_of_nothing_says_so():
    found = ministry.heatmap([department("D", None)])
    fig = ministry_heatmap(found.shares, found.scores, found.comparability.left_out)
    assert not fig.data and fig.layout.annotations[0].text == translate("ovc_no_data", "th")


@pytest.mark.parametrize("lang", ["th", "en"])
def test_readiness_bars_stack_departments_per_tier(lang):
    made = year_of_departments()
    table = ministry.readiness(made, lang).by_tier
    fig = readiness_bars(table, lang, labels(made, lang))
    assert [t.name for t in fig.data] == [translate(k, lang) for k in ("mn_ready", "mn_not_ready", "mn_no_scores",
                                                                       "mn_without_tier")]
    assert fig.layout.barmode == "stack"
    assert list(fig.data[0].y) == (["ระดับ advance", "ระดับ own"] if lang == "th" else ["advance", "own"])
    by_name = {t.name: list(t.x) for t in fig.data}
    assert by_name[translate("mn_ready", lang)] == [1, 1]  # C reaches both; A (a total of 380) neither
    assert by_name[translate("mn_not_ready", lang)] == [2, 1]
    assert by_name[translate("mn_no_scores", lang)] == [1, 0]
    assert by_name[translate("mn_without_tier", lang)] == [0, 2]
    assert sum(sum(xs) for xs in by_name.values()) == 2 * len(made)
    assert fig.data[0].customdata[0] == labels(made, lang)["C"]
    assert fig.data[1].customdata[0] == ", ".join(labels(made, lang)[k] for k in ("A", "B")).replace(
        "<", "&lt;").replace(">", "&gt;")


@pytest.mark.parametrize("lang", ["th", "en"])
def test_progress_bars_and_the_years_states(lang):
    made = year_of_departments()
    frame = ministry.progress(made)
    fig = progress_bars(frame, lang, labels(made, lang))
    bars = [t for t in fig.data if t.type == "bar"]
    assert [t.name for t in bars] == [translate("mn_submitted", lang), translate("mn_reviewed", lang)]
    assert list(bars[0].x) == pytest.approx([90.0, 25.0, 100.0, 0.0]) and list(bars[0].text)[:2] == ["18/20", "10/40"]
    assert list(bars[1].x) == pytest.approx([60.0, 10.0, 100.0, 0.0])
    states = {(x, y): (t.marker.color, text) for t in fig.data if t.type == "scatter"
              for x, y, text in zip(t.x, t.y, t.text, strict=True)}
    record, application = translate("mn_record", lang), translate("mn_application", lang)
    a = labels(made, lang)["A"]
    assert states[(record, a)] == (STATE_COLOURS["yes"], translate("status_approved", lang))
    assert states[(application, a)] == (STATE_COLOURS["yes"], translate("mn_built_yes", lang))
    d = labels(made, lang)["D"]
    assert states[(record, d)] == (STATE_COLOURS["unknown"], translate("status_not_started", lang))
    assert states[(application, d)] == (STATE_COLOURS["unknown"], translate("mn_not_recorded", lang))
    assert len(states) == 2 * len(made)


@pytest.mark.parametrize("lang", ["th", "en"])
def test_trend_lines_one_per_department_over_the_years(lang):
    made = [department("A", {1: 100.0, 2: 300.0}, year=2569), department("A", {1: 200.0, 2: 400.0}, year=2570),
            department("B", {1: 250.0, 2: 250.0}, year=2570)]
    matrix = ministry.trend_matrix(ministry.trends(made))
    fig = trend_lines(matrix, lang, {"A": "กรม ก", "B": "กรม ข"})
    assert [t.name for t in fig.data] == ["กรม ก", "กรม ข"]
    assert list(fig.data[0].x) == ["2569", "2570"] and list(fig.data[0].y) == pytest.approx([40.0, 60.0])
    assert fig.data[1].y[0] is None and fig.data[1].y[1] == pytest.approx(50.0)
    assert fig.layout.title.text == translate("mn_trend_title", lang, what=translate("total_score", lang))
    one = trend_lines(ministry.trend_matrix(ministry.trends(made), 2), lang, category=2)
    assert one.layout.title.text == translate("mn_trend_title", lang, what=translate("category_short", lang, n=2))
    assert trend_lines(pd.DataFrame(), lang).layout.annotations[0].text == translate("ovc_no_data", lang)


def every_figure(lang: str):
    """Each chart of the roll-up on the departments above (and a ministry of twenty, whose trends span three
    years), with nothing to show too."""
    made = year_of_departments()
    twenty = [department(str(n), {c: 200.0 + 10 * n + c for c in range(1, 8)}, year=year, tiers=TIERS, units=3,
                         submitted=n % 4, reviewed=n % 3, record="approved" if n % 2 else None, built=n % 3 == 0)
              for n in range(1, 21) for year in (2568, 2569, 2570)]
    for departments in (made, [d for d in twenty if d.year == 2570]):
        found = ministry.heatmap(departments)
        yield ministry_heatmap(found.shares, found.scores, found.comparability.left_out, lang,
                               labels(departments, lang), labels(departments, lang))
        yield readiness_bars(ministry.readiness(departments, lang).by_tier, lang, labels(departments, lang))
        yield progress_bars(ministry.progress(departments), lang, labels(departments, lang))
    yield trend_lines(ministry.trend_matrix(ministry.trends(twenty)), lang, labels(twenty, lang))
    yield trend_lines(ministry.trend_matrix(ministry.trends(twenty), 3), lang, category=3)
    empty = ministry.heatmap([department("D", None)])
    yield ministry_heatmap(empty.shares, empty.scores, empty.comparability.left_out, lang)
    yield readiness_bars(pd.DataFrame(), lang)
    yield progress_bars(pd.DataFrame(), lang)
    yield trend_lines(pd.DataFrame(), lang)


@pytest.mark.parametrize("lang", ["th", "en"])
def test_every_figure_is_what_plotly_makes_of_it_when_it_checks_every_property(lang):
    """The figures are built from plain dicts without Plotly's checks (charts.ministry._figure): each must be
    exactly the figure Plotly makes of the same dicts when it checks and completes every property (a title given
    as text, a misspelt property or a wrong value would differ or raise here)."""
    for fig in every_figure(lang):
        assert json.loads(fig.to_json()) == json.loads(go.Figure(fig.to_dict()).to_json())
