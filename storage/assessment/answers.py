"""Saving and loading what a unit (or, as reviewer, the committee) enters in an assessment.

A save of checkpoints, KPI values or a narrative names what the editor showed for each field it changes
(``before``) and is refused with ``FieldConflict`` only when someone changed one of those same fields in
between: edits of other fields merge. Other changes (and those saves without ``before``) name the version
the editor started from and are refused with ``VersionConflict`` when someone saved in between. Every
value is checked against the year's criteria before anything is written; every save is audited in the
same transaction.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

from pydantic import ValidationError

from scoring import LEVELS, Framework
from scoring.criteria import KPI, Text
from scoring.rules import target_scale
from storage import audit
from storage.assessment import years
from storage.db import now, transaction
from storage.engine import Store, marks
from storage.errors import AccessDenied, FieldConflict, InputError, NotEditable, VersionConflict
from storage.organisation.accounts import User, acting
from storage.text import clean

# Who writes which values, and in which statuses of the assessment.
WRITERS = {"self": ("unit",), "review": ("committee",)}
EDITABLE = {"self": ("draft", "returned"), "review": ("submitted",)}
MAX_NARRATIVE = 5000
MAX_KPI_VALUE = 1e9  # the largest size of a unit KPI's bound
MAX_NAME = 200
MAX_REASON = 1000  # the committee's reason for judging a unit's KPI not suitable


@dataclass
class Form:
    """Everything entered in one assessment, as plain dictionaries."""

    assessment: dict
    ticks: dict[str, dict] = field(default_factory=dict)  # checkpoint -> {self, review, needs_confirm}
    kpi_values: dict[tuple[str, int], dict] = field(default_factory=dict)  # (kpi, fiscal year) -> {self, review}
    narratives: dict[tuple[str, str], str] = field(default_factory=dict)  # (item, level) -> text
    own_kpis: list[dict] = field(default_factory=list)
    comments: list[dict] = field(default_factory=list)
    none_met: set[str] = field(default_factory=set)  # items the unit answered "none met yet"


def claim_version(db: Store, actor: User, assessment_id: int, expected_version: int | None, source: str) -> dict:
    """Inside an open transaction: check who may write what, and in which status; take the next version
    (refused if it is no longer ``expected_version``; any version when None: the caller checks its fields)."""
    actor = acting(db, actor)
    if actor.role not in WRITERS[source]:
        raise AccessDenied(role=actor.role)
    row = db.execute("SELECT unit_id, year, version, status, updated_by FROM assessments WHERE id = ?",
                     [assessment_id]).fetchone()
    if row is None:
        raise InputError("error_no_assessment")
    unit_id, year, version, status, updated_by = row
    actor.require_unit(unit_id)
    if status not in EDITABLE[source]:
        raise NotEditable(status=status)
    if source == "self":
        years.require_unit_phase(db, year, status)
    else:
        years.require_open_year(db, year)
    cursor = db.execute(
        "UPDATE assessments SET version = version + 1, updated_at = ?, updated_by = ? WHERE id = ? AND version = ?",
        [now(), actor.username, assessment_id, version if expected_version is None else expected_version])
    if cursor.rowcount != 1:
        raise VersionConflict(version, updated_by)
    return {"unit_id": unit_id, "year": year, "version": version + 1, "status": status}


def _require_unchanged(db: Store, assessment_id: int, field: str, shown, new, stored,
                       touched: Callable[[str, dict], bool]) -> None:
    """Inside the save's transaction: refuse (``FieldConflict``) when the stored value of a field is no longer
    the one the editor showed (unless it is already the ``new`` one), naming who changed it last: the latest
    audited save that ``touched`` it (``touched(action, detail)``), or copied last year's answers, else the
    assessment's last saver."""
    if stored in (shown, new):
        return
    row = audit.last_touch(db, "assessment", assessment_id,
                           lambda action, detail: action == "copy_previous" or touched(action, detail))
    by = row[0] if row else db.execute("SELECT updated_by FROM assessments WHERE id = ?", [assessment_id]).fetchone()[0]
    raise FieldConflict(field, by, stored)


