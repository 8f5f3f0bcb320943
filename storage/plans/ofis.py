"""Opportunities for improvement (OFI): the register the committee keeps, per cycle.

An OFI names an item of the year's criteria, what is to be done, a priority, an owner (a user) and a
due date, and the units it applies to (one ``ofi_units`` row each; ``ofis.unit_id`` holds the unit
when there is exactly one). It comes from scoring gaps (``from_gap``, ``from_gaps``), from the committee, or
from a unit itself. Every value is checked before anything is written and every change is audited in the
same transaction. Open OFIs can be carried into the next cycle, linked by ``carried_from``.

An OFI made from a gap keeps the gap's reference (``gap_kind``, ``gap_ref``) and, until someone edits
its description (``generated``), shows the generated description in the reader's language: every screen
and document takes an OFI's description through ``description(row, lang)``.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Mapping
from datetime import date, datetime

import pandas as pd

from i18n.format import thailand_today
from storage import audit
from storage.assessment import years
from storage.db import now, transaction
from storage.engine import Store, marks
from storage.errors import AccessDenied, InputError, OfiConflict, StoreError
from storage.organisation.accounts import User, acting
from storage.plans import ofi_texts
from storage.plans.ofi_texts import DESCRIPTIONS, MAX_TEXT, described, gap_description, gap_key
from storage.text import clean

PRIORITIES = ("high", "medium", "low")
STATUSES = ("open", "in_progress", "done", "dropped")
SOURCES = ("gap", "committee", "unit", "examiner")  # examiner: agreed in the committee's rehearsal of the award
MAX_POINTS = 500.0  # every score is on a 0-500 scale: no OFI can win more

ACTIVE = ("open", "in_progress")  # statuses still to work on: can be overdue, are carried over
MANAGERS = ("committee", "admin")  # roles that keep the register
UNIT_STATUSES = ("in_progress", "done")  # what a unit may report on its own OFI
EDITABLE = ("description", "priority", "owner", "due_date", "status")

REGISTER_COLUMNS = ["id", "source", "item", "category", "units", "unit_ids", "description", "priority", "owner",
                    "due_date", "status", "points", "overdue", "carried_from", "updated_at", "version", "gap_kind",
                    "gap_ref", *DESCRIPTIONS]

# an OFI's description as a reader in a language sees it: description(row, lang), for every screen and document
description = ofi_texts.description


def for_unit(db: Store, reader: User, unit_id: int, year: int) -> list[dict]:
    """The unit's OFIs of the cycle, open ones first (a unit user reads only its own unit's)."""
    acting(db, reader).require_unit(unit_id)
    return described(db, list(db.query(
        "SELECT o.id, o.year, o.item, o.description, o.status, o.gap_kind, o.gap_ref, o.generated FROM ofis o "
        "JOIN ofi_units ou ON ou.ofi_id = o.id WHERE ou.unit_id = ? AND o.year = ? "
        "ORDER BY o.status IN ('done', 'dropped'), o.id", [unit_id, year])))


# ---------------------------------------------------------------------------------------------
# Checks: each raises InputError naming a catalogue key, before anything is written


def _description(text) -> str:
    text = clean(text).strip() if isinstance(text, str) else ""
    if not text or len(text) > MAX_TEXT:
        raise InputError("error_ofi_description", limit=MAX_TEXT)
    return text


def _choice(value, allowed: tuple[str, ...], key: str) -> str:
    if value not in allowed:
        raise InputError(key, value=value)
    return value


def _date(value) -> date:
    """A due date from a date or an ISO text (YYYY-MM-DD)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise InputError("error_ofi_due_date")


def _not_past(due: date, today: date | None) -> None:
    if due < (today or thailand_today()):
        raise InputError("error_ofi_due_past", date=due)


def _points(value) -> float | None:
    if value is None:
        return None
    if (isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value)
            or not 0 <= value <= MAX_POINTS):
        raise InputError("error_ofi_points", limit=f"{MAX_POINTS:g}")
    return float(value)


