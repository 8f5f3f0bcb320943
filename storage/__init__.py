"""The store, on SQLite or PostgreSQL: every SQL statement of the project lives in this package."""

from __future__ import annotations

from pathlib import Path

from storage.db import DEFAULT_PATH, get_meta, open_database, retry_locked, transaction
from storage.engine import Store
from storage.errors import StoreError
from storage.migrations import upgrade


def connect(path: str | Path = DEFAULT_PATH, patience: float = 30.0) -> Store:
    """Open (creating if needed) the store at ``path`` and apply any schema steps not yet applied.

    When several processes open a new store at once, SQLite can answer "database is locked" without
    waiting (while one of them switches the new file to WAL or recovers its index): such an opening is
    tried again, with growing pauses, for up to ``patience`` seconds."""

    def attempt() -> Store:
        db = open_database(path)
        try:
            upgrade(db)
            _walls_hold(db)
        except BaseException:
            db.close()
            raise
        return db

    return retry_locked(attempt, patience)


def _walls_hold(db: Store) -> None:
    """On PostgreSQL, a store holding several departments is refused to an account that row-level security does
    not hold (a superuser, or a role with BYPASSRLS): its departments would not be sealed off from one another."""
    if db.sqlite:
        return
    if db.execute("SELECT COUNT(*) FROM departments").fetchone()[0] > 1 and db.execute(
            "SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user").fetchone()[0]:
        raise StoreError("error_store_role_passes_walls")


def open_store(path: str | Path = DEFAULT_PATH, demo_if_empty: bool = True) -> Store:
    """Connect, migrate, and on first start fill an empty store with the demo department."""
    db = connect(path)
    if demo_if_empty and not db.execute("SELECT 1 FROM users LIMIT 1").fetchone():
        from storage.admin import demo

        with transaction(db):  # re-checked under the write lock: two sessions may start at once
            if not db.execute("SELECT 1 FROM users LIMIT 1").fetchone():
                demo.populate(db)
    return db


def is_demo(db: Store) -> bool:
    return get_meta(db, "demo") == "1"


__all__ = ["DEFAULT_PATH", "connect", "is_demo", "open_store"]
