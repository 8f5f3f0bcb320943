"""Plotly figures as pure functions: data in, figure out, nothing read from the store or the session."""

from charts.categories import category_bars
from charts.kpi import kpi_sparkline

__all__ = ["category_bars", "kpi_sparkline"]
