"""Choosing the assessment cycle (fiscal year, B.E.): one choice shared by every page."""

from __future__ import annotations

import streamlit as st
from sqlite_utils import Database

from i18n.format import year_label
from storage import org
from ui.i18n import current_language, t

CHOSEN = "cycle"


def choose_cycle(db: Database) -> int:
    """The cycle picked in the sidebar (the current cycle at first); stops the page when none exists.
    The widget is keyed by language so its label follows a language switch at once."""
    years = [c["year"] for c in org.cycles(db)][::-1]
    if not years:
        st.warning(t("no_cycle"))
        st.stop()
    chosen = st.session_state.get(CHOSEN)
    if chosen not in years:
        chosen = org.current_cycle(db)
    lang = current_language()
    chosen = st.sidebar.selectbox(t("cycle_select"), years, index=years.index(chosen), key=f"{CHOSEN}:{lang}",
                                  format_func=lambda y: year_label(y, lang))
    st.session_state[CHOSEN] = chosen
    return chosen
