"""A KPI's results across fiscal years, small enough to sit beside its inputs."""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go

from charts.theme import FONT, hline


def kpi_sparkline(years: Sequence[int], values: Sequence[float | None], target: float | None = None,
                  floor: float | None = None) -> go.Figure:
    """Results as a line with markers (gaps where a year has no value); the target as a dashed green
    line and the floor as a dotted red one."""
    fig = go.Figure(go.Scatter(
        x=[str(y) for y in years], y=list(values), mode="lines+markers+text", connectgaps=False,
        text=["" if v is None else f"{v:g}" for v in values], textposition="top center",
        line={"color": "#1f5fa8", "width": 2}, hovertemplate="%{x}: %{y}<extra></extra>", cliponaxis=False,
    ))
    shapes = [hline(value, colour, dash) for value, colour, dash in ((target, "#2e8b57", "dash"),
                                                                     (floor, "#d9534f", "dot")) if value is not None]
    fig.update_layout(height=110, shapes=shapes, margin={"l": 10, "r": 10, "t": 22, "b": 0}, showlegend=False,
                      font={"family": FONT, "size": 11}, plot_bgcolor="white",
                      xaxis={"showgrid": False, "type": "category"}, yaxis={"visible": False})
    return fig
