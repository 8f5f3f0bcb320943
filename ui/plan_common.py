"""What the improvement plans page's parts share: whether a phase is open for writing, who writes a plan, the
names of its targets, a table cell's value, the outcome of an action (shown once at the top of the next run), and
the committee's comment thread and comment box (on a plan, and on each of its progress reports)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from i18n.format import local_time
from scoring import Framework
from storage.assessment import years
from storage.engine import Store
from storage.organisation.accounts import User
from storage.plans import improvement
from ui.editor import Outcome
from ui.i18n import current_language, t
from ui.people import person
from ui.text import md
from ui.widget_state import form_round

OUTCOME = Outcome("pl:flash")
attempt, show_flash = OUTCOME.attempt, OUTCOME.show


def phase_open(db: Store, year: int, phase: str) -> bool:
    """The year is open and so is its ``phase``: what the store asks before plans or reports are written."""
    return not years.year_refusal(db, year) and years.phase_status(db, year, phase) == "open"


def is_writer(user: User, plan: dict) -> bool:
    """The committee writes any plan and its reports; a unit those of its own unit."""
    return user.role == "committee" or (user.role == "unit" and plan["unit_id"] == user.unit_id)


def target_names(framework: Framework, lang: str) -> dict:
    """(kind, ref) -> the checkpoint's or KPI's id and full text, for every target a plan may name."""
    names = {("checkpoint", cp.id): f"{cp.id} {cp.text.get(lang)}" for _, _, cp in framework.checkpoints()}
    return names | {("kpi", k.id): f"{k.id} {k.name.get(lang)}" for _, k in framework.kpis()}


def cell(value):
    """A table cell's value as the store takes it: None for a blank (None, NaN, NA, NaT)."""
    return None if value is None or (not isinstance(value, str) and pd.isna(value)) else value


def comment_thread(comments: list[dict]) -> None:
    st.markdown(f"**{t('pl_comments')}**")
    if not comments:
        st.caption(t("pl_no_comments"))
    for note in comments:
        shown = st.warning if note["kind"] == "changes" else st.info
        shown(t(f"pl_comment_{note['kind']}", author=md(person(note["author"])),
                at=local_time(note["created_at"], current_language()),
                text=md(note["text"])), icon=":material/rate_review:")


def committee_form(key: str, submitted: bool, back_label: str, accept_label: str) -> tuple[str, str | None]:
    """The committee's comment box with its three buttons: the text, and which was pressed ("comment", "back",
    "accept") if any. Sending back and accepting need a submitted plan or report. The box empties once the action
    went through (``next_round(key)``); a refused one keeps the text."""
    with st.form(key):
        text = st.text_area(t("pl_comment"), max_chars=improvement.MAX_TEXT, height=80,
                            key=f"{key}:text:{form_round(key)}")
        cols = st.columns(3)
        pressed = {"comment": cols[0].form_submit_button(t("pl_add_comment"), icon=":material/add_comment:"),
                   "back": cols[1].form_submit_button(back_label, icon=":material/undo:", disabled=not submitted),
                   "accept": cols[2].form_submit_button(accept_label, type="primary", icon=":material/task_alt:",
                                                        disabled=not submitted)}
    return text, next((name for name, hit in pressed.items() if hit), None)
