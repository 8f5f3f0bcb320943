"""Backups of the whole store in one zip archive, checked in full before anything is restored from it.

An archive holds ``pmqa.db``, a consistent copy of the database made with SQLite's online backup API
(the app keeps running and writing while it is taken); under ``evidence/`` the uploaded files the
database refers to (withdrawn ones too, while their file is there); under ``criteria/`` a readable copy
of each accepted criteria file (restore takes them from the database); and ``manifest.json``: format and
version, when it was taken, the schema steps applied, rows per table, and the size and SHA-256 of every
other member, and the files the database refers to that were already missing when it was taken.

``check_archive`` reads an archive and changes nothing; ``restore`` writes a new store from one (command
line); ``restore_into`` replaces the contents of the running store (admin page). Both check the whole
archive first, so a bad one changes nothing, and bring a store from an older version of the app up to date.
An archive is never trusted: before anything is inflated its members' declared sizes are checked (against a
cap, the free disk and a plausible compression ratio) and reading stops at the declared size; its database
must have exactly the schema this app's migrations make (every table, index, trigger and view); every file a
row names must lie in that row's own folder and come with the archive.

An archive is written under a hidden temporary name and given its name only when complete; a run's working
copy of the store lives in a hidden folder it holds a lock on. What a killed run leaves behind is removed by
the next backup or restore (once nobody holds its lock, or, where that cannot be told, once a day old).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import itertools
import json
import logging
import os
import re
import secrets
import shutil
import sqlite3
import string
import tempfile
import time
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from storage import audit, connect, migrations
from storage.admin import transfer
from storage.admin.announcements import FOLDER as ANNOUNCEMENTS
from storage.db import BUSY_TIMEOUT_MS, DEFAULT_PATH, PRIVATE, db_file, now, private_file, transaction
from storage.engine import MEMORY, Location, Store, is_server, shown
from storage.errors import InputError
from storage.files import store as file_store
from storage.files.evidence import ALLOWED
from storage.organisation.accounts import User, require_admin
from storage.schema import has_table

try:
    import fcntl  # file locks: whether a backup's or restore's leftovers belong to a run still going
except ImportError:  # not on Windows: leftovers are then judged by their age alone
    fcntl = None

FORMAT = "pmqa-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATABASE = "pmqa.db"
EVIDENCE = "evidence/"
CRITERIA = "criteria/"
PAGES_PER_STEP = 256  # pages copied per step of SQLite's backup (1 MB with 4 KB pages)
CHUNK = 1024 * 1024
MAX_ARCHIVE_MB = 20  # the largest archive the admin page takes as an upload (the server's limit, config.toml)
COMMAND_LINE = "command line"  # who the audit log names for backups and restores made with python -m storage
# Restoring inflates an archive's members: checked against these before anything is read.
MAX_RESTORE_BYTES = 20 * 1024**3  # the most an archive may hold uncompressed, all members together (20 GB)
# the most a member over RATIO_FROM may inflate (uncompressed / compressed size): a zip bomb's is about 1000, a
# store's database about 5 (more when nearly all its pages were emptied: VACUUM it), evidence files less
MAX_RATIO = 200
RATIO_FROM = 1024 * 1024
DISK_MARGIN = 64 * 1024 * 1024  # the free space a check or a restore leaves on the disk
# Leftovers of killed runs (a temporary archive, a folder with a copy of the store), removed by the next run.
BACKUP_TEMP = ".pmqa-backup-"  # in the folder the archives go to
RESTORE_TEMP = ".pmqa-restore-"  # beside the database (in the system's temporary folder for check_archive)
LOCK = "lock"  # the file in a run's folder it holds a lock on while it runs
STALE_AFTER = 60  # seconds: a leftover whose lock is free is removed once this old (a run locks at once)
STALE_UNLOCKED_AFTER = 24 * 3600  # one that has no lock to test (older version, no file locks): once this old
# tables SQLite itself makes (ANALYZE, e.g. from a PRAGMA optimize); allowed beside the app's, defined as SQLite does
SQLITE_OWN = {"sqlite_stat1": "CREATE TABLE sqlite_stat1(tbl,idx,stat)",
              "sqlite_stat4": "CREATE TABLE sqlite_stat4(tbl,idx,neq,nlt,ndlt,sample)"}
LOG = logging.getLogger("pmqa")

Progress = Callable[[float, str], None]
Archive = Path | str | bytes | BinaryIO
# what reading a damaged member can raise: a bad CRC, bad deflate data, a truncated file
DAMAGED = (zipfile.BadZipFile, zlib.error, EOFError)


@dataclass(frozen=True)
class Manifest:
    """What a checked archive holds. ``files`` maps each member (all but the manifest) to its size and sha256;
    ``missing``: the files (under ``evidence/``) the database refers to that the store had lost when it was taken."""

    name: str
    created_at: str
    schema: list[str]
    tables: dict[str, int]
    files: dict[str, dict]
    missing: tuple[str, ...] = ()

    @property
    def evidence(self) -> list[str]:
        return [member for member in self.files if member.startswith(EVIDENCE)]


def _no_progress(fraction: float, caption: str) -> None:
    pass


def _stamp() -> str:
    return datetime.now().strftime("%Y%m%d-%H%M%S")


def _open(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000)


def _copy(source: sqlite3.Connection, target: sqlite3.Connection, step: Callable[[float], None]) -> None:
    """Copy one database over another with SQLite's online backup API, a few pages at a time."""
    source.backup(target, pages=PAGES_PER_STEP,
                  progress=lambda _status, remaining, total: step(1 - remaining / total if total else 1.0))