def _framework(db: Store, assessment_id: int) -> Framework:
    row = db.execute("SELECT year FROM assessments WHERE id = ?", [assessment_id]).fetchone()
    if row is None:
        raise InputError("error_no_assessment")
    return years.framework_of(db, row[0])


def save_checkpoints(db: Store, actor: User, assessment_id: int, expected_version: int,
                     ticks: dict[str, bool], source: str = "self", before: dict[str, bool] | None = None) -> int:
    """Store ticks (checkpoint id -> met) as the unit's (self) or the committee's (review) values.
    ``before``: what the editor showed for each (for review, the committee's value where it set one, else
    the unit's). A self save confirms the items it touches (see ``copy_previous``)."""
    framework = _framework(db, assessment_id)
    items = {cp.id: item.id for item, _, cp in framework.checkpoints()}
    unknown = sorted(set(ticks) - set(items))
    if unknown:
        raise InputError("error_unknown_checkpoint", ids=", ".join(unknown[:5]))
    column = {"self": "self_met", "review": "review_met"}[source]
    shown_as = {"self": "COALESCE(self_met, 0)", "review": "COALESCE(review_met, self_met, 0)"}[source]
    with transaction(db):
        state = claim_version(db, actor, assessment_id, None if before is not None else expected_version, source)
        for cp in (before or {}):
            row = db.execute(f"SELECT {shown_as} FROM checkpoint_answers WHERE assessment_id = ? AND checkpoint = ?",
                             [assessment_id, cp]).fetchone()
            _require_unchanged(db, assessment_id, cp, bool(before[cp]), bool(ticks.get(cp)), bool(row and row[0]),
                               lambda action, detail, cp=cp: action.startswith("save_")
                               and audit.holds(detail, "ticks", cp))
        db.executemany(
            f"INSERT INTO checkpoint_answers (assessment_id, checkpoint, {column}) VALUES (?, ?, ?) "
            f"ON CONFLICT (assessment_id, checkpoint) DO UPDATE SET {column} = excluded.{column}",
            [(assessment_id, cp, int(bool(met))) for cp, met in ticks.items()])
        if source == "self":
            _confirm(db, framework, assessment_id, {items[cp] for cp in ticks})
            db.executemany("DELETE FROM none_met WHERE assessment_id = ? AND item = ?",  # a tick says otherwise
                                [(assessment_id, items[cp]) for cp, met in ticks.items() if met])
        audit.record(db, actor.username, f"save_{source}", "assessment", assessment_id,
                     ticks={cp: bool(met) for cp, met in ticks.items()}, version=state["version"])
    return state["version"]


def _confirm(db: Store, framework: Framework, assessment_id: int, item_ids: set[str]) -> None:
    checkpoints = [cp.id for item, _, cp in framework.checkpoints() if item.id in item_ids]
    db.executemany("UPDATE checkpoint_answers SET needs_confirm = 0 WHERE assessment_id = ? AND checkpoint = ?",
                   [(assessment_id, cp) for cp in checkpoints])


def confirm_item(db: Store, actor: User, assessment_id: int, expected_version: int, item: str) -> int:
    """Accept an item copied from last year as it stands."""
    framework = _framework(db, assessment_id)
    with transaction(db):
        state = claim_version(db, actor, assessment_id, expected_version, "self")
        _confirm(db, framework, assessment_id, {item})
        audit.record(db, actor.username, "confirm", "assessment", assessment_id, item=item)
    return state["version"]


def kpi_definition(db: Store, framework: Framework, assessment_id: int, kpi_id: str) -> KPI:
    """The criteria's KPI, or one the unit added to this assessment."""
    for _, kpi in framework.kpis():
        if kpi.id == kpi_id:
            return kpi
    rows = list(db.query("SELECT * FROM unit_kpis WHERE assessment_id = ? AND kpi = ?", [assessment_id, kpi_id]))
    if not rows:
        raise InputError("error_unknown_kpi", kpi=kpi_id)
    return own_kpi_model(rows[0])


