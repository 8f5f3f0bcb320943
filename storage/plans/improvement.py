"""Improvement plans made from the OFI register: a 1-year plan (actions with owner, dates and resources; the
checkpoints and KPIs it means to lift; the unit's own KPIs linked to its gaps) or a 3-year plan (the same,
with a milestone for each of the next three fiscal years).

A unit plans for its own unit from OFIs that apply to it; the committee plans for any unit or for the
department as a whole (no unit). Plans are written while the year's improvement-planning phase is open:
draft, submitted to the committee, then accepted, or sent back with the changes asked for (and written
again). The committee comments at any time in an open year. Accepting a plan moves its linked OFIs that
are still open to "in progress". Every change is versioned and audited.
"""

from __future__ import annotations

from datetime import date

from storage import audit
from storage.assessment import years
from storage.db import now, transaction
from storage.engine import Store, marks
from storage.errors import AccessDenied, InputError, NotEditable, VersionConflict
from storage.organisation.accounts import User, acting
from storage.text import clean

HORIZONS = ("1y", "3y")
STATUSES = ("draft", "submitted", "changes_requested", "accepted", "closed")  # closed: by its 12-month report
EDITABLE = ("draft", "changes_requested")
TARGET_KINDS = ("checkpoint", "kpi")
MAX_TEXT = 2000
MAX_SHORT = 200
MAX_ACTIONS = 20
MAX_TARGETS = 30


def _require_planning(db: Store, year: int) -> None:
    """Plans are written only while the year is open and its improvement-planning phase is open."""
    years.require_open_year(db, year)
    if years.phase_status(db, year, "planning") != "open":
        raise NotEditable("error_plan_phase", year=year)


def _text(value, limit: int, key: str, required: bool = False) -> str:
    text = clean(str(value or "")).strip()
    if (required and not text) or len(text) > limit:
        raise InputError(key, limit=limit)
    return text


def _day(value, key: str) -> str:
    try:
        return (value if isinstance(value, date) else date.fromisoformat(str(value))).isoformat()
    except ValueError:
        raise InputError(key) from None


def _plan_row(db: Store, plan_id: int) -> dict:
    rows = list(db.query("SELECT * FROM improvement_plans WHERE id = ?", [plan_id]))
    if not rows:
        raise InputError("error_plan_unknown")
    return rows[0]


def _may_read(actor: User, plan: dict) -> None:
    if actor.role == "unit" and plan["unit_id"] not in (None, actor.unit_id):
        raise AccessDenied(role=actor.role)


def may_write(actor: User, plan: dict) -> None:
    """The committee writes any plan; a unit only its own unit's."""
    if actor.role == "committee":
        return
    if actor.role != "unit" or plan["unit_id"] != actor.unit_id or plan["unit_id"] is None:
        raise AccessDenied(role=actor.role)


def _ofis_for(db: Store, year: int, unit_id: int | None, ofi_ids) -> list[int]:
    """The OFIs named, each of the year and (for a unit's plan) applying to that unit."""
    ids = sorted({int(i) for i in ofi_ids or ()})
    if not ids:
        raise InputError("error_plan_no_ofi")
    for ofi_id in ids:
        row = db.execute("SELECT year FROM ofis WHERE id = ?", [ofi_id]).fetchone()
        applies = unit_id is None or db.execute("SELECT 1 FROM ofi_units WHERE ofi_id = ? AND unit_id = ?",
                                                [ofi_id, unit_id]).fetchone()
        if row is None or row[0] != year or not applies:
            raise InputError("error_plan_ofi", ofi=ofi_id)
    return ids


def create(db: Store, actor: User, year: int, horizon: str, title: str, ofi_ids,
           unit_id: int | None = None) -> int:
    """A draft plan from OFIs of the year. A unit's user plans for its own unit (``unit_id`` is ignored);
    the committee for the unit named, or for the department when None."""
    actor = acting(db, actor)
    if actor.role == "unit":
        unit_id = actor.unit_id
    elif actor.role != "committee":
        raise AccessDenied(role=actor.role)
    if horizon not in HORIZONS:
        raise InputError("error_plan_horizon")
    title = _text(title, MAX_SHORT, "error_plan_title", required=True)
    if unit_id is not None and not db.execute("SELECT 1 FROM units WHERE id = ?", [unit_id]).fetchone():
        raise InputError("error_plan_unit")
    with transaction(db):
        _require_planning(db, year)
        ids = _ofis_for(db, year, unit_id, ofi_ids)
        stamp = now()
        plan_id = db["improvement_plans"].insert({
            "year": year, "unit_id": unit_id, "horizon": horizon, "title": title, "owner": "", "starts_on": None,
            "ends_on": None, "resources": "", "status": "draft", "version": 1, "created_by": actor.username,
            "created_at": stamp, "updated_by": actor.username, "updated_at": stamp}).last_pk
        db["plan_ofis"].insert_all([{"plan_id": plan_id, "ofi_id": i} for i in ids])
        audit.record(db, actor.username, "create", "plan", plan_id, year=year, unit_id=unit_id, horizon=horizon,
                     title=title, ofis=ids)
    return plan_id


