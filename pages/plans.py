"""Improvement plans: 1- and 3-year plans made from the OFI register, written by units and the committee in the
improvement-planning phase, commented on and accepted by the committee; the director and the PMQA owner read
them with the points each expects to win."""

import streamlit as st

from storage.plans import followup, improvement
from ui import session
from ui.cycles import choose_cycle
from ui.i18n import current_language, t
from ui.plan_common import phase_open, show_flash
from ui.plans import choose_plan, expected, new_plan, plan_list, plan_view, unit_names
from ui.router import require_user

user = require_user()
db = session.store()
lang = current_language()
year = choose_cycle(db)

st.title(t("pl_page_title", year=year))
show_flash()
open_phase = phase_open(db, year, "planning")
reporting = [r for r, phase in followup.ROUNDS.items() if phase_open(db, year, phase)]
if reporting:
    st.info(t("pl_reports_open", report=t(f"fu_round_{reporting[0]}")), icon=":material/event_available:")
elif not open_phase:
    st.info(t("pl_phase_closed", year=year), icon=":material/event_busy:")
names = unit_names(db, lang)
plans = improvement.listing(db, user, year)
points = expected(db, plans)
plan_list(plans, names, points, followup.rounds(db, user, year))
if open_phase and user.role in ("unit", "committee"):
    new_plan(db, user, year, names, lang)
chosen = choose_plan(plans, names)
if chosen is not None:
    st.divider()
    plan_view(db, user, chosen, points[chosen], open_phase)
