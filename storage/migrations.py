"""Bringing a store's schema up to date, once, on either engine.

The schema is changed by Alembic revisions (``storage/revisions/versions``); ``upgrade`` applies the ones a store
lacks. Stores made before Alembic took over were changed by hand-made steps (``storage.schema``, recorded in
their ``_migrations`` table, in the pattern of sqlite-utils' companion ``sqlite-migrate``): such a SQLite store
first gets the steps it lacks, then is marked as being at the first revision, which makes the schema those
steps ended with.

Pending changes run in one write transaction that takes the write lock first and then reads which are done:
when several sessions or processes open a new store (or the first start after an upgrade) at once, one applies
them and the others wait for it, find them applied and go on, instead of failing with "table already exists"
or "database is locked".
"""

from __future__ import annotations

import functools
import tempfile
from pathlib import Path

from storage.db import transaction
from storage.engine import WRITE_LOCK_KEY, Store, marks
from storage.schema import LEGACY_TABLE, Migrations, has_table
from storage.schema import migrations as legacy

REVISIONS = Path(__file__).resolve().parent / "revisions"
QUEUE_PREFIX = "procrastinate_"  # the job queue's tables on PostgreSQL (revision 0004)
BASELINE = "0001"  # the revision that makes the schema the hand-made steps ended with


