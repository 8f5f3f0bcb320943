"""The year's documents to download: the department's workbook (more documents join it here)."""

import streamlit as st

from analysis.summary import DEFAULT_SOURCE
from storage.assessments import SOURCES
from ui import choices, session
from ui.cycles import choose_cycle
from ui.documents import offer_workbook
from ui.i18n import current_language, t
from ui.router import require_user

user = require_user("committee", "director", "admin")
db = session.store()
year = choose_cycle(db)

st.title(t("doc_title", year=year))
st.caption(t("doc_intro"))
source = choices.one("radio", t("ov_source"), SOURCES, "doc:source", lambda s: t(f"ov_source_{s}"),
                     default=DEFAULT_SOURCE, horizontal=True)
offer_workbook(db, user, year, source, current_language())