def _counts(conn: sqlite3.Connection) -> dict[str, int]:
    """Rows per table."""
    names = [row[0] for row in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    return {name: conn.execute(f"SELECT COUNT(*) FROM {_quote(name)}").fetchone()[0] for name in names}


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _applied(conn: sqlite3.Connection) -> list[str]:
    return migrations.history(conn)


def _stored_row(conn: sqlite3.Connection, name: str) -> bytes | None:
    row = conn.execute("SELECT data FROM stored_files WHERE name = ?", [name]).fetchone()
    return None if row is None else bytes(row[0])


def _damaged(manifest_name: str, file: str) -> InputError:
    return InputError("error_backup_damaged", name=manifest_name, file=file)


# ---- leftovers of killed runs -----------------------------------------------------------------------------------

def _hold(handle: BinaryIO) -> None:
    """Lock an open file of this run's for as long as it is open (waiting out a cleaner's brief look)."""
    if fcntl is not None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)


@contextlib.contextmanager
def _lock_state(path: Path) -> Iterator[bool | None]:
    """Whether the lock on ``path`` is free (True: held here meanwhile), held by a run still going (False), or
    cannot be told (None: no such file, or no file locks here)."""
    if fcntl is None:
        yield None
        return
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        yield None
        return
    with handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        yield True


def _clear_stale(folder: Path, prefix: str) -> None:
    """Remove what killed runs left in ``folder`` (names starting with ``prefix``): a temporary archive or a
    working folder is removed once nobody holds its lock and it is ``STALE_AFTER`` old; one whose lock cannot be
    tested, once ``STALE_UNLOCKED_AFTER`` old. Whatever cannot be removed is left (it is never listed)."""
    try:
        entries = [entry for entry in folder.iterdir() if entry.name.startswith(prefix)]
    except OSError:
        return
    for entry in entries:
        with contextlib.suppress(OSError):
            if entry.is_symlink():
                continue
            is_dir = entry.is_dir()
            age = time.time() - entry.stat().st_mtime
            if age < STALE_AFTER:
                continue
            with _lock_state(entry / LOCK if is_dir else entry) as free:
                if free is False or (free is None and age < STALE_UNLOCKED_AFTER):
                    continue
                LOG.warning("removing %s, left by a backup or restore that did not finish", entry)
                shutil.rmtree(entry) if is_dir else entry.unlink()


@contextlib.contextmanager
def _workspace(folder: Path | None, prefix: str) -> Iterator[Path]:
    """A new hidden folder for a run's copy of the store, locked while the run goes on, removed afterwards."""
    tmp = Path(tempfile.mkdtemp(dir=folder, prefix=prefix))
    try:
        with (tmp / LOCK).open("wb") as lock:
            _hold(lock)
            yield tmp
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _safe(member: str) -> bool:
    """A relative path that stays inside the archive's folders: not absolute, no drive, no '..'."""
    name = member.removesuffix("/")
    return bool(name) and not name.startswith("/") and "\\" not in name and ":" not in name and all(
        part not in ("", ".", "..") for part in name.split("/"))


# ---- backup ---------------------------------------------------------------------------------------------------

def _snapshot(db_path: Path, copy: Path, step: Callable[[float], None]) -> None:
    """A consistent copy of the store while others may write: the source connection holds one read
    transaction (a WAL snapshot) for the whole copy, so the stepwise backup neither restarts nor mixes
    states. The copy is one self-contained file (rollback journal, not WAL)."""
    with contextlib.closing(_open(db_path)) as source, contextlib.closing(_open(copy)) as target:
        source.execute("BEGIN")
        source.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
        _copy(source, target, step)
        source.rollback()
        target.execute("PRAGMA journal_mode = DELETE").fetchone()


