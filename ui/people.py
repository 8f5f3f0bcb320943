"""People as readers know them: every screen shows an account by ``storage.organisation.accounts.people`` (the display
name the admin entered), read once per run of the page."""

from __future__ import annotations

import streamlit as st

from storage.organisation.accounts import Names, people
from ui import session
from ui.widget_state import RUN

_CACHE = "pmqa:people"  # (the run that read them, the names)


def names() -> Names:
    """User name -> the name people know the account by, for this run (a callback reads the run's before it)."""
    run = st.session_state.get(RUN, 0)
    cached = st.session_state.get(_CACHE)
    if cached is None or cached[0] != run:
        cached = (run, people(session.store()))
        st.session_state[_CACHE] = cached
    return cached[1]


def person(username: str | None) -> str:
    """The name people know an account by ('' for none; a name with no account, as stored)."""
    return names()[username]
