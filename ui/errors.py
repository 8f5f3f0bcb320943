"""Show a store error to the user in the session's language, naming people as they know them."""

from __future__ import annotations

from storage import errors
from storage.errors import StoreError
from ui.i18n import current_language
from ui.people import names


def describe(exc: StoreError) -> str:
    return errors.describe(exc, current_language(), names())