def get(db: Store, actor: User, plan_id: int) -> dict:
    """The plan with its OFIs (and their items), actions, targets, milestones, linked KPIs and comments."""
    actor = acting(db, actor)
    plan = _plan_row(db, plan_id)
    _may_read(actor, plan)
    return plan | {
        "ofis": [r[0] for r in db.execute("SELECT ofi_id FROM plan_ofis WHERE plan_id = ? ORDER BY ofi_id",
                                          [plan_id])],
        "ofi_items": sorted({r[0] for r in db.execute("SELECT o.item FROM ofis o JOIN plan_ofis p ON p.ofi_id = o.id "
                                                      "WHERE p.plan_id = ?", [plan_id])}),
        "actions": [{k: r[k] for k in ("text", "owner", "starts_on", "ends_on", "resources")} | {"id": r["id"]}
                    for r in db.query("SELECT * FROM plan_actions WHERE plan_id = ? ORDER BY position, id",
                                      [plan_id])],
        "targets": [(r["kind"], r["ref"]) for r in db.query(
            "SELECT kind, ref FROM plan_targets WHERE plan_id = ? ORDER BY kind, ref", [plan_id])],
        "milestones": {r["year"]: r["text"] for r in db.query(
            "SELECT year, text FROM plan_milestones WHERE plan_id = ? ORDER BY year", [plan_id])},
        "kpis": [r[0] for r in db.execute("SELECT kpi FROM plan_kpis WHERE plan_id = ? ORDER BY kpi", [plan_id])],
        "comments": list(db.query("SELECT id, author, kind, text, created_at FROM plan_comments WHERE plan_id = ? "
                                  "AND round IS NULL ORDER BY id", [plan_id])),
    }


def listing(db: Store, actor: User, year: int) -> list[dict]:
    """The year's plans a user may read (a unit: its own unit's and the department's), newest first, each with
    its ``targets``."""
    actor = acting(db, actor)
    rows = [r for r in db.query("SELECT * FROM improvement_plans WHERE year = ? ORDER BY id DESC", [year])
            if actor.role != "unit" or r["unit_id"] in (None, actor.unit_id)]
    targets: dict[int, list[tuple[str, str]]] = {}
    for plan_id, kind, ref in db.execute("SELECT t.plan_id, t.kind, t.ref FROM plan_targets t JOIN "
                                         "improvement_plans p ON p.id = t.plan_id WHERE p.year = ? "
                                         "ORDER BY t.kind, t.ref", [year]):
        targets.setdefault(plan_id, []).append((kind, ref))
    return [r | {"targets": targets.get(r["id"], [])} for r in rows]


def _claim(db: Store, actor: User, plan_id: int, expected_version: int) -> dict:
    """Inside a transaction: the plan, refused unless still at the version shown; its version moves on."""
    plan = _plan_row(db, plan_id)
    if plan["version"] != expected_version:
        raise VersionConflict(plan["version"], plan["updated_by"])
    db.execute("UPDATE improvement_plans SET version = version + 1, updated_by = ?, updated_at = ? WHERE id = ?",
               [actor.username, now(), plan_id])
    return plan


def _checked_actions(actions) -> list[dict]:
    checked = []
    for number, action in enumerate(actions or [], start=1):
        text = _text(action.get("text"), MAX_TEXT, "error_plan_action_text", required=True)
        starts, ends = action.get("starts_on"), action.get("ends_on")
        starts = _day(starts, "error_plan_dates") if starts else None
        ends = _day(ends, "error_plan_dates") if ends else None
        if starts and ends and starts > ends:
            raise InputError("error_plan_action_dates", n=number)
        checked.append({"text": text, "owner": _text(action.get("owner"), MAX_SHORT, "error_plan_text"),
                      "starts_on": starts, "ends_on": ends,
                      "resources": _text(action.get("resources"), MAX_TEXT, "error_plan_text")})
    if len(checked) > MAX_ACTIONS:
        raise InputError("error_plan_actions", limit=MAX_ACTIONS)
    return checked


