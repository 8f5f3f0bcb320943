"""What the improvement plans page's parts share: the outcome of an action, shown once at the top of the next run,
and the committee's comment thread and comment box (on a plan, and on each of its progress reports)."""

from __future__ import annotations

import streamlit as st

from i18n.format import local_time
from storage import improvement
from ui.editor import Outcome
from ui.i18n import t
from ui.text import md

OUTCOME = Outcome("pl:flash")
attempt, show_flash = OUTCOME.attempt, OUTCOME.show


def comment_thread(comments: list[dict]) -> None:
    st.markdown(f"**{t('pl_comments')}**")
    if not comments:
        st.caption(t("pl_no_comments"))
    for note in comments:
        shown = st.warning if note["kind"] == "changes" else st.info
        shown(t(f"pl_comment_{note['kind']}", author=md(note["author"]), at=local_time(note["created_at"]),
                text=md(note["text"])), icon=":material/rate_review:")


def committee_form(key: str, submitted: bool, back_label: str, accept_label: str) -> tuple[str, str | None]:
    """The committee's comment box with its three buttons: the text, and which was pressed ("comment", "back",
    "accept") if any. Sending back and accepting need a submitted plan or report."""
    with st.form(key, clear_on_submit=True):
        text = st.text_area(t("pl_comment"), max_chars=improvement.MAX_TEXT, height=80)
        cols = st.columns(3)
        pressed = {"comment": cols[0].form_submit_button(t("pl_add_comment"), icon=":material/add_comment:"),
                   "back": cols[1].form_submit_button(back_label, icon=":material/undo:", disabled=not submitted),
                   "accept": cols[2].form_submit_button(accept_label, type="primary", icon=":material/task_alt:",
                                                        disabled=not submitted)}
    return text, next((name for name, hit in pressed.items() if hit), None)
