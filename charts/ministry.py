"""The ministry roll-up's charts: departments x categories, readiness per award tier, the progress of the year and
trends across years. Each is pure: the plain pandas objects of ``analysis.ministry`` in, a Plotly figure out.

Departments are rows keyed as the roll-up keys them; ``labels`` maps a key to what the chart shows (a short name)
and ``names`` to the full name in the hover. Every name is shown as typed (``plain``). Scores compare as shares of
their maximum (0-100 %), so categories and criteria of different maxima sit on one scale; a cell the roll-up does
not compare is marked, never drawn as a value, and its hover says why.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from charts.theme import FONT, LEVEL_COLOURS, base_layout, plain
from i18n import translate

TOTAL = "total"  # the roll-up's column of the total, after the categories
# why a cell is not compared (``analysis.ministry.REASONS``) -> its catalogue key
REASON_KEYS = {"no_scores": "mn_reason_no_scores", "not_assessed": "mn_reason_not_assessed",
               "other_maximum": "mn_reason_other_maximum", "other_categories": "mn_reason_other_categories"}
SHARE_SCALE = [[0.0, "#f7fbff"], [0.5, "#9ecae1"], [0.8, "#4292c6"], [1.0, "#08306b"]]  # light to dark: 0-100 %
READINESS_PARTS = (("ready", "mn_ready", LEVEL_COLOURS["significance"]),
                   ("not_ready", "mn_not_ready", LEVEL_COLOURS["basic"]),
                   ("no_scores", "mn_no_scores", "#bdbdbd"),
                   ("without_tier", "mn_without_tier", "#e6e6e6"))
SUBMITTED_COLOUR, REVIEWED_COLOUR = "#1f3b73", "#5bc0de"
STATE_COLOURS = {"yes": LEVEL_COLOURS["significance"], "no": LEVEL_COLOURS["below_basic"],
                 "draft": LEVEL_COLOURS["basic"], "unknown": "#9e9e9e"}
LINE_COLOURS = ("#1f3b73", "#c2185b", "#00897b", "#ff7f0e", "#6d4c41", "#5e35b1", "#17becf", "#7f7f7f", "#bcbd22",
                "#d62728")


def _label(key, labels: Mapping | None) -> str:
    return plain((labels or {}).get(key, key))


def _column_label(column, lang: str) -> str:
    return translate("total_score", lang) if column == TOTAL else translate("category_short", lang, n=int(column))


def _figure(traces: list[dict], layout: dict) -> go.Figure:
    """The figure of ``traces`` (each a dict with its ``type``) and ``layout``, as plain nested dicts given at once
    and not checked property by property on the way in: Plotly's checks, and figures grown trace by trace, took
    three quarters of the time (a trend of 20 departments: 13.9 ms, 2.7 ms so) on a page every click of a ministry
    viewer runs again. tests/test_charts_ministry.py holds every figure equal to the same figure checked."""
    return go.Figure(data=traces, layout=layout, _validate=False)


def _empty(title: str, lang: str) -> go.Figure:
    fig = go.Figure()
    fig.update_layout(**base_layout(title))
    fig.add_annotation(text=translate("ovc_no_data", lang), x=0.5, y=0.5, xref="paper", yref="paper",
                       showarrow=False, font={"size": 16, "color": "#666"})
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return fig


def reason_text(reason: str, lang: str = "th", maximum=None, compared=None) -> str:
    """Why a cell is not compared, in words; for another maximum, the department's and the compared one."""
    def number(value) -> str:
        return "" if value is None or pd.isna(value) else f"{float(value):g}"

    return translate(REASON_KEYS[reason], lang, **({"maximum": number(maximum), "compared": number(compared)}
                                                    if reason == "other_maximum" else {}))


