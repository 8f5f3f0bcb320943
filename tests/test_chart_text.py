"""What a person typed reaches a chart as text: Plotly reads tags (<a href>, <b>, <span style>, <br>) and entities in
every label, hover, title and legend, and a hovertemplate reads %{...}. Each chart that shows user text is built from
hostile text here, and its whole figure is searched for the raw tags."""

import re
from datetime import date

import numpy as np
import pandas as pd
import pytest

from charts import category_bars
from charts.followup import action_bars, points_bars
from charts.ministry import ministry_heatmap, progress_bars, readiness_bars, trend_lines
from charts.overview import category_radar, kpi_panels, lens_bars, ofi_pareto, self_vs_review, unit_heatmap
from charts.theme import plain, wrap_words
from charts.workplan import workplan_gantt
from scoring import default_framework
from storage.plans.workplan import fiscal_months

pytestmark = pytest.mark.engine_free  # opens no store: run once, by make test (conftest.py)

THRESHOLDS = default_framework().thresholds
THAI = "แผนพัฒนาองค์การ"
HOSTILE = (f'<a href="https://x.example">link</a> <b>bold</b> one<br>two <span style="color:red">red</span> '
           f"cost%{{x}} &amp; {THAI}")
# what Plotly must be given for each piece of HOSTILE: entities it turns back into the characters typed
ESCAPED = ['&lt;a href="https://x.example"&gt;link&lt;/a&gt;', "&lt;b&gt;bold&lt;/b&gt;", "one&lt;br&gt;two",
           '&lt;span style="color:red"&gt;red&lt;/span&gt;', "&amp;amp;", THAI]
RAW = ["<a ", "</a>", "<b>bold", "one<br>two", "<span", "</span>"]
TYPED = ["x.example", "bold", "cost%{x}", THAI]  # pieces of HOSTILE no template may hold
TEMPLATES = {"hovertemplate", "texttemplate"}
ENTITY = re.compile(r"&(?![a-z]+;|#\d+;|#x[\da-f]+;)", re.IGNORECASE)  # an & that starts no entity


def strings(value, key=""):
    """Every (key, string) in a figure's JSON, the key being the attribute that holds it."""
    if isinstance(value, str):
        yield key, value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from strings(v, k)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from strings(v, key)
    elif isinstance(value, np.ndarray):
        yield from strings(value.tolist(), key)


def keys(value):
    """Every attribute named anywhere in a figure's JSON."""
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in keys(v)}
    if isinstance(value, list | tuple):
        return {k for v in value for k in keys(v)}
    return set()


def assert_plain(fig):
    found = list(strings(fig.to_plotly_json()))
    texts = [text for _, text in found]
    for raw in RAW:
        assert not [t for t in texts if raw in t], raw
    assert not [t for t in texts if re.search("&amp;(?!amp;)", t)]  # the "&amp;" typed, not an entity
    for escaped in ESCAPED:
        assert any(escaped in t for t in texts), escaped
    assert not [t for t in texts if ENTITY.search(t)]  # no entity cut by a line break
    assert not [(k, t) for k, t in found if k in TEMPLATES and any(piece in t for piece in TYPED)]
    assert "meta" not in keys(fig.to_plotly_json())  # with a meta, Plotly reads %{...} in titles and legend names
    return texts


def test_plain_escapes_what_plotly_decodes():
    """Plotly turns &lt; &gt; &amp; back into < > &, but not &quot;: quotes stay as typed."""
    assert plain('<a href="u">x</a> & ไทย') == '&lt;a href="u"&gt;x&lt;/a&gt; &amp; ไทย'
    assert plain(7) == "7"


def test_wrapping_escapes_each_line_and_keeps_its_breaks():
    wrapped = wrap_words("<b>ตัวหนา</b> & <i>เอียง</i> " * 3, 12)
    assert wrapped.count("<br>") >= 2 and "<b>" not in wrapped and "<i>" not in wrapped
    assert "&lt;b&gt;" in wrapped and "&amp;" in wrapped and not ENTITY.search(wrapped)


def test_plan_progress_by_unit():
    counts = pd.DataFrame({"done": [1, 2], "overdue": [0, 1], "in_progress": [1, 0], "not_started": [0, 0]},
                          index=[3, 4])
    fig = action_bars(counts, {3: HOSTILE, 4: "กอง ข"}, "ตามหน่วยงาน", "th")
    assert_plain(fig)
    assert list(fig.data[0].y) == [plain(HOSTILE), "กอง ข"]


def test_points_per_plan():
    fig = points_bars([f"{HOSTILE} · กอง ก"], [1.5], [None], "th")
    assert_plain(fig)
    assert list(fig.data[0].y) == list(fig.data[1].y) == [plain(f"{HOSTILE} · กอง ก")]


@pytest.mark.parametrize("lang", ["th", "en"])
def test_work_plan_titles_and_owners(lang):
    steps = [{"title_th": HOSTILE, "title_en": HOSTILE, "start_month": "2026-10", "end_month": "2026-12",
              "owner": "<b>bold</b> one<br>two", "status": "in_progress", "done_on": None, "overdue": False},
             {"title_th": "ชี้แจง", "title_en": "", "start_month": "2026-11", "end_month": "2026-11",
              "owner": "", "status": "done", "done_on": "2026-11-20", "overdue": False}]
    fig = workplan_gantt(steps, fiscal_months(2570), [], date(2026, 12, 15), lang)
    assert_plain(fig)
    label = fig.layout.yaxis.categoryarray[0]
    assert label.startswith("1. &lt;a<br>href=") and label.count("<br>") > 1  # long: wrapped, the breaks real
    assert {y for trace in fig.data for y in trace.y} == set(fig.layout.yaxis.categoryarray)


