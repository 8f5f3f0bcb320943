"""Evidence for a level or a KPI: uploaded files, kept in the store's file store (``storage.files.store``: beside
the SQLite file, or in the database) under the unit and year with their content hash, or links. Confidential
evidence is seen only by its unit and the committee.
"""

from __future__ import annotations

import errno
import hashlib
import io
import logging
import re
import sqlite3
import unicodedata
import zipfile
from pathlib import Path

import pypdf
from pypdf.errors import DependencyError, FileNotDecryptedError

from scoring import LEVELS
from storage import audit
from storage.assessment import years
from storage.assessment.answers import EDITABLE
from storage.db import now, transaction
from storage.engine import DatabaseError, Store, driver_error
from storage.errors import AccessDenied, InputError, NotEditable, StoreError
from storage.files import store as files
from storage.organisation.accounts import User, acting
from storage.text import clean

LOG = logging.getLogger("pmqa")
MAX_BYTES = 10 * 1024 * 1024
MAX_NAME = 200
# extension -> the bytes such a file starts with (PDF, images, Word and Excel, old and new formats)
SIGNATURES = {
    ".pdf": (b"%PDF-",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".docx": (b"PK\x03\x04",),
    ".xlsx": (b"PK\x03\x04",),
    ".doc": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",),
    ".xls": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",),
}
ALLOWED = tuple(SIGNATURES)
# an Office Open XML file is a ZIP package holding these parts; only the member names are read, never the
# members themselves (a ZIP bomb is never inflated), and a package of absurdly many members is refused
OOXML_MAIN = {".docx": "word/document.xml", ".xlsx": "xl/workbook.xml"}
OOXML_TYPES = "[content_types].xml"
MAX_MEMBERS = 5000
DISK_FULL = {errno.ENOSPC, errno.EDQUOT}
# not shown and not stored: control (Cc) and format (Cf: bidirectional overrides and isolates, direction marks,
# zero-width characters, soft hyphen) characters, line and paragraph separators, lone surrogates
HIDDEN = {"Cc", "Cf", "Zl", "Zp", "Cs"}
URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)
MAX_URL = 2000


def is_link(url: str) -> bool:
    """A web address that may be stored as a link: http or https, no spaces or control characters, at most
    ``MAX_URL`` long."""
    return bool(URL.match(url)) and len(url) <= MAX_URL and not any(unicodedata.category(ch) == "Cc" for ch in url)


evidence_root = files.folder  # the folder beside a SQLite file that holds its files (when kept in a folder)


def _target(db: Store, actor: User, assessment_id: int, item: str, level: str | None, kpi: str | None) -> dict:
    actor = acting(db, actor)
    row = db.execute("SELECT unit_id, year, status FROM assessments WHERE id = ?", [assessment_id]).fetchone()
    if row is None:
        raise InputError("error_no_assessment")
    unit_id, year, status = row
    if actor.role != "unit":
        raise AccessDenied(role=actor.role)
    actor.require_unit(unit_id)
    if status not in EDITABLE["self"]:
        raise NotEditable(status=status)
    years.require_unit_phase(db, year, status)
    framework = years.framework_of(db, year)
    if item not in framework.item_ids():
        raise InputError("error_unknown_item", item=item)
    if framework.item(item).is_results:
        if not kpi:
            raise InputError("error_unknown_kpi", kpi="-")
    elif level not in LEVELS:
        raise InputError("error_unknown_item", item=item)
    return {"unit_id": unit_id, "year": year}


def clean_text(text: str) -> str:
    """``text`` as one plain line: no control or format characters (bidirectional overrides, zero-width
    characters), every run of white space one space; Thai letters and their marks kept as they are."""
    text = unicodedata.normalize("NFC", clean(text or ""))
    kept = "".join(" " if ch.isspace() else ch for ch in text
                   if ch.isspace() or unicodedata.category(ch) not in HIDDEN)
    return " ".join(kept.split())


def clean_filename(filename: str, fallback: str = "file") -> str:
    """A file name fit to show and store: ``clean_text`` without any folder part (``/`` or ``\\``, so
    ``C:\\fakepath\\a.pdf`` is ``a.pdf``) and without dots or spaces around its stem; ``fallback``
    (with the extension, if any) when no name is left, e.g. ``file.pdf``."""
    base = re.split(r"[/\\]", clean_text(filename))[-1].strip()
    stem, dot, extension = base.rpartition(".")
    if not dot:
        stem, extension = base, ""
    stem, extension = stem.strip(" ."), extension.strip()
    return f"{stem or fallback}.{extension}" if extension else stem or fallback


