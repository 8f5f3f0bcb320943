"""Choosing the assessment cycle (fiscal year, B.E.): one choice shared by every page."""

from __future__ import annotations

import streamlit as st

from i18n.format import year_label
from storage.engine import Store
from storage.organisation import org
from ui import choices
from ui.i18n import current_language, t
from ui.router import end_page

CHOSEN = "cycle"


def choose_cycle(db: Store) -> int:
    """The cycle picked in the sidebar (the current cycle at first); stops the page when none exists."""
    years = [c["year"] for c in org.cycles(db)][::-1]
    if not years:
        st.warning(t("no_cycle"))
        end_page()
    lang = current_language()
    return choices.one("selectbox", t("cycle_select"), years, CHOSEN, lambda y: year_label(y, lang),
                       default=org.current_cycle(db), container=st.sidebar)
