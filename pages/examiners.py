"""The committee as the award's examiners: each member scores the department's application item by item on the
award's scale, on their own; once submitted, the consensus. The PMQA owner and the director read the consensus."""

import streamlit as st

from storage.assessment import examiners, years
from ui import session
from ui.cycles import choose_cycle
from ui.examiners import consensus, key, my_scores, progress_panel
from ui.i18n import t
from ui.router import end_page, require_user
from ui.tabs import sections

user = require_user("committee", "director", "admin")
db = session.store()
year = choose_cycle(db)
framework = years.framework_of(db, year)

st.title(t("ex_title", year=year))
st.caption(t("ex_intro"))
if not examiners.scored_items(framework):
    st.info(t("ex_no_scoring"), icon=":material/info:")
    end_page()
progress_panel(db, year)
if user.role != "committee":
    consensus(db, user, year, framework, can_agree=False)
    end_page()
submitted = examiners.is_submitted(db, user.id, year)
closed = years.year_refusal(db, year) is not None
views = {"mine": t("ex_view_mine"), "consensus": t("ex_view_consensus")}
view = sections(t("ex_view"), list(views), key("view"), "view", views.get)
if view == "mine":
    if submitted:
        st.info(t("ex_you_submitted"), icon=":material/lock:")
    elif closed:
        st.info(t("rv_year_closed", year=year), icon=":material/lock:")
    my_scores(db, user, year, framework, editable=not submitted and not closed)
elif submitted:
    consensus(db, user, year, framework, can_agree=not closed)
else:
    st.info(t("ex_consensus_after_submit"), icon=":material/visibility_off:")