def _is_ooxml(data: bytes, suffix: str) -> bool:
    """A Word or Excel package: a ZIP with the content-types part and the main document part (by name,
    as Office writes them; OPC names are case-insensitive), without macros (a renamed .docm or .xlsm)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            members = package.infolist()
    except Exception:  # not a ZIP, or a damaged one: zipfile raises more than BadZipFile
        return False
    if len(members) > MAX_MEMBERS:
        return False
    names = {m.filename.lower() for m in members}
    return (OOXML_TYPES in names and OOXML_MAIN[suffix] in names
            and not any(name.endswith("vbaproject.bin") for name in names))


def _is_pdf(data: bytes) -> bool:
    """A PDF that pypdf can open, with at least one page. A protected PDF whose pages cannot be counted
    without its password (or without an AES library) has been parsed that far: it is a PDF."""
    try:
        reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
        return len(reader.pages) > 0
    except (FileNotDecryptedError, DependencyError):
        return True
    except Exception:  # pypdf raises many kinds on a damaged or fake file
        return False


def check_file(filename: str, data: bytes, max_bytes: int = MAX_BYTES) -> str:
    """The file's extension if it may be stored; InputError naming the problem otherwise. Every check is
    on the cleaned name (``clean_filename``): ``evil``, a right-to-left override, ``fdp.exe`` is an .exe file
    whatever it looks like."""
    name = clean_filename(filename)
    suffix = Path(name).suffix.lower()
    if suffix not in SIGNATURES:
        raise InputError("error_file_type", name=name, allowed=", ".join(ALLOWED))
    if len(data) > max_bytes:
        raise InputError("error_file_size", name=name, limit=max_bytes // (1024 * 1024))
    if not data:
        raise InputError("error_file_empty", name=name)
    if not data.startswith(SIGNATURES[suffix]):
        raise InputError("error_file_content", name=name)
    if suffix in OOXML_MAIN and not _is_ooxml(data, suffix):
        raise InputError("error_file_content", name=name)
    if suffix == ".pdf" and not _is_pdf(data):
        raise InputError("error_file_content", name=name)
    if len(name) > MAX_NAME:
        raise InputError("error_text_length", limit=MAX_NAME)
    return suffix


def _disk_full(exc: BaseException) -> bool:
    exc = driver_error(exc)
    if getattr(exc, "sqlstate", None) == "53100":  # PostgreSQL: disk_full
        return True
    if isinstance(exc, sqlite3.OperationalError):
        return getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL
    return isinstance(exc, OSError) and exc.errno in DISK_FULL


def add_file(db: Store, actor: User, assessment_id: int, item: str, level: str | None, filename: str,
             data: bytes, confidential: bool = False, kpi: str | None = None) -> int:
    """Store an uploaded file (checked by ``check_file``, named by ``clean_filename``) and its record. A full
    disk is logged and refused with ``error_disk_full``: no partial file and no record are left (a file
    written whole before the database refused is kept: it is named by its content and a retry reuses it)."""
    suffix = check_file(filename, data)
    name = clean_filename(filename)
    target = _target(db, actor, assessment_id, item, level, kpi)
    digest = hashlib.sha256(data).hexdigest()
    stored = f"{target['unit_id']}/{target['year']}/{digest}{suffix}"
    try:
        files.put(db, stored, data)
        with transaction(db):
            evidence_id = db["evidence"].insert({
                "assessment_id": assessment_id, "item": item, "level": level, "kpi": kpi, "kind": "file",
                "filename": name, "path": stored, "sha256": digest,
                "size": len(data), "url": None, "confidential": int(confidential), "added_by": actor.username,
                "added_at": now(), "removed_at": None}).last_pk
            audit.record(db, actor.username, "add_evidence", "assessment", assessment_id, evidence=evidence_id,
                         item=item, level=level, kpi=kpi, file=name, sha256=digest)
    except (OSError, *DatabaseError) as exc:
        if not _disk_full(exc):
            raise
        LOG.error("disk full: evidence %s (%d bytes) for assessment %s not stored: %s", stored, len(data),
                  assessment_id, exc)
        raise StoreError("error_disk_full") from exc
    return evidence_id


def add_link(db: Store, actor: User, assessment_id: int, item: str, level: str | None, url: str,
             title: str = "", confidential: bool = False, kpi: str | None = None) -> int:
    url, title = url.strip(), clean_text(title)
    if not is_link(url):
        raise InputError("error_url")
    if len(title) > MAX_NAME:
        raise InputError("error_text_length", limit=MAX_NAME)
    _target(db, actor, assessment_id, item, level, kpi)
    with transaction(db):
        evidence_id = db["evidence"].insert({
            "assessment_id": assessment_id, "item": item, "level": level, "kpi": kpi, "kind": "link",
            "filename": title or url, "path": None, "sha256": None, "size": None, "url": url,
            "confidential": int(confidential), "added_by": actor.username, "added_at": now(),
            "removed_at": None}).last_pk
        # a confidential link's address is for those who may see the unit's evidence, not for the audit log
        audit.record(db, actor.username, "add_evidence", "assessment", assessment_id, evidence=evidence_id,
                     item=item, level=level, kpi=kpi,
                     **({"link": "confidential"} if confidential else {"url": url}))
    return evidence_id


def _can_see_confidential(actor: User) -> bool:
    return actor.role in ("unit", "committee")


def listing(db: Store, actor: User, assessment_id: int) -> list[dict]:
    """The assessment's evidence the actor may see, newest last."""
    actor = acting(db, actor)
    row = db.execute("SELECT unit_id FROM assessments WHERE id = ?", [assessment_id]).fetchone()
    if row is None:
        raise InputError("error_no_assessment")
    actor.require_unit(row[0])
    rows = db.query("SELECT id, item, level, kpi, kind, filename, size, url, confidential, added_by, added_at "
                    "FROM evidence WHERE assessment_id = ? AND removed_at IS NULL ORDER BY id", [assessment_id])
    return [r for r in rows if not r["confidential"] or _can_see_confidential(actor)]


