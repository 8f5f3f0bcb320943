"""Plotly figures as pure functions: data in, figure out, nothing read from the store or the session."""

from charts.categories import category_bars

__all__ = ["category_bars"]
