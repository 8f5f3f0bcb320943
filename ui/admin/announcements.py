"""Announcements: write one (text, links, files; for everyone or chosen roles and units; optionally e-mailed
through the department's SMTP server), and see each one's readers; withdraw or e-mail one already sent.

The e-mail is a job of the documents' queue (kind ``email``, ``jobs``): the page asks for it and goes on, without
waiting for the SMTP server; each announcement shows its e-mail's state (queued, sending, how many were sent, or
why it failed), looked at again while it is under way."""

from __future__ import annotations

import pandas as pd
import streamlit as st

import jobs
from i18n.format import date_label, local_time, role_label, thailand_today
from storage.admin import announcements
from storage.admin import jobs as store_jobs
from storage.engine import Store
from storage.errors import StoreError
from storage.organisation import org
from storage.organisation.accounts import User
from storage.schema import ROLES
from ui import choices, session
from ui.admin import run
from ui.announcements import links_markdown, smtp_settings
from ui.dates import date_input
from ui.errors import describe
from ui.i18n import current_language, t
from ui.people import person
from ui.text import link_of, md

ROUND = "adm:ann_round"  # a fresh form (and uploader) after each announcement


def parse_links(text: str) -> list[dict]:
    """One link per line: a title then its address, or the address alone."""
    return [link_of(line) for line in (text or "").splitlines() if line.strip()]


POLL_S = 1.0  # how often the page looks at an e-mail being sent


def _email(db: Store, user: User, announcement_id: int) -> bool:
    """Ask the queue to e-mail an announcement to its addressees (the worker reads the SMTP settings itself); the
    request is reported on the next run, the e-mail's own outcome under the announcement."""
    def ask() -> None:
        announcements.waiting(db, user, announcement_id)  # nobody left to send to: said now, not by a job that fails
        jobs.request(db, user, "email", {"announcement_id": announcement_id}, current_language())

    return run(ask, done=t("ann_email_queued"))


def _mail_state(job: dict | None) -> None:
    if job is None:
        return
    if job["state"] == "queued":
        st.info(t("ann_email_queued"), icon=":material/schedule_send:")
    elif job["state"] == "running":
        st.info(t("ann_email_sending"), icon=":material/send:")
    elif job["state"] == "done":
        st.success(t("ann_email_sent", n=(job["result"] or {}).get("sent", 0)), icon=":material/mark_email_read:")
    elif job["refusal"]:
        st.error(describe(StoreError(job["refusal"]["key"], **job["refusal"]["params"])), icon=":material/error:")
    else:
        st.error(t("doc_job_failed", reference=job["error"] or "-"), icon=":material/error:")


def _mail_status(db: Store, user: User, announcement_id: int, lang: str) -> None:
    """The announcement's latest e-mail job: while it is under way a fragment looks at it again every ``POLL_S``
    seconds, and runs the whole page once it has ended (its count in the list, no more polling)."""
    parameters = {"announcement_id": announcement_id}
    job = store_jobs.latest(db, user, "email", parameters, lang)
    if job is None or job["state"] not in store_jobs.ACTIVE:
        _mail_state(job)
        return

    @st.fragment(run_every=POLL_S)
    def panel() -> None:
        try:
            now = store_jobs.latest(session.store(), user, "email", parameters, lang)
        except StoreError:  # the account disabled meanwhile, the store out of reach: the whole page says so
            st.rerun(scope="app")
        if now is None or now["state"] not in store_jobs.ACTIVE:
            st.rerun(scope="app")
        _mail_state(now)

    panel()


