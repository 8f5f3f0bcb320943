"""Backups of the whole store in one zip archive, checked in full before anything is restored from it.

An archive holds ``pmqa.db``, a consistent copy of the database made with SQLite's online backup API
(the app keeps running and writing while it is taken); under ``evidence/`` the uploaded files the
database refers to (withdrawn ones too, while their file is there); under ``criteria/`` a readable copy
of each accepted criteria file (restore takes them from the database); and ``manifest.json``: format and
version, when it was taken, the schema steps applied, rows per table, and the size and SHA-256 of every
other member.

``check_archive`` reads an archive and changes nothing; ``restore`` writes a new store from one (command
line); ``restore_into`` replaces the contents of the running store (admin page). Both check the whole
archive first, so a bad one changes nothing, and bring a store from an older version of the app up to date.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import itertools
import json
import os
import re
import sqlite3
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from sqlite_utils import Database

from storage import audit, connect
from storage.accounts import User, require_admin
from storage.db import BUSY_TIMEOUT_MS, PRIVATE, db_file, now, private_file, transaction
from storage.errors import InputError
from storage.evidence import evidence_root
from storage.schema import migrations

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
TRIGGERS = {"audit_log_no_update", "audit_log_no_delete"}  # the only triggers (and no views) a store has

Progress = Callable[[float, str], None]
Archive = Path | str | bytes | BinaryIO
# what reading a damaged member can raise: a bad CRC, bad deflate data, a truncated file
DAMAGED = (zipfile.BadZipFile, zlib.error, EOFError)


@dataclass(frozen=True)
class Manifest:
    """What a checked archive holds. ``files`` maps each member (all but the manifest) to its size and sha256."""

    name: str
    created_at: str
    schema: list[str]
    tables: dict[str, int]
    files: dict[str, dict]

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
    return [row[0] for row in conn.execute("SELECT name FROM _migrations ORDER BY rowid")]


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


def _new_archive(out_dir: Path) -> tuple[Path, BinaryIO]:
    """A new archive file named by the time; never an existing one (``-2``, ``-3``... when taken)."""
    stem = f"pmqa-backup-{_stamp()}"
    for n in itertools.count(1):
        path = out_dir / (f"{stem}.zip" if n == 1 else f"{stem}-{n}.zip")
        with contextlib.suppress(FileExistsError):
            handle = path.open("xb")
            os.chmod(path, PRIVATE)
            return path, handle
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


def backup(db: Database, out_dir: Path, progress: Progress | None = None, actor: User | None = None) -> Path:
    """Write one archive ``pmqa-backup-<YYYYmmdd-HHMMSS>.zip`` of the store into ``out_dir``; its path.
    ``progress(fraction, caption key)`` is called as it goes. The backup is audited in the store. ``actor``:
    an admin, or None for the command line (whoever may read the store's file)."""
    if actor is not None:
        require_admin(db, actor)
    progress = progress or _no_progress
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    path, handle = _new_archive(out_dir)
    try:
        with handle, tempfile.TemporaryDirectory(dir=out_dir, prefix=".pmqa-backup-") as tmp, \
                zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED) as archive:
            copy = Path(tmp) / DATABASE
            created_at = now()
            progress(0.0, "backup_progress_database")
            _snapshot(db_file(db), copy, lambda done: progress(0.6 * done, "backup_progress_database"))
            with contextlib.closing(_open(copy)) as snapshot:
                schema, tables = _applied(snapshot), _counts(snapshot)
                announced = " UNION SELECT path FROM announcement_files" if "announcement_files" in tables else ""
                paths = [row[0] for row in snapshot.execute(
                    "SELECT path FROM (SELECT path FROM evidence" + announced + ") "
                    "WHERE path IS NOT NULL AND path <> '' ORDER BY path")]
                criteria = [] if "criteria_files" not in tables else snapshot.execute(  # none before step m004
                    "SELECT sha256, name, text FROM criteria_files ORDER BY sha256").fetchall()
            files = {DATABASE: _add_file(archive, DATABASE, copy)}
            root = evidence_root(db)
            for i, path_text in enumerate(paths):
                progress(0.6 + 0.35 * i / len(paths), "backup_progress_files")
                relative = path_text.replace("\\", "/")
                if _safe(relative) and (root / relative).is_file():
                    files[EVIDENCE + relative] = _add_file(archive, EVIDENCE + relative, root / relative)
            for sha256, name, text in criteria:
                member = _criteria_member(name, sha256, files)
                files[member] = _add_bytes(archive, member, text.encode("utf-8"))
            progress(0.95, "backup_progress_files")
            manifest = {"format": FORMAT, "version": FORMAT_VERSION, "created_at": created_at, "schema": schema,
                        "tables": tables, "files": files}
            archive.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1))
    except BaseException:
        path.unlink(missing_ok=True)
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


