"""Parts of the home page: the year's current phase with its deadline (every role), a unit's figures and
its returned form, the department's figures and its assessment of record, and the PMQA owner's setup checklist
for a new store."""

from __future__ import annotations

from datetime import date

import streamlit as st

from analysis.department_record import record_summary
from analysis.summary import DepartmentSummary, UnitSummary
from i18n import translate
from i18n.format import date_label, level_label, local_time, rules_text, score_text, status_label, thailand_today
from scoring import Framework
from storage.admin.setup import checklist
from storage.assessment import assessments, years
from storage.engine import Store
from storage.organisation.accounts import User
from ui.i18n import current_language, t
from ui.overview_parts import covers, readiness, readiness_help
from ui.people import person
from ui.text import MISSING, md, thai_lines

ADMIN_PAGE = "pages/admin.py"
FORM_PAGE = "pages/self_assessment.py"
RECORD_PAGE = "pages/department.py"


def phase_notice(db: Store, year: int, lang: str, today: date | None = None,
                 role: str | None = None) -> tuple[str, str]:
    """('info' or 'error', text): the open phase with its deadline and the days left, an overdue one as an
    error, or a note that no phase is open. The PMQA owner (``role`` admin) opens and closes phases, so its own
    home page tells it what to do rather than whom to ask."""
    owner = role == "admin"
    phase = years.current_phase(db, year)
    if phase is None:
        if not owner:
            return "caption", translate("home_no_phase", lang)
        closed = years.year_refusal(db, year) == "error_year_closed"  # the current year is closed: every year is
        return "caption", translate("home_year_closed_admin" if closed else "home_no_phase_admin", lang, year=year)
    name = translate(f"phase_{phase['phase']}", lang)
    if not phase["ends_on"]:
        return "info", translate("home_phase", lang, phase=name)
    days = (date.fromisoformat(phase["ends_on"]) - (today or thailand_today())).days
    due = date_label(phase["ends_on"], lang)
    if days < 0:
        return "error", translate("home_phase_overdue_admin" if owner else "home_phase_overdue", lang, phase=name,
                                  date=due, days=-days)
    return "info", translate("home_phase_until", lang, phase=name, date=due, days=days)


def phase_banner(db: Store, year: int, role: str) -> None:
    kind, text = phase_notice(db, year, current_language(), role=role)
    if kind == "caption":
        st.caption(text)
    elif kind == "error":
        st.error(text, icon=":material/alarm:")
    else:
        st.info(text, icon=":material/schedule:")


def unit_metrics(summary: UnitSummary) -> None:
    """A unit's status and items answered (as its form counts them), its self-assessed score and level; once the
    committee approved the assessment, the committee's reviewed score and level beside them, each labelled as
    whose. One row per pair, so that no level ("ต่ำกว่าระดับพื้นฐาน") or label is cut off."""
    lang = current_language()
    widths = [3, 4, 2]
    cols = st.columns(widths)
    cols[0].metric(t("your_unit_status"), thai_lines(status_label(summary.status, lang)))
    cols[1].metric(t("items_answered"), t("items_answered_value", done=summary.items_answered,
                                          total=summary.items_total))
    cols = st.columns(widths)
    cols[0].metric(t("home_self_total"), score_text(summary.total))
    cols[1].metric(t("home_self_level"), thai_lines(level_label(summary.level, lang)))
    if summary.reviewed is None:
        return
    reviewed = summary.reviewed
    cols = st.columns(widths)
    cols[0].metric(t("home_reviewed_total"), score_text(reviewed.total))
    cols[1].metric(t("home_reviewed_level"), thai_lines(level_label(reviewed.level, lang)))
    cols[2].metric(t("rv_difference"), f"{reviewed.total - summary.total:+.1f}")
    st.caption(t("home_reviewed_note"))


def department_metrics(summary: DepartmentSummary, framework: Framework) -> None:
    """The department's figures over the units' assessments (the mean by default): submissions, total and
    level, award readiness, what they cover; before any assessment counts, a note instead."""
    lang = current_language()
    cols = st.columns(3)
    # short values, as on the overview: a metric cuts a long one off ("11 จาก 20 หน่วยง…")
    cols[2].metric(t("submissions"), f"{summary.submitted}/{summary.units_total}")
    st.progress(summary.submitted / summary.units_total if summary.units_total else 0.0,
                text=t("submissions_value", done=summary.submitted, total=summary.units_total))
    if summary.total is None:
        st.info(t("no_submissions"))
        return
    cols[0].metric(t("department_total"), score_text(summary.total), help=t("home_department_total_help"))
    cols[1].metric(t("level"), thai_lines(level_label(summary.level, lang)))
    award = summary.award
    cols = st.columns(3)
    cols[0].metric(t("award_readiness"), thai_lines(readiness(award.headline)), help=readiness_help(award.headline))
    cols[1].metric(t("category_awards"), t("category_awards_value", n=int(award.category_awards["met"].sum())))
    short = [str(c) for c, v in award.categories_missing.items() if v > 0]
    if short:
        cols[2].caption(t("award_categories_short", floor=f"{framework.thresholds.awards.pmqa_category_min:g}",
                          cats=", ".join(short)))
    st.caption(covers(summary.units_counted, summary.units_total, summary.source, summary.method, summary.kept))
    st.caption(rules_text(framework.rules, lang))


def record_panel(db: Store, user: User, year: int) -> None:
    """The department's assessment of record (the one sent to OPDC), apart from the units' mean: once approved,
    its total and level with who approved it and when; a draft or a record not started, said as such."""
    found = record_summary(db, user, year)
    lang = current_language()
    with st.container(border=True):
        st.markdown(f"**{t('home_record_title', year=year)}**")
        if found is None:
            st.caption(t("home_record_none", year=year))
        elif not found.approved:
            st.info(t("home_record_draft", time=local_time(found.updated_at, lang), user=md(person(found.updated_by))),
                    icon=":material/edit_document:")
        else:
            cols = st.columns(3)
            cols[0].metric(t("home_record_total"), score_text(found.scores.total))
            cols[1].metric(t("home_record_level"), thai_lines(level_label(found.scores.level, lang)))
            st.caption(t("home_record_approved", time=local_time(found.approved_at, lang),
                         user=md(person(found.approved_by))))
        if found is not None or user.role == "committee":
            st.page_link(RECORD_PAGE, label=t("home_record_open"), icon=":material/account_balance:")


def returned_banner(db: Store, unit_id: int, year: int) -> None:
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


def setup_checklist(db: Store) -> bool:
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
