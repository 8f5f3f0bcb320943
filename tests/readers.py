"""Who reads in tests: a demo account of a role, as the store has it (storage functions that read take
the reader and re-read it)."""

from __future__ import annotations

from sqlite_utils import Database

from storage.accounts import User, get_user


def reader(db: Database, role: str = "committee") -> User:
    """The demo store's account of ``role`` (demo-unit, demo-committee, demo-director, demo-admin)."""
    row = db.execute("SELECT id FROM users WHERE username = ?", [f"demo-{role}"]).fetchone()
    return get_user(db, row[0])
