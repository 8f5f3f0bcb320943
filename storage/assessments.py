"""Assessments (one per unit and cycle), their checkpoint ticks and KPI results.

Saves carry the version the editor started from; a save against a newer version is refused with
``VersionConflict`` so two people never silently overwrite each other.
"""

from __future__ import annotations

import pandas as pd
from sqlite_utils import Database

from storage import audit
from storage.accounts import AccessDenied, User
from storage.db import now, transaction
from storage.schema import STATUSES

COUNTED = ("submitted", "approved")
SOURCES = ("self", "review", "best")
# Which role writes which values: units their own (self) values, the committee its reviewed values.
WRITERS = {"self": ("unit",), "review": ("committee",)}


class VersionConflict(RuntimeError):
    """Someone else saved this assessment after it was opened."""

    def __init__(self, current_version: int):
        super().__init__(f"the assessment was changed by someone else (now version {current_version})")
        self.current_version = current_version


def get(db: Database, unit_id: int, year: int) -> dict | None:
    rows = list(db.query("SELECT * FROM assessments WHERE unit_id = ? AND year = ?", [unit_id, year]))
    return rows[0] if rows else None


def ensure(db: Database, actor: User, unit_id: int, year: int) -> dict:
    """The unit's assessment for the cycle, created as an empty draft if there is none yet."""
    actor.require_unit(unit_id)
    with transaction(db):
        found = get(db, unit_id, year)
        if found:
            return found
        stamp = now()
        new_id = db["assessments"].insert({"unit_id": unit_id, "year": year, "status": "draft", "version": 0,
                                           "created_at": stamp, "updated_at": stamp,
                                           "updated_by": actor.username}).last_pk
        audit.record(db, actor.username, "create", "assessment", new_id, unit_id=unit_id, year=year)
    return get(db, unit_id, year)


def _bump(db: Database, actor: User, assessment_id: int, expected_version: int) -> dict:
    """Claim the next version inside the open transaction, or raise VersionConflict."""
    row = db.execute("SELECT unit_id, version, status FROM assessments WHERE id = ?", [assessment_id]).fetchone()
    if row is None:
        raise KeyError(f"no assessment {assessment_id}")
    unit_id, version, status = row
    actor.require_unit(unit_id)
    cursor = db.execute(
        "UPDATE assessments SET version = version + 1, updated_at = ?, updated_by = ? WHERE id = ? AND version = ?",
        [now(), actor.username, assessment_id, expected_version],
    )
    if cursor.rowcount != 1:
        raise VersionConflict(version)
    return {"unit_id": unit_id, "version": expected_version + 1, "status": status}


def save_checkpoints(db: Database, actor: User, assessment_id: int, expected_version: int,
                     ticks: dict[str, bool], source: str = "self") -> int:
    """Store ticks (checkpoint id -> met) as the unit's (self) or the committee's (review) values."""
    column = {"self": "self_met", "review": "review_met"}[source]
    if actor.role not in WRITERS[source]:
        raise AccessDenied(f"role {actor.role} may not write {source} values")
    with transaction(db):
        state = _bump(db, actor, assessment_id, expected_version)
        for checkpoint, met in ticks.items():
            db.execute(
                f"INSERT INTO checkpoint_answers (assessment_id, checkpoint, {column}) VALUES (?, ?, ?) "
                f"ON CONFLICT (assessment_id, checkpoint) "
                f"DO UPDATE SET {column} = excluded.{column}, needs_confirm = 0",
                [assessment_id, checkpoint, int(bool(met))],
            )
        audit.record(db, actor.username, f"save_{source}", "assessment", assessment_id, ticks=ticks,
                     version=state["version"])
    return state["version"]


def set_status(db: Database, actor: User, assessment_id: int, expected_version: int, status: str,
               reason: str | None = None) -> int:
    if status not in STATUSES:
        raise ValueError(f"unknown status {status!r}")
    with transaction(db):
        state = _bump(db, actor, assessment_id, expected_version)
        stamp = now() if status == "submitted" else None
        db.execute("UPDATE assessments SET status = ?, submitted_at = COALESCE(?, submitted_at) WHERE id = ?",
                   [status, stamp, assessment_id])
        audit.record(db, actor.username, "status", "assessment", assessment_id, status=status, reason=reason)
    return state["version"]


