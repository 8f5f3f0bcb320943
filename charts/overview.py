"""The director overview's charts: the department total, categories, units, gaps, self against
review, trends and category-7 KPIs. Each is pure: plain pandas objects in, a Plotly figure out."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from itertools import pairwise

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from charts.theme import FONT, LEVEL_COLOURS, base_layout, hline, plain, right_label
from i18n import translate
from scoring import level_for
from scoring.criteria import Thresholds

MAX = 500.0
LEVEL_ORDER = ("below_basic", "basic", "advance", "significance")
# one colour per category 1-7 (categories are not levels, so not the level colours)
CATEGORY_COLOURS = {1: "#1f77b4", 2: "#ff7f0e", 3: "#9467bd", 4: "#8c564b", 5: "#e377c2", 6: "#17becf",
                    7: "#7f7f7f"}
SERIES_COLOURS = ("#1f3b73", "#8a8a8a", "#c2185b", "#00897b", "#6d4c41", "#5e35b1")
TOTAL_COLOUR = "#1f3b73"
VALUE_COLOUR = "#1f5fa8"
TARGET_COLOUR = "#2e8b57"
FLOOR_COLOUR = "#d9534f"
CEILING_COLOUR = "#888888"
NEGATIVE_COLOUR = "#d9534f"
POSITIVE_COLOUR = "#2e8b57"
NO_VALUE_COLOUR = "#cccccc"


def _number(value) -> float | None:
    """A float, or None for a missing value (drawn as a gap, never as a zero)."""
    if value is None or pd.isna(value):
        return None
    return float(value)


def _numbers(values) -> list[float | None]:
    return [_number(v) for v in values]


def _level_colour(value, thresholds: Thresholds | None) -> str:
    """The colour of a score's level; grey for a missing score."""
    number = _number(value)
    if number is None:
        return NO_VALUE_COLOUR
    return LEVEL_COLOURS[level_for(number, thresholds.levels if thresholds is not None else None)]