def _unit_ids(units) -> list[int]:
    """Distinct unit ids in the order given; refused if none, or not whole numbers."""
    if units is None or isinstance(units, str | bytes):
        raise InputError("error_ofi_units")
    ids: list[int] = []
    for unit in units:
        if isinstance(unit, bool) or not isinstance(unit, numbers.Integral):
            raise InputError("error_ofi_units")
        if int(unit) not in ids:
            ids.append(int(unit))
    if not ids:
        raise InputError("error_ofi_units")
    return ids


def _item(db: Store, year: int, item) -> str:
    if item not in years.framework_of(db, year).item_ids():
        raise InputError("error_unknown_item", item=item)
    return item


def _year(value) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise InputError("error_ofi_year", year=value)
    return int(value)


def _check_year(db: Store, year: int) -> None:
    """The cycle exists and is open (a closed year's register no longer changes)."""
    if not db.execute("SELECT 1 FROM cycles WHERE year = ?", [year]).fetchone():
        raise InputError("error_ofi_year", year=year)
    years.require_open_year(db, year)


def _check_owner(db: Store, owner, actor: User) -> str:
    """An active user; for a unit user's OFI, one of its own unit's users."""
    owner = owner.strip() if isinstance(owner, str) else ""
    sql, params = "SELECT 1 FROM users WHERE username = ? AND active = 1", [owner]
    if actor.role == "unit":
        sql, params = sql + " AND role = 'unit' AND unit_id = ?", [owner, actor.unit_id]
    if not owner or not db.execute(sql, params).fetchone():
        raise InputError("error_ofi_owner_unit" if actor.role == "unit" else "error_ofi_owner", owner=owner)
    return owner


def _check_units(db: Store, ids: list[int]) -> None:
    found = {r[0] for r in db.execute(
        f"SELECT id FROM units WHERE active = 1 AND id IN ({marks(ids)})", ids)}
    if found != set(ids):
        raise InputError("error_ofi_units")


def _ofi_units(db: Store, ofi_id: int) -> list[int]:
    return [r[0] for r in db.execute("SELECT unit_id FROM ofi_units WHERE ofi_id = ? ORDER BY unit_id", [ofi_id])]


def _row(db: Store, ofi_id: int) -> dict:
    rows = list(db.query("SELECT * FROM ofis WHERE id = ?", [ofi_id]))
    if not rows:
        raise InputError("error_ofi_not_found")
    return rows[0]


def _require_manager_or_unit(actor: User, units: list[int]) -> None:
    """Committee and admin act on any OFI; a unit user only on one that applies to its unit."""
    if actor.role in MANAGERS:
        return
    if actor.role != "unit" or actor.unit_id not in units:
        raise AccessDenied(role=actor.role)


# ---------------------------------------------------------------------------------------------
# Writing


def create(db: Store, actor: User, year: int, item: str, description: str, priority: str, owner: str,
           due_date: date | str, units: Iterable[int], source: str = "committee", points: float | None = None,
           today: date | None = None) -> int:
    """Add an OFI (status open) to the cycle's register; returns its id.

    Committee and admin may add any source; a unit user only source "unit" for its own unit alone,
    owned by one of its unit's users, and without points (points come from the scoring engine's gaps).
    Refused with ``InputError`` (nothing written) for an empty or too long description, a due date
    before ``today`` (default: the current date), an owner who is not an active user, an unknown
    priority or source, points outside 0-500, an item not in the year's criteria, no units or an
    unknown one, a year that is not a cycle.
    """
    return _create(db, actor, year, item, description, priority, owner, due_date, units, source, points, today)


