"""Opening the store, write transactions, and the store's bookkeeping (meta, data version).

Each call to ``open_database`` makes a new connection for the calling thread (Streamlit runs scripts on
many threads; a connection stays on the thread that made it). A SQLite file is in WAL mode, foreign keys
are enforced and a busy timeout makes concurrent writers wait instead of failing.
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from sqlalchemy.exc import OperationalError

from storage.engine import BUSY_TIMEOUT_MS, PRIVATE, WRITE_LOCK_KEY, Location, Store, is_server, marks, private_file
from storage.errors import Busy

T = TypeVar("T")

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "var" / "pmqa.db"  # make run's store (PMQA_DB: another)
WRITE_WAIT = 30.0  # seconds a write waits for the lock in all, in rounds of BUSY_TIMEOUT_MS

__all__ = ["BUSY_TIMEOUT_MS", "DEFAULT_PATH", "PRIVATE", "Store", "data_version", "db_file", "get_meta",
           "now", "open_database", "private_file", "retry_locked", "set_meta", "transaction"]


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


@contextlib.contextmanager
def transaction(db: Store) -> Iterator[Store]:
    """A write transaction. It takes the write lock at once (SQLite's BEGIN IMMEDIATE, PostgreSQL's
    advisory lock), so a writer waits for another instead of failing or acting on what it read before the
    other's write; nested, it becomes a savepoint of the outer transaction."""
    if db.in_transaction:
        savepoint = f"sp{db.depth}"
        db.driver(f"SAVEPOINT {savepoint}")
        db.depth += 1
        try:
            yield db
        except BaseException:
            db.driver(f"ROLLBACK TO SAVEPOINT {savepoint}")
            raise
        finally:
            db.depth -= 1
        db.driver(f"RELEASE SAVEPOINT {savepoint}")
        return
    _begin(db)
    db.depth = 1
    try:
        yield db
    except BaseException:
        db.depth = 0
        with contextlib.suppress(Exception):  # a lost connection has nothing to roll back
            db.driver("ROLLBACK")
        raise
    db.depth = 0
    db.driver("COMMIT")


def _locked(exc: BaseException) -> bool:
    return isinstance(exc, (sqlite3.OperationalError, OperationalError)) and "locked" in str(exc)


def retry_locked(action: Callable[[], T], patience: float) -> T:
    """``action()``, tried again with growing pauses while SQLite answers "database is locked", for up to
    ``patience`` seconds; then that error."""
    deadline, pause = time.monotonic() + patience, 0.02
    while True:
        try:
            return action()
        except (sqlite3.OperationalError, OperationalError) as exc:
            if not _locked(exc) or time.monotonic() > deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, 0.5)


def _begin(db: Store) -> None:
    """Begin and take the write lock. On SQLite, BEGIN IMMEDIATE, waiting up to ``WRITE_WAIT`` seconds in all:
    SQLite's busy timeout polls and gives up after ``BUSY_TIMEOUT_MS``; on a loaded machine a writer can
    hold the lock that long while it waits for a CPU, so waiting goes on in rounds. Past that, ``Busy``: a
    clear "nothing was saved, try again", never SQLite's "database is locked". On PostgreSQL, BEGIN and
    the advisory lock, waited for up to ``WRITE_WAIT`` seconds (lock_timeout), then ``Busy`` likewise."""
    if not db.sqlite:
        db.driver("BEGIN")
        try:
            db.driver(f"SET LOCAL lock_timeout = '{int(WRITE_WAIT * 1000)}ms'")
            db.driver(f"SELECT pg_advisory_xact_lock({WRITE_LOCK_KEY}, {db.department})")
        except OperationalError as exc:
            with contextlib.suppress(Exception):
                db.driver("ROLLBACK")
            if "lock timeout" in str(exc):
                raise Busy() from exc
            raise
        return
    try:
        retry_locked(lambda: db.driver("BEGIN IMMEDIATE"), WRITE_WAIT)
    except (sqlite3.OperationalError, OperationalError) as exc:
        if not _locked(exc):
            raise
        raise Busy() from exc


def open_database(location: Location = DEFAULT_PATH) -> Store:
    """Open (creating if needed) the store at ``location``: a SQLite file with WAL, foreign keys and a busy
    timeout, or a PostgreSQL database. ``storage.connect`` also brings its schema up to date."""
    if not is_server(location):
        path = Path(location)
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            private_file(path)
    db = Store(location)
    if db.sqlite and db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
        db.execute("PRAGMA journal_mode = wal")
    return db


def db_file(db: Store) -> Path:
    """The file the store is in; evidence and backups live beside it."""
    return Path(db.execute("PRAGMA database_list").fetchone()[2])


def get_meta(db: Store, key: str, default: str | None = None) -> str | None:
    row = db.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
    return row[0] if row else default


def set_meta(db: Store, key: str, value: str) -> None:
    db["meta"].upsert({"key": key, "value": value}, pk="key")


def data_version(db: Store) -> str:
    """A value that changes with every change to the store: the last audit entry's id and time (every write is
    audited in its own transaction), leaving out sign-ins and sign-outs and the document jobs' own steps (a
    document requested, built or failed: ``storage.admin.jobs``), which change no figure. Use it to key
    caches. The time is part of it because a restore brings back the archive's log, whose ids go on from its own
    last one: an id alone would repeat a version other data had, and a cache keyed by it (another replica's)
    would show that data's figures. It names the acting department: each department's log is its own, and two
    departments' caches never share a key."""
    row = db.execute("SELECT id, at FROM audit_log WHERE entity NOT IN ('session', 'document_job') "
                     "ORDER BY id DESC LIMIT 1").fetchone()
    return f"{db.department}: {row[0]} {row[1]}" if row else f"{db.department}: 0"


# The audit log's entities that belong to one year, and how an entry names it: a year's own records name it as
# their id; an assessment's entries name the assessment, whose year the assessments table holds.
YEAR_ENTITIES = ("cycle", "dept_record", "workplan")


def year_versions(db: Store, years: list[int]) -> dict[int, str]:
    """For each of ``years``, a value that changes with every change that can move that year's figures: as
    ``data_version``, less the changes that belong to another year (an assessment of another year, another year's
    own records: ``YEAR_ENTITIES``). A change to what every year reads (units, accounts, the identity, anything not
    known to belong to one year) moves every year's. Use it to key one year's cached figures, so that a save in
    this year's assessments leaves the closed years' cached."""
    rows = db.execute(
        f"SELECT scope, MAX(id) FROM (SELECT a.id, CASE WHEN a.entity IN ({marks(YEAR_ENTITIES)}) THEN a.entity_id "
        "WHEN a.entity = 'assessment' THEN CAST(s.year AS TEXT) END AS scope FROM audit_log a "
        "LEFT JOIN assessments s ON a.entity = 'assessment' AND CAST(s.id AS TEXT) = a.entity_id "
        "WHERE a.entity NOT IN ('session', 'document_job')) entries GROUP BY scope", list(YEAR_ENTITIES)).fetchall()
    last = {scope: last for scope, last in rows}
    wide = last.get(None, 0)
    chosen = {year: max(wide, last.get(str(year), 0)) for year in years}
    ids = sorted(set(chosen.values()))
    at = dict(db.execute(f"SELECT id, at FROM audit_log WHERE id IN ({marks(ids)})", ids).fetchall())
    return {year: f"{db.department}: {year} {last} {at.get(last, '')}" for year, last in chosen.items()}