def _unique_labels(keys, labels: Mapping | None) -> list[str]:
    """Row labels, one per department: two departments with one label get their keys added (a categorical axis
    would merge them)."""
    shown, used = [], set()
    for key in keys:
        label = _label(key, labels)
        if label in used:
            label = f"{label} ({plain(key)})"
        used.add(label)
        shown.append(label)
    return shown


# 1. Departments x categories ------------------------------------------------------------------------------

def ministry_heatmap(shares: pd.DataFrame, scores: pd.DataFrame, left_out: pd.DataFrame, lang: str = "th",
                     labels: Mapping | None = None, names: Mapping | None = None) -> go.Figure:
    """Departments (rows, the weakest mean share on top) x categories and the total (columns): each compared cell
    coloured by its share of the maximum (0-100 %) with the share in it and the score on hover; a cell left out
    (``left_out``: department, category, reason, maximum, compared_maximum) is marked with a dash and its hover
    gives the reason (a dash in the cell). Each cell carries its department's key in ``customdata`` for a
    drill-down."""
    title = translate("mn_heatmap_title", lang)
    if shares.empty:
        return _empty(title, lang)
    means = shares.mean(axis=1, skipna=True)
    order = means.sort_values(kind="stable", na_position="last").index
    ordered, raw = shares.loc[order], scores.reindex(index=order, columns=shares.columns)
    y = _unique_labels(ordered.index, labels)
    x = [_column_label(c, lang) for c in ordered.columns]
    percent = ordered.to_numpy(dtype=float) * 100
    z = [[None if np.isnan(v) else float(v) for v in row] for row in percent]
    keys = [k.item() if isinstance(k, np.generic) else k for k in ordered.index]
    full = {k: plain((names or {}).get(k, (labels or {}).get(k, k))) for k in keys}
    rows = dict(zip(ordered.index, y, strict=True))
    columns = dict(zip(ordered.columns, x, strict=True))
    marks = [r for r in left_out.itertuples(index=False) if r.department in rows and r.category in columns]
    left = {(r.department, r.category) for r in marks}
    text = [["–" if (k, c) in left else "" if v is None else f"{v:.0f}%" for c, v in zip(ordered.columns, row,
                                                                                            strict=True)]
            for k, row in zip(keys, z, strict=True)]
    heat = dict(
        type="heatmap", z=z, x=x, y=y, zmin=0, zmax=100, colorscale=SHARE_SCALE, xgap=1, ygap=1, hoverongaps=False,
        text=text, texttemplate="%{text}", textfont={"family": FONT, "size": 12},
        customdata=[[[k, full[k], None if np.isnan(s) else float(s)] for s in row]
                    for k, row in zip(keys, raw.to_numpy(dtype=float), strict=True)],
        hovertemplate="%{customdata[1]}<br>%{x}: %{z:.1f}% (%{customdata[2]:.1f})<extra></extra>",
        colorbar={"title": {"text": translate("mn_share_axis", lang)}, "ticksuffix": "%", "len": 0.8},
        name=translate("mn_compared", lang),
    )
    # a left-out cell is a gap of the heatmap, which takes no hover: an invisible marker on it says why
    reasons = dict(
        type="scatter", x=[columns[r.category] for r in marks], y=[rows[r.department] for r in marks], mode="markers",
        marker={"symbol": "square", "size": 24, "opacity": 0}, name=translate("mn_left_out", lang), showlegend=False,
        customdata=[[r.department, full.get(r.department, plain(r.department)),
                     reason_text(r.reason, lang, r.maximum, r.compared_maximum)] for r in marks],
        hovertemplate="%{customdata[1]}<br>%{x}: %{customdata[2]}<extra></extra>",
    )
    return _figure([heat, reasons], {
        **base_layout(title), "margin": {"l": 10, "r": 10, "t": 110, "b": 40}, "height": max(320, 30 * len(y) + 180),
        # the columns are named "หมวด n": no axis title between them and the chart's title
        "xaxis": {"side": "top", "type": "category"},
        "yaxis": {"autorange": "reversed", "type": "category", "automargin": True}})