def _publish(part: Path, out_dir: Path, stem: str) -> Path:
    """Give a complete archive its name, in one step and never an existing one's (``-2``, ``-3``... when taken):
    a hard link, then the temporary name removed; a rename where the file system has no hard links."""
    for n in itertools.count(1):
        path = out_dir / (f"{stem}.zip" if n == 1 else f"{stem}-{n}.zip")
        try:
            os.link(part, path)
        except FileExistsError:
            continue
        except OSError:  # no hard links on this file system
            if path.exists():
                continue
            os.replace(part, path)
            return path
        part.unlink()
        return path
    raise AssertionError("unreachable")


def _add_file(archive: zipfile.ZipFile, member: str, path: Path) -> dict:
    """Add a file to the archive, streamed; its size and sha256."""
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as source, archive.open(member, "w", force_zip64=True) as target:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            target.write(chunk)
    return {"size": size, "sha256": digest.hexdigest()}


def _add_bytes(archive: zipfile.ZipFile, member: str, data: bytes) -> dict:
    archive.writestr(member, data)
    return {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def _criteria_member(name: str | None, sha256: str, taken: dict) -> str:
    """``criteria/<file name>.yaml`` (the name made safe), or by hash when there is none or it is taken."""
    stem = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', "_", Path(name or "").stem).strip(" .")
    member = f"{CRITERIA}{stem or sha256}.yaml"
    return f"{CRITERIA}{stem}-{sha256[:12]}.yaml" if member in taken else member


def backup(db: Store, out_dir: Path, progress: Progress | None = None, actor: User | None = None) -> Path:
    """Write one archive ``pmqa-backup-<YYYYmmdd-HHMMSS>.zip`` of the store into ``out_dir``; its path.
    ``progress(fraction, caption key)`` is called as it goes. The backup is audited in the store. ``actor``:
    an admin, or None for the command line (whoever may read the store's file)."""
    if actor is not None:
        require_admin(db, actor)
    progress = progress or _no_progress
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    _clear_stale(out_dir, BACKUP_TEMP)
    stamp = _stamp()
    part = out_dir / f"{BACKUP_TEMP}{stamp}-{secrets.token_hex(4)}.zip.part"  # not listed until complete
    try:
        with part.open("xb") as handle, _workspace(out_dir, BACKUP_TEMP) as tmp, \
                zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED) as archive:
            os.chmod(part, PRIVATE)
            _hold(handle)
            copy = tmp / DATABASE
            created_at = now()
            progress(0.0, "backup_progress_database")
            def step(done: float) -> None:
                progress(0.6 * done, "backup_progress_database")

            if db.sqlite:
                _snapshot(db_file(db), copy, step)
            else:
                transfer.dump(db, copy, step)
            files, missing = {}, []
            in_database = file_store.where(db) == file_store.DATABASE
            with contextlib.closing(_open(copy)) as snapshot:
                announced = (" UNION SELECT path FROM announcement_files"
                             if has_table(snapshot, "announcement_files") else "")
                paths = [row[0] for row in snapshot.execute(
                    "SELECT path FROM (SELECT path FROM evidence" + announced + ") "
                    "WHERE path IS NOT NULL AND path <> '' ORDER BY path")]
                criteria = [] if not has_table(snapshot, "criteria_files") else snapshot.execute(  # none before m004
                    "SELECT sha256, name, text FROM criteria_files ORDER BY sha256").fetchall()
                root = file_store.folder(db) if not in_database else None
                for i, path_text in enumerate(paths):
                    progress(0.6 + 0.35 * i / len(paths), "backup_progress_files")
                    relative = path_text.replace("\\", "/")
                    member = EVIDENCE + relative
                    if member in files:
                        continue
                    stored = _stored_row(snapshot, path_text) if in_database else None
                    if stored is not None:
                        files[member] = _add_bytes(archive, member, stored)
                    elif not in_database and _safe(relative) and (root / relative).is_file():
                        files[member] = _add_file(archive, member, root / relative)
                    elif member not in missing:
                        LOG.warning("backup: %s, which the store refers to, is missing; the archive says so", relative)
                        missing.append(member)
                if has_table(snapshot, "document_jobs"):  # built documents are not carried: rebuilt on request
                    snapshot.execute("DELETE FROM document_jobs")
                    snapshot.commit()
                if has_table(snapshot, "stored_files"):  # the files are the archive's members, not rows of its database
                    snapshot.execute("DELETE FROM stored_files")
                    snapshot.commit()
                    snapshot.execute("VACUUM")
                schema, tables = _applied(snapshot), _counts(snapshot)
            files[DATABASE] = _add_file(archive, DATABASE, copy)
            for sha256, name, text in criteria:
                member = _criteria_member(name, sha256, files)
                files[member] = _add_bytes(archive, member, text.encode("utf-8"))
            progress(0.95, "backup_progress_files")
            manifest = {"format": FORMAT, "version": FORMAT_VERSION, "created_at": created_at, "schema": schema,
                        "tables": tables, "files": files, "missing": missing}
            archive.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1))
        path = _publish(part, out_dir, f"pmqa-backup-{stamp}")
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    with transaction(db):
        audit.record(db, actor.username if actor else COMMAND_LINE, "backup", "store", None, archive=path.name,
                     sha256=files[DATABASE]["sha256"])
    progress(1.0, "backup_progress_done")
    return path


