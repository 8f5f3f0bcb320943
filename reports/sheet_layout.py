"""How an exported worksheet looks on screen and on paper: rows tall enough for their wrapped text, and the print
set-up (A4; landscape when the columns are wider than a portrait page; fitted to the page's width, as
many pages down as needed; the header row printed on every page; the sheet's name at the top and its page
numbers at the bottom; margins of about 1.5 cm; grid lines, since the cells have no borders)."""

from __future__ import annotations

import math
import unicodedata

from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins

from i18n import translate

FONT = "Tahoma"  # ships with Windows and renders Thai
# Column widths are in characters of the workbook's default font; an A4 page inside the margins below holds
# about 95 of them upright and 145 on its side.
PORTRAIT_WIDTH = 95
DEFAULT_WIDTH = 8.43  # Excel's width of a column given none
LINE_HEIGHT = 15  # points per line of 10-point Tahoma (Thai marks above and below included)
MAX_LINES = 12


def _lines(value, width: float) -> int:
    """How many lines a wrapped value takes in a column ``width`` characters wide (an estimate: Thai vowel and
    tone marks take no place of their own on the line)."""
    if not isinstance(value, str) or not value:
        return 1
    per_line = max(width - 1, 1) / 0.9  # 10-point Tahoma is a little narrower than the width unit
    return sum(max(1, math.ceil(sum(1 for ch in part if unicodedata.category(ch) != "Mn") / per_line))
               for part in value.split("\n"))


def fit_heights(sheet, widths: list[float], wrapped: tuple[int, ...] = ()) -> None:
    """Rows made tall enough for their wrapped text (Excel does not grow a row for it by itself): the header
    row, whose every cell wraps, and each other row as its ``wrapped`` columns (1-based positions) need."""
    for row in sheet.iter_rows(max_row=None if wrapped else 1):
        columns = range(1, len(widths) + 1) if row[0].row == 1 else wrapped
        lines = max((_lines(row[c - 1].value, widths[c - 1]) for c in columns if c <= len(row)), default=1)
        if lines > 1:
            sheet.row_dimensions[row[0].row].height = LINE_HEIGHT * min(lines, MAX_LINES)


def print_setup(sheet, lang: str = "th") -> None:
    """The sheet's print set-up (see the module), its header row being row 1."""
    width = sum(sheet.column_dimensions[get_column_letter(c)].width or DEFAULT_WIDTH
                for c in range(1, sheet.max_column + 1))
    setup = sheet.page_setup
    setup.paperSize = sheet.PAPERSIZE_A4
    setup.orientation = sheet.ORIENTATION_LANDSCAPE if width > PORTRAIT_WIDTH else sheet.ORIENTATION_PORTRAIT
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    setup.fitToWidth, setup.fitToHeight = 1, 0  # 0: as many pages down as the rows need
    sheet.print_title_rows = "1:1"
    sheet.print_options.gridLines = True
    sheet.page_margins = PageMargins(left=0.6, right=0.6, top=0.9, bottom=0.8, header=0.4, footer=0.4)  # inches
    for part, text in ((sheet.oddHeader.center, "&A"),  # the sheet's name
                       (sheet.oddFooter.center, translate("wb_page_of", lang, page="&P", pages="&N"))):
        part.text, part.font, part.size = text, f"{FONT},Regular", 9