def _create(db: Store, actor: User, year: int, item: str, description: str, priority: str, owner: str,
            due_date: date | str, units: Iterable[int], source: str, points: float | None, today: date | None,
            gap: tuple[str, str] | None = None) -> int:
    """``create``; ``gap``: the (kind, ref) of the gap whose generated description this is."""
    actor = acting(db, actor)
    units = None if units is None or isinstance(units, str | bytes) else list(units)
    if actor.role not in MANAGERS and not (actor.role == "unit" and source == "unit" and units == [actor.unit_id]):
        raise AccessDenied(role=actor.role)
    if actor.role not in MANAGERS and points is not None:
        raise InputError("error_ofi_points_unit")
    description = _description(description)
    priority = _choice(priority, PRIORITIES, "error_ofi_priority")
    source = _choice(source, SOURCES, "error_ofi_source")
    due = _date(due_date)
    _not_past(due, today)
    unit_ids = _unit_ids(units)
    points = _points(points)
    year = _year(year)
    with transaction(db):
        _check_year(db, year)
        item = _item(db, year, item)
        owner = _check_owner(db, owner, actor)
        _check_units(db, unit_ids)
        stamp = now()
        ofi_id = db["ofis"].insert({
            "year": year, "source": source, "item": item, "unit_id": unit_ids[0] if len(unit_ids) == 1 else None,
            "description": description, "priority": priority, "owner": owner, "due_date": due.isoformat(),
            "status": "open", "points": points, "carried_from": None, "created_at": stamp, "updated_at": stamp,
            "created_by": actor.username, "version": 0, "updated_by": actor.username,
            "gap_kind": gap[0] if gap else None, "gap_ref": gap[1] if gap else None, "generated": int(bool(gap)),
        }).last_pk
        db.executemany("INSERT INTO ofi_units (ofi_id, unit_id) VALUES (?, ?)", [(ofi_id, u) for u in unit_ids])
        audit.record(db, actor.username, "create", "ofi", ofi_id, year=year, source=source, item=item,
                     units=unit_ids, priority=priority, owner=owner, due_date=due.isoformat(), points=points,
                     **({"gap": f"{gap[0]}:{gap[1]}"} if gap else {}))
    return ofi_id


# ---------------------------------------------------------------------------------------------
# OFIs from gaps, and their descriptions in each language


def from_gap(db: Store, actor: User, year: int, gap: Mapping, owner: str, due_date: date | str,
             priority: str = "medium", today: date | None = None, units: Iterable[int] | None = None) -> int:
    """An OFI (source "gap") that closes one row of ``scoring.ofi.gaps`` (its ``unit`` is a unit id)
    or, with ``units`` given, of ``scoring.ofi.department_gaps``; the description names the missing
    checkpoint or KPI (stored in Thai, shown in the reader's language until someone edits it), the gap's
    kind and ref are kept, and ``points`` are the gap's. Committee and admin only."""
    actor = acting(db, actor)
    if actor.role not in MANAGERS:
        raise AccessDenied(role=actor.role)
    gap = dict(gap)
    if units is None:
        unit = gap.get("unit")
        if unit is None or (isinstance(unit, float) and math.isnan(unit)):
            raise InputError("error_ofi_units")
        units = [unit]
    points = gap.get("points")
    points = None if points is None or pd.isna(points) else float(points)
    return _create(db, actor, year, gap.get("item"), gap_description(db, year, gap), priority, owner, due_date,
                   units, "gap", points, today, gap=gap_key(gap))


