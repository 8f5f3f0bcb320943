"""The committee's notes on a unit's items: comments the unit sees, and strengths."""

from __future__ import annotations

from storage import audit
from storage.assessment import years
from storage.db import now, transaction
from storage.engine import Store
from storage.errors import AccessDenied, InputError, NotEditable
from storage.organisation.accounts import User, acting
from storage.text import clean

KINDS = ("comment", "strength")
MAX_NOTE = 2000


def add_note(db: Store, actor: User, assessment_id: int, item: str, kind: str, text: str) -> int:
    """A committee note on one item of a submitted (or returned, or approved) assessment."""
    actor = acting(db, actor)
    if actor.role != "committee":
        raise AccessDenied(role=actor.role)
    text = clean(text).strip()
    if kind not in KINDS:
        raise InputError("error_input")
    if not text:
        raise InputError("error_note_empty")
    if len(text) > MAX_NOTE:
        raise InputError("error_text_length", limit=MAX_NOTE)
    row = db.execute("SELECT year, status FROM assessments WHERE id = ?", [assessment_id]).fetchone()
    if row is None:
        raise InputError("error_no_assessment")
    if row[1] == "draft":
        raise NotEditable(status=row[1])
    years.require_open_year(db, row[0])
    if item not in years.framework_of(db, row[0]).item_ids():
        raise InputError("error_unknown_item", item=item)
    with transaction(db):
        note_id = db["item_comments"].insert({"assessment_id": assessment_id, "item": item, "kind": kind,
                                              "author": actor.username, "text": text, "created_at": now()}).last_pk
        audit.record(db, actor.username, f"add_{kind}", "assessment", assessment_id, item=item, note=note_id)
    return note_id


def remove_note(db: Store, actor: User, note_id: int) -> None:
    """A committee member withdraws a note they wrote (kept in the audit log); another member's note stays."""
    actor = acting(db, actor)
    if actor.role != "committee":
        raise AccessDenied(role=actor.role)
    rows = list(db.query("SELECT c.assessment_id, c.item, c.kind, c.text, c.author, a.year FROM item_comments c "
                         "JOIN assessments a ON a.id = c.assessment_id WHERE c.id = ?", [note_id]))
    if not rows:
        raise InputError("error_input")
    if rows[0].pop("author") != actor.username:
        raise AccessDenied(note=note_id)
    years.require_open_year(db, rows[0].pop("year"))
    with transaction(db):
        db.execute("DELETE FROM item_comments WHERE id = ?", [note_id])
        audit.record(db, actor.username, "remove_note", "assessment", rows[0]["assessment_id"], **rows[0])
