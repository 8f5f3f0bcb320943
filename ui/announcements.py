"""Announcements on the home page: each one addressed to the user and not yet read, with its links and files
and a button to mark it read. And the department's SMTP settings, read from Streamlit's secrets."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial

import streamlit as st

from i18n.format import local_time
from storage.admin import announcements, mail
from storage.engine import Store
from storage.organisation.accounts import User
from ui import session
from ui.i18n import current_language, t
from ui.people import person
from ui.text import md, md_link


def smtp_settings() -> mail.SmtpSettings | None:
    """The ``[smtp]`` section of the secrets, when it is there and complete; else e-mail is not offered."""
    try:
        section = st.secrets.get("smtp")
    except Exception:  # no secrets file, or one that does not parse
        return None
    return mail.settings_from(section if isinstance(section, Mapping) else None)


def links_markdown(links: list[dict]) -> str:
    """An announcement's links as a Markdown list (``md_link``: only web addresses become links)."""
    return "\n".join(f"- {md_link(link.get('title'), link.get('url'))}" for link in links)


def _mark_read(user: User, announcement_id: int) -> None:
    announcements.mark_read(session.store(), user, announcement_id)


def _file(user: User, file_id: int) -> bytes:
    return announcements.read_file(session.store(), user, file_id)[1]  # access is checked again at download


def inbox_panel(db: Store, user: User) -> None:
    """The user's unread announcements, newest first."""
    for item in announcements.inbox(db, user):
        with st.container(border=True):
            st.markdown(f":material/campaign: **{md(item['title'])}**")
            st.caption(t("ann_from", who=md(person(item["created_by"])),
                          at=local_time(item["created_at"], current_language())))
            if item["body"]:
                st.markdown(md(item["body"]))  # md keeps line breaks
            if item["links"]:
                st.markdown(links_markdown(item["links"]))
            for file in item["files"]:
                st.download_button(t("ann_file", name=md(file["filename"])), partial(_file, user, file["id"]),
                                   file_name=file["filename"], key=f"ann:file:{file['id']}", on_click="ignore",
                                   icon=":material/attach_file:")
            st.button(t("ann_mark_read"), key=f"ann:read:{item['id']}", icon=":material/done:",
                      on_click=_mark_read, args=(user, item["id"]))
