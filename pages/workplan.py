"""The year's work plan: the procedure's steps on a timeline against the year's phases; the PMQA owner edits
it, the director approves it, every role reads it."""

import streamlit as st

from i18n.format import thailand_today
from storage.assessment import years
from storage.errors import StoreError
from storage.plans import workplan
from ui import session
from ui.cycles import choose_cycle
from ui.errors import describe
from ui.i18n import t
from ui.router import end_page, require_user
from ui.workplan import approval, approval_banner, editor, show_flash, summary, table, timeline, with_overdue

user = require_user()
db = session.store()
year = choose_cycle(db)
today = thailand_today()

st.title(t("wp_title", year=year))
show_flash()
plan = workplan.get(db, user, year)
closed = years.year_refusal(db, year)
if plan is None:
    st.info(t("wp_none_yet", year=year), icon=":material/event_note:")
    if user.role == "admin" and not closed and st.button(t("wp_start"), type="primary", help=t("wp_start_help"),
                                                         icon=":material/playlist_add:", key="wp:start"):
        try:
            workplan.start(db, user, year, today)
        except StoreError as exc:
            st.error(describe(exc))
        else:
            st.rerun()
    end_page()

approval_banner(plan)
if closed:
    st.caption(t("wp_year_closed", year=year))
steps = with_overdue(plan, today)
summary(steps, today)
timeline(db, plan, steps, today)
if user.role == "admin" and not closed:
    editor(db, user, plan)
else:
    table(plan)
if user.role == "director" and not closed:
    approval(db, user, plan)