# ---- checking -------------------------------------------------------------------------------------------------

def _display_name(archive: Archive) -> str:
    if isinstance(archive, bytes | bytearray):
        return "-"
    name = archive if isinstance(archive, str | os.PathLike) else getattr(archive, "name", None)
    return Path(name).name if isinstance(name, str | os.PathLike) and str(name) else "-"


def _check_members(archive: zipfile.ZipFile, name: str) -> set[str]:
    """The member names, each safe and listed once, each stored or deflated (as backups are written) and not
    encrypted: Python inflates bzip2 and LZMA members without a bound on what one read makes."""
    members: set[str] = set()
    for info in archive.infolist():
        if not _safe(info.filename):
            raise InputError("error_backup_unsafe_path", name=name, file=info.filename)
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) or info.flag_bits & 0x1:
            raise _damaged(name, info.filename)
        if info.filename in members:
            raise _damaged(name, info.filename)
        members.add(info.filename)
    if MANIFEST not in members:
        raise InputError("error_backup_not_archive", name=name)
    return members


def _check_sizes(archive: zipfile.ZipFile, name: str, room: Path, restoring: bool) -> None:
    """Before anything is inflated, from the sizes the archive declares: no member inflating more than
    ``MAX_RATIO`` times (past ``RATIO_FROM``), no more than ``MAX_RESTORE_BYTES`` in all, and room on the disk
    for what will be written (the database copy in ``room``; restoring, the evidence files and the database
    once more, as it is copied over the store), ``DISK_MARGIN`` to spare. Reading then stops at the declared
    sizes (``_read_capped``), so a lying header cannot get past these either."""
    infos = archive.infolist()
    for info in infos:
        if info.file_size > RATIO_FROM and info.file_size > MAX_RATIO * info.compress_size:
            raise _damaged(name, info.filename)
    total = sum(info.file_size for info in infos)
    if total > MAX_RESTORE_BYTES:
        raise _damaged(name, max(infos, key=lambda info: info.file_size).filename)
    database = next((info.file_size for info in infos if info.filename == DATABASE), 0)
    if shutil.disk_usage(room).free < (total + database if restoring else database) + DISK_MARGIN:
        raise InputError("error_disk_full")


def _read_capped(archive: zipfile.ZipFile, member: str, limit: int, name: str) -> Iterator[bytes]:
    """A member's content in chunks, never more than ``limit`` bytes: InputError as soon as it would be more."""
    size = 0
    try:
        with archive.open(member) as source:
            while chunk := source.read(min(CHUNK, limit - size + 1)):
                size += len(chunk)
                if size > limit:
                    raise _damaged(name, member)
                yield chunk
    except DAMAGED:
        raise _damaged(name, member) from None


def _read_manifest(archive: zipfile.ZipFile, name: str, members: set[str]) -> Manifest:
    """The manifest, after checking its form."""
    try:
        data = json.loads(b"".join(_read_capped(archive, MANIFEST, archive.getinfo(MANIFEST).file_size, name)))
    except ValueError:
        raise _damaged(name, MANIFEST) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise InputError("error_backup_not_archive", name=name)
    version, files, schema = data.get("version"), data.get("files"), data.get("schema")
    if isinstance(version, int) and version > FORMAT_VERSION:
        raise InputError("error_backup_newer_schema", name=name)
    lost = data.get("missing", [])  # none in archives made before it was written
    well_formed = (
        version == FORMAT_VERSION and isinstance(data.get("created_at"), str) and isinstance(data.get("tables"), dict)
        and isinstance(schema, list) and all(isinstance(step, str) for step in schema)
        and isinstance(files, dict) and DATABASE in files
        and all(isinstance(entry, dict) and isinstance(entry.get("size"), int)
                and isinstance(entry.get("sha256"), str) for entry in files.values())
        and isinstance(lost, list) and all(isinstance(member, str) for member in lost))
    if not well_formed:
        raise _damaged(name, MANIFEST)
    if migrations.unknown(schema):
        raise InputError("error_backup_newer_schema", name=name)
    absent, unlisted = set(files) - members, members - set(files) - {MANIFEST}
    if absent or unlisted:
        raise _damaged(name, min(absent | unlisted))
    return Manifest(name, data["created_at"], schema, data["tables"], files, tuple(lost))


