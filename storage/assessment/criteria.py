"""Criteria files a year may use: checked with the criteria validator, previewed against the file in
use, and, once accepted, stored in the database (so a backup carries them) under their checksum."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from scoring import Framework
from scoring.criteria import CriteriaError, parse_framework
from scoring.diff import CriteriaDiff, diff_frameworks
from storage import audit
from storage.assessment import years
from storage.db import now, transaction
from storage.engine import Store, marks
from storage.errors import InputError
from storage.organisation.accounts import User, require_admin

MAX_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True)
class Preview:
    """A valid file, what it changes against the year's criteria in use, and how many saved answers in
    how many assessments refer to checkpoints it removes (kept, but no longer counted)."""

    name: str
    sha256: str
    framework: Framework
    diff: CriteriaDiff
    orphaned_answers: int
    orphaned_assessments: int
    text: str = field(repr=False)  # the file as stored once accepted


def parse(data: bytes, name: str) -> tuple[Framework, str, str]:
    """(framework, text, checksum) of an uploaded file; ``InputError`` with the validator's message."""
    if len(data) > MAX_BYTES:
        raise InputError("error_file_size", name=name, limit=MAX_BYTES // (1024 * 1024))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError("error_criteria_encoding", name=name) from None
    try:
        framework = parse_framework(text, source=name)
    except CriteriaError as exc:
        raise InputError("error_criteria_file", name=name, message=str(exc)) from None
    return framework, text, hashlib.sha256(text.encode("utf-8")).hexdigest()


def preview(db: Store, year: int, data: bytes, name: str) -> Preview:
    framework, text, sha = parse(data, name)
    # thresholds saved for the year stay in force over the file's: compare with what the year would use
    diff = diff_frameworks(years.framework_of(db, year), years.as_used(db, year, framework))
    removed = list(diff.removed_checkpoint_ids)
    answers, assessments = 0, 0
    if removed:
        answers, assessments = db.execute(
            f"SELECT COUNT(*), COUNT(DISTINCT c.assessment_id) FROM checkpoint_answers c "
            f"JOIN assessments a ON a.id = c.assessment_id WHERE a.year = ? AND c.checkpoint IN "
            f"({marks(removed)}) AND (c.self_met IS NOT NULL OR c.review_met IS NOT NULL)",
            [year, *removed]).fetchone()
    return Preview(name, sha, framework, diff, answers, assessments, text)


def accept(db: Store, actor: User, year: int, data: bytes, name: str) -> Preview:
    """Use the file for the year (checked again; audited with what it changed)."""
    require_admin(db, actor)
    seen = preview(db, year, data, name)
    sha, text = seen.sha256, seen.text
    with transaction(db):
        years.require_open_year(db, year)
        db.execute("INSERT INTO criteria_files (sha256, name, framework_id, text, accepted_at, accepted_by) "
                   "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                   [sha, name, seen.framework.id, text, now(), actor.username])
        db.execute("UPDATE cycles SET criteria_sha = ? WHERE year = ?", [sha, year])
        audit.record(db, actor.username, "set_criteria", "cycle", year, file=name, sha256=sha,
                     changes=len(seen.diff.changes), removed_checkpoints=list(seen.diff.removed_checkpoint_ids),
                     orphaned_answers=seen.orphaned_answers)
    return seen


def default_preview(db: Store, year: int) -> Preview | None:
    """What going back to the default (the year's own file on disk, else the shipped default as it is today) would
    change in the year's criteria, as ``preview`` shows an upload; None when the year uses that file already."""
    path = years.disk_file(year)
    data = path.read_bytes()
    row = db.execute("SELECT criteria_sha FROM cycles WHERE year = ?", [year]).fetchone()
    if row is None or row[0] is None or row[0] == hashlib.sha256(data.decode("utf-8-sig").encode("utf-8")).hexdigest():
        return None  # a year with no file of its own follows the files on disk
    return preview(db, year, data, path.name)


def use_default(db: Store, actor: User, year: int) -> None:
    """Go back to the year's own file on disk or the shipped default as they are today, stored so that the year
    keeps it (``years.store_file``)."""
    require_admin(db, actor)
    with transaction(db):
        years.require_open_year(db, year)
        path = years.disk_file(year)
        sha = years.store_file(db, path, actor.username)
        db.execute("UPDATE cycles SET criteria_sha = ? WHERE year = ?", [sha, year])
        name = db.execute("SELECT name FROM criteria_files WHERE sha256 = ?", [sha]).fetchone()[0]
        audit.record(db, actor.username, "set_criteria", "cycle", year, file=None, default=name, sha256=sha)


def accepted_files(db: Store) -> list[dict]:
    return list(db.query("SELECT sha256, name, framework_id, accepted_at, accepted_by FROM criteria_files "
                         "ORDER BY accepted_at DESC"))
