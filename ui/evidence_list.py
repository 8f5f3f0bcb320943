"""Listing a unit's evidence: links, and files whose bytes are read only when someone downloads them."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import streamlit as st

from storage import evidence
from storage.accounts import User
from ui import session
from ui.i18n import t


def _content(user: User, evidence_id: int) -> bytes:
    return evidence.read(session.store(), user, evidence_id)[1]  # access is checked again at download


def evidence_list(rows: list[dict], user: User, key: Callable[..., str],
                  on_remove: Callable[[User, int], None] | None = None) -> None:
    """Each piece of evidence as a link or a download button, with a remove button when ``on_remove``."""
    for row in rows:
        name = row["filename"] + (f" · {t('ev_confidential_tag')}" if row["confidential"] else "")
        left, right = st.columns([4, 1]) if on_remove else (st, None)
        if row["kind"] == "link":
            left.markdown(f":material/link: [{name}]({row['url']})")
        else:
            left.download_button(f"{t('ev_download')}: {name}", partial(_content, user, row["id"]),
                                 file_name=row["filename"], key=key("ev_dl", row["id"]), icon=":material/download:",
                                 on_click="ignore")
        if on_remove:
            right.button(t("ev_remove"), key=key("ev_rm", row["id"]), on_click=on_remove, args=(user, row["id"]))