def _verify(archive: zipfile.ZipFile, member: str, manifest: Manifest, out: BinaryIO | None = None) -> None:
    """Read a member through, never past its declared size, checking its size and sha256 against the manifest
    (and copy it to ``out``)."""
    expected = manifest.files[member]
    digest, size = hashlib.sha256(), 0
    if archive.getinfo(member).file_size != expected["size"]:
        raise _damaged(manifest.name, member)
    for chunk in _read_capped(archive, member, expected["size"], manifest.name):
        digest.update(chunk)
        size += len(chunk)
        if out is not None:
            out.write(chunk)
    if size != expected["size"] or digest.hexdigest() != expected["sha256"]:
        raise _damaged(manifest.name, member)


# ---- the database: this app's schema exactly, and files where their rows belong -----------------------------------

_SQL_TOKEN = re.compile(r"""'(?:[^']|'')*'|"(?:[^"]|"")*"|`(?:[^`]|``)*`|\[[^\]]*\]"""
                        r"|[A-Za-z0-9_$\u0080-\U0010FFFF]+|[ \t\n\f\r]+|.", re.DOTALL)
_PLAIN_NAME = re.compile(r"[a-z_][a-z0-9_$]*")
_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)  # SQLite folds ASCII letters only
_VALUES = {"null", "true", "false", "current_date", "current_time", "current_timestamp"}  # a quoted one is text


def _fold(name) -> str | None:
    return name.translate(_LOWER) if isinstance(name, str) else name


def _normalized(sql) -> tuple[str, ...] | None:
    """A definition as SQLite reads it, without what does not change its meaning: its tokens without white
    space, names and keywords in lower case, a quoted name ("x", [x], `x`) as the plain name it is (as another
    version of sqlite-utils may have written it). String literals stay as written; a quoted name that is not a
    plain one, or one that bare would read as a value ("null"), keeps its quotes."""
    if not isinstance(sql, str):
        return sql
    tokens = []
    for token in _SQL_TOKEN.findall(sql):
        first = token[0]
        if first in " \t\n\f\r":
            continue
        if first in "\"`[":
            quote = "" if first == "[" else first
            name = token[1:-1].replace(quote * 2, quote) if quote else token[1:-1]
            folded = name.translate(_LOWER)
            plain = _PLAIN_NAME.fullmatch(folded) and folded not in _VALUES
            tokens.append(folded if plain else '"' + folded.replace('"', '""') + '"')
        elif first == "'":
            tokens.append(token)
        else:
            tokens.append(token.translate(_LOWER))
    return tuple(tokens)