def _stored(db: Store, actor: User, evidence_id: int) -> tuple[str, str]:
    """(clean file name, stored name) of an uploaded file the actor may see."""
    actor = acting(db, actor)
    rows = list(db.query("SELECT e.*, a.unit_id FROM evidence e JOIN assessments a ON a.id = e.assessment_id "
                         "WHERE e.id = ? AND e.removed_at IS NULL AND e.kind = 'file'", [evidence_id]))
    if not rows:
        raise InputError("error_no_evidence")
    row = rows[0]
    actor.require_unit(row["unit_id"])
    if row["confidential"] and not _can_see_confidential(actor):
        raise AccessDenied(evidence=evidence_id)
    return clean_filename(row["filename"]), row["path"]


def read_stored(db: Store, stored: str, name: str, label: str) -> bytes:
    """A stored file's content; a logged StoreError ``error_evidence_unreadable`` naming the file when it is
    missing or cannot be read."""
    try:
        return files.get(db, stored)
    except OSError as exc:
        raise _unreadable(db, label, name, stored, exc) from exc


def _unreadable(db: Store, label: str, name: str, stored: str, exc: OSError) -> StoreError:
    LOG.error("%s: its file %s cannot be read: %s", label, files.describe(db, stored), exc)
    return StoreError("error_evidence_unreadable", name=name)


def check_readable(db: Store, actor: User, evidence_id: int) -> str:
    """The clean name of an uploaded file the actor may see, once its stored file opens (nothing is read);
    a logged StoreError ``error_evidence_unreadable`` when it is missing or cannot be opened."""
    name, stored = _stored(db, actor, evidence_id)
    try:
        files.check(db, stored)
    except OSError as exc:
        raise _unreadable(db, f"evidence {evidence_id}", name, stored, exc) from exc
    return name


def read(db: Store, actor: User, evidence_id: int) -> tuple[str, bytes]:
    """(clean file name, content) of an uploaded file the actor may see; a logged StoreError
    ``error_evidence_unreadable`` when its stored file is missing or cannot be read."""
    name, stored = _stored(db, actor, evidence_id)
    return name, read_stored(db, stored, name, f"evidence {evidence_id}")


def remove(db: Store, actor: User, evidence_id: int) -> None:
    """Withdraw evidence; the record stays (marked removed) for the audit trail."""
    rows = list(db.query("SELECT assessment_id, item, level, kpi FROM evidence WHERE id = ? AND removed_at IS NULL",
                         [evidence_id]))
    if not rows:
        raise InputError("error_no_evidence")
    row = rows[0]
    _target(db, actor, row["assessment_id"], row["item"], row["level"], row["kpi"])
    with transaction(db):
        db.execute("UPDATE evidence SET removed_at = ? WHERE id = ?", [now(), evidence_id])
        audit.record(db, actor.username, "remove_evidence", "assessment", row["assessment_id"], evidence=evidence_id)