def _checked_targets(db: Store, plan: dict, targets) -> list[tuple[str, str]]:
    framework = years.framework_of(db, plan["year"])
    checkpoints = {cp.id for _, _, cp in framework.checkpoints()}
    kpis = {k.id for _, k in framework.kpis()} | set(own_kpis(db, plan))
    checked = sorted({(kind, str(ref)) for kind, ref in targets or ()})
    for kind, ref in checked:
        if kind not in TARGET_KINDS or ref not in (checkpoints if kind == "checkpoint" else kpis):
            raise InputError("error_plan_target", ref=ref)
    if len(checked) > MAX_TARGETS:
        raise InputError("error_plan_targets", limit=MAX_TARGETS)
    return checked


def own_kpis(db: Store, plan: dict) -> list[str]:
    if plan["unit_id"] is None:
        return []
    return [r[0] for r in db.execute(
        "SELECT k.kpi FROM unit_kpis k JOIN assessments a ON a.id = k.assessment_id WHERE a.unit_id = ? "
        "AND a.year = ?", [plan["unit_id"], plan["year"]])]


def save(db: Store, actor: User, plan_id: int, expected_version: int, *, title: str, owner: str = "",
         starts_on=None, ends_on=None, resources: str = "", actions=(), targets=(), milestones=None,
         kpis=()) -> int:
    """Store the plan as edited (while it is a draft or sent back); every part is checked first. A 3-year plan
    takes ``milestones`` {fiscal year: text} for the three years after the plan's year; ``kpis`` are the unit's
    own KPIs linked to the plan's gaps. Returns the new version."""
    actor = acting(db, actor)
    plan = _plan_row(db, plan_id)
    may_write(actor, plan)
    title = _text(title, MAX_SHORT, "error_plan_title", required=True)
    owner, resources = _text(owner, MAX_SHORT, "error_plan_text"), _text(resources, MAX_TEXT, "error_plan_text")
    starts = _day(starts_on, "error_plan_dates") if starts_on else None
    ends = _day(ends_on, "error_plan_dates") if ends_on else None
    if starts and ends and starts > ends:
        raise InputError("error_plan_dates")
    clean_actions = _checked_actions(actions)
    clean_targets = _checked_targets(db, plan, targets)
    wanted = {plan["year"] + n for n in (1, 2, 3)} if plan["horizon"] == "3y" else set()
    clean_milestones = {int(y): _text(text, MAX_TEXT, "error_plan_text") for y, text in (milestones or {}).items()}
    if set(clean_milestones) - wanted:
        raise InputError("error_plan_milestones", years=", ".join(map(str, sorted(wanted))) or "-")
    own = set(own_kpis(db, plan))
    linked = sorted({str(k) for k in kpis or ()})
    if set(linked) - own:
        raise InputError("error_plan_kpi")
    with transaction(db):
        _require_planning(db, plan["year"])
        plan = _claim(db, actor, plan_id, expected_version)
        if plan["status"] not in EDITABLE:
            raise NotEditable("error_plan_not_editable", status=plan["status"])
        db.execute("UPDATE improvement_plans SET title = ?, owner = ?, starts_on = ?, ends_on = ?, resources = ? "
                   "WHERE id = ?", [title, owner, starts, ends, resources, plan_id])
        for table in ("plan_actions", "plan_targets", "plan_milestones", "plan_kpis"):
            db.execute(f"DELETE FROM {table} WHERE plan_id = ?", [plan_id])
        db["plan_actions"].insert_all([a | {"plan_id": plan_id, "position": n}
                                       for n, a in enumerate(clean_actions, start=1)])
        db["plan_targets"].insert_all([{"plan_id": plan_id, "kind": k, "ref": r} for k, r in clean_targets])
        db["plan_milestones"].insert_all([{"plan_id": plan_id, "year": y, "text": t}
                                          for y, t in sorted(clean_milestones.items()) if t])
        db["plan_kpis"].insert_all([{"plan_id": plan_id, "kpi": k} for k in linked])
        audit.record(db, actor.username, "save", "plan", plan_id, version=plan["version"] + 1, title=title,
                     actions=len(clean_actions), targets=[f"{k}:{r}" for k, r in clean_targets],
                     milestones=sorted(clean_milestones), kpis=linked)
    return plan["version"] + 1


def _move(db: Store, actor: User, plan_id: int, expected_version: int, allowed: tuple[str, ...], to: str,
          action: str, **detail) -> dict:
    """Inside a transaction: a status change from one of ``allowed`` to ``to``, audited."""
    plan = _claim(db, actor, plan_id, expected_version)
    if plan["status"] not in allowed:
        raise NotEditable("error_plan_not_editable", status=plan["status"])
    db.execute("UPDATE improvement_plans SET status = ? WHERE id = ?", [to, plan_id])
    audit.record(db, actor.username, action, "plan", plan_id, version=plan["version"] + 1, was=plan["status"],
                 **detail)
    return plan


