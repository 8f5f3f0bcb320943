"""The store's connection, on SQLite (the embedded default) or PostgreSQL (a ministry's server), through
SQLAlchemy Core.

``PMQA_DB`` (and every ``location`` here) is a file path, for SQLite, or a ``postgresql://`` address. A
``Store`` is one connection, used by one thread at a time, as a sqlite3 connection was. Every statement of
the store goes through it: textual SQL written once for both engines (``execute``, with ``?`` for values),
and the rows of a table by SQLAlchemy's own statements (``store["table"].insert(...)``, ``upsert``,
``update``), which each engine's dialect writes in its own SQL.

Transactions are the store's own, the same on both engines: statements outside ``storage.db.transaction``
commit one by one (the connection is in autocommit mode), and a transaction takes the write lock at its
start, as SQLite's BEGIN IMMEDIATE does. On PostgreSQL that lock is a transaction-level advisory lock, one per
department (departments do not wait for one another), so a read-then-write (a version check, a "who changed this
field since" lookup) sees every write committed before it and none while it runs, exactly as on SQLite.

A store acts for one department at a time (``Store.department``, 1 unless told otherwise): rows it writes without
naming their department are that department's, and on PostgreSQL row-level security lets it see and change only
that department's rows (``storage/revisions/versions/0003_departments.py``).
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Table, create_engine, event, insert, inspect, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import URL, Connection, CursorResult, Engine, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from storage.errors import Unavailable
from storage.tables import metadata

T = TypeVar("T")
BUSY_TIMEOUT_MS = 5000
WRITE_LOCK_KEY = 0x504D5141  # "PMQA": with the department, the advisory lock a PostgreSQL write transaction takes first
DEPARTMENT = 1  # the acting department of a store opened without naming one: a single department's own
PRIVATE = 0o600  # new database, evidence and backup files: readable and writable by their owner only

Location = str | Path
MEMORY = ":memory:"


def is_server(location: Location) -> bool:
    """Whether ``location`` names a PostgreSQL server rather than a SQLite file."""
    return str(location).startswith(("postgresql:", "postgresql+", "postgres:"))


def as_location(value: str) -> Location:
    """A location as typed (``--db``, ``PMQA_DB``): a server's address as it is, else a file's path."""
    return value if is_server(value) else Path(value)


def holds_store(location: Location) -> bool:
    """Whether a store is already there: a file that exists, or a database holding accounts."""
    if not is_server(location):
        return Path(location).exists()
    with Store(location) as db:
        return db.has_table("users") and db.execute("SELECT 1 FROM users LIMIT 1").fetchone() \
            is not None


def server_url(location: Location) -> URL:
    """The address with psycopg 3 as its driver, whatever scheme it was written with."""
    return make_url(str(location)).set(drivername="postgresql+psycopg")


def private_file(path: Path) -> Path:
    """Create ``path`` empty with owner-only permissions if it does not exist (SQLite gives its -wal and
    -shm files the database file's permissions); tighten an existing one's."""
    os.close(os.open(path, os.O_CREAT | os.O_WRONLY, PRIVATE))
    os.chmod(path, PRIVATE)
    return path


_engines: dict[str, Engine] = {}
_engines_lock = threading.Lock()
_ENGINES_KEPT = 64  # engines of files no longer used are dropped, oldest first (tests open thousands)


def engine_for(location: Location) -> Engine:
    """One engine per store and process. Connections are not pooled (a store holds its own for as long as
    it is open, as a sqlite3 connection was held), so an engine keeps nothing open by itself. ``:memory:``:
    a new database in memory, each time."""
    if str(location) == MEMORY:
        return _file_engine(MEMORY)
    key = str(location) if is_server(location) else str(Path(location).resolve())
    with _engines_lock:
        engine = _engines.get(key)
        if engine is None:
            engine = _server_engine(location) if is_server(location) else _file_engine(Path(key))
            if len(_engines) >= _ENGINES_KEPT:
                _engines.pop(next(iter(_engines)))
            _engines[key] = engine
        return engine


def _file_engine(path: Path | str) -> Engine:
    # A connection may be used by one thread after another (ui.session lends a store to each run's thread), never
    # by two at once: sqlite3's own check that it stays on its first thread is off.
    engine = create_engine(URL.create("sqlite+pysqlite", database=str(path)), poolclass=NullPool,
                           isolation_level="AUTOCOMMIT", connect_args={"check_same_thread": False})

    @event.listens_for(engine, "connect")
    def settings(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    return engine


def _server_engine(location: Location) -> Engine:
    return create_engine(server_url(location), poolclass=NullPool, isolation_level="AUTOCOMMIT",
                         connect_args={"connect_timeout": 10})


# ---- textual SQL: written once, with ? for each value -------------------------------------------------

_DRIVER_TOKENS = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|::|\?|:[A-Za-z_]\w*|%")


@functools.lru_cache(maxsize=4096)
def _driver_sql(sql: str, sqlite: bool) -> str:
    """``sql`` (``?`` for each value, or ``:name``) as the driver takes it: as it is for sqlite3, which reads both;
    for psycopg each ``?`` a ``%s``, each ``:name`` a ``%(name)s`` (a ``::`` cast stays) and every ``%`` doubled, in
    a quoted literal too (psycopg reads the whole text for its marks)."""
    if sqlite:
        return sql

    def token(match: re.Match) -> str:
        found = match.group()
        if found == "?":
            return "%s"
        if found[0] in "'\"%":
            return found.replace("%", "%%")
        if found == "::":
            return found
        return f"%({found[1:]})s"

    return _DRIVER_TOKENS.sub(token, sql)


def _driver_params(sql: str, params: Sequence[Any] | Mapping[str, Any] | None) -> tuple | dict:
    """The values as the driver takes them: by name (a mapping) or in order, as many as the statement's ``?``."""
    if isinstance(params, Mapping):
        return dict(params)
    params = () if params is None else tuple(params)
    if len(params) != (taken := _values_taken(sql)):
        raise ValueError(f"the statement takes {taken} values, {len(params)} given")
    return params


@functools.lru_cache(maxsize=4096)
def _values_taken(sql: str) -> int:
    """How many ``?`` marks ``sql`` has, outside its quoted literals and names."""
    return sum(match.group() == "?" for match in _DRIVER_TOKENS.finditer(sql))


def marks(values) -> str:
    """The ``?`` marks of an ``IN (...)`` list of ``values``; ``NULL`` for none, which matches nothing on both
    engines (SQLite takes an empty list, PostgreSQL does not)."""
    return ", ".join("?" * len(values)) or "NULL"


class Rows:
    """What a statement returns, as a sqlite3 cursor did: rows as plain tuples (``fetchone``, ``fetchall``,
    iteration), ``rowcount`` and ``lastrowid``, read from the driver's own cursor (``Store.execute`` sends textual
    SQL straight to the driver: no types for SQLAlchemy to convert, and its result objects cost more than the
    statement itself on SQLite)."""

    __slots__ = ("cursor",)

    def __init__(self, cursor: Any):
        self.cursor = cursor

    def fetchone(self) -> tuple | None:
        if self.cursor.description is None:
            return None
        row = self.cursor.fetchone()
        return None if row is None else tuple(row)

    def fetchall(self) -> list[tuple]:
        if self.cursor.description is None:
            return []
        rows = self.cursor.fetchall()
        self.cursor.close()
        return rows

    def __iter__(self) -> Iterator[tuple]:
        return iter(self.fetchall())

    def keys(self) -> list[str]:
        return [column[0] for column in self.cursor.description or ()]

    @property
    def rowcount(self) -> int:
        return self.cursor.rowcount

    @property
    def lastrowid(self) -> Any:
        return self.cursor.lastrowid


class Store:
    """One connection to the store at ``location`` (not yet migrated: ``storage.connect`` does that), acting for
    one department (``department``): the rows it reads and writes are that department's."""

    def __init__(self, location: Location, department: int = DEPARTMENT):
        self.location = location
        self.engine = engine_for(location)
        self.dialect: str = self.engine.dialect.name  # "sqlite" or "postgresql"
        self._driver_error = self.engine.dialect.loaded_dbapi.Error
        self._acting = [int(department)]  # read by the SQLite connection's pmqa_department()
        try:
            self.connection: Connection = _connected(self.engine)
        except DBAPIError as exc:  # a file that cannot be opened is the file's own error (ui.session says which)
            if self.sqlite:
                raise
            raise Unavailable() from exc
        self.depth = 0  # open transactions: 1 the outer one, more for savepoints inside it
        self.reader = None  # whom a read-only store reads for (``read_for``)
        self._tell_department()

    @property
    def department(self) -> int:
        """The acting department: what a row written without naming its department belongs to, and, on
        PostgreSQL, the only department whose rows the connection sees (row-level security)."""
        return self._acting[0]

    def act_for(self, department: int) -> None:
        """Act for ``department`` from the next statement on (never inside a transaction), reading and writing."""
        self._switch(int(department), None)

    def read_for(self, department: int, reader: Any) -> None:
        """Read ``department``'s rows for ``reader`` (``storage.organisation.ministry.read_as``, which checks who
        may), until the next ``act_for``: the database refuses every write meanwhile."""
        self._switch(int(department), reader)

    def _switch(self, department: int, reader: Any) -> None:
        """The department acted for, and whether only to read (for ``reader``): told to the connection when either
        changes, between transactions only."""
        changed = department != self._acting[0] or (reader is None) != (self.reader is None)
        if changed and self.depth:
            raise RuntimeError("the acting department, and reading only, change between transactions, not inside one")
        self._acting[0], self.reader = department, reader
        if changed:
            self._tell_department()

    def _tell_department(self) -> None:
        """Give the connection its acting department and whether it only reads, in one statement: on SQLite the
        function the tables' defaults call and ``query_only``, on PostgreSQL the session's ``pmqa.department``
        setting, which their defaults and policies read, and its transactions' default of reading only."""
        if self.sqlite:
            acting = self._acting  # not self: the connection keeps the function, and must not keep the store
            self.dbapi.create_function("pmqa_department", 0, lambda: acting[0])
            self.execute(f"PRAGMA query_only = {'OFF' if self.reader is None else 'ON'}")
        else:
            self.execute("SELECT set_config('pmqa.department', ?, false), "
                         "set_config('default_transaction_read_only', ?, false)",
                         [str(self.department), "off" if self.reader is None else "on"])

    # -- statements --------------------------------------------------------------------------------------
    def execute(self, sql: str, params: Sequence[Any] | Mapping[str, Any] | None = None) -> Rows:
        return Rows(self._send(sql, params))

    def _send(self, sql: str, params: Sequence[Any] | Mapping[str, Any] | None) -> Any:
        statement = _driver_sql(sql, self.sqlite)
        bound = _driver_params(sql, params)
        return self._reaching(lambda: self._on_cursor(statement, bound))

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        statement = _driver_sql(sql, self.sqlite)
        batch = [_driver_params(sql, row) for row in rows]
        if batch:
            self._reaching(lambda: self._on_cursor(statement, batch, many=True))

    def _on_cursor(self, statement: str, params: Any, many: bool = False) -> Any:
        """``statement`` on a cursor of the driver's connection (``params`` None: sent as it is); the cursor. The
        driver's errors come as SQLAlchemy's (``DBAPIError`` and its kinds), a lost connection marked so and
        invalidated, as SQLAlchemy itself would raise them."""
        connection = self.dbapi
        cursor = connection.cursor()
        try:
            if many:
                cursor.executemany(statement, params)
            elif params is None:
                cursor.execute(statement)
            else:
                cursor.execute(statement, params)
        except self._driver_error as exc:
            cursor.close()
            dialect = self.engine.dialect
            lost = bool(dialect.is_disconnect(exc, connection, cursor))
            if lost:
                self.connection.invalidate(exc)
            raise DBAPIError.instance(statement, params, exc, self._driver_error, connection_invalidated=lost,
                                      dialect=dialect) from exc
        return cursor

    def _reaching(self, action: Callable[[], T]) -> T:
        """``action()`` on the store's connection. A connection found lost (a server restarted, a connection
        cut) is opened again and the statement sent once more, unless a transaction was under way: then, as when
        the server cannot be reached, ``Unavailable`` (nothing was changed: the transaction was lost whole)."""
        if self.connection.invalidated:  # lost earlier, while the server could not be reached
            self.reconnect()
        try:
            return action()
        except DBAPIError as exc:
            if not exc.connection_invalidated:
                raise
            if self.depth:
                raise Unavailable() from exc
        self.reconnect()
        try:
            return action()
        except DBAPIError as exc:
            if exc.connection_invalidated:
                raise Unavailable() from exc
            raise

    def reconnect(self) -> None:
        """A new connection in place of a lost one (the store's transactions begin afresh)."""
        with contextlib.suppress(Exception):
            self.connection.invalidate()
        self.depth = 0
        try:
            self.connection = _connected(self.engine)
        except DBAPIError as exc:
            raise Unavailable() from exc
        self._tell_department()  # still reading only, for the same reader, if it was

    def query(self, sql: str, params: Sequence[Any] | Mapping[str, Any] | None = None) -> Iterator[dict]:
        """The rows as dictionaries of column to value."""
        rows = Rows(self._send(sql, params))
        columns = rows.keys()
        for row in rows.fetchall():
            yield dict(zip(columns, row, strict=True))

    def run(self, statement: Any, params: Any = None) -> CursorResult:
        """A SQLAlchemy statement (``insert``, ``update``, ``select`` ...)."""
        return self._reaching(lambda: self.connection.execute(statement, params))

    def driver(self, sql: str) -> None:
        """A statement of the store's own bookkeeping (BEGIN, SAVEPOINT ...), sent as it is."""
        self._reaching(lambda: self._on_cursor(sql, None).close())

    def __getitem__(self, name: str) -> Rowset:
        return Rowset(self, name)

    def has_table(self, name: str) -> bool:
        """Whether the store has the table ``name``: one look in the engine's catalogue (a reflection through
        SQLAlchemy's inspector costs several statements on PostgreSQL)."""
        if self.sqlite:
            sql = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?"
        else:
            sql = ("SELECT 1 FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
                   "WHERE n.nspname = current_schema() AND c.relname = ? AND c.relkind IN ('r', 'p')")
        return self.execute(sql, [name]).fetchone() is not None

    def table_names(self) -> list[str]:
        return sorted(inspect(self.connection).get_table_names())

    def table(self, name: str) -> Table:
        """The table as ``storage.tables`` declares it."""
        return metadata.tables[name]

    def json_integer(self, column: str, key: str) -> str:
        """SQL for the whole number under the top-level ``key`` of the JSON text in ``column`` (NULL when there
        is none): each engine reads JSON with its own functions."""
        if not key.isidentifier() or not re.fullmatch(r"[\w.]+", column):
            raise ValueError(f"not a plain name: {column!r}, {key!r}")
        if self.sqlite:
            return f"CAST(json_extract({column}, '$.{key}') AS INTEGER)"
        return f"CAST(CAST({column} AS jsonb) ->> '{key}' AS INTEGER)"

    # -- state -------------------------------------------------------------------------------------------
    @property
    def in_transaction(self) -> bool:
        return self.depth > 0

    @property
    def sqlite(self) -> bool:
        return self.dialect == "sqlite"

    @property
    def dbapi(self) -> Any:
        """The driver's own connection (sqlite3's, for its backup API and sqlite-utils)."""
        return self.connection.connection.dbapi_connection

    def close(self) -> None:
        if self.depth:
            try:
                self.driver("ROLLBACK")
            finally:
                self.depth = 0
        self.connection.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<Store {self.dialect} {shown(self.location)} department {self.department}>"


def _connected(engine: Engine) -> Connection:
    """A connection of ``engine`` whose SQLAlchemy transaction is begun, which sends nothing to the database (its
    connections commit each statement; the store sends BEGIN and COMMIT itself): SQLAlchemy then never commits or
    rolls back on its own (as Alembic would, running a revision inside the store's transaction)."""
    connection = engine.connect()
    connection.begin()
    return connection


def shown(location: Location) -> str:
    """The location without a password."""
    return server_url(location).render_as_string(hide_password=True) if is_server(location) else str(location)


class Rowset:
    """The rows of one table: insert, upsert and update written by SQLAlchemy for the store's engine."""

    __slots__ = ("last_pk", "name", "store")

    def __init__(self, store: Store, name: str):
        self.store, self.name, self.last_pk = store, name, None

    @property
    def table(self) -> Table:
        return self.store.table(self.name)

    def _numbered(self) -> bool:
        """Whether the table's key is a single whole number the engine gives each new row."""
        keys = self.table.primary_key.columns
        return len(keys) == 1 and keys[0].autoincrement in (True, "auto") and keys[0].type.python_type is int

    def _clean(self, record: Mapping[str, Any]) -> dict[str, Any]:
        """The record less a None for a generated key (the engine numbers the row)."""
        generated = {c.name for c in self.table.primary_key.columns} if self._numbered() else set()
        return {k: v for k, v in record.items() if not (k in generated and v is None)}

    def insert(self, record: Mapping[str, Any]) -> Rowset:
        """One row; ``last_pk`` its key: the number the engine gave it, or the key's values as the record gave
        them (a department the key starts with, filled in by the engine, is not asked back)."""
        values = self._clean(record)
        if self._numbered():
            self.last_pk = self.store.run(insert(self.table).values(values)).inserted_primary_key[0]
        else:
            self.store.run(insert(self.table).values(values).inline())
            key = [values.get(c.name) for c in self.table.primary_key.columns]
            self.last_pk = key[0] if len(key) == 1 else tuple(key)
        return self

    def insert_all(self, records: Iterable[Mapping[str, Any]]) -> Rowset:
        rows = [self._clean(r) for r in records]
        by_columns: dict[tuple[str, ...], list[dict]] = {}
        for row in rows:
            by_columns.setdefault(tuple(row), []).append(row)
        for batch in by_columns.values():
            self.store.run(insert(self.table).inline(), batch)
        return self

    def upsert(self, record: Mapping[str, Any], pk: str | Sequence[str]) -> Rowset:
        keys = [pk] if isinstance(pk, str) else list(pk)
        values = self._clean(record)
        statement = (postgresql if self.store.dialect == "postgresql" else sqlite).insert(self.table).values(values)
        changed = {k: statement.excluded[k] for k in values if k not in keys}
        statement = statement.on_conflict_do_update(index_elements=keys, set_=changed) if changed else \
            statement.on_conflict_do_nothing(index_elements=keys)
        self.store.run(statement)
        self.last_pk = values[keys[0]] if len(keys) == 1 else tuple(values[k] for k in keys)
        return self

    def update(self, key: Any, values: Mapping[str, Any]) -> Rowset:
        columns = list(self.table.primary_key.columns)
        key = key if isinstance(key, tuple) else (key,)
        condition = [column == value for column, value in zip(columns, key, strict=True)]
        self.store.run(update(self.table).where(*condition).values(dict(values)))
        self.last_pk = key[0] if len(key) == 1 else key
        return self

    @property
    def columns_dict(self) -> dict[str, type]:
        return {column.name: column.type.python_type for column in self.table.columns}

    @property
    def count(self) -> int:
        return self.store.execute(f'SELECT COUNT(*) FROM "{self.name}"').fetchone()[0]

    @property
    def rows(self) -> Iterator[dict]:
        return self.store.query(f'SELECT * FROM "{self.name}"')


DatabaseError = (sqlite3.DatabaseError, DBAPIError)  # what the driver says, bare (sqlite3) or through SQLAlchemy


def driver_error(exc: BaseException) -> BaseException:
    """The driver's own exception behind SQLAlchemy's."""
    return exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
