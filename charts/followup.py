"""Improvement plan progress: the plans' actions by state (done, overdue, in progress, not started) for each
category or unit, as stacked bars; and the points each plan was expected to win beside those it won."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go

from charts.theme import FONT, base_layout, plain
from charts.workplan import STATUS_COLOURS
from i18n import translate

EXPECTED_COLOUR, WON_COLOUR = "#9ecae1", "#2e8b57"


def action_bars(counts: pd.DataFrame, labels: dict, title: str, lang: str = "th") -> go.Figure:
    """``counts``: one row per group (index), one column per state (``analysis.improvement.state_counts``);
    ``labels`` names each group (as typed: a unit's name is shown as plain text)."""
    t = lambda key, **v: translate(key, lang, **v)  # noqa: E731
    names = [plain(labels.get(group, group)) for group in counts.index]
    fig = go.Figure()
    for state in counts.columns:
        fig.add_trace(go.Bar(orientation="h", y=names, x=counts[state].tolist(), name=t(f"pg_state_{state}"),
                             marker={"color": STATUS_COLOURS[state]}, text=[n or "" for n in counts[state]],
                             textposition="inside",
                             hovertemplate=f"{t('pg_chart_hover')}<extra>{t(f'pg_state_{state}')}</extra>"))
    fig.update_layout(**base_layout(title) | {"margin": {"l": 10, "r": 20, "t": 50, "b": 70}}, barmode="stack",
                      height=max(300, 170 + 40 * len(names)),
                      legend={"orientation": "h", "yanchor": "top", "y": -0.12, "x": 0, "font": {"family": FONT}})
    fig.update_xaxes(dtick=1 if counts.to_numpy().sum(axis=1).max(initial=0) <= 10
                     else None, showgrid=True, gridcolor="#eee", rangemode="tozero")
    fig.update_yaxes(autorange="reversed", automargin=True)
    return fig


def points_bars(plans: Sequence[str], expected: Sequence[float], won: Sequence[float | None],
                lang: str = "th") -> go.Figure:
    """Per plan (labels in ``plans``, as typed: a title is shown as plain text): the points expected and, where
    the next year has been scored, won."""
    t = lambda key, **v: translate(key, lang, **v)  # noqa: E731
    names = [plain(plan) for plan in plans]
    fig = go.Figure([
        go.Bar(orientation="h", y=names, x=list(expected), name=t("pg_expected"),
               marker={"color": EXPECTED_COLOUR}, text=[f"{e:.2f}" for e in expected], textposition="outside"),
        go.Bar(orientation="h", y=names, x=list(won), name=t("pg_won"),
               marker={"color": WON_COLOUR}, text=["" if w is None else f"{w:.2f}" for w in won],
               textposition="outside"),
    ])
    fig.update_layout(**base_layout("") | {"margin": {"l": 10, "r": 20, "t": 40, "b": 40}},
                      barmode="group", height=max(240, 100 + 60 * len(plans)),
                      legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0, "font": {"family": FONT}})
    top = max([*expected, *(w for w in won if w is not None), 0.0])
    fig.update_xaxes(showgrid=True, gridcolor="#eee", range=[min(0.0, *expected, *(w for w in won if w is not None)),
                                                            top * 1.15 or 1.0])
    fig.update_yaxes(autorange="reversed", automargin=True)
    return fig
