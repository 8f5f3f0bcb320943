"""Plan progress: how the year's accepted improvement plans are going, for the director above all (every role
sees the plans it may read): actions done and overdue per category and unit, late reports, points expected
versus won, and the carry-over into next year."""

import streamlit as st

from ui import session
from ui.cycles import choose_cycle
from ui.i18n import current_language, t
from ui.progress import progress_view
from ui.router import require_user

user = require_user()
db = session.store()
year = choose_cycle(db)

st.title(t("pg_title", year=year))
progress_view(db, user, year, current_language())
