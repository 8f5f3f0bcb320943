"""The catalogue's strings (see the ``i18n`` package) in the signed-in session's language."""

from __future__ import annotations

import streamlit as st

from i18n import translate


def current_language() -> str:
    return st.session_state.get("lang", "th")


def t(key: str, **values) -> str:
    """``translate`` in the signed-in session's language."""
    return translate(key, current_language(), **values)