def _category_id(value) -> int | None:
    """1-7 for a category (int, integral float or digit string), None for anything else: an item id
    such as "1.1", "total", a missing value."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float | np.floating):
        value = int(value) if math.isfinite(value) and float(value).is_integer() else None
    elif isinstance(value, str):
        value = int(value) if value.isdigit() else None
    if isinstance(value, int | np.integer) and 1 <= int(value) <= 7:
        return int(value)
    return None


def _category_label(category, lang: str) -> str:
    number = _category_id(category)
    return translate("category_short", lang, n=number) if number is not None else plain(category)


def _layout(text: str, **overrides) -> dict:
    """``base_layout`` with some of its entries (the margin, say) replaced."""
    return {**base_layout(text), **overrides}


def _no_data(fig: go.Figure, lang: str) -> go.Figure:
    fig.add_annotation(text=translate("ovc_no_data", lang), x=0.5, y=0.5, xref="paper", yref="paper",
                       showarrow=False, font={"size": 16, "color": "#666"})
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return fig


def _empty(title_key: str, lang: str, **values) -> go.Figure:
    fig = go.Figure()
    fig.update_layout(**base_layout(translate(title_key, lang, **values)))
    return _no_data(fig, lang)


# 1. The department total as a bullet -----------------------------------------------------------------------

def total_bullet(total: float, thresholds: Thresholds, lang: str = "th") -> go.Figure:
    """The department total as a thick bar over the level bands (below Basic, Basic, Advance,
    Significance); a solid marker at the PMQA award threshold; the reference ladder as thin dashed
    lines, each labelled. x runs 0-500."""
    levels = thresholds.levels
    fig = go.Figure()
    shapes, notes = [], []
    edges = [0.0, levels.basic, levels.advance, levels.significance, MAX]
    for level, x0, x1 in zip(LEVEL_ORDER, edges, edges[1:], strict=False):
        if x1 <= x0:
            continue
        shapes.append({"type": "rect", "x0": x0, "x1": x1, "y0": 0, "y1": 1, "xref": "x", "yref": "paper",
                       "layer": "below", "fillcolor": LEVEL_COLOURS[level], "opacity": 0.3, "line": {"width": 0}})
        notes.append({"x": (x0 + x1) / 2, "y": 0.02, "xref": "x", "yref": "paper", "yanchor": "bottom",
                      "showarrow": False, "text": translate(f"level_{level}", lang),
                      "font": {"size": 11, "color": "#555"}})
    value = _number(total)
    label = translate("department_total", lang)
    if value is not None:
        level = level_for(value, levels)
        fig.add_trace(go.Bar(
            x=[value], y=[label], orientation="h", width=0.35, name=label,
            marker={"color": LEVEL_COLOURS[level], "line": {"color": "#333333", "width": 1.5}},
            text=[f"{value:.1f} · {translate(f'level_{level}', lang)}"], textposition="inside",
            insidetextanchor="end", textfont={"color": "#111111"},
            hovertemplate="%{y}: %{x:.1f}<extra></extra>",
        ))
    award = thresholds.awards.pmqa_total
    shapes.append({"type": "line", "x0": award, "x1": award, "y0": 0.15, "y1": 0.85, "xref": "x", "yref": "paper",
                   "line": {"color": "#111111", "width": 4}})
    notes.append({"x": award, "y": 1.0, "xref": "x", "yref": "paper", "yanchor": "bottom", "showarrow": False,
                  "text": translate("ovc_award_line", lang, value=f"{award:g}"), "font": {"color": "#111111"}})
    for step in thresholds.ladder:
        shapes.append({"type": "line", "x0": step, "x1": step, "y0": 0, "y1": 1, "xref": "x", "yref": "paper",
                       "line": {"color": "#555555", "width": 1, "dash": "dash"}})
        notes.append({"x": step, "y": 0.98, "xref": "x", "yref": "paper", "yanchor": "top", "xanchor": "left",
                      "xshift": 2, "showarrow": False, "text": f"{step:g}",  # the caption names the ladder
                      "font": {"size": 11, "color": "#555"}})
    if value is None:
        notes.append({"text": translate("ovc_no_data", lang), "x": 0.5, "y": 0.5, "xref": "paper", "yref": "paper",
                      "showarrow": False, "font": {"size": 16, "color": "#666"}})
    fig.update_layout(**base_layout(translate("ovc_bullet_title", lang)), height=230, showlegend=False,
                      shapes=shapes, annotations=notes,
                      xaxis={"range": [0, MAX], "title": {"text": translate("ovc_score_axis", lang)},
                             "dtick": 50, "showgrid": False},
                      # one bar, named by the chart's title: no rotated title beside it
                      yaxis={"showticklabels": False, "range": [-0.5, 0.5] if value is None else None})
    return fig


# 2. Categories as a radar ---------------------------------------------------------------------------------

def category_radar(series: Mapping[str, pd.Series], thresholds: Thresholds, lang: str = "th",
                   categories: Sequence[int] = range(1, 8)) -> go.Figure:
    """One closed polygon per named series (values by category; a missing value is a gap), its markers
    coloured by level; dashed rings at the Basic threshold and the category-award threshold. One spoke per
    category assessed (1-7 unless the year assesses fewer)."""
    categories = list(categories)
    theta = [translate("category_short", lang, n=c) for c in categories]
    closed_theta = [*theta, theta[0]]
    fig = go.Figure()
    for number, (name, values) in enumerate(series.items()):
        given = pd.Series(values, dtype=float)
        by_category = {_category_id(c): v for c, v in given.items() if _category_id(c) is not None}
        r = [_number(by_category.get(c)) for c in categories]
        colour = SERIES_COLOURS[number % len(SERIES_COLOURS)]
        fig.add_trace(go.Scatterpolar(
            r=[*r, r[0]], theta=closed_theta, name=plain(name), mode="lines+markers", connectgaps=False,
            line={"color": colour, "width": 3 if number == 0 else 2},
            marker={"size": 9, "color": [_level_colour(v, thresholds) for v in [*r, r[0]]],
                    "line": {"color": colour, "width": 1.5}},
            hovertemplate="%{theta}: %{r:.1f}<extra>%{fullData.name}</extra>",
        ))
    rings = [(thresholds.levels.basic, "ovc_ring_basic", LEVEL_COLOURS["basic"]),
             (thresholds.awards.category, "ovc_ring_award", LEVEL_COLOURS["significance"])]
    seen: set[float] = set()
    for value, key, colour in rings:
        if value in seen:
            continue
        seen.add(value)
        fig.add_trace(go.Scatterpolar(
            r=[value] * len(closed_theta), theta=closed_theta, mode="lines",
            name=translate(key, lang, value=f"{value:g}"), hoverinfo="skip",
            line={"color": colour, "width": 1.5, "dash": "dash"},
        ))
    fig.update_layout(**base_layout(translate("ovc_radar_title", lang)), showlegend=True,
                      # the score axis runs between categories 1 and 2, where it crosses no marker; its
                      # scale (0-500) is in the caption
                      polar={"radialaxis": {"range": [0, MAX], "angle": 90 - 180 / len(categories),
                                            "tickangle": 90 - 180 / len(categories),
                                            "tickvals": [100, 200, 300, 400, 500], "gridcolor": "#ddd",
                                            "tickfont": {"size": 10, "color": "#777"}},
                             "angularaxis": {"direction": "clockwise", "rotation": 90, "gridcolor": "#ddd"}},
                      legend={"orientation": "h", "y": -0.1})
    return fig


# 3. Units x categories (or items) -------------------------------------------------------------------------

def _level_colorscale(thresholds: Thresholds) -> list[list]:
    """A stepped colorscale over 0-500: one flat colour per level band, boundaries at the thresholds.
    A value on a boundary takes the upper band; 500 is Significance even when its band is a point."""
    levels = thresholds.levels
    top = 1 - 1e-9
    stops = [min(levels.basic / MAX, top), min(levels.advance / MAX, top), min(levels.significance / MAX, top)]
    scale = [[0.0, LEVEL_COLOURS["below_basic"]]]
    for stop, (lower, upper) in zip(stops, pairwise(LEVEL_ORDER), strict=True):
        scale += [[stop, LEVEL_COLOURS[lower]], [stop, LEVEL_COLOURS[upper]]]
    return [*scale, [1.0, LEVEL_COLOURS["significance"]]]


def unit_heatmap(matrix: pd.DataFrame, thresholds: Thresholds, lang: str = "th",
                 unit_labels: Mapping | None = None, unit_names: Mapping | None = None) -> go.Figure:
    """Units (rows, index = unit id, labelled by ``unit_labels``: short ones, such as codes, leave the
    cells room on a phone) x categories 1-7 or item ids (columns), scores 0-500 coloured by level band with
    the score in each cell. The weakest unit (lowest row mean) is the first row and is drawn at the top;
    each cell carries its unit id in ``customdata`` for drill-down, and its hover the unit's full name
    (``unit_names``, else the label)."""
    title = translate("ovc_heatmap_title", lang)
    if matrix.empty:
        return _empty("ovc_heatmap_title", lang)
    labels = unit_labels or {}
    means = matrix.mean(axis=1, skipna=True)
    order = means.sort_values(kind="stable", na_position="last").index
    ordered = matrix.loc[order]
    y, used = [], set()
    for unit in ordered.index:
        label = plain(labels.get(unit, unit))  # a code or name is shown as typed
        if label in used:  # a categorical axis would merge two rows with one label
            label = f"{label} ({plain(unit)})"
        used.add(label)
        y.append(label)
    by_category = all(_category_id(c) is not None for c in ordered.columns)
    x = [_category_label(c, lang) for c in ordered.columns]
    z = [_numbers(row) for row in ordered.to_numpy()]
    units = [_python(u) for u in ordered.index]
    levels = thresholds.levels
    ticks = [(0.0, "below_basic"), (levels.basic, "basic"), (levels.advance, "advance"),
             (levels.significance, "significance")]
    many = len(x) > 12  # thirty item columns leave no room for numbers: colours, and the number on hover
    fig = go.Figure(go.Heatmap(
        z=z, x=x, y=y, zmin=0, zmax=MAX, colorscale=_level_colorscale(thresholds),
        texttemplate="" if many else "%{z:.0f}", textfont={"family": FONT, "size": 12}, xgap=1, ygap=1,
        hoverongaps=False, hoverinfo="skip",
        customdata=[[unit] * len(x) for unit in units],
        showscale=False,  # a colour bar's long level names took a third of the width: a legend below instead
    ))
    # Plotly cannot select a heatmap's cells: an invisible marker on each cell takes the click (Streamlit's
    # point selection), and the hover, carrying the unit's id for the drill-down
    shown_names = unit_names or {}
    names = {unit: plain(shown_names[unit]) if unit in shown_names else label
             for unit, label in zip(units, y, strict=True)}
    cells = [(column, label, unit, value) for label, unit, row in zip(y, units, z, strict=True)
             for column, value in zip(x, row, strict=True) if value is not None]
    fig.add_trace(go.Scatter(
        x=[c[0] for c in cells], y=[c[1] for c in cells], customdata=[[c[2], c[3], names[c[2]]] for c in cells],
        mode="markers", marker={"symbol": "square", "size": 24, "opacity": 0}, showlegend=False,
        selected={"marker": {"opacity": 0}}, unselected={"marker": {"opacity": 0}},
        hovertemplate="%{customdata[2]}<br>%{x}: %{customdata[1]:.1f}<extra></extra>",
    ))
    for value, level in ticks:  # the legend: one square per level band
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", hoverinfo="skip",
                                 name=f"{value:g} {translate(f'level_{level}', lang)}",
                                 marker={"symbol": "square", "size": 14, "color": LEVEL_COLOURS[level]}))
    axis_key = "category" if by_category else "ovc_item_axis"
    fig.update_layout(**_layout(title, margin={"l": 10, "r": 10, "t": 140, "b": 60},
                                title={"text": title, "yref": "container", "y": 0.99, "yanchor": "top"}),
                      height=max(320, 28 * len(y) + 200),
                      legend={"orientation": "h", "x": 0, "y": -0.02, "yanchor": "top",
                              "title": {"text": translate("level", lang) + ":"}},
                      xaxis={"title": {"text": translate(axis_key, lang)}, "side": "top", "type": "category"},
                      # the row labels are units' names: no rotated title beside them
                      yaxis={"autorange": "reversed", "type": "category", "automargin": True})
    return fig


def _python(value):
    """A NumPy scalar as its Python value, so the id survives JSON."""
    return value.item() if isinstance(value, np.generic) else value


# 4. OFI Pareto --------------------------------------------------------------------------------------------

def ofi_pareto(gaps: pd.DataFrame, lang: str = "th", top: int = 20) -> go.Figure:
    """The ``top`` gaps by points as bars, one trace per category (so the legend names categories),
    and the cumulative percentage of the shown bars over the points of every gap given, on a
    secondary 0-100% axis. Hover shows the gap's text and how many units share it."""
    if gaps.empty or float(pd.to_numeric(gaps["points"], errors="coerce").fillna(0).sum()) <= 0:
        return _empty("ovc_pareto_title", lang, n=top)
    frame = gaps.assign(points=pd.to_numeric(gaps["points"], errors="coerce").fillna(0.0))
    total = float(frame["points"].sum())
    shown = frame.sort_values("points", ascending=False, kind="stable").head(top).reset_index(drop=True)
    refs = [plain(ref) for ref in shown["ref"].astype(str)]  # the ticks and their order: a unit's own KPI id
    texts = [plain(text)  # a unit's own KPI name is shown as typed
             for text in (shown["text"].fillna("").astype(str) if "text" in shown else [""] * len(shown))]
    if "units" in shown:
        sharing = [translate("ovc_units_sharing", lang, n=int(n)) if pd.notna(n) else "" for n in shown["units"]]
    else:
        sharing = [""] * len(shown)
    fig = go.Figure()
    hover = ("<b>%{x}</b> %{customdata[0]}<br>" + translate("ovc_gap_points", lang, points="%{y:.2f}")
             + "<br>%{customdata[1]}<extra>%{fullData.name}</extra>")
    categories = [_category_id(c) for c in shown["category"]]  # None for a gap without a category 1-7
    for category in dict.fromkeys(categories):  # in order of first appearance, i.e. of the largest gap
        rows = [i for i, c in enumerate(categories) if c == category]
        fig.add_trace(go.Bar(
            x=[refs[i] for i in rows], y=[float(shown["points"].iat[i]) for i in rows],
            name=_category_label(category, lang) if category else translate("category", lang),
            marker_color=CATEGORY_COLOURS.get(category, "#999999"),
            customdata=[[texts[i], sharing[i]] for i in rows], hovertemplate=hover,
        ))
    cumulative = (shown["points"].cumsum() / total * 100).round(6).tolist()
    fig.add_trace(go.Scatter(
        x=refs, y=cumulative, yaxis="y2", mode="lines+markers", name=translate("ovc_cumulative", lang),
        line={"color": "#333333", "width": 2}, marker={"size": 6}, cliponaxis=False,
        hovertemplate="%{x}: %{y:.1f}%<extra></extra>",
    ))
    margin = {"l": 50, "r": 90, "t": 90, "b": 90}
    fig.update_layout(**_layout(translate("ovc_pareto_title", lang, n=len(shown)), margin=margin), bargap=0.2,
                      xaxis={"title": {"text": translate("ovc_gap_axis", lang)}, "type": "category",
                             "categoryorder": "array", "categoryarray": refs, "tickangle": -45},
                      yaxis={"title": {"text": translate("ovc_points_axis", lang)}, "gridcolor": "#eee",
                             "rangemode": "tozero"},
                      yaxis2={"title": {"text": translate("ovc_cumulative_axis", lang)}, "overlaying": "y",
                              "side": "right", "range": [0, 100], "tickmode": "linear", "tick0": 0, "dtick": 20,
                              "ticksuffix": "%", "showgrid": False},
                      legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0})
    return fig


