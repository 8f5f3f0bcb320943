"""Listing a unit's evidence: links, and files whose bytes are read only when someone downloads them. Names
are shown cleaned (also those stored before names were cleaned on upload); a file that has gone from the
disk shows a message in place of its download button (and is logged), the rest of the page works on."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import streamlit as st

from storage.errors import StoreError
from storage.files import evidence
from storage.organisation.accounts import User
from ui import session
from ui.errors import describe
from ui.i18n import t
from ui.text import link_target, md


def _content(user: User, evidence_id: int) -> bytes:
    return evidence.read(session.store(), user, evidence_id)[1]  # access is checked again at download


def evidence_list(rows: list[dict], user: User, key: Callable[..., str],
                  on_remove: Callable[[User, int], None] | None = None) -> None:
    """Each piece of evidence as a link or a download button, with a remove button when ``on_remove``."""
    for row in rows:
        link = row["kind"] == "link"
        shown = evidence.clean_text(row["filename"]) if link else evidence.clean_filename(row["filename"])
        name = shown + (f" · {t('ev_confidential_tag')}" if row["confidential"] else "")
        left, right = st.columns([4, 1]) if on_remove else (st, None)
        if link:
            left.markdown(f":material/link: [{md(name)}]({link_target(row['url'])})")
        else:
            try:
                evidence.check_readable(session.store(), user, row["id"])
            except StoreError as exc:
                left.error(describe(exc), icon=":material/error:")
            else:
                left.download_button(f"{t('ev_download')}: {md(name)}", partial(_content, user, row["id"]),
                                     file_name=shown, key=key("ev_dl", row["id"]), icon=":material/download:",
                                     on_click="ignore")
        if on_remove:
            right.button(t("ev_remove"), key=key("ev_rm", row["id"]), on_click=on_remove, args=(user, row["id"]))
