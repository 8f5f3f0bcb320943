"""The ministry's workbook of a year: every department side by side, in Excel, in Thai or English.

Sheets (named in the chosen language): a note on what is compared and how (the year, score source and method,
build time, how many departments, and the rules of comparison); each department's share of the maximum per
category and in total (coloured as the chart's heatmap, its darkest blue left out so the figures stay readable);
the scores behind them; readiness per award tier, and per department and tier; the
progress of the year; the trends across years; the criteria each department uses; and what is not compared, with
the reason. The figures are those of ``analysis.ministry``; the sheets follow ``reports.workbook`` (a bold frozen
header row with filters, number formats, Tahoma, print set-up; user text made inert).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import UTC, datetime

import pandas as pd
from openpyxl import Workbook
from openpyxl.formatting.rule import ColorScaleRule
from openpyxl.styles import Alignment, Font, NamedStyle
from openpyxl.utils import get_column_letter

from analysis.ministry import TOTAL, DepartmentYear, TierReadiness, heatmap, in_order, progress, readiness, trends
from charts.ministry import SHARE_SCALE, reason_text
from i18n import translate
from i18n.format import score_text, status_label
from reports.ofi_export import FONT, _as_local_time, sheet_title
from reports.workbook import _styles, _write

SHEETS = {"note": "mn_sheet_note", "heatmap": "mn_sheet_heatmap", "scores": "mn_sheet_scores",
          "readiness": "mn_sheet_readiness", "readiness_departments": "mn_sheet_readiness_departments",
          "progress": "mn_sheet_progress", "trends": "mn_sheet_trends", "criteria": "mn_sheet_criteria",
          "left_out": "mn_sheet_left_out"}
PERCENT_FORMAT = "0.0%"


def _column(column, lang: str) -> str:
    return translate("total_score", lang) if column == TOTAL else translate("category_short", lang, n=int(column))


def _tier_readiness(tier: TierReadiness, lang: str) -> str:
    """A department's readiness for a tier in words, as the overview says it; no scores yet said so."""
    if tier.met is None:
        return translate("mn_no_scores", lang)
    if tier.met:
        return translate("award_met", lang)
    if tier.total_missing:
        return translate("award_missing", lang, points=score_text(tier.total_missing))
    return translate("award_categories_below", lang, n=len(tier.categories_below))


def _built(value, lang: str) -> str:
    if value is None or value is pd.NA:
        return translate("mn_not_recorded", lang)
    return translate("mn_built_yes" if value else "mn_built_no", lang)


