"""What every exported worksheet must have to print well (reports.sheet_layout), checked on a sheet read back
with openpyxl."""

from __future__ import annotations

from i18n import translate


def check_print_setup(sheet, orientation: str, lang: str) -> None:
    """A4 in ``orientation``, fitted to one page wide, the header row on every page, the sheet's name at the top
    and its page numbers at the bottom in ``lang``, margins of 1-2.5 cm, grid lines."""
    setup, name = sheet.page_setup, sheet.title
    assert (int(setup.paperSize), setup.orientation) == (int(sheet.PAPERSIZE_A4), orientation), name
    assert sheet.sheet_properties.pageSetUpPr.fitToPage and (setup.fitToWidth, setup.fitToHeight) == (1, 0), name
    assert sheet.print_title_rows == "$1:$1", name
    assert sheet.oddHeader.center.text == "&A", name  # Excel prints the sheet's name there
    assert sheet.oddFooter.center.text == translate("wb_page_of", lang, page="&P", pages="&N"), name
    assert sheet.oddFooter.center.font.startswith("Tahoma"), name  # a font with Thai
    margins = sheet.page_margins  # inches
    assert all(0.4 <= getattr(margins, side) <= 1.0 for side in ("left", "right", "top", "bottom")), name
    assert margins.top > margins.header and margins.bottom > margins.footer, name
    assert sheet.print_options.gridLines, name
