"""Errors the store raises for a person to read: each names a string-catalogue key and its values,
so the page (or the command line, in English) shows it in the reader's language (``describe``)."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping
from datetime import date

from i18n import translate
from i18n.format import date_label


class StoreError(Exception):
    key = "error_generic"

    def __init__(self, key: str | None = None, **params):
        self.key = key or self.key
        self.params = params
        super().__init__(f"{self.key} {params}" if params else self.key)


class InputError(StoreError, ValueError):
    """A value that cannot be stored as given; nothing was changed."""

    key = "error_input"


class AccessDenied(StoreError, PermissionError):
    """The signed-in user may not read or change this record."""

    key = "error_access"


class VersionConflict(StoreError, RuntimeError):
    """Someone else saved this assessment after it was opened; nothing was changed."""

    key = "error_conflict"

    def __init__(self, current_version: int, by: str | None = None):
        super().__init__(version=current_version, by=by or "-")
        self.current_version = current_version


class FieldConflict(VersionConflict):
    """Someone else changed this very field (a checkpoint, a KPI value, a narrative) after it was shown;
    nothing was changed. ``field`` names it; ``stored`` is their value."""

    key = "error_field_conflict"

    def __init__(self, field: str, by: str | None, stored=None):
        StoreError.__init__(self, by=by or "-", field=field)
        self.field, self.stored, self.current_version = field, stored, None


class OfiConflict(VersionConflict):
    """Someone else changed this OFI after it was shown; nothing was changed."""

    key = "error_ofi_conflict"


class NotEditable(StoreError, RuntimeError):
    """The assessment's status does not allow this change (e.g. submitted, approved)."""

    key = "error_not_editable"


class Busy(StoreError, RuntimeError):
    """The store stayed locked by other writers for longer than a write waits; nothing was changed."""

    key = "error_busy"


class Unavailable(StoreError, RuntimeError):
    """The database could not be reached (its server stopped, or the connection to it was lost); nothing was
    changed. The next action connects again."""

    key = "error_unavailable"


PEOPLE = ("by", "owner")  # values that name an account, by its user name: shown as people know it


def describe(exc: StoreError, lang: str = "th", names: Mapping[str, str] | None = None) -> str:
    """The error as a person reads it: the catalogue's text for its key and values in ``lang``, never the key
    itself (the generic message when the key or its values do not fit the catalogue). A value that is itself a
    store error (why one of several changes was refused) is described first; a date is written in the language's
    calendar; an account the error names by its user name (``by``: who changed it first; ``owner``) is shown
    by ``names`` (``storage.organisation.accounts.people``: the name people know it by), as stored without it."""
    params = {name: _value(name, value, lang, names) for name, value in exc.params.items()}
    try:
        return translate(exc.key, lang, **params)
    except (KeyError, ValueError, IndexError):  # an unknown key or values that do not fit it
        return translate("error_generic", lang)


def _value(name: str, value, lang: str, names: Mapping[str, str] | None):
    if isinstance(value, StoreError):
        return describe(value, lang, names)
    if isinstance(value, date):
        return date_label(value, lang)
    if name in PEOPLE and names is not None and isinstance(value, str):
        return names.get(value, value)
    return value


def command_line_text(exc: StoreError | OSError) -> str:
    """What a command (``python -m storage``, ``python -m reports``) prints when it is refused: the store's
    message in English, never its catalogue key; for a file it cannot read or write, the file and the system's
    reason."""
    if isinstance(exc, StoreError):
        return describe(exc, "en")
    where = f"cannot use {exc.filename}: " if exc.filename else ""
    return where + (exc.strerror or str(exc))


# ---- what no person reads: an unexpected error, logged under a reference the person is given -----------------

LOG = logging.getLogger("pmqa")
LOG_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"  # as Streamlit's own log lines


def log() -> logging.Logger:
    """The app's logger, writing to standard error once per process (an app server's, or a documents' worker's,
    which has no Streamlit to set it up)."""
    if not LOG.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter(LOG_FORMAT))
        LOG.addHandler(handler)
        LOG.setLevel(logging.INFO)
    return LOG


def new_reference() -> str:
    """An unexpected error's reference: eight characters a person can read out on the phone, 0-9 and A-F."""
    return secrets.token_hex(4).upper()