def own_kpi_model(row: dict) -> KPI:
    return KPI(id=row["kpi"], name=Text(th=row["name"], en=row["name"]),
               unit=Text(th=row["unit_label"], en=row["unit_label"]), direction=row["direction"],
               floor=row["floor"], ceiling=row["ceiling"], target=row["target"],
               min=row["min_value"], max=row["max_value"])


def kpis_of(form: Form, framework: Framework) -> list[tuple]:
    """The criteria's KPIs and the unit's own, as (item, KPI model), in item order."""
    own = {}
    for row in form.own_kpis:
        own.setdefault(row["item"], []).append(own_kpi_model(row))
    return [(item, kpi) for item in framework.items() if item.is_results
            for kpi in (*item.kpis, *own.get(item.id, []))]


def checked_kpi_value(kpi: KPI, fiscal_year: int, year: int, value, years: int = 3) -> float | None:
    """A KPI result as stored: None (cleared) or a float in the KPI's valid range, for one of the cycle
    ``year``'s last ``years`` fiscal years (three for a unit); refused otherwise."""
    if fiscal_year not in range(year - years + 1, year + 1):
        raise InputError("error_fiscal_year", year=fiscal_year)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InputError("error_not_number", kpi=kpi.id)
    if not kpi.min <= value <= kpi.max:
        raise InputError("error_kpi_range", kpi=kpi.id, value=value, min=kpi.min, max=kpi.max)
    return float(value)


def save_kpi_values(db: Store, actor: User, assessment_id: int, expected_version: int,
                    values: dict[tuple[str, int], float | None], source: str = "self",
                    before: dict[tuple[str, int], float | None] | None = None) -> int:
    """Store KPI results, (kpi, fiscal year) -> value or None (cleared); each value must be a number
    in the KPI's valid range and the year one of the cycle's three. ``before``: what the editor showed for
    each (for review, the committee's value where it set one, else the unit's)."""
    framework = _framework(db, assessment_id)
    year = db.execute("SELECT year FROM assessments WHERE id = ?", [assessment_id]).fetchone()[0]
    checked = {(kpi_id, fiscal_year): checked_kpi_value(kpi_definition(db, framework, assessment_id, kpi_id),
                                                      fiscal_year, year, value)
             for (kpi_id, fiscal_year), value in values.items()}
    column = {"self": "self_value", "review": "review_value"}[source]
    shown_as = {"self": "self_value", "review": "COALESCE(review_value, self_value)"}[source]
    with transaction(db):
        state = claim_version(db, actor, assessment_id, None if before is not None else expected_version, source)
        for (kpi_id, fiscal_year), shown in (before or {}).items():
            row = db.execute(f"SELECT {shown_as} FROM kpi_results WHERE assessment_id = ? AND kpi = ? AND "
                             "fiscal_year = ?", [assessment_id, kpi_id, fiscal_year]).fetchone()
            _require_unchanged(db, assessment_id, f"{kpi_id}/{fiscal_year}", None if shown is None else float(shown),
                               checked.get((kpi_id, fiscal_year)), row[0] if row else None,
                               lambda action, detail, key=f"{kpi_id}/{fiscal_year}": action.startswith("save_")
                               and audit.holds(detail, "values", key))
        db.executemany(
            f"INSERT INTO kpi_results (assessment_id, kpi, fiscal_year, {column}) VALUES (?, ?, ?, ?) "
            f"ON CONFLICT (assessment_id, kpi, fiscal_year) DO UPDATE SET {column} = excluded.{column}",
            [(assessment_id, k, fy, v) for (k, fy), v in checked.items()])
        audit.record(db, actor.username, f"save_{source}_kpi", "assessment", assessment_id,
                     values={f"{k}/{fy}": v for (k, fy), v in checked.items()}, version=state["version"])
    return state["version"]


