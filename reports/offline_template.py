"""A unit's self-assessment as an Excel form to fill offline (layout: ``intake.offline_form``).

An instructions sheet first; then the checkpoints (a Yes/No list per answer), the items' accounts and
"none met yet", and the KPI values (numbers within each KPI's accepted range). Only the yellow answer
cells can be edited: the sheets are protected without a password, filtering allowed, so ids and texts
are not changed by accident. Every text is written as text (one starting with "=" too) so the round
trip keeps it exactly; Tahoma renders Thai.
"""

from __future__ import annotations

import io
import math
import re
from datetime import datetime

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, NamedStyle, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from i18n import translate
from i18n.format import local_time
from intake.offline_form import COLUMNS, EDITABLE, GUIDE, META, SHEETS, headers, meta_rows, sheet_name, sheet_rows
from reports.cells import xml_text
from reports.ofi_export import FONT
from scoring import Framework
from storage.assessment.answers import MAX_NARRATIVE, Form

ANSWER_FILL = PatternFill("solid", start_color="FFF2CC")  # the cells to fill in
HEAD_FILL = PatternFill("solid", start_color="D9E1F2")
WIDTHS = {"id": 12, "item": 8, "level": 18, "text": 70, "met": 14, "name": 40, "none_met": 14,
          "basic": 50, "advance": 50, "significance": 50, "notes": 40, "kpi": 10, "unit": 14, "direction": 16,
          "target": 10, "min": 12, "max": 12, "year0": 13, "year1": 13, "year2": 13}


def _styles(book: Workbook) -> None:
    body, bold = Font(name=FONT, size=11), Font(name=FONT, size=11, bold=True)
    wrapped = Alignment(vertical="top", wrap_text=True)
    for name, font, alignment, fill, locked in (
            ("off head", bold, wrapped, HEAD_FILL, True), ("off text", body, wrapped, None, True),
            ("off answer", body, wrapped, ANSWER_FILL, False)):
        style = NamedStyle(name=name, font=font, alignment=alignment, protection=Protection(locked=locked))
        if fill is not None:
            style.fill = fill
        book.add_named_style(style)


def _put(sheet, row: int, column: int, value, style: str | None = None) -> None:
    value = xml_text(value)  # a control character an older store holds would refuse the whole file
    cell = sheet.cell(row, column, value)
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"  # text, never a formula
    if style:
        cell.style = style


def offline_template(form: Form, framework: Framework, unit: dict, lang: str, built_at: datetime) -> bytes:
    """The unit's form as an .xlsx to fill offline and import back."""
    t = lambda key, **v: translate(key, lang, **v)  # noqa: E731
    year = form.assessment["year"]
    book = Workbook()
    _styles(book)
    guide = book.active
    guide.title = sheet_name(GUIDE, lang)
    _guide(guide, form, unit, lang, built_at)
    rows = sheet_rows(form, framework, lang)
    yes, no = t("word_yes"), t("word_no")
    for sheet_key in SHEETS:
        sheet = book.create_sheet(sheet_name(sheet_key, lang))
        columns, header = COLUMNS[sheet_key], headers(sheet_key, lang, year)
        widths = [WIDTHS[c] for c in columns]
        for c, text in enumerate(header, start=1):
            _put(sheet, 1, c, text, "off head")
            sheet.column_dimensions[get_column_letter(c)].width = widths[c - 1]
        sheet.row_dimensions[1].height = _height(header, widths)
        styles = ["off answer" if c in EDITABLE[sheet_key] else "off text" for c in columns]
        for r, values in enumerate(rows[sheet_key], start=2):
            for c, value in enumerate(values, start=1):
                _put(sheet, r, c, value, styles[c - 1])
            sheet.row_dimensions[r].height = _height(values, widths)
        last = len(rows[sheet_key]) + 1
        _printable(sheet)
        sheet.freeze_panes = "B2"
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{last}"
        _validation(sheet, sheet_key, rows[sheet_key], last, yes, no, lang)
        sheet.protection.sheet = True  # no password: a person who must can lift it
        sheet.protection.autoFilter = False  # filtering stays allowed
        sheet.protection.formatColumns = sheet.protection.formatRows = False
    meta = book.create_sheet(META)
    for r, values in enumerate(meta_rows(form, framework, unit["code"], lang, built_at), start=1):
        for c, value in enumerate(values, start=1):
            _put(meta, r, c, value)
    meta.sheet_state = "veryHidden"
    book.active = 1
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