def submit(db: Store, actor: User, plan_id: int, expected_version: int) -> int:
    """Send a plan to the committee; it needs at least one action and one target."""
    actor = acting(db, actor)
    plan = _plan_row(db, plan_id)
    may_write(actor, plan)
    with transaction(db):
        _require_planning(db, plan["year"])
        if not db.execute("SELECT 1 FROM plan_actions WHERE plan_id = ?", [plan_id]).fetchone() or \
                not db.execute("SELECT 1 FROM plan_targets WHERE plan_id = ?", [plan_id]).fetchone():
            raise InputError("error_plan_incomplete")
        _move(db, actor, plan_id, expected_version, EDITABLE, "submitted", "submit")
    return expected_version + 1


def _committee(db: Store, actor: User) -> User:
    actor = acting(db, actor)
    if actor.role != "committee":
        raise AccessDenied(role=actor.role)
    return actor


def comment(db: Store, actor: User, plan_id: int, text: str) -> int:
    """The committee's comment on a plan (at any time in an open year)."""
    actor = _committee(db, actor)
    text = _text(text, MAX_TEXT, "error_plan_comment", required=True)
    plan = _plan_row(db, plan_id)
    with transaction(db):
        years.require_open_year(db, plan["year"])
        comment_id = db["plan_comments"].insert({"plan_id": plan_id, "author": actor.username, "kind": "comment",
                                                 "text": text, "created_at": now()}).last_pk
        audit.record(db, actor.username, "comment", "plan", plan_id, comment=comment_id)
    return comment_id


def request_changes(db: Store, actor: User, plan_id: int, expected_version: int, text: str) -> int:
    """Send a submitted plan back, saying what to change."""
    actor = _committee(db, actor)
    text = _text(text, MAX_TEXT, "error_plan_comment", required=True)
    plan = _plan_row(db, plan_id)
    with transaction(db):
        years.require_open_year(db, plan["year"])
        _move(db, actor, plan_id, expected_version, ("submitted",), "changes_requested", "request_changes",
              reason=text)
        db["plan_comments"].insert({"plan_id": plan_id, "author": actor.username, "kind": "changes", "text": text,
                                    "created_at": now()})
    return expected_version + 1


def accept(db: Store, actor: User, plan_id: int, expected_version: int,
           expected_points: float | None = None) -> int:
    """Accept a submitted plan; its linked OFIs still open move to "in progress" (each audited). The points the
    plan is expected to win (worked out by the caller with ``analysis.improvement``) are kept as they stood at
    acceptance, for the director's expected-versus-won view."""
    actor = _committee(db, actor)
    plan = _plan_row(db, plan_id)
    with transaction(db):
        years.require_open_year(db, plan["year"])
        _move(db, actor, plan_id, expected_version, ("submitted",), "accepted", "accept",
              expected_points=expected_points)
        db.execute("UPDATE improvement_plans SET expected_points = ? WHERE id = ?", [expected_points, plan_id])
        move_ofis(db, actor, plan_id, ("open",), "in_progress")
    return expected_version + 1


def move_ofis(db: Store, actor: User, plan_id: int, from_statuses: tuple[str, ...], to: str) -> None:
    """Inside a transaction: the plan's linked OFIs in one of ``from_statuses`` move to ``to``, each audited."""
    stamp = now()
    for ofi_id, was in db.execute(f"SELECT o.id, o.status FROM ofis o JOIN plan_ofis p ON p.ofi_id = o.id WHERE "
                                  f"p.plan_id = ? AND o.status IN ({marks(from_statuses)})",
                                  [plan_id, *from_statuses]).fetchall():
        db.execute("UPDATE ofis SET status = ?, version = version + 1, updated_at = ?, updated_by = ? WHERE id = ?",
                   [to, stamp, actor.username, ofi_id])
        audit.record(db, actor.username, "update", "ofi", ofi_id, status=[was, to], plan=plan_id)


def ofi_plans(db: Store, ofi_ids) -> dict[int, list[int]]:
    """For the register: the plans each OFI is linked to."""
    found: dict[int, list[int]] = {}
    ids = list(ofi_ids or ())
    if ids:
        for ofi_id, plan_id in db.execute(f"SELECT ofi_id, plan_id FROM plan_ofis WHERE ofi_id IN "
                                          f"({marks(ids)}) ORDER BY plan_id", ids):
            found.setdefault(ofi_id, []).append(plan_id)
    return found
