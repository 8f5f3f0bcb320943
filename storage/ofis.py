"""Opportunities for improvement (OFI)."""

from __future__ import annotations

from sqlite_utils import Database


def for_unit(db: Database, unit_id: int, year: int) -> list[dict]:
    """The unit's OFIs of the cycle, open ones first."""
    return list(db.query(
        "SELECT id, item, description, status FROM ofis WHERE unit_id = ? AND year = ? "
        "ORDER BY status IN ('done', 'dropped'), id", [unit_id, year]))