# 5. Self-assessed against reviewed ------------------------------------------------------------------------

def self_vs_review(self_scores: pd.Series, review_scores: pd.Series, lang: str = "th",
                   thresholds: Thresholds | None = None) -> go.Figure:
    """Per category: self and reviewed scores as grouped bars coloured by level (self hatched), and
    below them the difference (reviewed - self) as bars, red where the review is lower, green where
    higher; the largest difference(s) outlined. Levels use ``thresholds``, else the default criteria's."""
    own = pd.Series(self_scores, dtype=float)
    reviewed = pd.Series(review_scores, dtype=float)
    if own.dropna().empty and reviewed.dropna().empty:
        return _empty("ovc_self_review_title", lang)
    index = sorted(set(own.index) | set(reviewed.index), key=lambda c: (_category_id(c) or 99, str(c)))
    own, reviewed = own.reindex(index), reviewed.reindex(index)
    difference = reviewed - own
    x = [_category_label(c, lang) for c in index]
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.68, 0.32], vertical_spacing=0.06)
    for values, key, pattern in ((own, "rv_self_total", "/"), (reviewed, "rv_review_total", "")):
        fig.add_trace(go.Bar(
            x=x, y=_numbers(values), name=translate(key, lang), offsetgroup=key,
            marker={"color": [_level_colour(v, thresholds) for v in values],
                    "pattern": {"shape": pattern, "fgcolor": "#555555", "solidity": 0.25},
                    "line": {"color": "#555555", "width": 1}},
            text=["" if pd.isna(v) else f"{v:.0f}" for v in values], textposition="outside", cliponaxis=False,
            hovertemplate="%{x}: %{y:.1f}<extra>%{fullData.name}</extra>",
        ), row=1, col=1)
    largest = difference.abs().max()
    fig.add_trace(go.Bar(
        x=x, y=_numbers(difference), name=translate("rv_difference", lang),
        marker={"color": [NO_VALUE_COLOUR if pd.isna(d) else NEGATIVE_COLOUR if d < 0 else POSITIVE_COLOUR
                          if d > 0 else CEILING_COLOUR for d in difference],
                "line": {"color": "#111111",
                         "width": [3 if pd.notna(d) and d != 0 and abs(d) == largest else 0 for d in difference]}},
        text=["" if pd.isna(d) else f"{d:+.1f}" for d in difference], textposition="outside", cliponaxis=False,
        hovertemplate="%{x}: %{y:+.1f}<extra>%{fullData.name}</extra>",
    ), row=2, col=1)
    zero = hline(0, "#555555", axis="2")
    fig.update_layout(**_layout(translate("ovc_self_review_title", lang), margin={"l": 50, "r": 40, "t": 60, "b": 120}),
                      barmode="group", height=540, shapes=[zero],
                      legend={"orientation": "h", "yref": "container", "y": 0.0, "yanchor": "bottom", "x": 0})
    fig.update_yaxes(title={"text": translate("ovc_score_axis", lang)}, range=[0, 540], gridcolor="#eee", row=1, col=1)
    spread = max(10.0, float(largest) * 1.6) if pd.notna(largest) else 10.0
    fig.update_yaxes(title={"text": translate("ovc_difference_axis", lang)}, range=[-spread, spread],
                     gridcolor="#eee", zeroline=False, row=2, col=1)
    fig.update_xaxes(title={"text": translate("category", lang)}, type="category", row=2, col=1)
    fig.update_xaxes(type="category", row=1, col=1)
    return fig


