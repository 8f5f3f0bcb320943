"""Parts of the home page: the year's current phase with its deadline (every role), a unit's figures and
its returned form, and the PMQA owner's setup checklist for a new store."""

from __future__ import annotations

from datetime import date

import streamlit as st
from sqlite_utils import Database

from analysis.summary import UnitSummary
from i18n import translate
from i18n.format import date_label, level_label, score_text, status_label
from storage import assessments, years
from storage.setup import checklist
from ui.i18n import current_language, t
from ui.text import MISSING, md

ADMIN_PAGE = "pages/admin.py"
FORM_PAGE = "pages/self_assessment.py"


def phase_notice(db: Database, year: int, lang: str, today: date | None = None) -> tuple[str, str]:
    """('info' or 'error', text): the open phase with its deadline and the days left, an overdue one as an
    error, or a note that no phase is open."""
    phase = years.current_phase(db, year)
    if phase is None:
        return "caption", translate("home_no_phase", lang)
    name = translate(f"phase_{phase['phase']}", lang)
    if not phase["ends_on"]:
        return "info", translate("home_phase", lang, phase=name)
    days = (date.fromisoformat(phase["ends_on"]) - (today or date.today())).days
    due = date_label(phase["ends_on"], lang)
    if days < 0:
        return "error", translate("home_phase_overdue", lang, phase=name, date=due, days=-days)
    return "info", translate("home_phase_until", lang, phase=name, date=due, days=days)


def phase_banner(db: Database, year: int) -> None:
    kind, text = phase_notice(db, year, current_language())
    if kind == "caption":
        st.caption(text)
    elif kind == "error":
        st.error(text, icon=":material/alarm:")
    else:
        st.info(text, icon=":material/schedule:")


def unit_metrics(summary: UnitSummary) -> None:
    """A unit's status, self-assessed score and level, and items answered (as its form counts them); once the
    committee approved the assessment, its reviewed score and level beside them, each labelled as whose."""
    lang = current_language()
    widths = [3, 2, 3, 2]  # the status and the level are words: room for "ส่งกลับให้แก้ไข"
    cols = st.columns(widths)
    cols[0].metric(t("your_unit_status"), status_label(summary.status, lang))
    cols[1].metric(t("home_self_total"), score_text(summary.total))
    cols[2].metric(t("home_self_level"), level_label(summary.level, lang))
    cols[3].metric(t("items_answered"), t("items_answered_value", done=summary.items_answered,
                                          total=summary.items_total))
    if summary.reviewed is None:
        return
    cols = st.columns(widths)
    reviewed = summary.reviewed
    cols[1].metric(t("home_reviewed_total"), score_text(reviewed.total))
    cols[2].metric(t("home_reviewed_level"), level_label(reviewed.level, lang))
    cols[3].metric(t("rv_difference"), f"{reviewed.total - summary.total:+.1f}")
    st.caption(t("home_reviewed_note"))


def returned_banner(db: Database, unit_id: int, year: int) -> None:
    """For a unit whose form the committee sent back (or an admin re-opened): why, by when to submit again,
    and a link to the form."""
    found = assessments.get(db, unit_id, year)
    if found is None or found["status"] != "returned":
        return
    lang = current_language()
    due = next((p["ends_on"] for p in years.phases(db, year) if p["phase"] == "self_assessment"), None)
    with st.container(border=True):
        st.error(t("home_returned", reason=md(found["return_reason"] or MISSING)), icon=":material/undo:")
        if due:
            st.markdown(t("home_returned_due", date=date_label(due, lang)))
        st.caption(t("home_returned_counted"))
        st.page_link(FORM_PAGE, label=t("home_returned_go"), icon=":material/edit_note:")


def setup_checklist(db: Database) -> bool:
    """The admin's checklist while any step is not done; True when everything is set up."""
    steps = checklist(db)
    if all(step.done for step in steps):
        return True
    with st.container(border=True):
        st.subheader(t("setup_title"))
        st.caption(t("setup_intro"))
        for step in steps:
            icon = ":material/check_circle:" if step.done else ":material/radio_button_unchecked:"
            left, right = st.columns([5, 2], vertical_alignment="center")
            left.markdown(f"{icon} {'~~' if step.done else '**'}{t(f'setup_{step.id}')}{'~~' if step.done else '**'}"
                          f"  \n{t(f'setup_{step.id}_hint')}")
            if not step.done:
                right.page_link(ADMIN_PAGE, label=t("setup_go"), icon=":material/arrow_forward:",
                                query_params={"adm_tab": step.tab} if step.tab != "years" else None)
    return False
