"""Draws the demo department's organisation chart (data/demo-orgchart.png), which the demo's profile shows.

Run once when the demo's units change: ``python scripts/demo_orgchart.py``. Drawn by Plotly through Kaleido in
the system Chromium, so that Thai is shaped as a browser shapes it."""

from __future__ import annotations

import sys
from pathlib import Path

import plotly.graph_objects as go

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from charts.theme import FONT
from reports.application import chart_png
from storage.admin.demo import IDENTITY, UNITS

OUT = Path(__file__).resolve().parent.parent / "data" / "demo-orgchart.png"


def _box(fig: go.Figure, x: float, y: float, w: float, h: float, text: str, fill: str, size: int) -> None:
    fig.add_shape(type="rect", x0=x - w / 2, x1=x + w / 2, y0=y - h / 2, y1=y + h / 2, fillcolor=fill,
                  line={"color": "#1f3b5a", "width": 1.5})
    fig.add_annotation(x=x, y=y, text=text, showarrow=False, font={"size": size, "family": FONT})


def _line(fig: go.Figure, x0: float, y0: float, x1: float, y1: float) -> None:
    fig.add_shape(type="line", x0=x0, y0=y0, x1=x1, y1=y1, line={"color": "#1f3b5a", "width": 1.5})


def orgchart() -> go.Figure:
    fig = go.Figure()
    central = [u for u in UNITS if u[3] == "central"]
    regional = [u for u in UNITS if u[3] == "regional"]
    _box(fig, 50, 92, 44, 9, f"<b>{IDENTITY['head_title_th']}</b>", "#dbe8f5", 20)
    _box(fig, 25, 74, 34, 8, "<b>ส่วนกลาง</b> (8 หน่วยงาน)", "#eef4fa", 19)
    _box(fig, 75, 74, 34, 8, "<b>ส่วนภูมิภาค</b> (12 ศูนย์อนามัย)", "#eef4fa", 19)
    _line(fig, 50, 87.5, 50, 82)
    _line(fig, 25, 82, 75, 82)
    for x in (25, 75):
        _line(fig, x, 82, x, 78)
    for column, units in ((25, central), (75, regional)):
        per = (66 - 4) / len(units)
        for n, (_, name, *_rest) in enumerate(units):
            y = 66 - per * n - per / 2
            _box(fig, column + 3, y, 38, per * 0.8, name, "white", 15)
            _line(fig, column - 18, y, column - 16, y)
        _line(fig, column - 18, 70, column - 18, 66 - per * (len(units) - 0.5))
    fig.update_layout(width=1000, height=900, margin={"l": 10, "r": 10, "t": 10, "b": 10}, plot_bgcolor="white",
                      xaxis={"visible": False, "range": [0, 100]}, yaxis={"visible": False, "range": [0, 100]})
    return fig


if __name__ == "__main__":
    png = chart_png(orgchart(), width=1000, height=900)
    if png is None:
        sys.exit("the chart could not be drawn (is Chromium installed?)")
    OUT.write_bytes(png)
    print(f"wrote {OUT} ({len(png):,} bytes)")
