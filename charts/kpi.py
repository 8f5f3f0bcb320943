"""A KPI's results across fiscal years, small enough to sit beside its inputs."""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go

from charts.theme import FONT, hline, plain


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


COMPARISON_COLOURS = {"agency": "#8e6cc0", "national": "#e08a2c", "best": "#c0392b"}


def kpi_results_chart(years: Sequence[int], values: Sequence[float | None], target: float | None,
                      comparisons: Sequence[dict], unit: str, lang: str = "th") -> go.Figure:
    """One KPI's results for print, beside its table: the department's values by fiscal year as bars labelled
    with their value, the target as a dashed green line, and each comparison value as a dotted line named in the
    legend by its kind (whose it is: in the comparisons' table). Sized to be read at 10.6 cm wide: 22 px text on
    a 640 px figure is 10 pt."""
    from i18n import translate

    fig = go.Figure(go.Bar(
        x=[str(y) for y in years], y=[None if v is None else float(v) for v in values],
        text=["" if v is None else f"{v:,.2f}" for v in values], textposition="inside", insidetextanchor="start",
        textfont={"color": "white"}, marker={"color": "#1f5fa8"}, name=translate("ovc_kpi_value", lang),
        showlegend=False))
    shown = [float(v) for v in values if v is not None]
    shapes, legend = [], []
    lines = [(target, "#2e8b57", "dash", translate("ovc_target", lang))] if target is not None else []
    for row in comparisons:
        kind = row["kind"]
        lines.append((row["value"], COMPARISON_COLOURS.get(kind, "#555"), "dot",  # whose: in the table beside
                      translate(f"dp_cmp_{kind}", lang)))
    for value, colour, dash, name in lines:
        shapes.append(hline(float(value), colour, dash, 2.5))
        legend.append(go.Scatter(x=[None], y=[None], mode="lines", name=f"{name} ({float(value):,.2f})",
                                 line={"color": colour, "dash": dash, "width": 2.5}, hoverinfo="skip"))
        shown.append(float(value))
    fig.add_traces(legend)
    top = max(shown, default=1.0)
    fig.update_layout(
        width=640, height=400, shapes=shapes, font={"family": FONT, "size": 22}, plot_bgcolor="white",
        margin={"l": 70, "r": 20, "t": 30, "b": 40}, bargap=0.35,
        legend={"orientation": "h", "y": -0.15, "yanchor": "top", "x": 0, "font": {"size": 20}},
        xaxis={"type": "category", "showgrid": False},
        yaxis={"gridcolor": "#ddd", "rangemode": "tozero", "range": [0, top * 1.18 if top > 0 else 1],
               "title": {"text": plain(unit)}})
    return fig