# 2. Readiness per award tier ------------------------------------------------------------------------------

def readiness_bars(by_tier: pd.DataFrame, lang: str = "th", labels: Mapping | None = None) -> go.Figure:
    """One horizontal bar per award tier (``analysis.ministry.readiness(...).by_tier``), stacked by how many
    departments are ready, not yet ready, without scores, or without that tier in their year's thresholds; the
    hover names the departments ready and not yet ready."""
    title = translate("mn_readiness_title", lang)
    if by_tier.empty:
        return _empty(title, lang)
    y = [plain(name) for name in by_tier["name"]]
    listed = {"ready": by_tier["ready_departments"], "not_ready": by_tier["not_ready_departments"]}
    traces = []
    for column, key, colour in READINESS_PARTS:
        counts = by_tier[column].astype(int).tolist()
        which = [", ".join(_label(k, labels) for k in keys) for keys in listed[column]] if column in listed \
            else [""] * len(counts)
        traces.append(dict(
            type="bar", y=y, x=counts, orientation="h", name=translate(key, lang), marker={"color": colour},
            text=[str(n) if n else "" for n in counts], textposition="inside", insidetextanchor="middle",
            customdata=which, hovertemplate="%{y}: %{x}<br>%{customdata}<extra>%{fullData.name}</extra>",
        ))
    return _figure(traces, {
        **base_layout(title), "margin": {"l": 10, "r": 20, "t": 60, "b": 40}, "barmode": "stack",
        "height": 180 + 60 * len(y),
        "xaxis": {"title": {"text": translate("mn_departments_axis", lang)}, "dtick": 1, "rangemode": "tozero",
                  "gridcolor": "#eee"},
        "yaxis": {"type": "category", "automargin": True, "autorange": "reversed"},
        "legend": {"orientation": "h", "yref": "container", "y": 0.0, "yanchor": "bottom", "x": 0,
                   "traceorder": "normal"}})


# 3. Progress of the year ----------------------------------------------------------------------------------

def _record_state(status) -> tuple[str, str]:
    """The department assessment's state as (colour key, catalogue key of its status)."""
    if status is None or (not isinstance(status, str) and pd.isna(status)):
        return "unknown", "status_not_started"
    return ("yes" if status == "approved" else "draft"), f"status_{status}"


def _built_state(built) -> tuple[str, str]:
    if built is None or built is pd.NA or (isinstance(built, float) and np.isnan(built)):
        return "unknown", "mn_not_recorded"
    return ("yes", "mn_built_yes") if bool(built) else ("no", "mn_built_no")


