"""Cycles (fiscal years, in B.E.) and units."""

from __future__ import annotations

import pandas as pd
from sqlite_utils import Database

from storage import audit
from storage.db import now, transaction


def add_cycle(db: Database, year: int, status: str = "open", actor: str | None = None) -> None:
    with transaction(db):
        db["cycles"].insert({"year": year, "status": status, "opened_at": now()})
        audit.record(db, actor, "create", "cycle", year, status=status)


def cycles(db: Database) -> list[dict]:
    return list(db.query("SELECT year, status FROM cycles ORDER BY year"))


def current_cycle(db: Database) -> int | None:
    """The latest open cycle, else the latest cycle, else None."""
    row = db.execute(
        "SELECT year FROM cycles ORDER BY status = 'open' DESC, year DESC LIMIT 1"
    ).fetchone()
    return row[0] if row else None


def add_unit(db: Database, code: str, name_th: str, name_en: str, kind: str = "central",
             weight: float = 1.0, actor: str | None = None) -> int:
    if not weight > 0:
        raise ValueError("unit weight must be positive")
    with transaction(db):
        unit_id = db["units"].insert({"code": code, "name_th": name_th, "name_en": name_en, "kind": kind,
                                      "weight": float(weight), "active": 1}).last_pk
        audit.record(db, actor, "create", "unit", unit_id, code=code)
    return unit_id


def units(db: Database) -> pd.DataFrame:
    return pd.DataFrame(
        list(db.query("SELECT id, code, name_th, name_en, kind, weight FROM units WHERE active = 1 ORDER BY id")),
        columns=["id", "code", "name_th", "name_en", "kind", "weight"],
    )


def unit(db: Database, unit_id: int) -> dict | None:
    rows = list(db.query("SELECT id, code, name_th, name_en, kind, weight FROM units WHERE id = ?", [unit_id]))
    return rows[0] if rows else None
