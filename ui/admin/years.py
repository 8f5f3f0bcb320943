"""Fiscal years: open one, set its phases' dates, open and close phases, close or re-open the year."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from i18n.format import date_label, fiscal_year_of, local_time, thailand_today, year_label
from storage.assessment import criteria, years
from storage.engine import Store
from storage.organisation import org
from storage.organisation.accounts import User
from storage.schema import PHASES
from ui import choices
from ui.admin import run
from ui.dates import date_column, with_era
from ui.i18n import current_language, t
from ui.text import MISSING


def this_fiscal_year(today: date | None = None) -> int:
    """The fiscal year (B.E.) running today: it starts on 1 October."""
    return fiscal_year_of(today or thailand_today())


def view(db: Store, user: User) -> None:
    lang = current_language()
    cycles = org.cycles(db)
    if cycles:
        st.dataframe(_years_table(db, cycles, lang), hide_index=True, width="stretch", placeholder=MISSING)
    _open_form(db, user, cycles)
    if not cycles:
        return
    chosen = choices.selectbox(t("adm_year"), [c["year"] for c in cycles][::-1], key="adm:year",
                               format_func=lambda y: year_label(y, lang))
    _year_detail(db, user, chosen, lang)


def _years_table(db: Store, cycles: list[dict], lang: str) -> pd.DataFrame:
    rows = []
    for c in cycles[::-1]:
        phase = years.current_phase(db, c["year"])
        rows.append({t("adm_year"): year_label(c["year"], lang), t("status"): t(f"year_status_{c['status']}"),
                     t("adm_current_phase"): t(f"phase_{phase['phase']}") if phase else "-",
                     t("adm_deadline"): date_label((phase or {}).get("ends_on"), lang) or "-"})
    return pd.DataFrame(rows)


def _open_form(db: Store, user: User, cycles: list[dict]) -> None:
    files = criteria.accepted_files(db)
    offered = [None, *(f["sha256"] for f in files)]
    names = {f["sha256"]: f"{f['name']} ({f['sha256'][:8]})" for f in files}
    suggested = max([c["year"] for c in cycles], default=this_fiscal_year() - 1) + 1
    with st.expander(t("adm_open_year"), expanded=not cycles, icon=":material/event:"), \
            st.form("adm_open_year", border=False):
        year = st.number_input(t("adm_year_number"), min_value=years.MIN_YEAR, max_value=years.MAX_YEAR,
                               value=suggested, step=1)
        sha = choices.selectbox(t("adm_criteria_choice"), offered,
                                format_func=lambda s: names[s] if s else t("adm_criteria_default"))
        st.caption(t("adm_open_year_hint"))
        if st.form_submit_button(t("adm_open_year_button"), type="primary"):
            if run(lambda: years.open_year(db, user, int(year), criteria_sha=sha),
                   done=t("adm_year_opened", year=int(year))):
                st.session_state["adm:year"] = int(year)  # its phases and dates next, in the table below
            st.rerun()


def _year_detail(db: Store, user: User, year: int, lang: str) -> None:
    row = years.cycle(db, year)
    is_open = row["status"] == "open"
    phases = years.phases(db, year)
    st.subheader(t("adm_phases_of", year=year_label(year, lang)))
    frame = pd.DataFrame({
        "phase": [t(f"phase_{p['phase']}") for p in phases],
        "starts_on": [date.fromisoformat(p["starts_on"]) if p["starts_on"] else None for p in phases],
        "ends_on": [date.fromisoformat(p["ends_on"]) if p["ends_on"] else None for p in phases],
        "status": [t(f"phase_status_{p['status']}") for p in phases],
    })
    table, era, order = with_era(frame, {"starts_on": t("adm_starts_on"), "ends_on": t("adm_ends_on")})
    with st.form(f"adm_dates_{year}"):
        edited = st.data_editor(table, hide_index=True, width="stretch", placeholder=MISSING, column_order=order,
                                disabled=not is_open or ["phase", "status", *era],
                                key=f"adm:dates:{year}", column_config={
                                    "phase": t("adm_phase"), "status": t("status"),
                                    "starts_on": date_column(t("adm_starts_on")),
                                    "ends_on": date_column(t("adm_ends_on"))} | era)
        if st.form_submit_button(t("adm_save_dates"), disabled=not is_open):
            dates = {p["phase"]: (edited["starts_on"].iloc[i], edited["ends_on"].iloc[i])
                     for i, p in enumerate(phases)}
            run(lambda: years.set_dates(db, user, year, _plain(dates)), done=t("adm_saved"))
            st.rerun()
    if not is_open:
        st.info(t("adm_year_closed_note", when=local_time(row["closed_at"], lang) or "-"), icon=":material/lock:")
        reason = st.text_input(t("adm_reopen_reason"), key=f"adm:reopen_reason:{year}")
        if st.button(t("adm_reopen_year"), key=f"adm:reopen:{year}"):
            run(lambda: years.reopen_year(db, user, year, reason), done=t("adm_year_reopened", year=year))
            st.rerun()
        return
    st.caption(t("adm_phases_enforced"))
    reason = st.text_input(t("adm_phase_reason"), key=f"adm:phase_reason:{year}", help=t("adm_phase_reason_help"))
    for p in phases:
        left, middle, right = st.columns([3, 2, 2], vertical_alignment="center")
        left.markdown("**" + t(f"phase_{p['phase']}") + "**")
        middle.caption(t(f"phase_status_{p['status']}"))
        target = "closed" if p["status"] == "open" else "open"
        label = t("adm_close_phase") if target == "closed" else (
            t("adm_reopen_phase") if p["status"] == "closed" else t("adm_open_phase"))
        if right.button(label, key=f"adm:phase:{year}:{p['phase']}"):
            run(lambda phase=p["phase"], target=target: years.set_phase(db, user, year, phase, target, reason),
                done=t("adm_saved"))
            st.rerun()
    st.divider()
    sure = st.checkbox(t("adm_close_year_confirm", year=year), key=f"adm:close_sure:{year}")
    if st.button(t("adm_close_year"), key=f"adm:close:{year}", disabled=not sure, icon=":material/lock:"):
        run(lambda: years.close_year(db, user, year), done=t("adm_year_closed", year=year))
        st.rerun()


def _plain(dates: dict) -> dict[str, tuple]:
    """Dates from the editor (date, Timestamp or empty) as ISO text or None, per phase in order."""
    def iso(value) -> str | None:
        return None if value is None or pd.isna(value) else pd.Timestamp(value).date().isoformat()
    return {phase: (iso(a), iso(b)) for phase, (a, b) in dates.items() if phase in PHASES}
