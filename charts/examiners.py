"""The committee's rehearsal of the award's scoring: each member's points and the agreed points per category."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from charts.theme import FONT, base_layout, plain
from i18n import translate
from scoring.examiner import AGREED

AGREED_COLOUR = "#1f5fa8"
MEMBER_COLOURS = ("#9bb7d4", "#f0ad4e", "#8e6cc0", "#5bc0de", "#d9534f", "#2e8b57", "#999999")


def scorer_names(scores: pd.DataFrame, agreed: int, items: int, lang: str = "th") -> dict[str, str]:
    """Each scorer's name to show (``scores``: scorer, name), and the agreement's, which says how many of the
    ``items`` are ``agreed`` until every one is."""
    names = dict(zip(scores["scorer"], scores["name"], strict=False))
    names[AGREED] = (translate("ex_agreed", lang) if agreed == items
                     else translate("ex_agreed_partial", lang, n=agreed, total=items))
    return names


def consensus_chart(points: pd.DataFrame, names: dict[str, str], agreed: str | None, lang: str = "th") -> go.Figure:
    """Per category (and the total on its own axis), each member's points beside the agreed points.

    ``points``: scorer, category ("1".."7", "total"), points (``scoring.examiner.points``); ``names``: scorer ->
    the name shown; ``agreed``: the scorer whose points are the committee's agreement (drawn solid, first)."""
    fig = go.Figure()
    categories = [c for c in dict.fromkeys(points["category"]) if c != "total"]
    labels = [translate("category_short", lang, n=int(c)) for c in categories]
    scorers = sorted(dict.fromkeys(points["scorer"]), key=lambda s: (s != agreed, names.get(s, s)))
    for n, scorer in enumerate(scorers):
        mine = points[points["scorer"] == scorer].set_index("category")["points"]
        name = plain(names.get(scorer, translate("ex_agreed", lang) if scorer == agreed else scorer))
        colour = AGREED_COLOUR if scorer == agreed else MEMBER_COLOURS[n % len(MEMBER_COLOURS)]
        total = float(mine.get("total", 0.0))
        fig.add_trace(go.Bar(x=labels, y=[float(mine.get(c, 0.0)) for c in categories],
                             name=f"{name} ({total:,.1f})", marker={"color": colour},
                             customdata=[[name]] * len(categories),
                             hovertemplate="%{customdata[0]}<br>%{x}: %{y:.1f}<extra></extra>"))
    fig.update_layout(**base_layout(translate("ex_chart_title", lang)), barmode="group", height=420,
                      legend={"orientation": "h", "y": -0.2}, yaxis={"title": {"text": translate("ex_points", lang)},
                                                                   "gridcolor": "#eee"})
    fig.update_layout(font={"family": FONT, "size": 14})
    return fig
