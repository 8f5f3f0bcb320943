"""Text as every document writer puts it in a cell or a paragraph.

``xml_text``: a string without the characters XML 1.0 forbids (``storage.text.xml_safe``), which the store no
longer takes but an older store may hold: a single vertical tab pasted from Word made python-docx and
openpyxl refuse the whole export. The Word, PDF, Excel, PowerPoint and offline-form writers pass every text
through it.

``literal``: a cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is a formula to Excel
and LibreOffice ("CSV injection"). Exports pass user text through ``literal``, which keeps the text (fit for
XML, as ``xml_text``) and makes it inert by a leading apostrophe (the spreadsheet convention for "this is
text")."""

from __future__ import annotations

import pandas as pd

from storage.text import xml_safe

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def xml_text(value):
    """A string fit for a document's XML; any other value unchanged."""
    return xml_safe(value) if isinstance(value, str) else value


def literal(value):
    """A string fit for XML (``xml_text``) and made inert if a spreadsheet would run it; any other value
    unchanged."""
    value = xml_text(value)
    return "'" + value if isinstance(value, str) and value.startswith(TRIGGERS) else value


def literal_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with every text cell (and header) made inert; numbers stay numbers."""
    text = [c for c in frame.columns if frame[c].dtype == object or pd.api.types.is_string_dtype(frame[c])]
    out = frame.assign(**{c: frame[c].map(literal) for c in text}) if text else frame.copy()
    return out.rename(columns=literal)