MARKS = re.compile("[\u0e31\u0e34-\u0e3a\u0e47-\u0e4e]")  # Thai vowel and tone marks: no width of their own


def _height(values: list, widths: list[int]) -> float:
    """A row tall enough for its wrapped texts (not every spreadsheet fits rows to wrapped text on opening):
    lines per cell from its visible length and its column's width."""
    lines = 1
    for value, width in zip(values, widths, strict=False):
        if isinstance(value, str):
            lines = max(lines, sum(math.ceil(max(len(MARKS.sub("", part)), 1) * 1.1 / width)
                                   for part in value.split("\n")))
    return min(409.0, 15.0 * lines)


def _printable(sheet) -> None:
    """Printed landscape on A4, as wide as the page, the header row on every page."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = "1:1"


def _validation(sheet, sheet_key: str, rows: list[list], last: int, yes: str, no: str, lang: str) -> None:
    """Lists for the yes/no answers, accepted ranges for KPI values, a length limit for accounts; each
    refusal explained in the form's language."""
    t = lambda key, **v: translate(key, lang, **v)  # noqa: E731
    if last < 2:
        return
    columns = COLUMNS[sheet_key]

    def letter(column: str) -> str:
        return get_column_letter(columns.index(column) + 1)

    if sheet_key == "checkpoints":
        rule = DataValidation(type="list", formula1=f'"{yes},{no}"', allow_blank=True, showErrorMessage=True,
                              error=t("off_dv_yes_no", yes=yes, no=no), errorTitle=t("off_dv_title"))
        rule.add(f"{letter('met')}2:{letter('met')}{last}")
        sheet.add_data_validation(rule)
    elif sheet_key == "items":
        rule = DataValidation(type="list", formula1=f'"{yes}"', allow_blank=True, showErrorMessage=True,
                              error=t("off_dv_none", yes=yes), errorTitle=t("off_dv_title"))
        rule.add(f"{letter('none_met')}2:{letter('none_met')}{last}")
        sheet.add_data_validation(rule)
        text = DataValidation(type="textLength", operator="lessThanOrEqual", formula1=str(MAX_NARRATIVE),
                              allow_blank=True, showErrorMessage=True, errorTitle=t("off_dv_title"),
                              error=t("off_dv_length", limit=MAX_NARRATIVE))
        text.add(f"{letter('basic')}2:{letter('significance')}{last}")
        sheet.add_data_validation(text)
    else:
        ranges: dict[tuple, list[int]] = {}
        for r, values in enumerate(rows, start=2):
            low, high = values[columns.index("min")], values[columns.index("max")]
            ranges.setdefault((low, high), []).append(r)
        for (low, high), numbers in ranges.items():
            rule = DataValidation(type="decimal", operator="between", formula1=repr(float(low)),
                                  formula2=repr(float(high)), allow_blank=True, showErrorMessage=True,
                                  errorTitle=t("off_dv_title"),
                                  error=t("off_dv_range", min=f"{low:g}", max=f"{high:g}"))
            for r in numbers:
                rule.add(f"{letter('year0')}{r}:{letter('year2')}{r}")
            sheet.add_data_validation(rule)


def _guide(sheet, form: Form, unit: dict, lang: str, built_at: datetime) -> None:
    t = lambda key, **v: translate(key, lang, **v)  # noqa: E731
    a = form.assessment
    name = unit["name_en" if lang == "en" else "name_th"] or unit["name_th"]
    names = {s: sheet_name(s, lang) for s in SHEETS}
    lines = [
        (t("off_guide_title", unit=name), Font(name=FONT, size=14, bold=True)),
        (t("off_guide_about", year=a["year"], code=unit["code"], version=a["version"],
           built=local_time(built_at, lang)), None),
        ("", None),
        (t("off_guide_1", sheet=names["checkpoints"], yes=t("word_yes"), no=t("word_no")), None),
        (t("off_guide_2", sheet=names["items"], limit=MAX_NARRATIVE, yes=t("word_yes")), None),
        (t("off_guide_3", sheet=names["kpis"]), None),
        (t("off_guide_4"), None),
        (t("off_guide_5"), None),
        (t("off_guide_6"), None),
        (t("off_guide_7"), None),
    ]
    sheet.column_dimensions["A"].width = 100
    body = Font(name=FONT, size=11)
    for r, (text, font) in enumerate(lines, start=1):
        cell = sheet.cell(r, 1, xml_text(text) or None)
        cell.font = font or body
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.row_dimensions[r].height = _height([text], [100]) * (1.4 if font else 1)
    _printable(sheet)