def _read_manifest(archive: zipfile.ZipFile, name: str) -> Manifest:
    """The manifest, after checking the member names and the manifest's form."""
    members: set[str] = set()
    for info in archive.infolist():
        if not _safe(info.filename):
            raise InputError("error_backup_unsafe_path", name=name, file=info.filename)
        if info.filename in members:
            raise InputError("error_backup_damaged", name=name, file=info.filename)
        members.add(info.filename)
    if MANIFEST not in members:
        raise InputError("error_backup_not_archive", name=name)
    try:
        data = json.loads(archive.read(MANIFEST))
    except (*DAMAGED, ValueError):
        raise InputError("error_backup_damaged", name=name, file=MANIFEST) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise InputError("error_backup_not_archive", name=name)
    version, files, schema = data.get("version"), data.get("files"), data.get("schema")
    if isinstance(version, int) and version > FORMAT_VERSION:
        raise InputError("error_backup_newer_schema", name=name)
    well_formed = (
        version == FORMAT_VERSION and isinstance(data.get("created_at"), str) and isinstance(data.get("tables"), dict)
        and isinstance(schema, list) and all(isinstance(step, str) for step in schema)
        and isinstance(files, dict) and DATABASE in files
        and all(isinstance(entry, dict) and isinstance(entry.get("size"), int)
                and isinstance(entry.get("sha256"), str) for entry in files.values()))
    if not well_formed:
        raise InputError("error_backup_damaged", name=name, file=MANIFEST)
    if set(schema) - set(migrations.names):
        raise InputError("error_backup_newer_schema", name=name)
    missing, unlisted = set(files) - members, members - set(files) - {MANIFEST}
    if missing or unlisted:
        raise InputError("error_backup_damaged", name=name, file=min(missing | unlisted))
    return Manifest(name, data["created_at"], schema, data["tables"], files)


def _verify(archive: zipfile.ZipFile, member: str, manifest: Manifest, out: BinaryIO | None = None) -> None:
    """Read a member through, checking its size and sha256 against the manifest (and copy it to ``out``)."""
    expected = manifest.files[member]
    digest, size = hashlib.sha256(), 0
    try:
        if archive.getinfo(member).file_size != expected["size"]:
            raise InputError("error_backup_damaged", name=manifest.name, file=member)
        with archive.open(member) as source:
            while chunk := source.read(CHUNK):
                digest.update(chunk)
                size += len(chunk)
                if out is not None:
                    out.write(chunk)
    except DAMAGED:
        raise InputError("error_backup_damaged", name=manifest.name, file=member) from None
    if size != expected["size"] or digest.hexdigest() != expected["sha256"]:
        raise InputError("error_backup_damaged", name=manifest.name, file=member)


def _check_database(copy: Path, manifest: Manifest) -> None:
    """The copy opens, passes SQLite's integrity check and has the schema steps the manifest lists; it holds
    no trigger or view this app does not make (they would run code on later writes) and no evidence path
    leaving the evidence folder. (The manifest's checksums catch damage, not an archive made to deceive.)"""
    try:
        with contextlib.closing(_open(copy)) as conn:
            intact = conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            schema = _applied(conn)
            extra = {row[0] for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type IN ('trigger', 'view')")} - TRIGGERS
            paths = [row[0] for row in conn.execute("SELECT path FROM evidence WHERE path IS NOT NULL AND path <> ''")]
    except sqlite3.DatabaseError:
        intact, schema, extra, paths = False, [], set(), []
    if set(schema) - set(migrations.names):
        raise InputError("error_backup_newer_schema", name=manifest.name)
    if not intact or schema != manifest.schema:
        raise InputError("error_backup_damaged", name=manifest.name, file=DATABASE)
    unsafe = sorted(extra) + [p for p in paths if not _safe(p.replace("\\", "/"))]
    if unsafe:
        raise InputError("error_backup_unsafe_path", name=manifest.name, file=", ".join(unsafe[:3]))


@contextlib.contextmanager
def _checked(archive: Archive, workdir: Path | None = None) -> Iterator[tuple[Manifest, zipfile.ZipFile, Path]]:
    """Check the whole archive; yield its manifest, the open zip and a checked copy of its database in a
    temporary folder (inside ``workdir`` when given), removed afterwards. InputError when anything is wrong."""
    name = _display_name(archive)
    if isinstance(archive, bytes | bytearray):
        archive = io.BytesIO(archive)
    elif hasattr(archive, "seek"):
        archive.seek(0)
    try:
        opened = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, EOFError):
        raise InputError("error_backup_not_archive", name=name) from None
    with opened, tempfile.TemporaryDirectory(dir=workdir, prefix=".pmqa-restore-") as tmp:
        manifest = _read_manifest(opened, name)
        copy = Path(tmp) / DATABASE
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
    manifest, every listed file present, intact and nothing else, no path leaving its folder, a schema this
    code knows and a database that passes SQLite's integrity check. Its manifest; InputError otherwise."""
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


