"""Formatting numbers, years and levels for display."""

from __future__ import annotations

from ui.i18n import translate


def score_text(score: float) -> str:
    return f"{score:,.1f}"


def year_label(year: int, lang: str = "th") -> str:
    """A fiscal year, stored in B.E., as shown to users."""
    return translate("fiscal_year", lang, year=year)


def level_label(level: str, lang: str = "th") -> str:
    return translate(f"level_{level}", lang)


def status_label(status: str, lang: str = "th") -> str:
    return translate(f"status_{status}", lang)


def role_label(role: str, lang: str = "th") -> str:
    return translate(f"role_{role}", lang)
