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


WEB_ADDRESS = re.compile(r"^https?://[^\s/?#]", re.IGNORECASE)
# what could end an angle-bracketed link destination or escape its end (a backslash before the closing
# bracket), and white space and control characters, which no address holds: percent-encoded, as UTF-8 bytes
_UNSAFE_IN_TARGET = re.compile(r"[<>\\\s\x00-\x1f\x7f-\x9f]")


def link_target(url: str) -> str:
    """An http(s) address as a Markdown link destination: in angle brackets, with every character that could
    end it (or hide what follows) percent-encoded, so ``https://x) ![t](https://tracker/img.png`` stays one
    address and never becomes an image or a second link."""
    return "<" + _UNSAFE_IN_TARGET.sub(lambda m: "".join(f"%{b:02X}" for b in m.group().encode()), url) + ">"


def md_link(title: object, url: object) -> str:
    """A link for a Markdown element: its title (the address when it has none) shown literally on one line, and
    its address as ``link_target`` makes it. Only an http(s) address becomes a link; any other shows as text."""
    address = str(url or "").strip()
    text = md(" ".join(str(title or "").split()) or address)
    return f"[{text}]({link_target(address)})" if WEB_ADDRESS.match(address) else text


WORD_BREAK = "\u200b"
_THAI = re.compile("[\u0e00-\u0e7f]")


@lru_cache(maxsize=4096)
def thai_lines(text: str) -> str:
    """Thai text that wraps between words, not inside them. Browsers break Thai by their own dictionary,
    which splits compounds ("เป้า|หมาย", "ค่า|นิยม"); PyThaiNLP's word segmentation (newmm) keeps them. Thai
    words are separated by a zero-width space (U+200B, Thai's own word separator: screen readers and
    Playwright read past it, so a checkbox's accessible name is the plain text), and the page script
    (``ui/browser.js``) joins each marked word's letters in the page, so the browser breaks lines only
    there. Other text is left as it is."""
    from pythainlp.tokenize import word_tokenize  # loads its dictionary once, on first use

    out, previous_thai = [], False
    for word in word_tokenize(text, engine="newmm", keep_whitespace=True):
        thai = bool(_THAI.search(word))
        if thai and previous_thai:
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


NO_BREAK = "\u00a0"


def kpi_field(kpi_id: str, label: str) -> str:
    """The label of one of a KPI's fields ("RM1 · ผล ปี 2570"): the fields of every KPI have the same words, so
    each is named with its KPI, on the screen and to a screen reader (Streamlit gives an input its label as its
    accessible name). In a narrow column it wraps after the KPI, not inside the field's words ("ปี | 2570")."""
    return f"{kpi_id} · {label.replace(' ', NO_BREAK)}"