def save_narrative(db: Store, actor: User, assessment_id: int, expected_version: int, item: str,
                   level: str, text: str, before: str | None = None) -> int:
    """The unit's account of how it works and what it achieved, per item and level. ``before``: the text
    the editor showed."""
    framework = _framework(db, assessment_id)
    if item not in framework.item_ids() or level not in LEVELS or framework.item(item).is_results:
        raise InputError("error_unknown_item", item=item)
    text = clean(text).strip()
    if len(text) > MAX_NARRATIVE:
        raise InputError("error_text_length", limit=MAX_NARRATIVE)
    with transaction(db):
        state = claim_version(db, actor, assessment_id, None if before is not None else expected_version, "self")
        if before is not None:
            row = db.execute("SELECT text FROM narratives WHERE assessment_id = ? AND item = ? AND level = ?",
                             [assessment_id, item, level]).fetchone()
            _require_unchanged(db, assessment_id, f"{item}/{level}", clean(before).strip(), text,
                               clean(row[0] or "") if row else "",
                               lambda action, detail: action == "save_narrative"
                               and (detail.get("item"), detail.get("level")) == (item, level))
        db.execute("INSERT INTO narratives (assessment_id, item, level, text) VALUES (?, ?, ?, ?) "
                   "ON CONFLICT (assessment_id, item, level) DO UPDATE SET text = excluded.text",
                   [assessment_id, item, level, text])
        _confirm(db, framework, assessment_id, {item})
        audit.record(db, actor.username, "save_narrative", "assessment", assessment_id, item=item, level=level,
                     chars=len(text), version=state["version"])
    return state["version"]


def save_none_met(db: Store, actor: User, assessment_id: int, expected_version: int, item: str, none: bool,
                  before: bool | None = None) -> int:
    """The unit's answer that none of an item's checkpoints is met yet (``none``), or its withdrawal. Refused
    while any of the item's checkpoints is ticked. ``before``: what the editor showed."""
    framework = _framework(db, assessment_id)
    if item not in framework.item_ids() or framework.item(item).is_results:
        raise InputError("error_unknown_item", item=item)
    checkpoints = [cp.id for it, _, cp in framework.checkpoints() if it.id == item]
    with transaction(db):
        state = claim_version(db, actor, assessment_id, None if before is not None else expected_version, "self")
        stored = db.execute("SELECT 1 FROM none_met WHERE assessment_id = ? AND item = ?",
                            [assessment_id, item]).fetchone() is not None
        if before is not None:
            _require_unchanged(db, assessment_id, item, bool(before), none, stored,
                               lambda action, detail: action == "save_none_met" and detail.get("item") == item)
        ticked = db.execute(f"SELECT COUNT(*) FROM checkpoint_answers WHERE assessment_id = ? AND self_met = 1 AND "
                            f"checkpoint IN ({marks(checkpoints)})",
                            [assessment_id, *checkpoints]).fetchone()[0]
        if none and ticked:
            raise InputError("error_none_met_ticked", item=item)
        if none:
            db.execute("INSERT INTO none_met (assessment_id, item) VALUES (?, ?) ON CONFLICT DO NOTHING",
                       [assessment_id, item])
        else:
            db.execute("DELETE FROM none_met WHERE assessment_id = ? AND item = ?", [assessment_id, item])
        _confirm(db, framework, assessment_id, {item})
        audit.record(db, actor.username, "save_none_met", "assessment", assessment_id, item=item, none=none,
                     version=state["version"])
    return state["version"]


