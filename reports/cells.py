"""Text that a spreadsheet would run: a cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return is a formula to Excel and LibreOffice ("CSV injection"). Exports pass user text through
``literal``, which keeps the text and makes it inert by a leading apostrophe (the spreadsheet convention for
"this is text")."""

from __future__ import annotations

import pandas as pd

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def literal(value):
    """A string a spreadsheet would run, made inert; any other value unchanged."""
    return "'" + value if isinstance(value, str) and value.startswith(TRIGGERS) else value


def literal_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with every text cell (and header) made inert; numbers stay numbers."""
    text = [c for c in frame.columns if frame[c].dtype == object or pd.api.types.is_string_dtype(frame[c])]
    out = frame.assign(**{c: frame[c].map(literal) for c in text}) if text else frame.copy()
    return out.rename(columns=literal)