def _summary(db: Database, manifest: Manifest) -> dict:
    return {"archive": manifest.name, "created_at": manifest.created_at, "tables": _counts(db.conn),
            "evidence_files": len(manifest.evidence)}


def restore(archive: Archive, db_path: Path, progress: Progress | None = None) -> dict:
    """Write a new store at ``db_path`` (which must not exist) from an archive, its evidence files into
    ``evidence/`` beside it, brought up to this code's schema and audited. A summary: the archive, rows per
    table, evidence files. The archive is checked first; on any failure nothing is left behind."""
    progress = progress or _no_progress
    db_path = Path(db_path)
    if db_path.exists():
        raise InputError("error_backup_target_exists", name=str(db_path))
    created: list[Path] = []
    try:
        _mkdirs(db_path.parent, created)
        progress(0.0, "restore_progress_check")
        with _checked(archive, workdir=db_path.parent) as (manifest, opened, copy):
            todo = _evidence_to_write(manifest, db_path.parent / "evidence")
            progress(0.3, "restore_progress_upgrade")
            store = connect(copy)
            try:
                with transaction(store):
                    audit.record(store, COMMAND_LINE, "restore", "store", None, archive=manifest.name,
                                 created_at=manifest.created_at)
                summary = _summary(store, manifest)
            finally:
                store.close()
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


def restore_into(db: Database, archive: Archive, actor: User, progress: Progress | None = None) -> dict:
    """An admin replaces the contents of the running store with an archive's: the checked copy is brought
    up to this code's schema and the restore audited in it, its evidence files are added to the evidence
    folder, then it is copied over the live database in one step with SQLite's backup API (other sessions
    see the change at once). Checked first: a bad archive changes nothing. A summary as ``restore``'s."""
    require_admin(db, actor)
    progress = progress or _no_progress
    progress(0.0, "restore_progress_check")
    created: list[Path] = []
    with _checked(archive, workdir=db_file(db).parent) as (manifest, opened, copy):
        todo = _evidence_to_write(manifest, evidence_root(db))
        progress(0.3, "restore_progress_upgrade")
        store = connect(copy)
        try:
            with transaction(store):
                audit.record(store, actor.username, "restore", "store", None, archive=manifest.name,
                             created_at=manifest.created_at)
        finally:
            store.close()
        try:
            progress(0.4, "restore_progress_evidence")
            _write_evidence(opened, todo, created, lambda done: progress(0.4 + 0.2 * done, "restore_progress_evidence"))
            progress(0.6, "restore_progress_database")
            with contextlib.closing(_open(copy)) as source:
                _copy(source, db.conn, lambda done: progress(0.6 + 0.35 * done, "restore_progress_database"))
        except BaseException:
            _undo(created)
            raise
    summary = _summary(db, manifest)
    progress(1.0, "restore_progress_done")
    return summary


def backups_folder(db: Database) -> Path:
    """Where the admin page writes archives and looks for them: ``backups/`` beside the database file (a
    nightly ``python -m storage backup --out`` can write there too)."""
    return db_file(db).parent / "backups"


def archives(db: Database) -> list[Path]:
    """The archives in the backups folder, newest first."""
    folder = backups_folder(db)
    return sorted(folder.glob("pmqa-backup-*.zip"), key=lambda p: p.name, reverse=True) if folder.is_dir() else []


__all__ = ["FORMAT", "FORMAT_VERSION", "Manifest", "archives", "backup", "backups_folder", "check_archive", "restore",
           "restore_into"]
