"""Category scores as bars coloured by level, with threshold lines."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from charts.theme import LEVEL_COLOURS, base_layout
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
        text=[f"{s:.0f}" for s in categories], textposition="outside",
        customdata=[[names.get(c, ""), translate(f"level_{lv}", lang)] for c, lv in zip(categories.index, levels,
                                                                                        strict=True)],
        hovertemplate="%{x} %{customdata[0]}<br>%{y:.1f} · %{customdata[1]}<extra></extra>",
        name=translate("score", lang),
    ))
    lines = [(thresholds.levels.basic, "threshold_basic", "#888"),
             (thresholds.levels.advance, "threshold_advance", "#555"),
             (thresholds.awards.category, "threshold_award", "#2e8b57")]
    seen = set()
    for value, key, colour in lines:
        if value in seen:
            continue
        seen.add(value)
        fig.add_hline(y=value, line_dash="dash", line_color=colour)
        fig.add_annotation(x=1.0, xref="paper", xanchor="left", y=value, yref="y", showarrow=False,
                           text=f"{translate(key, lang)} {value:g}", font={"color": colour})
    fig.update_layout(**base_layout(translate("score_by_category", lang)),
                      yaxis={"range": [0, 520], "title": translate("score", lang), "gridcolor": "#eee"},
                      xaxis={"title": translate("category", lang)}, showlegend=False)
    return fig
