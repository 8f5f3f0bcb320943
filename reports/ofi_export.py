"""The OFI register as an Excel workbook or a CSV file, in Thai or English.

Both take the frame ``storage.plans.ofis.register`` returns and give bytes: headers, statuses, priorities
and sources in the chosen language; owners by the names people know them by (``names``:
``storage.organisation.accounts.people``); due dates as real dates and the last-update time in Thailand time (UTC+7,
as the store keeps UTC), both shown in the language's calendar (a Thai file's in the Buddhist Era, an English one's in
the Common Era; the CSV writes them as the screens do); each OFI's description as a reader in that language sees it
(``storage.plans.ofis.description``: a gap OFI's generated text in that language). The list column ``unit_ids``,
versions, gap references and the per-language description columns are left out; any other register column
missing from the frame is simply not exported. The sheet is set up to print (``reports.sheet_layout``).
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Mapping
from datetime import date, datetime

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from i18n import translate
from i18n.format import THAILAND, as_date, date_label, excel_date_format
from reports.cells import literal
from reports.sheet_layout import FONT, fit_heights, print_setup
from storage.plans.ofis import DESCRIPTIONS, REGISTER_COLUMNS, description

# Exported, in this order; each column's header is the catalogue key ofi_col_<column>, and a priority,
# status or source value is shown by the key ofi_<column>_<value>.
INTERNAL = ("unit_ids", "version", "gap_kind", "gap_ref", *DESCRIPTIONS)  # ids, versions; descriptions read as one
COLUMNS = [c for c in REGISTER_COLUMNS if c not in INTERNAL]
TRANSLATED = ("priority", "status", "source")
WIDTHS = {"id": 8, "source": 20, "item": 9, "category": 9, "units": 18, "description": 60, "priority": 12,
          "owner": 16, "due_date": 13, "status": 16, "points": 12, "overdue": 12, "carried_from": 14,
          "updated_at": 18}
POINTS_FORMAT = "0.00"


def _missing(value) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def _as_local_time(value) -> datetime | None:
    """A stored UTC timestamp as a naive Thailand-time datetime (Excel has no time zones)."""
    if _missing(value):
        return None
    stamp = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    if stamp.tzinfo is not None:
        stamp = stamp.astimezone(THAILAND).replace(tzinfo=None)
    return stamp.replace(microsecond=0)


def _cell(column: str, value, lang: str, names: Mapping[str, str]):
    """One value as exported: translated labels, people's names, dates, numbers, or None for an empty cell."""
    if column == "due_date":
        return as_date(value)
    if column == "updated_at":
        return _as_local_time(value)
    if _missing(value):
        return None
    if column in TRANSLATED:
        return translate(f"ofi_{column}_{value}", lang)
    if column == "owner":
        value = names.get(value, value)
    if column == "overdue":
        return translate("ofi_overdue_yes", lang) if bool(value) else None
    if column == "points":
        return float(value)
    if column in ("id", "category", "carried_from"):
        return int(value)
    return literal(str(value))  # user text: inert in a spreadsheet


def _table(frame: pd.DataFrame, lang: str, names: Mapping[str, str] | None) -> tuple[list[str], list[str], list[list]]:
    columns = [c for c in COLUMNS if c in frame.columns]
    headers = [translate(f"ofi_col_{c}", lang) for c in columns]
    rows = [[_cell(c, description(record, lang) if c == "description" else record[c], lang, names or {})
             for c in columns] for record in frame.to_dict("records")]
    return columns, headers, rows


def register_xlsx(frame: pd.DataFrame, lang: str = "th", names: Mapping[str, str] | None = None) -> bytes:
    """An .xlsx workbook of one sheet: bold frozen header with filters, Tahoma throughout, set up to print."""
    book = Workbook()
    write_register(book.active, frame, lang, names)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def write_register(sheet, frame: pd.DataFrame, lang: str = "th", names: Mapping[str, str] | None = None) -> None:
    """The register on ``sheet`` (an openpyxl worksheet), which takes the register's name."""
    columns, headers, rows = _table(frame, lang, names)
    sheet.title = sheet_title(translate("ofi_register_title", lang))
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    body, bold = Font(name=FONT, size=10), Font(name=FONT, size=10, bold=True)
    formats = {"due_date": excel_date_format(lang), "updated_at": excel_date_format(lang, time=True),
               "points": POINTS_FORMAT}
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = WIDTHS.get(column, 14)
        for cell in sheet[letter]:
            cell.font = body
            if cell.row == 1:
                cell.font = bold
                cell.alignment = Alignment(vertical="center", wrap_text=True)
                continue
            if column in formats:
                cell.number_format = formats[column]
            if column == "description":
                cell.alignment = Alignment(vertical="top", wrap_text=True)
            else:
                cell.alignment = Alignment(vertical="top")
    sheet.freeze_panes = "A2"
    if columns:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(rows) + 1}"
    fit_heights(sheet, [WIDTHS.get(c, 14) for c in columns],
                tuple(i for i, c in enumerate(columns, start=1) if c == "description"))
    print_setup(sheet, lang)


def sheet_title(text: str) -> str:
    """Excel sheet names: at most 31 characters, none of []:*?/\\."""
    for ch in "[]:*?/\\":
        text = text.replace(ch, " ")
    return text[:31].strip() or "OFI"


def register_csv(frame: pd.DataFrame, lang: str = "th", names: Mapping[str, str] | None = None) -> bytes:
    """UTF-8 with a byte-order mark (so Excel reads the Thai), comma-separated, dates and times written in the
    language's calendar ("6 ธ.ค. 2569", "6 Dec 2026"), points to 4 decimals."""
    _, headers, rows = _table(frame, lang, names)
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow([_csv_value(v, lang) for v in row])
    return out.getvalue().encode("utf-8-sig")


def _csv_value(value, lang: str) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):  # Thailand time already (_as_local_time)
        return f"{date_label(value, lang)} {value:%H:%M}"
    if isinstance(value, date):
        return date_label(value, lang)
    if isinstance(value, float):
        return str(round(value, 4))
    return str(value)
