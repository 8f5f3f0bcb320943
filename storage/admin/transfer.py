"""Moving a whole store's rows between engines: a PostgreSQL store into a SQLite file (a backup archive's
database is always one), and such a file into a PostgreSQL store (a restore). With ``storage.admin.backup`` this is
how a department moves from the embedded file to a ministry's server and back: the rows go as they are, the
audit log's ids and times with them.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import inspect

from storage import migrations
from storage.db import transaction
from storage.engine import Store
from storage.tables import metadata

BATCH = 500  # rows per statement
BOOKKEEPING = {"alembic_version", "_migrations"}  # each store keeps its own
# The installation's departments and directory of accounts: each store has its own (a new store its first
# department, made by its migrations; the directory kept by the database as accounts are written), and a store's
# rows move with the department they belong to.
INSTALLATION = {"departments", "directory"}


def _tables(names: set[str]) -> list[str]:
    """The store's tables, each after those it refers to."""
    return [table.name for table in metadata.sorted_tables if table.name in names]


def dump(db: Store, target: Path, step: Callable[[float], None]) -> None:
    """Write every row of the PostgreSQL store ``db`` into a new SQLite file ``target`` with the same history,
    as one consistent snapshot (a read-only, repeatable-read transaction on a connection of its own)."""
    with Store(target) as copy:
        migrations.make(copy, migrations.history(db))
    with Store(db.location) as source:
        source.driver("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        names = _tables(set(inspect(source.connection).get_table_names()) - BOOKKEEPING - INSTALLATION)
        with contextlib.closing(sqlite3.connect(target)) as out:
            out.execute("PRAGMA foreign_keys = OFF")
            for done, name in enumerate(names):
                step(done / len(names))
                result = source.connection.exec_driver_sql(f'SELECT * FROM "{name}"')
                columns = list(result.keys())
                insert = f'INSERT INTO "{name}" ({", ".join(columns)}) VALUES ({", ".join("?" * len(columns))})'
                while rows := result.fetchmany(BATCH):
                    out.executemany(insert, [tuple(row) for row in rows])
            named = source.execute("SELECT name_th, name_en FROM departments WHERE id = ?", [db.department]).fetchone()
            out.execute("UPDATE departments SET name_th = ?, name_en = ? WHERE id = 1", tuple(named))  # its name
            out.commit()
        source.driver("ROLLBACK")


def load(source: Path, db: Store, step: Callable[[float], None]) -> None:
    """Replace every row of the PostgreSQL store ``db`` with those of the SQLite file ``source`` (at the same
    revision), in one transaction under the write lock: other sessions see the old contents or the new, never
    a mix. The audit log's own guard against change is set aside for this one transaction, and each table's
    numbering goes on after its highest id."""
    with contextlib.closing(sqlite3.connect(source)) as conn:
        present = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        names = _tables(present - BOOKKEEPING - INSTALLATION)
        with transaction(db):
            db.driver("ALTER TABLE audit_log DISABLE TRIGGER USER")
            for name in reversed(_tables(set(metadata.tables) - INSTALLATION)):
                db.driver(f'DELETE FROM "{name}"')
            for done, name in enumerate(names):
                step(done / len(names))
                cursor = conn.execute(f'SELECT * FROM "{name}"')
                columns = [c[0] for c in cursor.description]
                insert = (f'INSERT INTO "{name}" ({", ".join(columns)}) '
                          f'VALUES ({", ".join("%s" for _ in columns)})')
                while rows := cursor.fetchmany(BATCH):
                    db.connection.exec_driver_sql(insert, rows)
            for table in metadata.sorted_tables:
                key = list(table.primary_key.columns)
                if (len(key) == 1 and key[0].autoincrement is True) or (
                        len(key) == 1 and key[0].autoincrement == "auto" and key[0].type.python_type is int):
                    db.driver(f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', '{key[0].name}'), "
                              f'COALESCE((SELECT MAX("{key[0].name}") FROM "{table.name}"), 0) + 1, false)')
            db.driver("ALTER TABLE audit_log ENABLE TRIGGER USER")
            named = conn.execute("SELECT name_th, name_en FROM departments WHERE id = 1").fetchone()
            if named:  # the department's name in the installation's list, as the archive has it
                db.execute("UPDATE departments SET name_th = ?, name_en = ? WHERE id = ?", [*named, db.department])
    db.driver("ANALYZE")  # the planner's statistics for the new rows at once, not at autovacuum's next round


def counts(db: Store) -> dict[str, int]:
    """Rows per table of a store on either engine (the engines' own bookkeeping tables left out, and the job queue's
    on PostgreSQL: Procrastinate's, which no archive carries)."""
    names = sorted(n for n in inspect(db.connection).get_table_names()
                   if not n.startswith(("sqlite_", migrations.QUEUE_PREFIX)))
    return {name: db.execute(f'SELECT COUNT(*) FROM "{name}"').fetchone()[0] for name in names}
