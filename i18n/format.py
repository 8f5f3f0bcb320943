"""Formatting numbers, years, dates and levels for display, in the reader's language and calendar."""

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


MONTHS_TH = ("ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.", "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.")
MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
BUDDHIST_ERA = 543  # B.E. year = C.E. year + 543

# One calendar per language: Thai shows every date in the Buddhist Era, English in the Common Era. The helpers
# below are the only place a date becomes text; ISO dates ("2026-12-06") are for the store, never for a reader.


def calendar_year(year: int, lang: str = "th") -> int:
    """A C.E. year as the language counts it: B.E. in Thai (2026 -> 2569), as it is in English."""
    return year + BUDDHIST_ERA if lang == "th" else year


def fiscal_year_of(day: date) -> int:
    """The fiscal year (B.E., as the store keeps years) a day falls in: October starts the next one."""
    return day.year + BUDDHIST_ERA + (1 if day.month >= 10 else 0)


def as_date(day) -> date | None:
    """A date from a date, a datetime (a pandas Timestamp too) or ISO text; None for none, '', NaN, NaT or NA.

    >>> as_date("2026-12-06T07:00:00+00:00"), as_date(float("nan")), as_date("")
    (datetime.date(2026, 12, 6), None, None)
    """
    try:
        if day is None or day == "" or day != day:  # NaN and NaT differ from themselves
            return None
    except TypeError:  # pandas' NA has no truth value
        return None
    if isinstance(day, datetime):
        return day.date()
    if isinstance(day, date):
        return day
    return date.fromisoformat(str(day)[:10])


def date_label(day: date | str | None, lang: str = "th") -> str:
    """A calendar date as people write it: "31 ธ.ค. 2569" in Thai (the Buddhist year), "31 Dec 2026" in
    English (the Common Era); '' for none. Takes a date, a datetime or ISO text."""
    day = as_date(day)
    if day is None:
        return ""
    months = MONTHS_TH if lang == "th" else MONTHS_EN
    return f"{day.day} {months[day.month - 1]} {calendar_year(day.year, lang)}"


def month_label(month: date | str, lang: str = "th", short: bool = False) -> str:
    """A month (a date in it, or ``YYYY-MM`` text): "ต.ค. 2569" / "Oct 2026"; ``short``: "ต.ค. 69" / "Oct 26"."""
    day = month if isinstance(month, date) else date.fromisoformat(f"{str(month)[:7]}-01")
    months = MONTHS_TH if lang == "th" else MONTHS_EN
    year = calendar_year(day.year, lang)
    return f"{months[day.month - 1]} {year % 100:02d}" if short else f"{months[day.month - 1]} {year}"


def _moment(stamp: str | datetime | None) -> datetime | None:
    """A stored UTC timestamp (ISO text, or a datetime; naive means UTC) in Thailand time."""
    if not stamp:
        return None
    moment = stamp if isinstance(stamp, datetime) else datetime.fromisoformat(str(stamp))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(THAILAND)


def local_time(stamp: str | datetime | None, lang: str = "th") -> str:
    """A stored UTC timestamp as Thailand time, to the minute, in the language's calendar: "1 ม.ค. 2570 00:30",
    "1 Jan 2027 00:30"; '' when there is none."""
    moment = _moment(stamp)
    return f"{date_label(moment.date(), lang)} {moment:%H:%M}" if moment else ""


def local_day(stamp: str | datetime | None) -> date | None:
    """The day, in Thailand, of a stored UTC timestamp (what "sent on" means to a reader there)."""
    moment = _moment(stamp)
    return moment.date() if moment else None


def thailand_today(now: datetime | None = None) -> date:
    """Today in Thailand (at ``now``, a moment with its zone; by default this one), whatever the server's clock
    zone: due days, lateness and "overdue" are Thailand's days, and a server on UTC is still on yesterday until
    07:00 there.

    >>> thailand_today(datetime(2026, 12, 6, 17, 30, tzinfo=timezone.utc))
    datetime.date(2026, 12, 7)
    """
    return (now or datetime.now(THAILAND)).astimezone(THAILAND).date()


def dates_label(days, lang: str = "th") -> str:
    """A date picker's choice as the language writes it: one day, a range ("1 ต.ค. 2569 – 5 ต.ค. 2569") or
    '' for none (a range still being picked shows its first day)."""
    days = [d for d in (days if isinstance(days, list | tuple) else [days]) if d]
    shown = [date_label(d, lang) for d in days]
    return " – ".join(dict.fromkeys(shown))


# Streamlit's date pickers (st.date_input, data editors' DateColumn) draw a Common-Era calendar only: they show
# the day first, as Thai dates are written, their help says which calendar they use, and the Thai screen shows
# the chosen date in the Buddhist Era beside them (ui.dates).
DATE_PICKER_FORMAT = "DD/MM/YYYY"

# Exported workbooks keep real dates (they sort and filter) shown in the language's calendar: Excel's locale
# code [$-7041E] is Thai (041E) with its Buddhist calendar (7), [$-409] English (United States) months.
_EXCEL_CALENDAR = {"th": "[$-7041E]", "en": "[$-409]"}


def excel_date_format(lang: str = "th", time: bool = False) -> str:
    """The Excel number format of a date (or, with ``time``, a date and time) cell: "6 ธ.ค. 2569" in a Thai
    workbook, "6 Dec 2026" in an English one."""
    return f"{_EXCEL_CALENDAR.get(lang, _EXCEL_CALENDAR['th'])}d mmm yyyy" + (" hh:mm" if time else "")


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


def evidence_label(row, lang: str = "th") -> str:
    """A piece of evidence as cited (``row``: code, filename, url, confidential): its unit's code, then its name
    (a link's title) and a link's address. A confidential one is marked so and never shows its address (it
    may carry an access token), on any page or document: a confidential link without a title (stored under
    its address) is named by the mark alone."""
    tag = f"({translate('ev_confidential_tag', lang)})"
    url = row.url if isinstance(row.url, str) and row.url else ""
    title = row.filename if isinstance(row.filename, str) and row.filename != url else ""
    if row.confidential:
        return f"{row.code} · {title} {tag}" if title else f"{row.code} · {tag}"
    return f"{row.code} · " + " — ".join(part for part in (title, url) if part)