def _objects(conn: sqlite3.Connection) -> Counter:
    """Every table, index, trigger and view: (type, name, table, normalized definition)."""
    return Counter((kind, _fold(name), _fold(table), _normalized(sql))
                   for kind, name, table, sql in conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master"))


@functools.cache
def _expected_objects(steps: tuple[str, ...]) -> Counter:
    """The objects a new store has after the app's migration steps ``steps`` (a first part of them), made once
    per version, in memory."""
    made = Store(MEMORY)
    try:
        migrations.make(made, list(steps))
        return _objects(made.dbapi)
    finally:
        made.close()


def _schema_differences(conn: sqlite3.Connection, steps: list[str]) -> list[str]:
    """The names of the objects that differ from what the app's migrations make (extra, missing or altered)."""
    found, expected = _objects(conn), _expected_objects(tuple(steps))
    for name, sql in SQLITE_OWN.items():  # what ANALYZE makes, exactly as SQLite makes it, is no difference
        found.pop(("table", name, name, _normalized(sql)), None)
    return sorted({str(entry[1]) for entry in (found - expected) + (expected - found)})


def _named_for(name: str, sha256) -> bool:
    """A stored file's name: its content's SHA-256 and an extension the app accepts."""
    return (isinstance(sha256, str) and re.fullmatch(r"[0-9a-f]{64}", sha256) is not None
            and name.startswith(sha256) and name[len(sha256):] in ALLOWED)


def _check_files(conn: sqlite3.Connection, manifest: Manifest) -> None:
    """Every file a row names (evidence, announcements) lies in that row's own folder — ``<unit>/<year>/`` of
    its assessment, or ``announcements/`` — named by its content's SHA-256, and comes with the archive with that
    content (or is listed as lost when the archive was taken); and every file the archive carries is one a row
    names. So a restore cannot point a row at another unit's file, nor leave a file where it does not belong."""
    carried = {member.removeprefix(EVIDENCE): entry for member, entry in manifest.files.items()
               if member.startswith(EVIDENCE)}
    lost = {member.removeprefix(EVIDENCE) for member in manifest.missing}
    rows = conn.execute(
        "SELECT e.path, e.sha256, CAST(a.unit_id AS TEXT) || '/' || CAST(a.year AS TEXT) FROM evidence e "
        "LEFT JOIN assessments a ON a.id = e.assessment_id WHERE e.path IS NOT NULL AND e.path <> ''").fetchall()
    if has_table(conn, "announcement_files"):
        rows += conn.execute("SELECT path, sha256, ? FROM announcement_files WHERE path IS NOT NULL AND path <> ''",
                             [ANNOUNCEMENTS]).fetchall()
    named = set()
    for path, sha256, folder in rows:
        relative = str(path).replace("\\", "/")
        where, _, file_name = relative.rpartition("/")
        if not _safe(relative) or folder is None or where != folder or not _named_for(file_name, sha256):
            raise InputError("error_backup_unsafe_path", name=manifest.name, file=str(path))
        entry = carried.get(relative)
        if (entry is None and relative not in lost) or (entry is not None and entry["sha256"] != sha256):
            raise _damaged(manifest.name, EVIDENCE + relative)
        named.add(relative)
    if unnamed := set(carried) - named:
        raise _damaged(manifest.name, EVIDENCE + min(unnamed))


def _check_database(copy: Path, manifest: Manifest) -> None:
    """The copy's schema is exactly what this app's migrations make at the version the manifest names — every
    table, index, trigger and view by name, type, table and definition, so nothing runs code on later writes
    and the audit log stays append-only — checked before anything in it is read or evaluated; then it passes
    SQLite's integrity check, has those schema steps applied and its rows' files check out (``_check_files``).
    (The manifest's checksums catch damage, not an archive made to deceive.)"""
    if not migrations.is_history(manifest.schema):  # changes are only ever added at the end
        raise _damaged(manifest.name, DATABASE)
    with contextlib.closing(_open(copy)) as conn:
        try:
            conn.execute("PRAGMA trusted_schema = OFF")
            different = _schema_differences(conn, manifest.schema)
        except sqlite3.DatabaseError:
            raise _damaged(manifest.name, DATABASE) from None
        if different:
            raise _damaged(manifest.name, f"{DATABASE}: {', '.join(different[:3])}")
        try:
            intact = conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            schema = _applied(conn)
        except sqlite3.DatabaseError:
            intact, schema = False, []
        if not intact or schema != manifest.schema:
            raise _damaged(manifest.name, DATABASE)
        _check_files(conn, manifest)


@contextlib.contextmanager
def _checked(archive: Archive, workdir: Path | None = None,
             restoring: bool = False) -> Iterator[tuple[Manifest, zipfile.ZipFile, Path]]:
    """Check the whole archive; yield its manifest, the open zip and a checked copy of its database in a
    temporary folder (inside ``workdir`` when given, where leftovers of killed runs are cleared first), removed
    afterwards. ``restoring``: the evidence files will be written too (room on the disk for them). InputError
    when anything is wrong."""
    name = _display_name(archive)
    if isinstance(archive, bytes | bytearray):
        archive = io.BytesIO(archive)
    elif hasattr(archive, "seek"):
        archive.seek(0)
    try:
        opened = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, EOFError):
        raise InputError("error_backup_not_archive", name=name) from None
    room = Path(workdir) if workdir is not None else Path(tempfile.gettempdir())
    with opened:
        members = _check_members(opened, name)
        _clear_stale(room, RESTORE_TEMP)  # first: a killed run's copy of the store may hold the room needed
        _check_sizes(opened, name, room, restoring)
        with _workspace(room, RESTORE_TEMP) as tmp:
            manifest = _read_manifest(opened, name, members)
            copy = tmp / DATABASE
            for member in manifest.files:
                if member == DATABASE:
                    with copy.open("wb") as out:
                        _verify(opened, member, manifest, out)
                else:
                    _verify(opened, member, manifest)
            _check_database(copy, manifest)
            yield manifest, opened, copy


