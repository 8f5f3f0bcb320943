"""Unexpected errors: the details go to the server log under a short reference, and the user sees a plain
message in their language with that reference, never a traceback or a server path.

The router wraps every page run (``ui.router``) and the editors wrap every save callback (``ui.editor``);
``client.showErrorDetails = "none"`` in ``.streamlit/config.toml`` is the backstop for anything else.
"""

from __future__ import annotations

import logging
import secrets

import streamlit as st

from ui.i18n import t

LOG = logging.getLogger("pmqa")
LOG_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"  # as Streamlit's own log lines


def _log() -> logging.Logger:
    """The app's logger, writing to the server's standard error once per process."""
    if not LOG.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter(LOG_FORMAT))
        LOG.addHandler(handler)
        LOG.setLevel(logging.INFO)
    return LOG


def new_reference() -> str:
    """Eight characters a person can read out on the phone: 0-9 and A-F."""
    return secrets.token_hex(4).upper()


def report(exc: BaseException, where: str) -> str:
    """Log ``exc`` with its traceback under a new reference; return the reference."""
    reference = new_reference()
    user = st.session_state.get("user_id")
    _log().error("unexpected error, reference %s, in %s (user id %s)", reference, where, user, exc_info=exc)
    return reference


def message(reference: str) -> str:
    return t("error_unexpected", reference=reference)


def show(exc: BaseException, where: str) -> str:
    """Report ``exc`` and show the plain message in the page; return the reference."""
    reference = report(exc, where)
    st.error(message(reference), icon=":material/error:")
    return reference
