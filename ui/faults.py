"""Unexpected errors: the details go to the server log under a short reference, and the user sees a plain
message in their language with that reference, never a traceback or a server path.

The router wraps every page run (``ui.router``) and the editors wrap every save callback (``ui.editor``);
``client.showErrorDetails = "none"`` in ``.streamlit/config.toml`` is the backstop for anything else.
"""

from __future__ import annotations

import streamlit as st

from storage.errors import log, new_reference
from ui.i18n import t


def report(exc: BaseException, where: str) -> str:
    """Log ``exc`` with its traceback under a new reference; return the reference."""
    reference = new_reference()
    user = st.session_state.get("user_id")
    log().error("unexpected error, reference %s, in %s (user id %s)", reference, where, user, exc_info=exc)
    return reference


def message(reference: str) -> str:
    return t("error_unexpected", reference=reference)


def show(exc: BaseException, where: str) -> str:
    """Report ``exc`` and show the plain message in the page; return the reference."""
    reference = report(exc, where)
    st.error(message(reference), icon=":material/error:")
    return reference
