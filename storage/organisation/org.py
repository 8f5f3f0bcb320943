"""Cycles (fiscal years, in B.E.) and units: a unit has a code, Thai and English names, a group
(stored as ``kind``: e.g. central bureau, regional centre) and a weight (e.g. staff count). A
deactivated unit keeps its history and scores and takes no new assessments."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable

import pandas as pd

from storage import audit
from storage.assessment.years import insert_phases
from storage.db import now, transaction
from storage.engine import Store
from storage.errors import InputError
from storage.organisation.accounts import User, require_admin
from storage.schema import PHASES
from storage.text import clean

CODE = re.compile(r"^[A-Za-z0-9._-]{1,20}$")
MAX_NAME, MAX_GROUP, MAX_WEIGHT = 200, 50, 1_000_000
COLUMNS = ["id", "code", "name_th", "name_en", "kind", "weight"]


def add_cycle(db: Store, year: int, status: str = "open", actor: str | None = None) -> None:
    """A cycle with its self-assessment and review phases open (or, closed, every phase closed), for
    tests and scripts; the admin opens years with ``storage.assessment.years.open_year``."""
    with transaction(db):
        db["cycles"].insert({"year": year, "status": status, "opened_at": now()})
        insert_phases(db, year, {"self_assessment": "open", "review": "open"} if status == "open"
                      else dict.fromkeys(PHASES, "closed"))
        audit.record(db, actor, "create", "cycle", year, status=status)


def cycles(db: Store) -> list[dict]:
    return list(db.query("SELECT year, status FROM cycles ORDER BY year"))


def current_cycle(db: Store) -> int | None:
    """The latest open cycle, else the latest cycle, else None."""
    row = db.execute(
        "SELECT year FROM cycles ORDER BY status = 'open' DESC, year DESC LIMIT 1"
    ).fetchone()
    return row[0] if row else None


def check_unit(code: str, name_th: str, name_en: str, kind: str, weight: float) -> dict:
    """The unit's fields, trimmed; ``InputError`` naming the first bad one."""
    fields = {"code": code.strip(), "name_th": clean(name_th).strip(), "name_en": clean(name_en or "").strip(),
              "kind": clean(kind or "").strip()}
    if not CODE.match(fields["code"]):
        raise InputError("error_unit_code", code=code)
    if not fields["name_th"]:
        raise InputError("error_unit_name")
    if max(len(fields["name_th"]), len(fields["name_en"])) > MAX_NAME or len(fields["kind"]) > MAX_GROUP:
        raise InputError("error_text_length", limit=MAX_NAME)
    try:
        weight = float(weight)
    except (TypeError, ValueError):
        raise InputError("error_unit_weight", value=weight) from None
    if not 0 < weight <= MAX_WEIGHT:
        raise InputError("error_unit_weight", value=weight)
    return fields | {"weight": weight}


def add_unit(db: Store, code: str, name_th: str, name_en: str, kind: str = "central",
             weight: float = 1.0, actor: str | User | None = None) -> int:
    """A new active unit (audited). With a ``User`` as actor, only an admin may add one."""
    if isinstance(actor, User):
        require_admin(db, actor)
    fields = check_unit(code, name_th, name_en, kind, weight)
    with transaction(db):
        if db.execute("SELECT 1 FROM units WHERE code = ?", [fields["code"]]).fetchone():
            raise InputError("error_unit_code_taken", code=fields["code"])
        unit_id = db["units"].insert(fields | {"active": 1}).last_pk
        audit.record(db, getattr(actor, "username", actor), "create", "unit", unit_id, **fields)
    return unit_id


def update_unit(db: Store, actor: User, unit_id: int, code: str, name_th: str, name_en: str, kind: str,
                weight: float) -> None:
    """Rename, re-code, re-group or re-weigh a unit (audited with what changed)."""
    require_admin(db, actor)
    fields = check_unit(code, name_th, name_en, kind, weight)
    with transaction(db):
        before = unit(db, unit_id)
        if before is None:
            raise InputError("error_no_unit")
        if db.execute("SELECT 1 FROM units WHERE code = ? AND id != ?", [fields["code"], unit_id]).fetchone():
            raise InputError("error_unit_code_taken", code=fields["code"])
        changed = {k: [before[k], v] for k, v in fields.items() if before[k] != v}
        if changed:
            db["units"].update(unit_id, fields)
            audit.record(db, actor.username, "update", "unit", unit_id, **changed)


