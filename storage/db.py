"""Opening the SQLite file, write transactions, and the store's bookkeeping (meta, data version).

Each call to ``open_database`` makes a new connection for the calling thread (Streamlit runs scripts on
many threads; a sqlite3 connection must stay on the one that made it). The file is in WAL mode,
foreign keys are enforced and a busy timeout makes concurrent writers wait instead of failing.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from sqlite_utils import Database

from storage.errors import Busy

T = TypeVar("T")

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "var" / "pmqa.db"  # make run's store (PMQA_DB: another)
BUSY_TIMEOUT_MS = 5000
WRITE_WAIT = 30.0  # seconds a write waits for the lock in all, in rounds of BUSY_TIMEOUT_MS
PRIVATE = 0o600  # new database, evidence and backup files: readable and writable by their owner only


def private_file(path: Path) -> Path:
    """Create ``path`` empty with owner-only permissions if it does not exist (SQLite gives its -wal and
    -shm files the database file's permissions); tighten an existing one's."""
    os.close(os.open(path, os.O_CREAT | os.O_WRONLY, PRIVATE))
    os.chmod(path, PRIVATE)
    return path


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


@contextlib.contextmanager
def transaction(db: Database) -> Iterator[Database]:
    """A write transaction. It takes the write lock at once (BEGIN IMMEDIATE), so a writer waits
    for another under the busy timeout instead of failing when its read snapshot has gone stale;
    nested, it becomes a savepoint of the outer transaction."""
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    _begin(db)
    try:
        yield db
    except BaseException:
        db.rollback()
        raise
    db.execute("COMMIT")


def retry_locked(action: Callable[[], T], patience: float) -> T:
    """``action()``, tried again with growing pauses while SQLite answers "database is locked", for up to
    ``patience`` seconds; then that error."""
    deadline, pause = time.monotonic() + patience, 0.02
    while True:
        try:
            return action()
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, 0.5)


def _begin(db: Database) -> None:
    """BEGIN IMMEDIATE, waiting up to ``WRITE_WAIT`` seconds in all for the write lock. SQLite's busy timeout
    polls and gives up after ``BUSY_TIMEOUT_MS``; on a loaded machine a writer can hold the lock that long
    while it waits for a CPU, so waiting goes on in rounds. Past that, ``Busy``: a clear "nothing was
    saved, try again", never SQLite's "database is locked"."""
    try:
        retry_locked(lambda: db.execute("BEGIN IMMEDIATE"), WRITE_WAIT)
    except sqlite3.OperationalError as exc:
        if "locked" not in str(exc):
            raise
        raise Busy() from exc


def open_database(path: str | Path = DEFAULT_PATH) -> Database:
    """Open (creating if needed) the SQLite file at ``path`` with WAL, foreign keys and a busy timeout.
    ``storage.connect`` also brings its schema up to date."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        private_file(path)
    db = Database(path)
    db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    if db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
        db.enable_wal()
    db.execute("PRAGMA foreign_keys = ON")
    return db


def db_file(db: Database) -> Path:
    """The file the store is in; evidence and backups live beside it."""
    return Path(db.execute("PRAGMA database_list").fetchone()[2])


def get_meta(db: Database, key: str, default: str | None = None) -> str | None:
    row = db.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
    return row[0] if row else default


def set_meta(db: Database, key: str, value: str) -> None:
    db["meta"].upsert({"key": key, "value": value}, pk="key")


def data_version(db: Database) -> int:
    """A number that changes with every change to the store: the last audit entry's id (every write
    is audited in its own transaction), leaving out sign-ins and sign-outs, which change no figure. Use it
    to key caches."""
    row = db.execute("SELECT id FROM audit_log WHERE entity != 'session' ORDER BY id DESC LIMIT 1").fetchone()
    return row[0] if row else 0
