"""Deciding on a submission: return it with reasons or approve it (committee); re-open an approved
one with a reason (admin). Each is audited by the store."""

from __future__ import annotations

import streamlit as st

from storage.assessment import assessments
from storage.assessment.answers import Form
from storage.organisation.accounts import User
from ui import session
from ui.i18n import t
from ui.review_form import EDITOR
from ui.review_form import key as key_of
from ui.text import md


def _decide(user: User, assessment_id: int, action: str, reason_key: str | None, done: str) -> None:
    reason = st.session_state.get(reason_key, "") if reason_key else ""
    EDITOR.save(lambda v: assessments.change_status(session.store(), user, assessment_id, v, action, reason), done)


def decision_panel(form: Form, user: User, below: bool = False) -> None:
    """The committee's return or approval (an admin's re-opening); drawn above the items and, ``below``, again
    under them, with keys of its own (the reason typed in one stays in that one)."""
    aid, status = form.assessment["id"], form.assessment["status"]
    key = (lambda kind, *parts: key_of(kind, *parts, "below")) if below else key_of
    if status == "returned" and form.assessment.get("return_reason") and not below:
        st.warning(t("rv_returned_reason", reason=md(form.assessment["return_reason"])), icon=":material/undo:")
    if user.role == "committee" and status == "submitted":
        back, approve = st.columns(2)
        with back.container(border=True):
            st.text_area(t("rv_return_reason"), key=key("reason", aid), max_chars=assessments.MAX_REASON)
            st.button(t("rv_return"), key=key("return", aid), icon=":material/undo:", on_click=_decide,
                      args=(user, aid, "return", key("reason", aid), t("rv_returned")))
        with approve.container(border=True):
            agreed = st.checkbox(t("rv_approve_confirm"), key=key("approve_ok", aid))
            st.button(t("rv_approve"), key=key("approve", aid), type="primary", disabled=not agreed,
                      icon=":material/verified:", on_click=_decide,
                      args=(user, aid, "approve", None, t("rv_approved")))
    elif user.role == "admin" and status == "approved":
        with st.container(border=True):
            st.text_area(t("rv_reopen_reason"), key=key("reopen_reason", aid), max_chars=assessments.MAX_REASON)
            st.button(t("rv_reopen"), key=key("reopen", aid), icon=":material/lock_open:", on_click=_decide,
                      args=(user, aid, "reopen", key("reopen_reason", aid), t("rv_reopened")))
    elif status == "approved" and not below:
        st.success(t("rv_locked"), icon=":material/lock:")
