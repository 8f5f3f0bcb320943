"""Category scores as bars coloured by level, with threshold lines."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from charts.theme import LEVEL_COLOURS, base_layout, hline, plain, right_label
from i18n import translate
from scoring import level_for
from scoring.criteria import Thresholds


def category_bars(categories: pd.Series, thresholds: Thresholds, lang: str = "th",
                  category_names: dict[int, str] | None = None) -> go.Figure:
    """One bar per category (1-7) coloured by its level; dashed lines at the Basic and Advance
    thresholds and at the category-award threshold."""
    names = category_names or {}
    labels = [translate("category_short", lang, n=c) for c in categories.index]
    levels = [level_for(float(s), thresholds.levels) for s in categories]
    fig = go.Figure(go.Bar(
        x=labels, y=categories.to_numpy(), marker_color=[LEVEL_COLOURS[lv] for lv in levels],
        # the score inside the bar's top: above it, it sat on the threshold lines
        text=[f"{s:.0f}" for s in categories], textposition="inside", insidetextanchor="end",
        textfont={"color": "#111111"},
        customdata=[[plain(names.get(c, "")), translate(f"level_{lv}", lang)]  # a name is shown as typed
                    for c, lv in zip(categories.index, levels, strict=True)],
        hovertemplate="%{x} %{customdata[0]}<br>%{y:.1f} · %{customdata[1]}<extra></extra>",
        name=translate("score", lang),
    ))
    lines = [(thresholds.levels.basic, "threshold_basic", "#888"),
             (thresholds.levels.advance, "threshold_advance", "#555"),
             (thresholds.awards.category, "threshold_award", "#2e8b57")]
    drawn = {}
    for value, key, colour in lines:
        drawn.setdefault(value, (key, colour))  # one line per value: the first name given it
    fig.update_layout(**base_layout(translate("score_by_category", lang)),
                      shapes=[hline(value, colour, "dash", 2) for value, (_, colour) in drawn.items()],
                      annotations=[right_label(value, f"{translate(key, lang)} {value:g}", color=colour)
                                   for value, (key, colour) in drawn.items()],
                      yaxis={"range": [0, 520], "title": translate("score", lang), "gridcolor": "#eee"},
                      xaxis={"title": translate("category", lang)}, showlegend=False)
    return fig
