"""The stored files (evidence and announcement files), where every app server can reach them.

Files are named by the store (``<unit>/<year>/<sha256><suffix>``, ``announcements/<sha256><suffix>``: a name
relative to the file store) and kept in one of two places, chosen by the setting ``PMQA_FILES``:

- ``folder``: a folder beside the SQLite file (``evidence/``), the default for SQLite: the files can be seen
  and copied as files;
- ``database``: the ``stored_files`` table of the store itself, the default for PostgreSQL, so that several app
  servers share them and the database's own backups and replication carry them.

Either way the content is checked on upload and named by its SHA-256, so a file written twice is the same file,
and a backup archive carries the files under ``evidence/`` (``storage.admin.backup``).
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

from storage.db import db_file, now, private_file
from storage.engine import Store
from storage.errors import AccessDenied

FOLDER, DATABASE = "folder", "database"
EVIDENCE_FOLDER = "evidence"  # beside the SQLite file


def where(db: Store) -> str:
    """Where this store keeps its files: ``PMQA_FILES`` when set, else a folder for SQLite and the database for
    PostgreSQL. A PostgreSQL store has no folder of its own (``folder`` is refused for it)."""
    chosen = os.environ.get("PMQA_FILES", "").strip().lower() or (FOLDER if db.sqlite else DATABASE)
    if chosen not in (FOLDER, DATABASE):
        raise ValueError(f"PMQA_FILES must be {FOLDER!r} or {DATABASE!r}, not {chosen!r}")
    if chosen == FOLDER and not db.sqlite:
        raise ValueError("a PostgreSQL store keeps its files in the database (PMQA_FILES=database)")
    return chosen


def folder(db: Store) -> Path:
    """The folder beside a SQLite store's file that holds its files (kept there when ``where`` is the folder)."""
    return db_file(db).parent / EVIDENCE_FOLDER


def _path(db: Store, name: str) -> Path:
    """The file a stored name names, which never leaves the folder (defence in depth)."""
    root = folder(db).resolve()
    path = (root / name).resolve()
    if not path.is_relative_to(root):
        raise AccessDenied(file=name)
    return path


def describe(db: Store, name: str) -> str:
    """Where a stored file is, for the server's log."""
    return str(_path(db, name)) if where(db) == FOLDER else f"stored_files:{name}"


def put(db: Store, name: str, data: bytes) -> None:
    """Store ``data`` as ``name``, whole or not at all; a name already stored is kept (a name is its content's
    hash, so it holds the same bytes). A full disk raises OSError (folder) or the database's error."""
    if where(db) == DATABASE:
        put_row(db, name, data)
        return
    path = _path(db, name)
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{secrets.token_hex(8)}.part")  # identical uploads may race: each its own
    try:
        private_file(tmp)
        tmp.write_bytes(data)
        tmp.replace(path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise


def put_row(db: Store, name: str, data: bytes) -> None:
    """Store ``data`` as ``name`` in the store's ``stored_files`` table, whatever ``where`` says (a restore
    writes the files into the copy it restores from)."""
    db.execute("INSERT INTO stored_files (name, data, size, stored_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
               [name, data, len(data), now()])


def delete(db: Store, name: str) -> None:
    """Remove a stored file (nothing when it is not there). In the database, with the caller's transaction; in the
    folder, at once: call it last in a transaction that holds the store's write lock, so no other process can
    point a row at the same name (a name is its content's hash) between the check that nothing does and this."""
    if where(db) == DATABASE:
        db.execute("DELETE FROM stored_files WHERE name = ?", [name])
        return
    _path(db, name).unlink(missing_ok=True)


def get(db: Store, name: str) -> bytes:
    """A stored file's content; FileNotFoundError when it is not there, OSError when it cannot be read."""
    if where(db) == DATABASE:
        row = db.execute("SELECT data FROM stored_files WHERE name = ?", [name]).fetchone()
        if row is None:
            raise FileNotFoundError(name)
        return bytes(row[0])
    return _path(db, name).read_bytes()


def check(db: Store, name: str) -> None:
    """Raise as ``get`` would, without reading the content."""
    if where(db) == DATABASE:
        if db.execute("SELECT 1 FROM stored_files WHERE name = ?", [name]).fetchone() is None:
            raise FileNotFoundError(name)
        return
    with _path(db, name).open("rb"):
        pass


def has(db: Store, name: str) -> bool:
    try:
        check(db, name)
    except OSError:
        return False
    return True
