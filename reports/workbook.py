"""The department's workbook of a year: every figure the year's documents use, in Excel.

Sheets (named in the chosen language): a summary (which year, score source and build time; the department's
total, level, categories and readiness; the department's assessment of record), the units with their totals
and categories, the item scores (self, reviewed, department), every checkpoint answer, every KPI value, the
ranked gaps and the OFI register. Each sheet has a bold frozen header row with filters, number formats and
Tahoma (which renders Thai), and is set up to print (``reports.sheet_layout``); user text is made inert so no
cell runs as a formula.
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, NamedStyle
from openpyxl.utils import get_column_letter

from analysis.deliverables import YearFigures
from i18n import translate
from i18n.format import excel_date_format, level_label, readiness_text, status_label
from reports.cells import literal
from reports.ofi_export import FONT, _as_local_time, sheet_title, write_register
from reports.sheet_layout import fit_heights, print_setup
from storage.organisation import identity

SCORE_FORMAT = "0.00"
SHEETS = ("summary", "units", "items", "answers", "kpis", "gaps")  # then the OFI register


def _value(value):
    """A cell's value: None for a missing one, plain numbers, inert text."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, bool):
        return value
    if hasattr(value, "item") and not isinstance(value, str):  # a NumPy scalar
        value = value.item()
    return literal(value) if isinstance(value, str) else value


def _styles(book: Workbook, lang: str) -> None:
    """The workbook's cell styles, registered once: every cell then names one (building a font and an
    alignment per cell took most of a large workbook's time). Times show in the language's calendar."""
    body, bold = Font(name=FONT, size=10), Font(name=FONT, size=10, bold=True)
    top, wrapped = Alignment(vertical="top"), Alignment(vertical="top", wrap_text=True)
    for name, font, alignment, number_format in (("pmqa head", bold, wrapped, "General"),
                                                 ("pmqa body", body, top, "General"),
                                                 ("pmqa wrap", body, wrapped, "General"),
                                                 ("pmqa score", body, top, SCORE_FORMAT),
                                                 ("pmqa time", body, top, excel_date_format(lang, time=True)),
                                                 ("pmqa points", body, top, "0.000")):
        book.add_named_style(NamedStyle(name=name, font=font, alignment=alignment, number_format=number_format))


def _write(sheet, headers: list[str], rows: list[list], widths: list[int], lang: str,
           styles: dict[int, str] | None = None) -> None:
    """A table on ``sheet``: bold frozen header with filters, widths, a style per column position
    ("score", "wrap", "time", "points"; "body" otherwise), and its print set-up."""
    sheet.append(headers)
    for row in rows:
        sheet.append([_value(v) for v in row])
    for index, width in enumerate(widths, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = width
        style = f"pmqa {(styles or {}).get(index, 'body')}"
        for cell in sheet[letter]:
            cell.style = "pmqa head" if cell.row == 1 else style
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{len(rows) + 1}"
    fit_heights(sheet, widths, tuple(i for i, style in (styles or {}).items() if style == "wrap"))
    print_setup(sheet, lang)


def _summary(sheet, figures: YearFigures, lang: str) -> None:
    t = lambda key, **v: translate(key, lang, **v)  # noqa: E731
    rows = [[t("wb_department"), identity.text(figures.department, "name", lang) or None],
            [t("wb_year"), figures.year],
            [t("wb_source"), t(f"ov_source_{figures.source}")],
            [t("wb_built_at"), _as_local_time(figures.built_at)],
            [t("wb_units"), t("submissions_value", done=figures.units_counted, total=figures.units_total)],
            [t("department_total"), figures.total],
            [t("level"), level_label(figures.level, lang) if figures.level else None]]
    rows += [[t("wb_category_score", n=int(c)), score] for c, score in figures.categories.items()]
    if figures.award is not None:
        for status in figures.award.tiers:
            rows.append([t("wb_readiness", tier=status.tier.name.get(lang)), readiness_text(status, lang)])
    if figures.record is not None:
        rows += [[t("wb_record_total"), figures.record.total],
                 [t("wb_record_status"), status_label(figures.record_status, lang)]]
    rows.append([t("award_readiness_note"), None])
    _write(sheet, [t("wb_what"), t("wb_value")], rows, [44, 28], lang, {2: "score"})
    sheet["B5"].style, sheet["B3"].style = "pmqa time", "pmqa body"


def year_workbook(figures: YearFigures, register: pd.DataFrame, lang: str = "th",
                  names: Mapping[str, str] | None = None) -> bytes:
    """The workbook as .xlsx bytes, from the year's figures and its OFI register (``storage.plans.ofis.register``), its
    owners by the names people know them by (``names``: ``storage.organisation.accounts.people``)."""
    t = lambda key, **v: translate(key, lang, **v)  # noqa: E731
    book = Workbook()
    _styles(book, lang)
    sheets = {name: book.active if i == 0 else book.create_sheet() for i, name in enumerate(SHEETS)}
    for name, sheet in sheets.items():
        sheet.title = sheet_title(t(f"wb_sheet_{name}"))
    _summary(sheets["summary"], figures, lang)

    units = figures.units
    categories = [c for c in range(1, 8) if c in units.columns]
    _write(sheets["units"], [t("wb_code"), t("unit"), t("status"), t("total_score"),
                             *(t("wb_category_score", n=c) for c in categories)],
           [[r["code"], r["name"], status_label(r["status"], lang), r["total"], *(r[c] for c in categories)]
            for r in units.to_dict("records")],
           [10, 36, 14, 12, *([10] * len(categories))], lang, dict.fromkeys(range(4, 5 + len(categories)), "score"))

    source = t(f"ov_source_{figures.source}")
    _write(sheets["items"], [t("ov_item"), t("category"), t("ov_item_name"), t("wb_self_score"),
                             t("wb_source_score", source=source), t("wb_record_item_score")],
           figures.items[["item", "category", "name", "self", "review", "department"]].values.tolist(),
           [8, 9, 48, 18, 18, 18], lang, {4: "score", 5: "score", 6: "score"})

    met = {True: t("wb_met"), False: t("wb_not_met")}
    _write(sheets["answers"], [t("wb_code"), t("wb_checkpoint"), t("ov_item"), t("level"), t("wb_unit_answer"),
                               t("wb_reviewed_answer")],
           [[r.code, r.checkpoint, r.item, level_label(r.level, lang), met.get(r.self), met.get(r.review)]
            for r in figures.answers.itertuples()],
           [10, 12, 8, 22, 18, 18], lang)

    _write(sheets["kpis"], [t("wb_code"), t("ov_kpi"), t("ovc_year_axis"), t("wb_unit_value"), t("wb_reviewed_value")],
           figures.kpis[["code", "kpi", "fiscal_year", "self", "review"]].values.tolist(),
           [10, 10, 12, 18, 18], lang, {4: "score", 5: "score"})

    gaps = figures.gaps
    _write(sheets["gaps"], [t("ov_kind"), t("wb_gap_ref"), t("ov_item"), t("category"), t("level"), t("wb_gap_units"),
                            t("wb_gap_points"), t("wb_gap_text")],
           [[t(f"wb_kind_{r.kind}"), r.ref, r.item, r.category, level_label(r.level, lang)
             if isinstance(r.level, str) else None, r.units, r.points, r.text] for r in gaps.itertuples()]
           if not gaps.empty else [], [14, 14, 8, 9, 22, 14, 14, 60], lang, {7: "points", 8: "wrap"})

    write_register(book.create_sheet(), register, lang, names)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
