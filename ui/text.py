"""User text shown as text: narratives, comments, reasons, notes, KPI names and units, link titles, unit,
user and file names reach Streamlit's Markdown (``st.markdown``, captions, alerts, labels) only through
``md``, so ``![x](https://any.host/)`` is not an image, ``[a](b)`` not a link, ``<b>`` not a tag,
``$x$`` not a formula and ``:red[x]`` not a colour: each shows as typed."""

from __future__ import annotations

import re
import string
from functools import lru_cache

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


WORD_JOINER, WORD_BREAK = "\u2060", "\u200b"
_THAI = re.compile("[\u0e00-\u0e7f]")
_THAI_MARK = re.compile("[\u0e31\u0e34-\u0e3a\u0e47-\u0e4e]")  # vowels and tone marks written over or under


@lru_cache(maxsize=4096)
def thai_lines(text: str) -> str:
    """Thai text that wraps between words, not inside them. Browsers break Thai by their own dictionary,
    which splits compounds ("เป้า|หมาย", "ค่า|นิยม"); PyThaiNLP's word segmentation (newmm) keeps them. Each
    Thai word's letters are joined by an invisible word joiner (U+2060; never before a vowel or tone mark
    written over or under its letter), and Thai words are separated by an invisible break opportunity
    (U+200B). Other text is left as it is."""
    from pythainlp.tokenize import word_tokenize  # loads its dictionary once, on first use

    out, previous_thai = [], False
    for word in word_tokenize(text, engine="newmm", keep_whitespace=True):
        thai = bool(_THAI.search(word))
        if thai:
            word = "".join(c if i == 0 or _THAI_MARK.match(c) else WORD_JOINER + c for i, c in enumerate(word))
            if previous_thai:
                out.append(WORD_BREAK)
        out.append(word)
        previous_thai = thai
    return "".join(out)


def link_of(entry: object) -> dict[str, str]:
    """A link as people type it in one line: a title, then its address (or the address alone). The last word
    with "://" is the address (the store checks it); the other words are the title."""
    words = str(entry).split()
    url = next((w for w in reversed(words) if "://" in w), words[-1] if words else "")
    return {"title": " ".join(w for w in words if w != url), "url": url}