# 6. Trend across years ------------------------------------------------------------------------------------

def trend(frame: pd.DataFrame, thresholds: Thresholds, lang: str = "th") -> go.Figure:
    """The total as a thick line (markers coloured by level) and each category as a thin line, by fiscal
    year (B.E., categorical axis); gaps where a year has no value; horizontal lines at the Basic and
    Advance thresholds and the PMQA award threshold, labelled in the right margin."""
    if frame.empty:
        return _empty("ovc_trend_title", lang)
    data = frame.sort_index()
    x = [str(_python(year)) for year in data.index]
    fig = go.Figure()
    for column in data.columns:
        number = _category_id(column)
        if number is None:
            continue
        fig.add_trace(go.Scatter(
            x=x, y=_numbers(data[column]), name=translate("category_short", lang, n=number), mode="lines+markers",
            connectgaps=False, line={"color": CATEGORY_COLOURS[number], "width": 1.5}, marker={"size": 5},
            hovertemplate="%{x}: %{y:.1f}<extra>%{fullData.name}</extra>",
        ))
    if "total" in data:
        fig.add_trace(go.Scatter(
            x=x, y=_numbers(data["total"]), name=translate("total_score", lang), mode="lines+markers+text",
            connectgaps=False, line={"color": TOTAL_COLOUR, "width": 5},
            marker={"size": 12, "color": [_level_colour(v, thresholds) for v in data["total"]],
                    "line": {"color": TOTAL_COLOUR, "width": 2}},
            text=["" if pd.isna(v) else f"{v:.0f}" for v in data["total"]], textposition="top center",
            hovertemplate="%{x}: %{y:.1f}<extra>%{fullData.name}</extra>",
        ))
    lines: dict[float, list[str]] = {}
    for value, label in ((thresholds.levels.basic, translate("threshold_basic", lang)),
                         (thresholds.levels.advance, translate("threshold_advance", lang)),
                         (thresholds.awards.pmqa_total, translate("threshold_readiness", lang))):
        lines.setdefault(float(value), []).append(label)
    fig.update_layout(**_layout(translate("ovc_trend_title", lang), margin={"l": 50, "r": 200, "t": 60, "b": 60}),
                      height=460,
                      shapes=[hline(value, "#666666", "dash") for value in lines],
                      annotations=[right_label(value, f"{' · '.join(labels)} {value:g}", size=11, color="#555")
                                   for value, labels in lines.items()],
                      xaxis={"title": {"text": translate("ovc_year_axis", lang)}, "type": "category"},
                      yaxis={"title": {"text": translate("ovc_score_axis", lang)}, "range": [0, 520],
                             "gridcolor": "#eee"},
                      legend={"orientation": "h", "y": -0.18})
    return fig


