"""Evidence for a level or a KPI: uploaded files, stored beside the database under the unit and year
with their content hash, or links. Confidential evidence is seen only by its unit and the committee.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from pathlib import Path

from sqlite_utils import Database

from scoring import LEVELS
from storage import audit, years
from storage.accounts import User
from storage.answers import EDITABLE
from storage.db import db_file, now, private_file, transaction
from storage.errors import AccessDenied, InputError, NotEditable

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
URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)


def evidence_root(db: Database) -> Path:
    """The folder beside the database file that holds uploaded evidence."""
    return db_file(db).parent / "evidence"


def _target(db: Database, actor: User, assessment_id: int, item: str, level: str | None, kpi: str | None) -> dict:
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


def check_file(filename: str, data: bytes, max_bytes: int = MAX_BYTES) -> str:
    """The file's extension if it may be stored; InputError naming the problem otherwise."""
    name = Path(filename).name
    suffix = Path(name).suffix.lower()
    if suffix not in SIGNATURES:
        raise InputError("error_file_type", name=name, allowed=", ".join(ALLOWED))
    if len(data) > max_bytes:
        raise InputError("error_file_size", name=name, limit=max_bytes // (1024 * 1024))
    if not data:
        raise InputError("error_file_empty", name=name)
    if not data.startswith(SIGNATURES[suffix]):
        raise InputError("error_file_content", name=name)
    if len(name) > MAX_NAME:
        raise InputError("error_text_length", limit=MAX_NAME)
    return suffix


def add_file(db: Database, actor: User, assessment_id: int, item: str, level: str | None, filename: str,
             data: bytes, confidential: bool = False, kpi: str | None = None) -> int:
    suffix = check_file(filename, data)
    target = _target(db, actor, assessment_id, item, level, kpi)
    digest = hashlib.sha256(data).hexdigest()
    folder = evidence_root(db) / str(target["unit_id"]) / str(target["year"])
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{digest}{suffix}"
    if not path.exists():
        tmp = private_file(path.with_suffix(f".{secrets.token_hex(8)}.part"))  # its own: uploads may race
        tmp.write_bytes(data)
        tmp.replace(path)
    with transaction(db):
        evidence_id = db["evidence"].insert({
            "assessment_id": assessment_id, "item": item, "level": level, "kpi": kpi, "kind": "file",
            "filename": Path(filename).name, "path": str(path.relative_to(evidence_root(db))), "sha256": digest,
            "size": len(data), "url": None, "confidential": int(confidential), "added_by": actor.username,
            "added_at": now(), "removed_at": None}).last_pk
        audit.record(db, actor.username, "add_evidence", "assessment", assessment_id, evidence=evidence_id,
                     item=item, level=level, kpi=kpi, file=Path(filename).name, sha256=digest)
    return evidence_id


def add_link(db: Database, actor: User, assessment_id: int, item: str, level: str | None, url: str,
             title: str = "", confidential: bool = False, kpi: str | None = None) -> int:
    url, title = url.strip(), title.strip()
    if not URL.match(url) or len(url) > 2000:
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
        audit.record(db, actor.username, "add_evidence", "assessment", assessment_id, evidence=evidence_id,
                     item=item, level=level, kpi=kpi, url=url)
    return evidence_id


def _can_see_confidential(actor: User) -> bool:
    return actor.role in ("unit", "committee")


def listing(db: Database, actor: User, assessment_id: int) -> list[dict]:
    """The assessment's evidence the actor may see, newest last."""
    row = db.execute("SELECT unit_id FROM assessments WHERE id = ?", [assessment_id]).fetchone()
    if row is None:
        raise InputError("error_no_assessment")
    actor.require_unit(row[0])
    rows = db.query("SELECT id, item, level, kpi, kind, filename, size, url, confidential, added_by, added_at "
                    "FROM evidence WHERE assessment_id = ? AND removed_at IS NULL ORDER BY id", [assessment_id])
    return [r for r in rows if not r["confidential"] or _can_see_confidential(actor)]


def read(db: Database, actor: User, evidence_id: int) -> tuple[str, bytes]:
    """(file name, content) of an uploaded file the actor may see."""
    rows = list(db.query("SELECT e.*, a.unit_id FROM evidence e JOIN assessments a ON a.id = e.assessment_id "
                         "WHERE e.id = ? AND e.removed_at IS NULL AND e.kind = 'file'", [evidence_id]))
    if not rows:
        raise InputError("error_no_evidence")
    row = rows[0]
    actor.require_unit(row["unit_id"])
    if row["confidential"] and not _can_see_confidential(actor):
        raise AccessDenied(evidence=evidence_id)
    root = evidence_root(db).resolve()
    path = (root / row["path"]).resolve()
    if not path.is_relative_to(root):  # a stored path never leaves the evidence folder (defence in depth)
        raise AccessDenied(evidence=evidence_id)
    return row["filename"], path.read_bytes()


def remove(db: Database, actor: User, evidence_id: int) -> None:
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