def progress_bars(progress: pd.DataFrame, lang: str = "th", labels: Mapping | None = None) -> go.Figure:
    """Per department (``analysis.ministry.progress``): the share of its units that submitted and that the
    committee reviewed, as bars (0-100 %, the counts in the text); beside them, the department assessment
    (approved, draft, not started) and the application (built, not built, not recorded) as coloured markers."""
    title = translate("mn_progress_title", lang)
    if progress.empty:
        return _empty(title, lang)
    y = _unique_labels(progress.index, labels)
    # two panels sharing the departments' axis, laid out as make_subplots(cols=2, shared_yaxes=True,
    # column_widths=[0.72, 0.28], horizontal_spacing=0.03) would, without its cost (19 ms a figure)
    split = 0.72 * (1 - 0.03)
    traces = []
    for column, count, key, colour in (("submitted_share", "submitted", "mn_submitted", SUBMITTED_COLOUR),
                                       ("reviewed_share", "reviewed", "mn_reviewed", REVIEWED_COLOUR)):
        shares = [None if pd.isna(v) else float(v) * 100 for v in progress[column]]
        traces.append(dict(
            type="bar", y=y, x=shares, orientation="h", name=translate(key, lang), marker={"color": colour},
            offsetgroup=key,
            text=[f"{n}/{t}" for n, t in zip(progress[count], progress["units_total"], strict=True)],
            textposition="outside", cliponaxis=False,
            hovertemplate="%{y}: %{x:.0f}% (%{text})<extra>%{fullData.name}</extra>",
        ))
    columns = (translate("mn_record", lang), translate("mn_application", lang))
    states = [(columns[0], label, *_record_state(status)) for label, status in zip(y, progress["record_status"],
                                                                                    strict=True)]
    states += [(columns[1], label, *_built_state(built)) for label, built in zip(y, progress["application_built"],
                                                                                  strict=True)]
    for state in ("yes", "draft", "no", "unknown"):
        shown = [s for s in states if s[2] == state]
        if not shown:
            continue
        traces.append(dict(
            type="scatter", x=[s[0] for s in shown], y=[s[1] for s in shown], mode="markers+text", showlegend=False,
            marker={"size": 14, "symbol": "circle" if state != "unknown" else "circle-open",
                    "color": STATE_COLOURS[state], "line": {"color": STATE_COLOURS[state], "width": 2}},
            text=[translate(s[3], lang) for s in shown], textposition="bottom center",
            textfont={"size": 11, "color": "#444444"}, cliponaxis=False,
            hovertemplate="%{y} · %{x}: %{text}<extra></extra>", xaxis="x2", yaxis="y2",
        ))
    axis = {"type": "category", "autorange": "reversed", "automargin": True}
    return _figure(traces, {
        **base_layout(title), "margin": {"l": 10, "r": 20, "t": 60, "b": 40}, "barmode": "group",
        "height": 200 + 52 * len(y),
        "legend": {"orientation": "h", "yref": "container", "y": 0.0, "yanchor": "bottom", "x": 0},
        "xaxis": {"anchor": "y", "domain": [0.0, split], "range": [0, 115], "ticksuffix": "%", "gridcolor": "#eee",
                  "title": {"text": translate("mn_units_share_axis", lang)}},
        "yaxis": {"anchor": "x", "domain": [0, 1], **axis},
        "xaxis2": {"anchor": "y2", "domain": [split + 0.03, 1.0], "type": "category", "side": "top"},
        "yaxis2": {"anchor": "x2", "domain": [0, 1], "matches": "y", "showticklabels": False, **axis}})


# 4. Trends across years -----------------------------------------------------------------------------------

def trend_lines(matrix: pd.DataFrame, lang: str = "th", labels: Mapping | None = None, category=TOTAL) -> go.Figure:
    """One line per department (columns of ``analysis.ministry.trend_matrix``) over the fiscal years (index,
    B.E., a categorical axis): the total's or a category's share of its maximum (0-100 %), gaps where a year has
    no score."""
    title = translate("mn_trend_title", lang, what=_column_label(category, lang))
    if matrix.empty or matrix.isna().all().all():
        return _empty(title, lang)
    data = matrix.sort_index()
    x = [str(int(year)) for year in data.index]
    traces = []
    for position, (key, label) in enumerate(zip(data.columns, _unique_labels(data.columns, labels), strict=True)):
        values = [None if pd.isna(v) else float(v) * 100 for v in data[key]]
        traces.append(dict(
            type="scatter", x=x, y=values, name=label, mode="lines+markers", connectgaps=False,
            line={"color": LINE_COLOURS[position % len(LINE_COLOURS)], "width": 2}, marker={"size": 8},
            hovertemplate="%{x}: %{y:.1f}%<extra>%{fullData.name}</extra>",
        ))
    return _figure(traces, {
        **base_layout(title), "margin": {"l": 50, "r": 20, "t": 60, "b": 60}, "height": 440,
        "xaxis": {"title": {"text": translate("ovc_year_axis", lang)}, "type": "category"},
        "yaxis": {"title": {"text": translate("mn_share_axis", lang)}, "range": [0, 105], "ticksuffix": "%",
                  "gridcolor": "#eee"},
        "legend": {"orientation": "h", "y": -0.2}})