# 7. Category-7 KPIs as small multiples --------------------------------------------------------------------

def _short(text: str, limit: int = 28) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _two_lines(text: str, width: int = 24) -> str:
    """A KPI's name in at most two lines of about ``width`` characters, broken between words (Thai words by
    PyThaiNLP), the words that do not fit left for an ellipsis (the whole name is in the hover). ``text`` is as
    typed: each line is made ``plain`` after the breaking, so no break cuts an entity."""
    from pythainlp.tokenize import word_tokenize

    lines = [""]
    for word in word_tokenize(text, engine="newmm", keep_whitespace=True):
        if lines[-1] and len(lines[-1]) + len(word) > width:
            if len(lines) == 2:
                return f"{plain(lines[0].strip())}<br>{plain(lines[1].strip())}…"
            lines.append("")
        lines[-1] += word.lstrip() if not lines[-1] else word
    return "<br>".join(plain(line.strip()) for line in lines)


def kpi_panels(frame: pd.DataFrame, lang: str = "th") -> go.Figure:
    """One panel per KPI (up to 2 columns, readable on a phone too): the department value by fiscal year as
    a line with markers (gaps where a year has none), the target as a dashed green line, the floor dotted red and the
    ceiling dotted grey. Panel titles are the KPI id and its short name."""
    if frame.empty:
        return _empty("ovc_kpi_title", lang)
    kpis = list(dict.fromkeys(frame["kpi"]))
    columns = min(2, len(kpis))
    rows = math.ceil(len(kpis) / columns)
    names = frame.drop_duplicates("kpi").set_index("kpi")["name"]
    full = {kpi: name if isinstance(name := names.get(kpi), str) else "" for kpi in kpis}
    titles = [f"{plain(kpi)}<br>{_two_lines(full[kpi])}" if full[kpi].strip() else plain(kpi) for kpi in kpis]
    fig = make_subplots(rows=rows, cols=columns, subplot_titles=titles, horizontal_spacing=0.05,
                        vertical_spacing=0.5 / rows if rows > 1 else 0.1)
    reference = (("target", TARGET_COLOUR, "dash", "ovc_target"), ("floor", FLOOR_COLOUR, "dot", "ovc_floor"),
                 ("ceiling", CEILING_COLOUR, "dot", "ovc_ceiling"))
    shapes, axes = [], {}
    by_kpi = dict(tuple(frame.groupby("kpi", sort=False)))
    for position, kpi in enumerate(kpis):
        axis = "" if position == 0 else str(position + 1)  # make_subplots numbers its axes row by row
        data = by_kpi[kpi].sort_values("fiscal_year")
        fig.add_trace(go.Scatter(
            x=[str(_python(y)) for y in data["fiscal_year"]], y=_numbers(data["value"]), mode="lines+markers",
            connectgaps=False, name=translate("ovc_kpi_value", lang), legendgroup="value", showlegend=position == 0,
            line={"color": VALUE_COLOUR, "width": 2}, marker={"size": 7}, xaxis=f"x{axis}", yaxis=f"y{axis}",
            # the id and name as data, never in the template itself, where a typed %{...} would be read (nor as a
            # meta: with one, Plotly reads %{...} in every title, so in the panel titles)
            customdata=[[plain(kpi), plain(full[kpi])]] * len(data),
            hovertemplate="%{customdata[0]} %{customdata[1]}<br>%{x}: %{y:.2f}<extra></extra>",
        ))
        for column, colour, dash, _ in reference:
            values = data[column].dropna() if column in data else pd.Series(dtype=float)
            if not values.empty:
                shapes.append(hline(float(values.iloc[-1]), colour, dash, 1.5, axis))
        axes[f"xaxis{axis}"] = {"type": "category", **({"title": {"text": translate("ovc_year_axis", lang)}}
                                                        if position + columns >= len(kpis) else {})}
        axes[f"yaxis{axis}"] = {"gridcolor": "#eee", **({"title": {"text": translate("ovc_kpi_value_axis", lang)}}
                                                         if position % columns == 0 else {})}
    for _, colour, dash, key in reference:  # legend entries for the reference lines, which are shapes
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="lines", name=translate(key, lang), legendgroup=key,
                                 line={"color": colour, "dash": dash, "width": 1.5}, hoverinfo="skip"))
    fig.update_layout(**_layout(translate("ovc_kpi_title", lang), margin={"l": 50, "r": 20, "t": 100, "b": 90}),
                      height=160 + 260 * rows, shapes=shapes, **axes,
                      legend={"orientation": "h", "yref": "container", "y": 0.0, "yanchor": "bottom", "x": 0})
    fig.update_annotations(font={"family": FONT, "size": 11})
    return fig