def from_gaps(db: Store, actor: User, year: int, gaps: Iterable[Mapping], owners: Iterable[str],
              due_date: date | str, priority: str = "medium", today: date | None = None) -> list[int]:
    """One OFI per gap, as ``from_gap``, each with its owner (``owners``, in the same order); a gap's units are
    its ``unit_ids`` (a row of the department's gaps) or its ``unit``. All or nothing, in one transaction: one
    gap refused refuses them all (``InputError`` "error_ofi_gaps_refused" naming the gap, and why in
    ``reason``), and nothing is written. Each OFI is audited. Returns the new ids, in order."""
    actor = acting(db, actor)
    if actor.role not in MANAGERS:
        raise AccessDenied(role=actor.role)
    gaps, owners = [dict(g) for g in gaps], list(owners)
    if not gaps:
        raise InputError("error_ofi_gaps_none")
    if len(owners) != len(gaps):
        raise ValueError(f"from_gaps() got {len(gaps)} gaps but {len(owners)} owners")
    created = []
    with transaction(db):
        for gap, owner in zip(gaps, owners, strict=True):
            ids = gap.get("unit_ids")
            units = list(ids) if isinstance(ids, Iterable) and not isinstance(ids, str | bytes) else None
            try:
                created.append(from_gap(db, actor, year, gap, owner, due_date, priority, today, units=units))
            except StoreError as exc:
                raise InputError("error_ofi_gaps_refused", ref=gap_key(gap)[1], n=len(gaps), reason=exc) from exc
    return created


def default_owners(db: Store, actor: User, year: int, unit_sets: Iterable[Iterable[int]]) -> list[str]:
    """A sensible owner (user name) for each OFI about to be made from a gap, given the units it applies to:
    for a gap of one unit, an assessor of that unit (the one who last saved the unit's assessment of the year,
    else its first active assessor by name); for a gap shared by several units, the committee member or PMQA
    owner making the OFIs (``actor``), never a unit's assessor. ``actor`` too when a unit has no active
    assessor."""
    actor = acting(db, actor)
    assessors: dict[int, str] = {}
    for unit_id, username in db.execute(
            "SELECT u.unit_id, u.username FROM users u LEFT JOIN assessments a "
            "ON a.unit_id = u.unit_id AND a.year = ? WHERE u.role = 'unit' AND u.active = 1 "
            "ORDER BY u.unit_id, u.username = a.updated_by DESC, u.username", [year]):
        assessors.setdefault(unit_id, username)
    owners = []
    for units in unit_sets:
        units = sorted({int(u) for u in units})
        owners.append(assessors.get(units[0], actor.username) if len(units) == 1 else actor.username)
    return owners


def update(db: Store, actor: User, ofi_id: int, expected_version: int, today: date | None = None,
           **changes) -> dict:
    """Change any of description, priority, owner, due_date, status of the OFI as it was at
    ``expected_version`` (the ``version`` read with it); returns {field: (old, new)} for the fields that
    changed (nothing is written when none did). ``OfiConflict`` when someone changed it since.

    Committee and admin may change any field; a unit user only the status of an OFI that applies to
    its unit alone (not one shared with other units), and only to in_progress or done (not of a dropped
    one). The values are checked as in ``create``; a due date before ``today`` is refused unless it is
    the one already stored.
    """
    actor = acting(db, actor)
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise TypeError(f"update() got unexpected field(s): {', '.join(unknown)}")
    checked: dict = {}
    if "description" in changes:
        checked["description"] = _description(changes["description"])
    if "priority" in changes:
        checked["priority"] = _choice(changes["priority"], PRIORITIES, "error_ofi_priority")
    if "status" in changes:
        checked["status"] = _choice(changes["status"], STATUSES, "error_ofi_status")
    if "due_date" in changes:
        checked["due_date"] = _date(changes["due_date"]).isoformat()
    with transaction(db):
        row = _row(db, ofi_id)
        years.require_open_year(db, row["year"])
        units = _ofi_units(db, ofi_id)
        if actor.role not in MANAGERS:
            _require_manager_or_unit(actor, units)
            if (set(changes) != {"status"} or checked["status"] not in UNIT_STATUSES or row["status"] == "dropped"
                    or units != [actor.unit_id]):
                raise AccessDenied(role=actor.role)
        if row["version"] != expected_version:
            raise OfiConflict(row["version"], row["updated_by"])
        if "owner" in changes:
            checked["owner"] = _check_owner(db, changes["owner"], actor)
        if "due_date" in checked and checked["due_date"] != row["due_date"]:
            _not_past(date.fromisoformat(checked["due_date"]), today)
        diff = {field: (row[field], value) for field, value in checked.items() if row[field] != value}
        if not diff:
            return {}
        assignments = ", ".join(f"{field} = ?" for field in diff)
        if "description" in diff:  # typed by a person: shown as typed from now on, in every language
            assignments += ", generated = 0"
        db.execute(f"UPDATE ofis SET {assignments}, updated_at = ?, updated_by = ?, version = version + 1 WHERE id = ?",
                   [*(new for _, new in diff.values()), now(), actor.username, ofi_id])
        audit.record(db, actor.username, "update", "ofi", ofi_id,
                     changes={field: {"old": old, "new": new} for field, (old, new) in diff.items()})
    return diff