def status_table(db: Database, year: int) -> pd.DataFrame:
    """Every active unit with its assessment status for the cycle ('not_started' where none)."""
    rows = db.query(
        "SELECT u.id AS unit_id, u.code, u.name_th, u.name_en, u.weight, "
        "COALESCE(a.status, 'not_started') AS status, a.version, a.updated_at "
        "FROM units u LEFT JOIN assessments a ON a.unit_id = u.id AND a.year = ? "
        "WHERE u.active = 1 ORDER BY u.id", [year])
    return pd.DataFrame(list(rows), columns=["unit_id", "code", "name_th", "name_en", "weight", "status",
                                             "version", "updated_at"])


def _filter(year: int, statuses: tuple[str, ...] | None, unit_id: int | None) -> tuple[str, list]:
    sql = " WHERE a.year = ?"
    params: list = [year]
    if statuses:
        sql += f" AND a.status IN ({', '.join('?' * len(statuses))})"
        params += list(statuses)
    if unit_id is not None:
        sql += " AND a.unit_id = ?"
        params.append(unit_id)
    return sql, params


def score_inputs(db: Database, year: int, source: str = "self", statuses: tuple[str, ...] | None = COUNTED,
                 unit_id: int | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Frames for the scoring package: answers (unit, checkpoint, met) and kpis (unit, kpi, value,
    item, floor, ceiling) of the cycle's assessments, ``unit`` being the unit id.

    source 'self' reads the unit's values; 'review' the committee's where it set one, else the unit's;
    'best' the same as 'review' (a reviewed value wins wherever there is one).
    """
    if source not in SOURCES:
        raise ValueError(f"unknown score source {source!r}")
    met = "a_.self_met" if source == "self" else "COALESCE(a_.review_met, a_.self_met)"
    value = "k.self_value" if source == "self" else "COALESCE(k.review_value, k.self_value)"
    where, params = _filter(year, statuses, unit_id)
    answers = pd.DataFrame(list(db.query(
        f"SELECT a.unit_id AS unit, a_.checkpoint, {met} AS met FROM assessments a "
        f"JOIN checkpoint_answers a_ ON a_.assessment_id = a.id{where}", params)),
        columns=["unit", "checkpoint", "met"])
    answers["met"] = answers["met"].fillna(0).astype(bool)
    kpis = pd.DataFrame(list(db.query(
        f"SELECT a.unit_id AS unit, k.kpi, {value} AS value, uk.item, uk.floor, uk.ceiling FROM assessments a "
        f"JOIN kpi_results k ON k.assessment_id = a.id AND k.fiscal_year = a.year "
        f"LEFT JOIN unit_kpis uk ON uk.assessment_id = a.id AND uk.kpi = k.kpi{where}", params)),
        columns=["unit", "kpi", "value", "item", "floor", "ceiling"])
    return answers, kpis


def counted_units(db: Database, year: int, statuses: tuple[str, ...] = COUNTED) -> list[int]:
    return [r[0] for r in db.execute(
        f"SELECT unit_id FROM assessments WHERE year = ? AND status IN ({', '.join('?' * len(statuses))}) "
        "ORDER BY unit_id", [year, *statuses]).fetchall()]


def kpi_history(db: Database, unit_id: int, year: int) -> pd.DataFrame:
    """The unit's KPI results recorded in the cycle's assessment, all fiscal years."""
    return pd.DataFrame(list(db.query(
        "SELECT k.kpi, k.fiscal_year, k.self_value, k.review_value FROM kpi_results k "
        "JOIN assessments a ON a.id = k.assessment_id WHERE a.unit_id = ? AND a.year = ? "
        "ORDER BY k.kpi, k.fiscal_year", [unit_id, year])),
        columns=["kpi", "fiscal_year", "self_value", "review_value"])