def test_category_names_in_the_hover():
    scores = pd.Series([300.0] * 7, index=range(1, 8))
    assert_plain(category_bars(scores, THRESHOLDS, "th", {1: HOSTILE}))


def test_radar_series_named_by_a_unit():
    scores = pd.Series([300.0] * 7, index=range(1, 8))
    fig = category_radar({"ปี 2569": scores, HOSTILE: scores}, THRESHOLDS, "th")
    assert_plain(fig)
    assert fig.data[1].name == plain(HOSTILE)


def test_heatmap_unit_codes_and_names():
    grid = pd.DataFrame([[300.0] * 7, [200.0] * 7], index=[11, 12], columns=range(1, 8))
    fig = unit_heatmap(grid, THRESHOLDS, "th", {11: HOSTILE, 12: HOSTILE}, {11: HOSTILE})
    assert_plain(fig)
    assert {c[0] for c in fig.data[1].customdata} == {11, 12}  # the ids for the drill-down stay as they are


def test_pareto_refs_and_texts():
    gaps = pd.DataFrame({"ref": [HOSTILE, "1.1"], "category": [7, 1], "points": [5.0, 3.0],
                         "text": [HOSTILE, "ข้อความ"], "units": [2, 1]})
    fig = ofi_pareto(gaps, "th")
    assert_plain(fig)
    shown = [x for trace in fig.data if trace.type == "bar" for x in trace.x]
    assert list(fig.layout.xaxis.categoryarray) == [plain(HOSTILE), "1.1"] and set(shown) == {plain(HOSTILE), "1.1"}
    assert list(fig.data[-1].x) == list(fig.layout.xaxis.categoryarray)  # the cumulative line on the same ticks


def test_kpi_panels_ids_and_names():
    frame = pd.DataFrame([("<b>bold</b>", HOSTILE, 2569, 80.0), ("RM1", "<b>bold</b>", 2569, 70.0),
                          ("<i>%{y}</i>", "", 2569, 60.0)], columns=["kpi", "name", "fiscal_year", "value"])
    fig = kpi_panels(frame, "th")
    texts = assert_plain(fig)
    titles = [a.text for a in fig.layout.annotations]
    assert [t.split("<br>")[0] for t in titles] == ["&lt;b&gt;bold&lt;/b&gt;", "RM1", "&lt;i&gt;%{y}&lt;/i&gt;"]
    assert titles[1] == "RM1<br>&lt;b&gt;bold&lt;/b&gt;" and titles[2] == "&lt;i&gt;%{y}&lt;/i&gt;"  # no name
    assert plain(HOSTILE) in texts  # the whole name, in the hover
    assert all("<i>" not in t.hovertemplate and "%{y}</i>" not in t.hovertemplate for t in fig.data if t.hovertemplate)
    assert [list(t.customdata[0]) for t in fig.data[:3]] == [["&lt;b&gt;bold&lt;/b&gt;", plain(HOSTILE)],
                                                             ["RM1", "&lt;b&gt;bold&lt;/b&gt;"],
                                                             ["&lt;i&gt;%{y}&lt;/i&gt;", ""]]


def test_lens_names():
    frame = pd.DataFrame([("open", "goal", HOSTILE, 40.0, 35.5), ("inno", "factor", THAI, 10.0, 20.0)],
                         columns=["aim", "kind", "name", "self", "review"])
    fig = lens_bars(frame, "th")
    texts = assert_plain(fig)
    assert plain(HOSTILE) in texts and THAI in fig.data[-1].y


def test_self_against_review_with_a_label_that_is_not_a_category():
    scores = pd.Series([300.0, 310.0], index=[1, HOSTILE])
    assert_plain(self_vs_review(scores, scores + 10, "th", THRESHOLDS))


def test_ministry_charts_department_and_tier_names():
    """The ministry roll-up's charts: departments' names (their identity, typed by their admins) and award tiers'
    names (a criteria file's) in rows, hovers and legends."""
    shares = pd.DataFrame({1: [0.6, 0.4], "total": [0.6, float("nan")]}, index=["A", "B"])
    left_out = pd.DataFrame({"department": ["B"], "category": ["total"], "reason": ["other_categories"],
                             "maximum": [500.0], "compared_maximum": [500.0]})
    names = {"A": HOSTILE, "B": "กรม ข"}
    fig = ministry_heatmap(shares, shares * 500, left_out, "th", names, names)
    assert_plain(fig)
    assert plain(HOSTILE) in fig.data[0].y and {c[0] for row in fig.data[0].customdata for c in row} == {"A", "B"}
    tiers = pd.DataFrame({"tier": ["advance"], "name": [HOSTILE], "ready": [1], "not_ready": [1], "no_scores": [0],
                          "without_tier": [0], "ready_departments": [["A"]], "not_ready_departments": [["B"]]})
    assert_plain(readiness_bars(tiers, "th", names))
    progress = pd.DataFrame({"units_total": [4, 2], "submitted": [2, 2], "reviewed": [1, 0],
                             "submitted_share": [0.5, 1.0], "reviewed_share": [0.25, 0.0],
                             "record_status": ["approved", None], "application_built": [None, None]},
                            index=["A", "B"])
    assert list(progress_bars(progress, "th", names).data[0].y) == [plain(HOSTILE), "กรม ข"]
    assert_plain(progress_bars(progress, "th", names))
    matrix = pd.DataFrame({"A": [0.5, 0.6]}, index=[2569, 2570])
    fig = trend_lines(matrix, "th", names)
    assert_plain(fig)
    assert fig.data[0].name == plain(HOSTILE)