def set_unit_active(db: Store, actor: User, unit_id: int, active: bool) -> None:
    """Deactivate a unit (its history and scores stay; it takes no new assessments) or re-activate it."""
    require_admin(db, actor)
    with transaction(db):
        before = unit(db, unit_id)
        if before is None:
            raise InputError("error_no_unit")
        if bool(before["active"]) != active:
            db.execute("UPDATE units SET active = ? WHERE id = ?", [int(active), unit_id])
            audit.record(db, actor.username, "enable" if active else "disable", "unit", unit_id, code=before["code"])


def units(db: Store) -> pd.DataFrame:
    """The active units."""
    return pd.DataFrame(
        list(db.query(f"SELECT {', '.join(COLUMNS)} FROM units WHERE active = 1 ORDER BY id")), columns=COLUMNS)


def all_units(db: Store) -> pd.DataFrame:
    """Every unit, active or not, for the admin."""
    return pd.DataFrame(list(db.query(f"SELECT {', '.join(COLUMNS)}, active FROM units ORDER BY active DESC, code")),
                        columns=[*COLUMNS, "active"])


def unit(db: Store, unit_id: int) -> dict | None:
    rows = list(db.query(f"SELECT {', '.join(COLUMNS)}, active FROM units WHERE id = ?", [unit_id]))
    return rows[0] if rows else None


def unit_id_of(db: Store, code: str) -> int:
    row = db.execute("SELECT id FROM units WHERE code = ?", [code.strip()]).fetchone()
    if row is None:
        raise InputError("error_no_unit_code", code=code)
    return row[0]


def unit_finder(db: Store) -> Callable[[str], dict | None]:
    """Look up a stored unit (active or not) by code: exactly, else ignoring case when only one unit fits. A unit
    reads as the unit import names its fields: code, name_th, name_en, group (``kind``), weight, active."""
    units = {u["code"]: u | {"active": bool(u["active"])} for u in db.query(
        'SELECT id, code, name_th, name_en, kind AS "group", weight, COALESCE(active, 1) AS active FROM units')}
    folded = Counter(code.casefold() for code in units)
    loose = {code.casefold(): u for code, u in units.items() if folded[code.casefold()] == 1}
    return lambda code: units.get(code) or loose.get(code.casefold())


IMPORTED = ("name_th", "name_en", "group", "weight")  # what an import may change on an existing unit


def import_units(db: Store, actor: User | str, source: str, added: list[dict], changed: list[tuple[dict, dict]],
                 seen: dict[str, dict | None], unchanged: int) -> dict[str, int]:
    """Write a checked unit list (``intake.unit_import.plan``) in one transaction: ``added`` units, ``changed``
    (before, after) pairs, each audited, and the import as a whole. Refused, with nothing changed, when a unit
    the list was checked against (``seen``: each code's unit as ``unit_finder`` read it) was added or changed
    since. ``actor``: an admin, or the name recorded for the command line. Returns {"added": n, "changed": n}."""
    if isinstance(actor, User):
        require_admin(db, actor)
        actor = actor.username
    with transaction(db):
        find = unit_finder(db)
        moved = [code for code, before in seen.items() if find(code) != before]
        if moved:
            raise InputError("error_import_conflict", codes=", ".join(moved))
        for unit in added:
            fields = {"code": unit["code"], "name_th": unit["name_th"], "name_en": unit["name_en"],
                      "kind": unit["group"], "weight": float(unit["weight"])}
            unit_id = db["units"].insert(fields | {"active": 1}).last_pk
            audit.record(db, actor, "create", "unit", unit_id, **fields)
        for before, after in changed:
            db.execute("UPDATE units SET name_th = ?, name_en = ?, kind = ?, weight = ?, active = 1 WHERE id = ?",
                       [after["name_th"], after["name_en"], after["group"], float(after["weight"]), before["id"]])
            changes = {("kind" if f == "group" else f): [before[f], after[f]]
                       for f in (*IMPORTED, "active") if before[f] != after[f]}
            audit.record(db, actor, "update", "unit", before["id"], code=before["code"], **changes)
        audit.record(db, actor, "import", "units", None, file=source, added=len(added), changed=len(changed),
                     unchanged=unchanged)
    return {"added": len(added), "changed": len(changed)}