@functools.cache
def scripts():
    """Alembic's view of the revisions (imported here: a process whose store is up to date never needs it)."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory(str(REVISIONS))


@functools.cache
def revisions() -> list[str]:
    """Every revision, oldest first, read from the files' names: the history is a line of files numbered in
    order (``NNNN_what.py``, revision ``NNNN``; a test holds this to Alembic's own reading)."""
    return sorted(path.name.split("_", 1)[0] for path in (REVISIONS / "versions").glob("[0-9][0-9][0-9][0-9]_*.py"))


def head() -> str:
    return revisions()[-1]


def revision(db: Store) -> str | None:
    """The revision the store is at (None: made before Alembic took over, or new)."""
    if not has_table(db, "alembic_version"):
        return None
    row = db.execute("SELECT version_num FROM alembic_version").fetchone()
    return row[0] if row else None


def upgrade(db: Store, to: str = "head") -> list[str]:
    """Bring the store to revision ``to`` (the newest by default) under the write lock, once; what was applied,
    hand-made steps first."""
    target = head() if to == "head" else to
    if revision(db) == target:  # the common case: a plain read, no lock taken
        return []
    with transaction(db):
        if not db.sqlite:  # a write transaction locks its department's writes; a schema change, every department's
            db.driver(f"SELECT pg_advisory_xact_lock({WRITE_LOCK_KEY})")
        applied: list[str] = []
        current = revision(db)  # re-read under the lock: another process may have upgraded it
        if current is None and has_table(db, LEGACY_TABLE):
            applied += legacy.apply(db)
            _run(db, BASELINE, stamp=True)
            current = BASELINE
        if current is None and db.sqlite and not db.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchone():
            applied += _lay(db, target)
        elif current != target:
            applied += _run(db, target)
    return applied


def _lay(db: Store, target: str) -> list[str]:
    """Make a new, empty SQLite store at revision ``target`` in one pass: the tables, indexes, rows, triggers and
    views that replaying the revisions makes (``_made``), laid down as they are, instead of replaying them (which
    rebuilds every table on the way: 0.7 s for each new file, where this takes some milliseconds)."""
    schema, rows, last = _made(target)
    db.driver("PRAGMA defer_foreign_keys = ON")
    for sql in schema:
        db.driver(sql)
    for name, columns, values in rows:
        db.executemany(f'INSERT INTO "{name}" ({", ".join(columns)}) VALUES ({marks(columns)})', values)
    for sql in last:
        db.driver(sql)
    return revisions()[:revisions().index(target) + 1]


@functools.cache
def _made(target: str) -> tuple[tuple[str, ...], tuple[tuple[str, tuple[str, ...], tuple[tuple, ...]], ...],
                                 tuple[str, ...]]:
    """What the revisions up to ``target`` make in a new SQLite store, replayed once in this process into a file
    of its own: its tables and indexes (each statement as SQLite keeps it, in the order made), the rows of each
    table, then its triggers and views. A test holds a store so laid to one made by replaying."""
    with tempfile.TemporaryDirectory() as folder:
        made = Store(Path(folder) / "made.db")
        try:
            with transaction(made):
                _run(made, target)
            kept = [(kind, sql) for kind, name, sql in made.execute(
                "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY rowid")
                if not name.startswith("sqlite_")]  # SQLite's own (sqlite_sequence) it makes itself
            rows = []
            for (name,) in made.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY rowid"):
                if found := list(made.query(f'SELECT * FROM "{name}"')):
                    rows.append((name, tuple(found[0]), tuple(tuple(row.values()) for row in found)))
        finally:
            made.close()
    return (tuple(sql for kind, sql in kept if kind in ("table", "index")), tuple(rows),
            tuple(sql for kind, sql in kept if kind not in ("table", "index")))


def _run(db: Store, target: str, stamp: bool = False) -> list[str]:
    """Alembic's revisions from the store's to ``target``, on the store's connection, inside its transaction;
    ``stamp``: only record the store as being at ``target``."""
    from alembic.operations import Operations
    from alembic.runtime.migration import MigrationContext

    script, done = scripts(), []

    def steps(current, _context):
        if stamp:
            return script._stamp_revs(target, current)
        revisions = script._upgrade_revs(target, current)
        done.extend(step.revision.revision for step in revisions)
        return revisions

    context = MigrationContext.configure(db.connection, opts={"fn": steps, "script": script})
    with Operations.context(context):
        context.run_migrations()
    return done


def legacy_names() -> list[str]:
    return legacy.names


def history(conn) -> list[str]:
    """The changes a store has had, in order: its hand-made steps, then its revisions (a database connection of
    the driver's or a ``Store``)."""
    steps = [row[0] for row in conn.execute(f"SELECT name FROM {LEGACY_TABLE} ORDER BY rowid")] \
        if has_table(conn, LEGACY_TABLE) else []
    row = conn.execute("SELECT version_num FROM alembic_version").fetchone() \
        if has_table(conn, "alembic_version") else None
    known = revisions()
    return steps + (known[:known.index(row[0]) + 1] if row and row[0] in known else [row[0]] if row else [])


def is_history(changes: list[str]) -> bool:
    """Whether ``changes`` is a history this version of the app makes: a first part of the hand-made steps, or
    all of them or none followed by a first part of the revisions."""
    steps, known = legacy_names(), revisions()
    if changes == steps[:len(changes)]:
        return True
    rest = changes[len(steps):] if changes[:len(steps)] == steps else changes
    return bool(rest) and rest == known[:len(rest)]


def unknown(changes: list[str]) -> set[str]:
    """The changes this version of the app does not know (made by a newer one)."""
    return set(changes) - set(legacy_names()) - set(revisions())


def make(db: Store, changes: list[str]) -> None:
    """Give an empty store exactly the history ``changes`` (``is_history``): what a store so made has."""
    steps = [name for name in changes if name in legacy.names]
    if steps:
        chosen = Migrations()
        chosen.steps = [step for step in legacy.steps if step[0] in steps]
        chosen.apply(db)
    if done := [name for name in changes if name not in steps]:
        upgrade(db, to=done[-1])


def differences(db: Store) -> list:
    """How the store's schema differs from ``storage.tables`` (Alembic's comparison of tables, columns, types,
    defaults, keys and indexes), less what only tells how a store was made: the hand-made steps' own table, and a
    key column SQLite let those steps leave nullable (SQLite never stores NULL there for a whole-number key, and a
    composite key's columns are always given); and less the job queue's own tables on PostgreSQL (Procrastinate's,
    made by revision 0004 from the schema that library ships, not declared in ``storage.tables``)."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from storage.tables import metadata

    def ours(name, kind, parents) -> bool:  # not the queue's tables, nor their indexes
        table = name if kind == "table" else parents.get("table_name") or ""
        return not table.startswith(QUEUE_PREFIX)

    context = MigrationContext.configure(db.connection, opts={"compare_type": True, "compare_server_default": True,
                                                              "include_name": ours})
    keys = {(table.name, column.name) for table in metadata.tables.values() for column in table.primary_key}
    found = []
    for change in compare_metadata(context, metadata):
        if isinstance(change, tuple) and change[0] == "remove_table" and change[1].name == LEGACY_TABLE:
            continue
        if isinstance(change, list):
            change = [c for c in change if not (c[0] == "modify_nullable" and (c[2], c[3]) in keys)]
            if not change:
                continue
        found.append(change)
    return found
