"""Formatting numbers, years and levels for display."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from i18n import translate

THAILAND = timezone(timedelta(hours=7), "ICT")  # no daylight saving


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


def local_time(stamp: str | None) -> str:
    """A stored UTC timestamp (ISO text) as Thailand time, to the minute; '' when there is none."""
    if not stamp:
        return ""
    moment = datetime.fromisoformat(stamp)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(THAILAND).strftime("%Y-%m-%d %H:%M")