def ministry_workbook(departments: Sequence[DepartmentYear], history: Sequence[DepartmentYear] = (),
                      lang: str = "th", ministry: str | None = None, now: datetime | None = None) -> bytes:
    """The workbook as .xlsx bytes: ``departments`` are the year's (one per department, ``analysis.ministry``),
    ``history`` every department's years for the trends (the year's own when empty); ``ministry`` its name."""
    t = lambda key, **v: translate(key, lang, **v)  # noqa: E731
    departments = sorted(departments, key=lambda d: in_order(d.key))
    names = {d.key: d.name.get(lang) for d in [*history, *departments]}
    short = {d.key: d.label(lang) for d in [*history, *departments]}
    book = Workbook()
    _styles(book, lang)
    book.add_named_style(NamedStyle(name="pmqa percent", font=Font(name=FONT, size=10),
                                    alignment=Alignment(vertical="top"), number_format=PERCENT_FORMAT))
    sheets = {name: book.active if i == 0 else book.create_sheet() for i, name in enumerate(SHEETS)}
    for name, sheet in sheets.items():
        sheet.title = sheet_title(t(SHEETS[name]))

    found = heatmap(departments, lang)
    comparable = found.comparability
    first = departments[0] if departments else None
    head = [t("mn_wb_key"), t("mn_department")]

    rows = [[t("mn_wb_ministry"), ministry or None],
            [t("wb_year"), comparable.year],
            [t("wb_source"), t(f"ov_source_{first.source}") if first else None],
            [t("mn_wb_method"), t(f"ov_method_{first.method}") if first else None],
            [t("wb_built_at"), _as_local_time(now or datetime.now(UTC))],
            [t("mn_wb_departments"), len(departments)],
            [t("mn_wb_compared_total"), int(comparable.compared[TOTAL].sum()) if len(comparable.compared) else 0],
            [t("mn_wb_note_share"), None],
            [t("mn_wb_note_compared", sheet=sheets["left_out"].title), None],
            [t("mn_wb_note_readiness"), None],
            [t("award_readiness_note"), None],
            [t("mn_wb_note_application"), None]]
    _write(sheets["note"], [t("wb_what"), t("wb_value")], rows, [90, 28], lang, {1: "wrap"})
    sheets["note"]["B6"].style = "pmqa time"

    columns = list(comparable.columns)
    maxima = comparable.maxima
    headers = [*head, *(t("mn_wb_column_max", column=_column(c, lang), maximum=f"{maxima[c]:g}") for c in columns)]
    widths = [14, 36, *([14] * len(columns))]
    numbers = range(3, 3 + len(columns))
    for sheet, frame, style in ((sheets["heatmap"], found.shares, "percent"),
                                (sheets["scores"], found.scores, "score")):
        _write(sheet, headers, [[key, names[key], *frame.loc[key, columns].tolist()] for key in frame.index],
               widths, lang, dict.fromkeys(numbers, style))
    if len(found.shares) and columns:  # the shares coloured as the chart colours them: the sheet reads as a heatmap
        cells = f"C2:{get_column_letter(2 + len(columns))}{1 + len(found.shares)}"
        (low, start), (middle, mid), (_, end), (high, _) = SHARE_SCALE  # Excel takes three colours: not the darkest
        sheets["heatmap"].conditional_formatting.add(cells, ColorScaleRule(
            start_type="num", start_value=low, start_color=start.lstrip("#").upper(),
            mid_type="num", mid_value=middle, mid_color=mid.lstrip("#").upper(),
            end_type="num", end_value=high, end_color=end.lstrip("#").upper()))

    ready = readiness(departments, lang)
    yes_no = {True: t("mn_yes"), False: t("mn_no")}
    listed = lambda keys: ", ".join(short[k] for k in keys) or None  # noqa: E731
    _write(sheets["readiness"], [t("mn_wb_tier"), t("mn_wb_tier_total"), t("mn_wb_tier_floor"),
                                 t("mn_wb_thresholds_differ"), t("mn_ready"), t("mn_not_ready"), t("mn_no_scores"),
                                 t("mn_without_tier"), t("mn_wb_ready_departments"), t("mn_wb_not_ready_departments")],
           [[r.name, r.total, r.category_min, yes_no[bool(r.thresholds_differ)], r.ready, r.not_ready, r.no_scores,
             r.without_tier, listed(r.ready_departments), listed(r.not_ready_departments)]
            for r in ready.by_tier.itertuples()],
           [36, 14, 14, 16, 10, 10, 10, 14, 40, 40], lang, {2: "score", 3: "score", 9: "wrap", 10: "wrap"})
    _write(sheets["readiness_departments"], [*head, t("mn_wb_tier"), t("mn_wb_tier_total"), t("mn_wb_tier_floor"),
                                             t("mn_wb_readiness"), t("mn_wb_total_missing"),
                                             t("mn_wb_categories_below")],
           [[d.key, names[d.key], tier.name.get(lang), tier.total, tier.category_min, _tier_readiness(tier, lang),
             tier.total_missing, ", ".join(map(str, tier.categories_below)) or None]
            for d in departments for tier in d.tiers],
           [14, 36, 36, 14, 14, 24, 14, 18], lang, {4: "score", 5: "score", 7: "score"})

    going = progress(departments)
    _write(sheets["progress"], [*head, t("mn_wb_units_total"), t("mn_submitted"), t("mn_reviewed"),
                                t("mn_wb_units_approved"), t("mn_wb_units_returned"), t("mn_wb_submitted_share"),
                                t("mn_wb_reviewed_share"), t("mn_record"), t("mn_application")],
           [[key, names[key], r.units_total, r.submitted, r.reviewed, r.approved, r.returned, r.submitted_share,
             r.reviewed_share, status_label(r.record_status or "not_started", lang), _built(r.application_built, lang)]
            for key, r in zip(going.index, going.itertuples(), strict=True)],
           [14, 36, 12, 12, 12, 12, 12, 12, 12, 18, 16], lang, {8: "percent", 9: "percent"})

    over_years = trends(list(history) or departments)
    _write(sheets["trends"], [*head, t("ovc_year_axis"), t("category"), t("score"), t("mn_wb_maximum"),
                              t("mn_wb_share")],
           [[r.department, names[r.department], r.year, _column(r.category, lang), r.score, r.maximum, r.share]
            for r in over_years.itertuples()],
           [14, 36, 12, 14, 12, 12, 14], lang, {5: "score", 6: "score", 7: "percent"})

    stored = {True: t("mn_wb_stored_yes"), False: t("mn_wb_stored_no")}
    _write(sheets["criteria"], [t("mn_wb_framework"), t("mn_wb_criteria_name"), t("mn_wb_sha"), t("mn_wb_stored"),
                                t("mn_wb_categories"), t("mn_wb_departments")],
           [[r.framework_id, r.name, r.sha, stored[bool(r.stored)], r.categories, listed(r.departments)]
            for r in comparable.criteria.itertuples()],
           [22, 36, 66, 24, 40, 40], lang, {5: "wrap", 6: "wrap"})

    _write(sheets["left_out"], [*head, t("category"), t("mn_wb_reason")],
           [[r.department, names[r.department], t("mn_wb_whole_department")
             if r.category is None else _column(r.category, lang),
             reason_text(r.reason, lang, r.maximum, r.compared_maximum)] for r in comparable.left_out.itertuples()],
           [14, 36, 18, 80], lang, {4: "wrap"})
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