def add_own_kpi(db: Store, actor: User, assessment_id: int, expected_version: int, item: str, name: str,
                unit_label: str, direction: str, floor: float | None, ceiling: float | None, target: float,
                min_value: float = 0.0, max_value: float = 100.0, ofi_id: int | None = None) -> tuple[int, str]:
    """Add the unit's own KPI to a category-7 item; returns (new version, KPI id). When the year scores a unit's
    own KPIs on the percentage of target, the target is all the score needs: ``floor`` and ``ceiling`` are not
    asked for (pass None) and are kept as where that scale starts and tops out (``scoring.rules.target_scale``)."""
    framework = _framework(db, assessment_id)
    if item not in framework.item_ids() or not framework.item(item).is_results:
        raise InputError("error_unknown_item", item=item)
    name, unit_label = clean(name).strip(), clean(unit_label).strip()
    if not name or not unit_label or len(name) > MAX_NAME or len(unit_label) > MAX_NAME:
        raise InputError("error_kpi_name", limit=MAX_NAME)
    if framework.rules.unit_kpis == "percent_of_target":
        _check_own_kpi(direction, None, None, target, min_value, max_value)
        if target <= 0:
            raise InputError("error_kpi_zero_target")
        floor, ceiling = (min(max(v, min_value), max_value) for v in target_scale(target, direction))
    else:
        _check_own_kpi(direction, floor, ceiling, target, min_value, max_value)
    row = {"assessment_id": assessment_id, "kpi": "new", "item": item, "name": name, "unit_label": unit_label,
           "direction": direction, "floor": floor, "ceiling": ceiling, "target": target,
           "min_value": min_value, "max_value": max_value, "ofi_id": ofi_id}
    try:
        own_kpi_model(row)
    except ValidationError as exc:
        detail = exc.errors()[0]["msg"].removeprefix("Value error, ")
        raise InputError("error_kpi_definition", detail=detail) from None
    with transaction(db):
        state = claim_version(db, actor, assessment_id, expected_version, "self")
        if ofi_id is not None and not db.execute(
                "SELECT 1 FROM ofi_units WHERE ofi_id = ? AND unit_id = ?", [ofi_id, state["unit_id"]]).fetchone():
            raise InputError("error_unknown_ofi")
        limit = framework.rules.unit_kpis_per_item
        if db.execute("SELECT COUNT(*) FROM unit_kpis WHERE assessment_id = ? AND item = ?",
                      [assessment_id, item]).fetchone()[0] >= limit:
            raise InputError("error_kpi_too_many", item=item, limit=limit)
        next_id = db.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM unit_kpis").fetchone()[0]
        kpi_id = row["kpi"] = f"U{state['unit_id']}-{next_id}"
        db["unit_kpis"].insert(row)
        audit.record(db, actor.username, "add_kpi", "assessment", assessment_id, kpi=kpi_id, item=item, name=name)
    return state["version"], kpi_id


def _check_own_kpi(direction: str, floor: float | None, ceiling: float | None, target: float, low: float,
                   high: float) -> None:
    """A unit's KPI must be scorable: each inconsistency named in the user's words. Every bound is a finite
    number of at most ``MAX_KPI_VALUE`` in size (a browser's number input cannot hold infinity, and the
    form would fail on it). ``floor`` and ``ceiling`` None: the year scores the KPI on its target alone."""
    scale = () if floor is None and ceiling is None else (floor, ceiling)
    values = (*scale, target, low, high)
    if any(isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v) or abs(v) > MAX_KPI_VALUE
           for v in values):
        raise InputError("error_kpi_absurd", limit=f"{MAX_KPI_VALUE:,.0f}")
    if direction not in ("higher", "lower"):
        raise InputError("error_kpi_direction")
    if scale and floor == ceiling:
        raise InputError("error_kpi_floor_ceiling")
    if scale and (direction == "higher") != (ceiling > floor):
        raise InputError("error_kpi_direction")
    if low >= high:
        raise InputError("error_kpi_bounds")
    if not all(low <= v <= high for v in (*scale, target)):
        raise InputError("error_kpi_outside", min=low, max=high)


