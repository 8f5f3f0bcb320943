"""The append-only audit log: who did what, when, to which record."""

from __future__ import annotations

import json

from sqlite_utils import Database

from storage.db import now


def record(db: Database, username: str | None, action: str, entity: str, entity_id=None, **detail) -> None:
    """Append one entry; call it inside the transaction that makes the change."""
    db.execute(
        "INSERT INTO audit_log (at, username, action, entity, entity_id, detail) VALUES (?, ?, ?, ?, ?, ?)",
        [now(), username, action, entity, None if entity_id is None else str(entity_id),
         json.dumps(detail, ensure_ascii=False, default=str) if detail else None],
    )