def view(db: Store, user: User) -> None:
    jobs.attend(db)  # on SQLite, this process sends the e-mail asked for (and takes up what a stopped one left)
    lang = current_language()
    settings = smtp_settings()
    round_ = st.session_state.get(ROUND, 0)
    units = org.all_units(db)
    names = {row.id: f"{row.code} · {row.name_en if lang == 'en' else row.name_th}"
             for row in units.itertuples() if row.active}
    st.subheader(t("ann_new"))
    with st.form(f"adm:ann:{round_}"):
        title = st.text_input(t("ann_title"), max_chars=announcements.MAX_TITLE)
        body = st.text_area(t("ann_body"), max_chars=announcements.MAX_BODY, height=150)
        links = st.text_area(t("ann_links"), help=t("ann_links_help"), height=80)
        files = st.file_uploader(t("ann_files", limit=announcements.MAX_FILES), accept_multiple_files=True,
                                 type=["pdf", "png", "jpg", "jpeg", "docx", "xlsx"])
        cols = st.columns(2)
        roles = choices.multiselect(t("ann_roles"), list(ROLES), container=cols[0],
                                    format_func=lambda r: role_label(r, lang), placeholder=t("ann_everyone"))
        unit_ids = choices.multiselect(t("ann_units"), list(names), container=cols[1], format_func=names.get,
                                       placeholder=t("ann_all_units"), help=t("ann_units_help"))
        cols = st.columns(2)
        until = date_input(t("ann_until"), None, min_value=thailand_today(), echo=False, container=cols[0])
        send = cols[1].checkbox(t("ann_email_too"), disabled=settings is None,
                                help=t("ann_email_help") if settings else t("ann_no_smtp"))
        if st.form_submit_button(t("ann_publish"), type="primary", icon=":material/campaign:"):
            created = {}
            if run(lambda: created.setdefault("id", announcements.publish(
                    db, user, title, body, roles, unit_ids, parse_links(links),
                    [(f.name, f.getvalue()) for f in files or []], until)), done=t("ann_published")):
                st.session_state[ROUND] = round_ + 1
                if send:
                    _email(db, user, created["id"])
            st.rerun()
    if settings is None:
        st.caption(t("ann_no_smtp"))
    _listing(db, user, settings is not None, lang)


def _listing(db: Store, user: User, can_email: bool, lang: str) -> None:
    rows = announcements.listing(db, user)
    st.subheader(t("ann_sent"))
    if not rows:
        st.caption(t("ann_none"))
        return
    for row in rows:
        state = t("ann_withdrawn") if row["withdrawn_at"] else t("ann_read_count", read=row["read"],
                                                                   n=row["addressed"])
        with st.expander(f"{row['title']} · {local_time(row['created_at'], lang)} · {state}"):
            audience = ", ".join(role_label(r, lang) for r in row["roles"]) or t("ann_everyone")
            st.caption(t("ann_audience", roles=audience, units=len(row["unit_ids"]) or t("ann_all_units"))
                       + (f" · {t('ann_until_value', day=date_label(row['expires_on'], lang))}" if row["expires_on"]
                          else "")
                       + (f" · {t('ann_emailed_at', n=row['emailed_count'], at=local_time(row['emailed_at'], lang))}"
                          if row["emailed_at"] else ""))
            if row["body"]:
                st.markdown(md(row["body"]))  # md keeps line breaks
            if row["links"]:
                st.markdown(links_markdown(row["links"]))
            people = row["readers"]
            columns = {t("ann_reader"): [person(p["username"]) for p in people],
                       t("adm_role"): [role_label(p["role"], lang) for p in people],
                       t("ann_read_at"): [local_time(p["read_at"], lang) or None for p in people]}
            if row["emailed_at"]:  # who has had it by e-mail, and who not (no address, or not sent yet)
                columns[t("ann_mailed_at")] = [local_time(p["emailed_at"], lang) or t("ann_not_mailed") for p in people]
            st.dataframe(pd.DataFrame(columns), hide_index=True, width="stretch", placeholder=t("ann_not_read"))
            if row["withdrawn_at"]:
                continue
            _mail_status(db, user, row["id"], lang)
            cols = st.columns(2)
            if can_email and cols[0].button(t("ann_email_now"), key=f"adm:ann_mail:{row['id']}",
                                            icon=":material/mail:", help=t("ann_email_now_help")):
                _email(db, user, row["id"])
                st.rerun()
            if cols[1].button(t("ann_withdraw"), key=f"adm:ann_off:{row['id']}", icon=":material/unpublished:"):
                run(lambda r=row["id"]: announcements.withdraw(db, user, r), done=t("ann_withdrawn_now"))
                st.rerun()
