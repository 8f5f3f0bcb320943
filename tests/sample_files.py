"""Real evidence files for tests: the store accepts only files that parse as what their names say."""

from __future__ import annotations

import io
from pathlib import Path

import pypdf


def pdf_bytes(title: str = "", pages: int = 1) -> bytes:
    """A real PDF of blank A4 pages; a different ``title`` gives different bytes (and a different hash)."""
    writer = pypdf.PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    if title:
        writer.add_metadata({"/Title": title})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def edited_workbook(data: bytes, cells: dict[tuple[str, str], object]) -> bytes:
    """The .xlsx ``data`` with cells changed, as a person would in a spreadsheet: (sheet name, cell) -> value.
    Text is set as text, never a formula."""
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(data))
    for (sheet, cell), value in cells.items():
        book[sheet][cell] = value
        if isinstance(value, str) and value.startswith("="):
            book[sheet][cell].data_type = "s"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def not_a_store(path: Path) -> Path:
    """A file named like a store beside ``path`` that is not an SQLite database (what the command line must
    refuse)."""
    notes = path.with_name("notes.db")
    notes.write_text("notes, not a database", encoding="utf-8")
    return notes