# 8. The 4.0 lens: readiness per Government 4.0 goal and success factor --------------------------------------

def lens_bars(frame: pd.DataFrame, lang: str = "th") -> go.Figure:
    """Per goal and success factor (``analysis.overview.lens``: aim, kind, name, self, review in percent):
    self-assessed (hatched) and reviewed readiness as horizontal bars from 0 to 100 %, the goals above the
    factors, each group headed by its kind. An aim without a value is left blank, never drawn as 0 %."""
    if frame.empty or frame[["self", "review"]].isna().all().all():
        return _empty("ovc_lens_title", lang)
    kinds = [k for k in ("goal", "factor") if (frame["kind"] == k).any()]
    sizes = [int((frame["kind"] == k).sum()) for k in kinds]
    fig = make_subplots(rows=len(kinds), cols=1, shared_xaxes=True, row_heights=sizes, vertical_spacing=0.12,
                        subplot_titles=[translate(f"ovc_lens_{k}s", lang) for k in kinds])
    for row, kind in enumerate(kinds, start=1):
        part = frame[frame["kind"] == kind].iloc[::-1]  # the first aim on top
        names = [_two_lines(name, 30) for name in part["name"]]
        for column, key, colour, pattern in (("self", "rv_self_total", SERIES_COLOURS[1], "/"),
                                             ("review", "rv_review_total", SERIES_COLOURS[0], "")):
            fig.add_trace(go.Bar(
                y=names, x=_numbers(part[column]), orientation="h", name=translate(key, lang), legendgroup=key,
                showlegend=row == 1, offsetgroup=key, customdata=[plain(name) for name in part["name"]],
                marker={"color": colour, "pattern": {"shape": pattern, "fillmode": "overlay", "fgcolor": "#ffffff",
                                                         "solidity": 0.3}},
                text=["" if pd.isna(v) else f"{v:.0f}%" for v in part[column]], textposition="outside",
                cliponaxis=False, hovertemplate="%{customdata}: %{x:.1f}%<extra>%{fullData.name}</extra>",
            ), row=row, col=1)
    fig.update_layout(**_layout(translate("ovc_lens_title", lang), margin={"l": 40, "r": 40, "t": 80, "b": 90}),
                      barmode="group", height=220 + 70 * len(frame),
                      legend={"orientation": "h", "yref": "container", "y": 0.0, "yanchor": "bottom", "x": 0})
    fig.update_xaxes(range=[0, 112], gridcolor="#eee", ticksuffix="%")
    fig.update_xaxes(title={"text": translate("ovc_lens_axis", lang)}, row=len(kinds), col=1)
    fig.update_yaxes(automargin=True)
    fig.update_annotations(font={"family": FONT, "size": 13})
    return fig
