"""Show a store error to the user in the session's language."""

from __future__ import annotations

from storage.errors import StoreError
from ui.i18n import t


def describe(exc: StoreError) -> str:
    try:
        return t(exc.key, **exc.params)
    except (KeyError, ValueError, IndexError):  # an unknown key or values that do not fit it
        return t("error_generic")
