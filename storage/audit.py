"""The append-only audit log: who did what, when, to which record."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta

import pandas as pd

from i18n.format import THAILAND
from storage.db import now
from storage.engine import Store


def record(db: Store, username: str | None, action: str, entity: str, entity_id=None, **detail) -> None:
    """Append one entry; call it inside the transaction that makes the change."""
    db.execute(
        "INSERT INTO audit_log (at, username, action, entity, entity_id, detail) VALUES (?, ?, ?, ?, ?, ?)",
        [now(), username, action, entity, None if entity_id is None else str(entity_id),
         json.dumps(detail, ensure_ascii=False, default=str) if detail else None],
    )



def last_touch(db: Store, entity: str, entity_id, touched: Callable[[str, dict], bool]) -> tuple[str, str] | None:
    """The newest entry about ``entity`` ``entity_id`` for which ``touched(action, detail)`` holds (the detail
    as a dictionary): its (user name, time), or None. The detail is read here, in Python, the same on both
    engines."""
    for username, at, action, detail in db.execute(
            "SELECT username, at, action, detail FROM audit_log WHERE entity = ? AND entity_id = ? ORDER BY id DESC",
            [entity, str(entity_id)]):
        if touched(action, json.loads(detail) if detail else {}):
            return username, at
    return None


def holds(detail: dict, *keys: str) -> bool:
    """Whether the detail has a value (not null) under the nested ``keys``."""
    for key in keys:
        if not isinstance(detail, dict) or detail.get(key) is None:
            return False
        detail = detail[key]
    return True


def _entries(db: Store) -> str:
    """Entries with the year and unit each concerns: its assessment's or OFI's, the id of a year's record, or
    the ``year`` and ``unit_id`` its detail names."""
    return f"""
SELECT l.id, l.at, l.username, l.action, l.entity, l.entity_id, l.detail,
       COALESCE(a.year,
                CASE WHEN l.entity IN ('cycle', 'dept_record', 'workplan') THEN CAST(l.entity_id AS INTEGER) END,
                o.year, {db.json_integer('l.detail', 'year')}) AS year,
       COALESCE(a.unit_id, CASE WHEN l.entity = 'unit' THEN CAST(l.entity_id AS INTEGER) END,
                {db.json_integer('l.detail', 'unit_id')}) AS unit_id
FROM audit_log l
LEFT JOIN assessments a ON a.id = CASE WHEN l.entity = 'assessment' THEN CAST(l.entity_id AS INTEGER) END
LEFT JOIN ofis o ON o.id = CASE WHEN l.entity = 'ofi' THEN CAST(l.entity_id AS INTEGER) END
"""


COLUMNS = ["id", "at", "username", "action", "entity", "entity_id", "detail", "year", "unit_id"]


def _start_of(day: date | None) -> str | None:
    """The stored (UTC) time at which ``day`` begins in Thailand, in the log's own format."""
    moment = datetime.combine(day, time.min, THAILAND) if day else None
    return moment.astimezone(UTC).isoformat(timespec="milliseconds") if moment else None


def entries(db: Store, username: str | None = None, action: str | None = None, entity: str | None = None,
            year: int | None = None, unit_id: int | None = None, since: date | None = None,
            until: date | None = None, limit: int = 10_000) -> pd.DataFrame:
    """Audit entries, newest first, with the year and unit each concerns where known; each filter
    applies when given (``since``/``until``: days as people in Thailand see them, inclusive)."""
    conditions = {"username = ?": username, "action = ?": action, "entity = ?": entity, "year = ?": year,
                  "unit_id = ?": unit_id, "at >= ?": _start_of(since),
                  "at < ?": _start_of(until + timedelta(days=1) if until else None)}
    chosen = {sql: value for sql, value in conditions.items() if value not in (None, "")}
    where = f"WHERE {' AND '.join(chosen)}" if chosen else ""
    rows = db.execute(f"SELECT * FROM ({_entries(db)}) entries {where} ORDER BY id DESC LIMIT ?",
                      [*chosen.values(), limit]).fetchall()
    frame = pd.DataFrame(rows, columns=COLUMNS)
    return frame.astype({"year": "Int64", "unit_id": "Int64"})


def choices(db: Store) -> dict[str, list]:
    """The values the filters can take: usernames, actions and entities present in the log."""
    return {column: [r[0] for r in db.execute(f"SELECT DISTINCT {column} FROM audit_log WHERE {column} IS NOT NULL "
                                                f"ORDER BY {column}")]
            for column in ("username", "action", "entity")}