def add_note(db: Store, actor: User, ofi_id: int, text: str) -> int:
    """A progress note on an OFI, by the committee, an admin, or a unit user on its unit's OFI."""
    actor = acting(db, actor)
    text = clean(text).strip() if isinstance(text, str) else ""
    if not text:
        raise InputError("error_note_empty")
    if len(text) > MAX_TEXT:
        raise InputError("error_text_length", limit=MAX_TEXT)
    with transaction(db):
        years.require_open_year(db, _row(db, ofi_id)["year"])
        _require_manager_or_unit(actor, _ofi_units(db, ofi_id))
        stamp = now()
        note_id = db["ofi_notes"].insert({"ofi_id": ofi_id, "at": stamp, "author": actor.username,
                                          "text": text}).last_pk
        db.execute("UPDATE ofis SET updated_at = ? WHERE id = ?", [stamp, ofi_id])
        audit.record(db, actor.username, "add_note", "ofi", ofi_id, note=note_id, chars=len(text))
    return note_id


def carry_over(db: Store, actor: User, from_year: int, to_year: int) -> list[int]:
    """Copy every open or in-progress OFI of ``from_year`` into the later cycle ``to_year`` (status,
    units, owner, due date and points kept; ``carried_from`` the original; notes stay behind).
    An OFI already carried into ``to_year`` is not copied again. Returns the new ids."""
    actor = acting(db, actor)
    if actor.role not in MANAGERS:
        raise AccessDenied(role=actor.role)
    from_year, to_year = _year(from_year), _year(to_year)
    if from_year >= to_year:
        raise InputError("error_ofi_year", year=to_year)
    with transaction(db):
        _check_year(db, to_year)
        pending = list(db.query(
            f"SELECT * FROM ofis o WHERE year = ? AND status IN ({marks(ACTIVE)}) "
            "AND NOT EXISTS (SELECT 1 FROM ofis c WHERE c.year = ? AND c.carried_from = o.id) ORDER BY id",
            [from_year, *ACTIVE, to_year]))
        items = years.framework_of(db, to_year).item_ids()
        for row in pending:
            if row["item"] not in items:
                raise InputError("error_unknown_item", item=row["item"])
        created = []
        for row in pending:
            stamp = now()
            new_id = db["ofis"].insert({**row, "id": None, "year": to_year, "carried_from": row["id"],
                                        "created_at": stamp, "updated_at": stamp, "created_by": actor.username,
                                        "version": 0, "updated_by": actor.username}).last_pk
            db.execute("INSERT INTO ofi_units (ofi_id, unit_id) SELECT ?, unit_id FROM ofi_units WHERE ofi_id = ?",
                       [new_id, row["id"]])
            audit.record(db, actor.username, "carry_over", "ofi", new_id, carried_from=row["id"],
                         from_year=from_year, to_year=to_year)
            created.append(new_id)
    return created


# ---------------------------------------------------------------------------------------------
# Reading