def check_archive(archive: Archive) -> Manifest:
    """Check an archive (a path, its bytes or an open file) without changing anything: a zip with this app's
    manifest, sizes that inflate plausibly and fit the disk, every listed file present, intact and nothing else,
    no path leaving its folder, exactly the schema this app's migrations make (at a version this code knows), a
    database that passes SQLite's integrity check, and every file a row names in that row's own folder and in
    the archive. Its manifest; InputError otherwise."""
    with _checked(archive) as (manifest, _archive, _copy):
        return manifest


# ---- restoring ------------------------------------------------------------------------------------------------

def _evidence_to_write(manifest: Manifest, root: Path) -> list[tuple[str, Path]]:
    """(member, target) of the evidence files not yet under ``root``; InputError when one is there with
    other content."""
    todo = []
    for member in manifest.evidence:
        target = root.joinpath(*member.removeprefix(EVIDENCE).split("/"))
        if not target.exists():
            todo.append((member, target))
            continue
        digest = hashlib.sha256()
        if target.is_file():
            with target.open("rb") as existing:
                while chunk := existing.read(CHUNK):
                    digest.update(chunk)
        if digest.hexdigest() != manifest.files[member]["sha256"]:
            raise InputError("error_backup_evidence_conflict", name=manifest.name, file=member)
    return todo


def _mkdirs(folder: Path, created: list[Path]) -> None:
    """Make ``folder`` and its missing parents, noting each one made in ``created``."""
    for path in [*reversed(folder.parents), folder]:
        if not path.exists():
            path.mkdir()
            created.append(path)


def _write_evidence(archive: zipfile.ZipFile, todo: list[tuple[str, Path]], created: list[Path],
                    step: Callable[[float], None]) -> None:
    """Write evidence files (each whole, then renamed into place), noting each file and folder in ``created``."""
    for i, (member, target) in enumerate(todo):
        step(i / len(todo))
        _mkdirs(target.parent, created)
        part = target.with_name(target.name + ".part")
        try:
            with archive.open(member) as source, private_file(part).open("wb") as out:
                while chunk := source.read(CHUNK):
                    out.write(chunk)
            part.replace(target)
        finally:
            part.unlink(missing_ok=True)
        created.append(target)


def _undo(created: list[Path]) -> None:
    """Remove the files and (now empty) folders a failed restore made, newest first."""
    for path in reversed(created):
        with contextlib.suppress(OSError):
            path.rmdir() if path.is_dir() else path.unlink()


def _summary(db: Store, manifest: Manifest) -> dict:
    return {"archive": manifest.name, "created_at": manifest.created_at, "tables": transfer.counts(db),
            "evidence_files": len(manifest.evidence)}


def _prepare(copy: Path, opened: zipfile.ZipFile, manifest: Manifest, username: str, files_in_database: bool) -> None:
    """Bring the checked copy up to this code's schema, audit the restore in it and, when the target keeps its
    files in the database, put the archive's files into the copy's ``stored_files`` (so they move with the rows,
    in the same step)."""
    store = connect(copy)
    try:
        with transaction(store):
            audit.record(store, username, "restore", "store", None, archive=manifest.name,
                         created_at=manifest.created_at)
            if files_in_database:
                for member in manifest.evidence:
                    data = b"".join(_read_capped(opened, member, manifest.files[member]["size"], manifest.name))
                    file_store.put_row(store, member.removeprefix(EVIDENCE), data)
    finally:
        store.close()


def restore(archive: Archive, db_path: Location, progress: Progress | None = None) -> dict:
    """Write a new store at ``db_path`` from an archive: a SQLite file (which must not exist) with its files
    beside it, or a PostgreSQL database (which must hold no store yet) with its files in it; brought up to this
    code's schema and audited. A summary: the archive, rows per table, evidence files. The archive is checked
    first; on any failure nothing is left behind."""
    progress = progress or _no_progress
    if is_server(db_path):
        return _restore_to_server(archive, db_path, progress)
    db_path = Path(db_path)
    if db_path.exists():
        raise InputError("error_backup_target_exists", name=str(db_path))
    created: list[Path] = []
    try:
        _mkdirs(db_path.parent, created)
        progress(0.0, "restore_progress_check")
        with _checked(archive, workdir=db_path.parent, restoring=True) as (manifest, opened, copy):
            in_database = _files_in_database(copy)
            todo = [] if in_database else _evidence_to_write(manifest, db_path.parent / file_store.EVIDENCE_FOLDER)
            progress(0.3, "restore_progress_upgrade")
            _prepare(copy, opened, manifest, COMMAND_LINE, in_database)
            with contextlib.closing(connect(copy)) as store:
                summary = _summary(store, manifest)
            progress(0.5, "restore_progress_evidence")
            _write_evidence(opened, todo, created,
                            lambda done: progress(0.5 + 0.45 * done, "restore_progress_evidence"))
            progress(0.95, "restore_progress_database")
            if db_path.exists():
                raise InputError("error_backup_target_exists", name=str(db_path))
            os.chmod(copy, PRIVATE)
            copy.replace(db_path)
    except BaseException:
        _undo(created)
        raise
    progress(1.0, "restore_progress_done")
    return summary


