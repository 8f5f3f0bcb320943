"""Formatted texts on the page: a preview of what the documents will print (``reports.markdown``'s blocks, drawn
with Streamlit's own elements), and the year's images that the texts cite.

Everything typed reaches Streamlit's Markdown only through ``ui.text.md`` (shown as typed); the bold and italic
marks around it are this module's. Images are the store's bytes, never an address; no HTML is allowed anywhere.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

import pandas as pd
import streamlit as st

from i18n.format import local_time
from reports.document import Bullets, Image, Item, Numbered, Para, Run, Table
from reports.markdown import image_reference, missing_images, to_blocks
from storage.assessment import years
from storage.engine import Store
from storage.errors import StoreError
from storage.organisation.accounts import User
from storage.record import images
from ui import session
from ui.errors import describe
from ui.i18n import current_language, t
from ui.people import person
from ui.text import md
from ui.widget_state import form_round, next_round

OUTCOME = "ft:outcome"  # the last upload's message: (kind, text)
INDENT = "    "  # a nested list item's indent in the preview's Markdown
THUMBNAIL_PX = 160


def help_text() -> None:
    """How to format a text, in an expander (the catalogue's own Markdown)."""
    with st.expander(t("ft_help_title"), icon=":material/help:"):
        st.markdown(t("ft_help"))


def runs_markdown(runs: tuple[Run, ...]) -> str:
    """Runs as Streamlit Markdown: each text shown as typed (``md``), bold and italic marks around it; white space
    at a run's edges outside its marks (``** x**`` would not be bold)."""
    out = []
    for run in runs:
        marks = ("**" if run.bold else "") + ("*" if run.italic else "")
        lead, core, trail = re.match(r"(\s*)(.*?)(\s*)\Z", run.text, re.DOTALL).groups()
        if marks and core:
            out.append(md(lead) + marks + md(core) + marks[::-1] + md(trail))
        else:
            out.append(md(run.text))
    return "".join(out)


def _item_runs(item: str | Item) -> tuple[Run, ...]:
    return item.runs if isinstance(item, Item) else (Run(item),)


def list_markdown(block: Bullets | Numbered) -> str:
    """A list as Streamlit Markdown, one level nested; an item's line breaks stay inside the item."""
    def line(marker: str, runs: tuple[Run, ...], indent: str = "") -> str:
        text = runs_markdown(runs) or md(" ")
        inner = indent + " " * (len(marker) + 1)
        return f"{indent}{marker} " + text.replace("  \n", "  \n" + inner)

    lines = []
    numbered = isinstance(block, Numbered)
    for n, item in enumerate(block.items, start=block.start if numbered else 1):
        lines.append(line(f"{n}." if numbered else "-", _item_runs(item)))
        if isinstance(item, Item):
            for m, runs in enumerate(item.sub, start=1):
                lines.append(line(f"{m}." if item.sub_numbered else "-", runs, INDENT))
    return "\n".join(lines)


def table_frame(block: Table) -> pd.DataFrame:
    """A table for ``st.table`` (whose cells are Markdown): every cell and header shown as typed; headers made
    unique (a frame's columns must be) by zero-width spaces, which show as nothing."""
    headers, seen = [], set()
    for header in block.headers:
        shown = md(header)
        while shown in seen:
            shown += "\u200b"
        seen.add(shown)
        headers.append(shown)
    return pd.DataFrame([[md(cell) for cell in row] for row in block.rows], columns=headers, dtype=object)


def preview(text: str, images: Mapping[int, bytes]) -> None:
    """The text as the documents will print it: paragraphs, lists, tables and the images it cites; an image it
    cites that is not one of ``images`` is named in a warning and shown by its caption only."""
    if missing := missing_images(text, images):
        st.warning(t("ft_missing_images", sources=md(", ".join(missing))), icon=":material/hide_image:")
    for block in to_blocks(text, images):
        if isinstance(block, Para):
            body = runs_markdown(block.runs or (Run(block.text),))
            if body:
                (st.caption if block.muted else st.markdown)(body)
        elif isinstance(block, Bullets | Numbered):
            st.markdown(list_markdown(block))
        elif isinstance(block, Table):
            st.table(table_frame(block), hide_index=True)
        elif isinstance(block, Image):
            st.image(block.png, caption=md(block.caption) if block.caption else None)


def _caption(filename: str) -> str:
    """A default caption from a file's name: its stem, punctuation as spaces."""
    return " ".join(re.sub(r"[_\-.]+", " ", Path(filename or "").stem).split())


def _uploader_key(year: int) -> str:
    return f"ft:upload:{year}:{form_round(f'ft:upload:{year}')}"


def _upload(user: User, year: int) -> None:
    """An image is stored as soon as it is chosen; then a fresh uploader. A refused one stays beside the
    message until another is chosen."""
    chosen = st.session_state.get(_uploader_key(year))
    if chosen is None:
        return
    try:
        image_id = images.upload(session.store(), user, year, chosen.name, chosen.getvalue())
    except StoreError as exc:
        st.session_state[OUTCOME] = ("error", describe(exc))
        return
    st.session_state[OUTCOME] = ("success", t("ft_uploaded", ref=md(image_reference(image_id,
                                                                                    _caption(chosen.name)))))
    next_round(f"ft:upload:{year}")


def images_panel(db: Store, user: User, year: int, editable: bool) -> None:
    """The year's images for its texts: an uploader (``editable``, the committee, an open year), and each image
    with its thumbnail and the reference to paste into a text."""
    st.markdown(f"**{t('ft_images', year=year)}**")
    st.caption(t("ft_images_help"))
    if outcome := st.session_state.pop(OUTCOME, None):
        (st.success if outcome[0] == "success" else st.error)(outcome[1], icon=":material/check_circle:"
                                                               if outcome[0] == "success" else ":material/error:")
    if editable and user.role in images.WRITERS and years.year_refusal(db, year) is None:
        st.file_uploader(t("ft_upload", limit=images.MAX_BYTES // (1024 * 1024)), type=["png", "jpg", "jpeg"],
                         key=_uploader_key(year), max_upload_size=images.MAX_BYTES // (1024 * 1024),
                         on_change=_upload, args=(user, year))
    elif editable:
        st.caption(t("ft_read_only"))
    rows = images.listing(db, year)
    if not rows:
        st.caption(t("ft_no_images"))
        return
    pictures = images.for_year(db, year)
    for row in rows:
        thumbnail, details = st.columns([1, 4], vertical_alignment="center")
        thumbnail.image(pictures[row["id"]], width=THUMBNAIL_PX)
        details.code(image_reference(row["id"], _caption(row["filename"])), language=None)
        details.caption(t("ft_image_meta", file=md(row["filename"]), width=row["width"], height=row["height"],
                          by=md(person(row["uploaded_by"])), at=local_time(row["uploaded_at"], current_language())))