def get(db: Store, reader: User, ofi_id: int) -> dict:
    """One OFI with ``units`` (unit ids), ``notes`` (oldest first) and its description per language
    (``description``); a unit user reads only an OFI that applies to its unit."""
    reader = acting(db, reader)
    row = described(db, [_row(db, ofi_id)])[0]
    row["units"] = _ofi_units(db, ofi_id)
    if reader.role == "unit" and reader.unit_id not in row["units"]:
        raise AccessDenied(role=reader.role)
    row["notes"] = list(db.query("SELECT id, at, author, text FROM ofi_notes WHERE ofi_id = ? ORDER BY id",
                                 [ofi_id]))
    return row


def register(db: Store, reader: User, year: int, category: int | None = None, unit_id: int | None = None,
             owner: str | None = None, status: str | Iterable[str] | None = None, overdue: bool = False,
             today: date | None = None) -> pd.DataFrame:
    """The cycle's OFIs, one row each (columns ``REGISTER_COLUMNS``), highest priority first, then the
    earliest due date. Filters combine: category, a unit the OFI applies to, owner, status (one or
    several), and ``overdue`` (due before ``today`` and still open or in progress). ``due_date`` holds
    dates; ``units`` the unit codes joined by commas; ``unit_ids`` lists of ids; ``gap_kind`` and ``gap_ref``
    the gap an OFI was made from, if any; ``description_th`` and ``description_en`` its description as a
    reader in each language sees it (``description`` gives the one to show). A unit user reads only the OFIs
    that apply to its unit."""
    reader = acting(db, reader)
    if reader.role == "unit":
        reader.require_unit(reader.unit_id if unit_id is None else unit_id)
        unit_id = reader.unit_id
    today = today or thailand_today()
    sql = "SELECT * FROM ofis WHERE year = ?"
    params: list = [year]
    if unit_id is not None:
        sql += " AND id IN (SELECT ofi_id FROM ofi_units WHERE unit_id = ?)"
        params.append(unit_id)
    if owner is not None:
        sql += " AND owner = ?"
        params.append(owner)
    if status is not None:
        wanted = [status] if isinstance(status, str) else list(status)
        sql += f" AND status IN ({marks(wanted)})"
        params += wanted
    rows = described(db, list(db.query(sql, params)))
    links: dict[int, list[tuple[int, str]]] = {}
    for r in db.query("SELECT ou.ofi_id, u.id, u.code FROM ofi_units ou JOIN units u ON u.id = ou.unit_id "
                      "JOIN ofis o ON o.id = ou.ofi_id WHERE o.year = ? ORDER BY u.id", [year]):
        links.setdefault(r["ofi_id"], []).append((r["id"], r["code"]))
    records = []
    for r in rows:
        due = date.fromisoformat(r["due_date"]) if r["due_date"] else None
        records.append({
            "id": r["id"], "source": r["source"], "item": r["item"], "category": int(r["item"].split(".")[0]),
            "units": ", ".join(code for _, code in links.get(r["id"], [])),
            "unit_ids": [uid for uid, _ in links.get(r["id"], [])],
            "description": r["description"], "priority": r["priority"], "owner": r["owner"], "due_date": due,
            "status": r["status"], "points": r["points"],
            "overdue": bool(due is not None and due < today and r["status"] in ACTIVE),
            "carried_from": r["carried_from"], "updated_at": r["updated_at"], "version": r["version"],
            "gap_kind": r["gap_kind"], "gap_ref": r["gap_ref"], **{column: r[column] for column in DESCRIPTIONS},
        })
    if category is not None:
        records = [r for r in records if r["category"] == category]
    if overdue:
        records = [r for r in records if r["overdue"]]
    rank = {p: n for n, p in enumerate(PRIORITIES)}
    records.sort(key=lambda r: (rank.get(r["priority"], len(rank)), r["due_date"] is None,
                                r["due_date"] or date.max, r["id"]))
    frame = pd.DataFrame(records, columns=REGISTER_COLUMNS)
    frame["points"] = frame["points"].astype(float)
    frame["overdue"] = frame["overdue"].astype(bool)
    frame["carried_from"] = frame["carried_from"].astype("Int64")
    return frame