def remove_own_kpi(db: Store, actor: User, assessment_id: int, expected_version: int, kpi_id: str) -> int:
    with transaction(db):
        state = claim_version(db, actor, assessment_id, expected_version, "self")
        if db.execute("DELETE FROM unit_kpis WHERE assessment_id = ? AND kpi = ?",
                      [assessment_id, kpi_id]).rowcount != 1:
            raise InputError("error_unknown_kpi", kpi=kpi_id)
        db.execute("DELETE FROM kpi_results WHERE assessment_id = ? AND kpi = ?", [assessment_id, kpi_id])
        audit.record(db, actor.username, "remove_kpi", "assessment", assessment_id, kpi=kpi_id)
    return state["version"]


def judge_own_kpi(db: Store, actor: User, assessment_id: int, expected_version: int, kpi_id: str,
                  suitable: bool | None, reason: str = "") -> int:
    """The committee judges a KPI the unit added itself: suitable, not suitable (a reason is required; the KPI
    then does not count in the reviewed score), or None to withdraw the judgement. Audited with the judgement
    it replaces."""
    if suitable not in (True, False, None):
        raise InputError("error_input")
    reason = clean(reason or "").strip()
    if suitable is False and not reason:
        raise InputError("error_kpi_unsuitable_reason")
    if len(reason) > MAX_REASON:
        raise InputError("error_text_length", limit=MAX_REASON)
    with transaction(db):
        state = claim_version(db, actor, assessment_id, expected_version, "review")
        row = db.execute("SELECT suitable, suitable_reason FROM unit_kpis WHERE assessment_id = ? AND kpi = ?",
                         [assessment_id, kpi_id]).fetchone()
        if row is None:
            raise InputError("error_unknown_kpi", kpi=kpi_id)
        judged = None if suitable is None else int(suitable)
        db.execute("UPDATE unit_kpis SET suitable = ?, suitable_reason = ? WHERE assessment_id = ? AND kpi = ?",
                   [judged, reason or None, assessment_id, kpi_id])
        audit.record(db, actor.username, "judge_kpi", "assessment", assessment_id, kpi=kpi_id, suitable=suitable,
                     reason=reason or None, was=None if row[0] is None else bool(row[0]), was_reason=row[1],
                     version=state["version"])
    return state["version"]


def load(db: Store, actor: User, assessment_id: int) -> Form:
    """Everything in the assessment; a unit user may load only its own unit's."""
    actor = acting(db, actor)
    rows = list(db.query("SELECT * FROM assessments WHERE id = ?", [assessment_id]))
    if not rows:
        raise InputError("error_no_assessment")
    form = Form(rows[0])
    actor.require_unit(form.assessment["unit_id"])
    for r in db.query("SELECT checkpoint, self_met, review_met, needs_confirm FROM checkpoint_answers "
                      "WHERE assessment_id = ?", [assessment_id]):
        form.ticks[r["checkpoint"]] = {"self": bool(r["self_met"]),
                                       "review": None if r["review_met"] is None else bool(r["review_met"]),
                                       "needs_confirm": bool(r["needs_confirm"])}
    for r in db.query("SELECT kpi, fiscal_year, self_value, review_value FROM kpi_results WHERE assessment_id = ?",
                      [assessment_id]):
        form.kpi_values[(r["kpi"], r["fiscal_year"])] = {"self": r["self_value"], "review": r["review_value"]}
    for r in db.query("SELECT item, level, text FROM narratives WHERE assessment_id = ?", [assessment_id]):
        form.narratives[(r["item"], r["level"])] = r["text"]
    form.own_kpis = list(db.query("SELECT * FROM unit_kpis WHERE assessment_id = ? ORDER BY id", [assessment_id]))
    form.comments = list(db.query("SELECT id, item, kind, author, text, created_at FROM item_comments "
                                  "WHERE assessment_id = ? ORDER BY id", [assessment_id]))
    form.none_met = {r[0] for r in db.execute("SELECT item FROM none_met WHERE assessment_id = ?", [assessment_id])}
    return form
