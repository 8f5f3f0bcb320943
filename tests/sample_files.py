"""Real evidence files for tests: the store accepts only files that parse as what their names say."""

from __future__ import annotations

import io

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
