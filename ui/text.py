"""User text shown as text: narratives, comments, reasons, notes, KPI names and units, link titles, unit,
user and file names reach Streamlit's Markdown (``st.markdown``, captions, alerts, labels) only through
``md``, so ``![x](https://any.host/)`` is not an image, ``[a](b)`` not a link, ``<b>`` not a tag,
``$x$`` not a formula and ``:red[x]`` not a colour: each shows as typed."""

from __future__ import annotations

import re
import string

MISSING = "–"  # what a table shows for a missing value (Streamlit would show "None")
_PUNCTUATION = re.compile(f"([{re.escape(string.punctuation)}])")  # CommonMark escapes any ASCII punctuation


def md(text: object) -> str:
    """``text`` for a Markdown element, shown literally: every ASCII punctuation character escaped, line
    breaks kept as line breaks."""
    escaped = _PUNCTUATION.sub(r"\\\1", "" if text is None else str(text))
    return "  \n".join(escaped.replace("\r\n", "\n").replace("\r", "\n").split("\n"))


def link_target(url: str) -> str:
    """A checked http(s) address as a Markdown link destination: in angle brackets, with the characters
    that could end it percent-encoded."""
    return "<" + url.replace("<", "%3C").replace(">", "%3E").replace(" ", "%20") + ">"