def _files_in_database(copy: Path) -> bool:
    with contextlib.closing(Store(copy)) as store:
        return file_store.where(store) == file_store.DATABASE


def _restore_to_server(archive: Archive, location: str, progress: Progress) -> dict:
    target = connect(location)
    try:
        if target.execute("SELECT 1 FROM users LIMIT 1").fetchone():
            raise InputError("error_backup_target_exists", name=shown(location))
        progress(0.0, "restore_progress_check")
        with _checked(archive, restoring=True) as (manifest, opened, copy):
            progress(0.3, "restore_progress_upgrade")
            _prepare(copy, opened, manifest, COMMAND_LINE, True)
            progress(0.5, "restore_progress_database")
            transfer.load(copy, target, lambda done: progress(0.5 + 0.45 * done, "restore_progress_database"))
        summary = _summary(target, manifest)
    finally:
        target.close()
    progress(1.0, "restore_progress_done")
    return summary


def restore_into(db: Store, archive: Archive, actor: User, progress: Progress | None = None) -> dict:
    """An admin replaces the contents of the running store with an archive's: the checked copy is brought
    up to this code's schema and the restore audited in it, its evidence files are added to the file store,
    then it replaces the live database in one step (SQLite's backup API; on PostgreSQL one transaction): other
    sessions see the change at once. Checked first: a bad archive changes nothing. A summary as ``restore``'s."""
    require_admin(db, actor)
    progress = progress or _no_progress
    progress(0.0, "restore_progress_check")
    created: list[Path] = []
    in_database = file_store.where(db) == file_store.DATABASE
    workdir = db_file(db).parent if db.sqlite else None
    with _checked(archive, workdir=workdir, restoring=True) as (manifest, opened, copy):
        todo = [] if in_database else _evidence_to_write(manifest, file_store.folder(db))
        progress(0.3, "restore_progress_upgrade")
        _prepare(copy, opened, manifest, actor.username, in_database)
        try:
            progress(0.4, "restore_progress_evidence")
            _write_evidence(opened, todo, created, lambda done: progress(0.4 + 0.2 * done, "restore_progress_evidence"))
            progress(0.6, "restore_progress_database")

            def step(done: float) -> None:
                progress(0.6 + 0.35 * done, "restore_progress_database")

            if db.sqlite:
                with contextlib.closing(_open(copy)) as source:
                    _copy(source, db.dbapi, step)
            else:
                transfer.load(copy, db, step)
        except BaseException:
            _undo(created)
            raise
    summary = _summary(db, manifest)
    progress(1.0, "restore_progress_done")
    return summary


def backups_folder(db: Store) -> Path:
    """Where the admin page writes archives and looks for them: ``backups/`` beside the database file (a
    nightly ``python -m storage backup --out`` can write there too); for a PostgreSQL store, ``PMQA_BACKUPS``
    (a folder the app servers share), else ``backups/`` beside the default store."""
    if db.sqlite:
        return db_file(db).parent / "backups"
    return Path(os.environ.get("PMQA_BACKUPS") or DEFAULT_PATH.parent / "backups")


def archives(db: Store) -> list[Path]:
    """The complete archives in the backups folder, newest first: one being written has a hidden temporary name
    until it is complete, and a file left half-written by an older version (no zip directory at its end) is
    not listed."""
    folder = backups_folder(db)
    if not folder.is_dir():
        return []
    found = [path for path in folder.glob("pmqa-backup-*.zip") if path.is_file() and zipfile.is_zipfile(path)]
    return sorted(found, key=lambda p: p.name, reverse=True)


__all__ = ["FORMAT", "FORMAT_VERSION", "Manifest", "archives", "backup", "backups_folder", "check_archive", "restore",
           "restore_into"]
