"""Where the tests' stores live: SQLite files in the test's temporary folder (``make test``), or databases of
their own on a throw-away PostgreSQL server (``make test-postgres``: ``PMQA_TEST_DATABASE`` is its address,
``postgres_cluster.py``). A store's location is what ``storage.connect`` and ``PMQA_DB`` take: a path or an
address. Copies of a template store are file copies on SQLite and ``CREATE DATABASE ... TEMPLATE`` on
PostgreSQL; a test's database is dropped when its fixture ends.
"""

from __future__ import annotations

import itertools
import os
import shutil
from pathlib import Path

SERVER = os.environ.get("PMQA_TEST_DATABASE", "")  # empty: SQLite
_numbers = itertools.count(1)

Location = Path | str


def on_server() -> bool:
    return bool(SERVER)


_connections: list = []  # this process's one connection to the test server's own database, for _admin


def _admin(sql: str) -> None:
    """``sql`` on the test server's own database, through one connection kept for the process (a new connection
    for each of the suite's some 4,000 database creations and drops cost a server process each time)."""
    import psycopg

    for attempt in (1, 2):
        if not _connections or _connections[0].closed:
            _connections[:] = [psycopg.connect(SERVER, autocommit=True)]
        try:
            _connections[0].execute(sql)
            return
        except psycopg.OperationalError:
            if attempt == 2 or not _connections[0].closed:
                raise


def _address(database: str) -> str:
    return SERVER.rsplit("/", 1)[0] + "/" + database


def _database(location: Location) -> str:
    return str(location).rsplit("/", 1)[1]


def new_location(folder: Path, name: str) -> Location:
    """A place for a new, empty store: ``folder / name`` on SQLite, a new database on the server."""
    if not on_server():
        return folder / name
    return _created("")


def copy_store(template: Location, folder: Path, name: str) -> Location:
    """A copy of the (closed) store at ``template``."""
    if not on_server():
        target = folder / name
        shutil.copy(template, target)
        return target
    return _created(f' TEMPLATE "{_database(template)}" STRATEGY FILE_COPY')  # the files copied: half the time


def _created(how: str) -> str:
    """A new database of this test process's, made ``how`` (empty, or as a copy of a template); its address."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    database = f"t_{worker}_{os.getpid()}_{next(_numbers)}"
    _admin(f'CREATE DATABASE "{database}"{how}')
    return _address(database)


def drop(location: Location) -> None:
    """Remove a test's database from the server (its connections ended); a file is left to pytest."""
    if on_server():
        _admin(f'DROP DATABASE IF EXISTS "{_database(location)}" WITH (FORCE)')


def only_on_sqlite(why: str):
    """A test of what only a SQLite file has (its bytes on disk, its folders): skipped on the test server,
    saying ``why`` and what covers the same on PostgreSQL."""
    import pytest

    return pytest.mark.skipif(on_server(), reason=f"SQLite only: {why}")


def second_department(db, code: str = "second") -> int:
    """A second department in the store, written as the installation's list has it (on SQLite, where the store
    itself refuses a second department, only to show what the database does with one); its id."""
    db.execute("INSERT INTO departments (code, name_th, name_en) VALUES (?, ?, ?)", [code, "กรมที่สอง", "Second"])
    return db.execute("SELECT id FROM departments WHERE code = ?", [code]).fetchone()[0]
