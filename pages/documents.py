"""The year's documents, built by a worker on request, to download: the application report (Word and PDF) and the
site-visit presentation, the examiner rehearsal's feedback, the department's workbook, and a unit's printable
assessment."""

import streamlit as st

from jobs import attend
from ui import session
from ui.cycles import choose_cycle
from ui.documents import offer_application, offer_feedback, offer_unit_report, offer_workbook
from ui.i18n import current_language, t
from ui.router import require_user

user = require_user("committee", "director", "admin")
db = session.store()
attend(db)  # on SQLite, this process builds the documents asked for (and takes up those a stopped one left)
year = choose_cycle(db)

st.title(t("doc_title", year=year))
st.caption(t("doc_intro"))
offer_application(db, user, year, current_language())
st.divider()
offer_feedback(db, user, year, current_language())
st.divider()
offer_workbook(db, user, year, current_language())
st.divider()
offer_unit_report(db, user, year, current_language())
