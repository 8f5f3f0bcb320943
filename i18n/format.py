"""Formatting numbers, years and levels for display."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

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


MONTHS_TH = ("ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.", "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.")
MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def date_label(day: date | str | None, lang: str = "th") -> str:
    """A calendar date as people write it: "31 ธ.ค. 2570" (the Buddhist year, as every year in the app),
    "31 Dec 2570 B.E." in English; '' for none."""
    if not day:
        return ""
    day = date.fromisoformat(day) if isinstance(day, str) else day
    months = MONTHS_TH if lang == "th" else MONTHS_EN
    return f"{day.day} {months[day.month - 1]} {day.year + 543}" + ("" if lang == "th" else " B.E.")


def categories_label(categories) -> str:
    """Category numbers as people write them: "1-7" for a run, "1, 3, 7" otherwise."""
    numbers = sorted(categories)
    if len(numbers) > 2 and numbers == list(range(numbers[0], numbers[-1] + 1)):
        return f"{numbers[0]}–{numbers[-1]}"
    return ", ".join(map(str, numbers))


def rules_text(rules, lang: str = "th") -> str:
    """The scoring rules in force for a year, in a line: how a missing KPI value counts and which categories
    are assessed (``scoring.criteria.Rules``)."""
    return translate("rules_in_force", lang, missing=translate(f"rules_missing_{rules.missing_kpis}", lang),
                     categories=translate("rules_categories", lang, categories=categories_label(rules.categories),
                                          n=len(rules.categories)))


def readiness_text(status, lang: str = "th", short: bool = False) -> str:
    """An award tier's readiness (``scoring.TierStatus``) in a few words: ready, the total's missing points,
    or how many categories are still below the tier's floor."""
    if status.met:
        return translate("award_met", lang)
    if status.total_missing > 0:
        return translate("award_missing_short" if short else "award_missing", lang,
                         points=score_text(status.total_missing))
    return translate("award_categories_below", lang, n=int((status.categories_missing > 0).sum()))
