"""Show a store error to the user in the session's language."""

from __future__ import annotations

from storage.errors import StoreError
from ui.i18n import t


def describe(exc: StoreError) -> str:
    """The error's message; a value that is itself a store error (why one of several changes was refused) is
    described first."""
    params = {name: describe(value) if isinstance(value, StoreError) else value for name, value in exc.params.items()}
    try:
        return t(exc.key, **params)
    except (KeyError, ValueError, IndexError):  # an unknown key or values that do not fit it
        return t("error_generic")
