"""Assessments (one per unit and cycle), their checkpoint ticks and KPI results.

Status changes, like the saves in ``storage.assessment.answers``, carry the version the editor started from;
one against a newer version is refused with ``VersionConflict``.
"""

from __future__ import annotations

from functools import lru_cache

import pandas as pd

from scoring import LEVELS, Framework
from storage import audit
from storage.assessment import answers, years
from storage.db import now, transaction
from storage.engine import Store, marks
from storage.errors import AccessDenied, InputError, NotEditable, VersionConflict
from storage.organisation.accounts import User, acting
from storage.schema import keep_record
from storage.text import clean

# The department's figures count submitted and approved assessments, and a returned one (sent back or
# re-opened) by its record: the values it held when its status last changed (``schema.keep_record``), until
# it is submitted again. Pass ``statuses=COUNTED`` for that count.
COUNTED = ("submitted", "approved")
SOURCES = ("self", "review", "best")


def get(db: Store, unit_id: int, year: int) -> dict | None:
    rows = list(db.query("SELECT * FROM assessments WHERE unit_id = ? AND year = ?", [unit_id, year]))
    return rows[0] if rows else None


def ensure(db: Store, actor: User, unit_id: int, year: int) -> dict:
    """The unit's assessment for the cycle, created as an empty draft if there is none yet."""
    actor = acting(db, actor)
    actor.require_unit(unit_id)
    with transaction(db):
        found = get(db, unit_id, year)
        if found:
            return found
        if actor.role != "unit":
            raise AccessDenied(role=actor.role)
        if not db.execute("SELECT 1 FROM units WHERE id = ? AND active = 1", [unit_id]).fetchone():
            raise NotEditable("error_unit_inactive")
        years.require_unit_phase(db, year)
        stamp = now()
        new_id = db["assessments"].insert({"unit_id": unit_id, "year": year, "status": "draft", "version": 0,
                                           "created_at": stamp, "updated_at": stamp,
                                           "updated_by": actor.username}).last_pk
        audit.record(db, actor.username, "create", "assessment", new_id, unit_id=unit_id, year=year)
    return get(db, unit_id, year)


# action -> (statuses it starts from, status it leads to, roles that may take it)
TRANSITIONS = {
    "submit": (("draft", "returned"), "submitted", ("unit",)),
    "return": (("submitted",), "returned", ("committee",)),
    "approve": (("submitted",), "approved", ("committee",)),
    "reopen": (("approved",), "returned", ("admin",)),
}
MAX_REASON = 2000


def unanswered_items(form: answers.Form, framework: Framework) -> list[str]:
    """Items of the categories assessed not yet answered: 1.1-6.4 need a tick, a narrative or the answer
    "none met yet", and no copied answer left unconfirmed; 7.x need a current-year value for every KPI (the
    criteria's and the unit's own), unless the year averages only the values entered (``missing_kpis``),
    where an item without them is "not assessed" rather than unanswered."""
    year = form.assessment["year"]
    ticked = {cp for cp, v in form.ticks.items() if v["self"]}
    unconfirmed = {cp for cp, v in form.ticks.items() if v["needs_confirm"]}
    written = {item for (item, _), text in form.narratives.items() if text}
    valued = {kpi for (kpi, fy), v in form.kpi_values.items() if fy == year and v["self"] is not None}
    missing = []
    for item in framework.assessed_items():
        if item.is_results and framework.rules.missing_kpis == "entered_only":
            continue
        if item.is_results:
            kpis = {k.id for k in item.kpis} | {k["kpi"] for k in form.own_kpis if k["item"] == item.id}
            done = kpis <= valued
        else:
            ids = {cp.id for level in LEVELS for cp in item.level_checkpoints(level)}
            done = bool(ids & ticked or item.id in written or item.id in form.none_met) and not ids & unconfirmed
        if not done:
            missing.append(item.id)
    return missing


def change_status(db: Store, actor: User, assessment_id: int, expected_version: int, action: str,
                  reason: str = "") -> int:
    """Submit (unit, when every item is answered), return with a reason or approve (committee),
    re-open an approved assessment (admin). Audited; refused with nothing changed otherwise."""
    actor = acting(db, actor)
    if action not in TRANSITIONS:
        raise InputError("error_input")
    starts, target, roles = TRANSITIONS[action]
    reason = clean(reason).strip()
    if actor.role not in roles:
        raise AccessDenied(role=actor.role)
    if action in ("return", "reopen") and not reason:
        raise InputError("error_reason_required")
    if len(reason) > MAX_REASON:
        raise InputError("error_text_length", limit=MAX_REASON)
    with transaction(db):
        form = answers.load(db, actor, assessment_id)
        status = form.assessment["status"]
        if status not in starts:
            raise NotEditable(status=status)
        if action == "submit":
            years.require_unit_phase(db, form.assessment["year"], status)
        else:
            years.require_open_year(db, form.assessment["year"])
        if action == "submit":
            missing = unanswered_items(form, years.framework_of(db, form.assessment["year"]))
            if missing:
                raise InputError("error_incomplete", items=", ".join(missing))
        cursor = db.execute(
            "UPDATE assessments SET status = ?, version = version + 1, updated_at = ?, updated_by = ?, "
            "submitted_at = CASE WHEN ? = 'submitted' THEN ? ELSE submitted_at END, "
            "return_reason = CASE WHEN ? = 'returned' THEN ? ELSE return_reason END "
            "WHERE id = ? AND version = ?",
            [target, now(), actor.username, target, now(), target, reason, assessment_id, expected_version])
        if cursor.rowcount != 1:
            raise VersionConflict(form.assessment["version"], form.assessment["updated_by"])
        keep_record(db, assessment_id)
        audit.record(db, actor.username, action, "assessment", assessment_id, status=target, reason=reason or None)
    return expected_version + 1


def copy_previous(db: Store, actor: User, assessment_id: int, expected_version: int) -> int:
    """Start from last cycle's answers: ticks and narratives (marked as needing confirmation), the
    unit's own KPIs, and KPI results of the fiscal years both cycles share. Only into an empty form."""
    actor = acting(db, actor)
    form = answers.load(db, actor, assessment_id)
    year, unit_id = form.assessment["year"], form.assessment["unit_id"]
    if form.ticks or form.narratives or form.kpi_values:
        raise InputError("error_copy_not_empty")
    previous = get(db, unit_id, year - 1)
    if previous is None:
        raise InputError("error_no_previous", year=year - 1)
    framework = years.framework_of(db, year)
    known = checkpoint_ids(framework)
    items = framework.item_ids()
    with transaction(db):
        version = answers.claim_version(db, actor, assessment_id, expected_version, "self")["version"]
        old = previous["id"]
        db.executemany(
            "INSERT INTO checkpoint_answers (assessment_id, checkpoint, self_met, needs_confirm) VALUES (?, ?, ?, 1)",
            [(assessment_id, r[0], r[1]) for r in db.execute(
                "SELECT checkpoint, self_met FROM checkpoint_answers WHERE assessment_id = ?", [old]) if r[0] in known])
        db.executemany(
            "INSERT INTO narratives (assessment_id, item, level, text) VALUES (?, ?, ?, ?)",
            [(assessment_id, *r) for r in db.execute(
                "SELECT item, level, text FROM narratives WHERE assessment_id = ?", [old]) if r[0] in items])
        for row in db.query("SELECT * FROM unit_kpis WHERE assessment_id = ?", [old]):
            db["unit_kpis"].insert({**row, "id": None, "assessment_id": assessment_id})
        db.execute(
            "INSERT INTO kpi_results (assessment_id, kpi, fiscal_year, self_value) "
            "SELECT ?, kpi, fiscal_year, self_value FROM kpi_results WHERE assessment_id = ? AND fiscal_year >= ?",
            [assessment_id, old, year - 2])
        audit.record(db, actor.username, "copy_previous", "assessment", assessment_id, source=old)
    return version


def status_table(db: Store, reader: User, year: int) -> pd.DataFrame:
    """Every active unit with its assessment status for the cycle ('not_started' where none); for a unit
    user, its own unit's row only."""
    reader = acting(db, reader)
    own = reader.role == "unit"
    rows = db.query(
        "SELECT u.id AS unit_id, u.code, u.name_th, u.name_en, u.weight, a.id AS assessment_id, "
        "COALESCE(a.status, 'not_started') AS status, a.version, a.updated_at "
        "FROM units u LEFT JOIN assessments a ON a.unit_id = u.id AND a.year = ? "
        f"WHERE u.active = 1 {'AND u.id = ?' if own else ''} ORDER BY u.id", [year, reader.unit_id] if own else [year])
    return pd.DataFrame(list(rows), columns=["unit_id", "code", "name_th", "name_en", "weight", "assessment_id",
                                             "status", "version", "updated_at"])


# An assessment the committee has reviewed: approved, or holding any reviewer value.
REVIEWED = ("(a.status = 'approved' OR EXISTS (SELECT 1 FROM checkpoint_answers r WHERE r.assessment_id = a.id "
            "AND r.review_met IS NOT NULL) OR EXISTS (SELECT 1 FROM kpi_results r WHERE r.assessment_id = a.id "
            "AND r.review_value IS NOT NULL))")


def _frame(db: Store, sql: str, params: list, columns: list[str]) -> pd.DataFrame:
    """A query's rows as a frame, read as tuples (a dict per row costs a third more on large cycles)."""
    return pd.DataFrame(db.execute(sql, params).fetchall(), columns=columns)


# A returned assessment with a record to count by.
KEPT = ("(a.status = 'returned' AND (EXISTS (SELECT 1 FROM record_answers r WHERE r.assessment_id = a.id) OR "
        "EXISTS (SELECT 1 FROM record_kpis r WHERE r.assessment_id = a.id)))")


def _filter(year: int, statuses: tuple[str, ...] | None, unit_id: int | None,
            reviewed_only: bool = False) -> tuple[str, list]:
    sql = " WHERE a.year = ?"
    params: list = [year]
    if statuses:
        sql += f" AND (a.status IN ({marks(statuses)})"
        params += list(statuses)
        sql += f" OR {KEPT})" if _counting(statuses) else ")"
    if unit_id is not None:
        sql += " AND a.unit_id = ?"
        params.append(unit_id)
    if reviewed_only:
        sql += f" AND {REVIEWED}"
    return sql, params


def _counting(statuses: tuple[str, ...] | None) -> bool:
    """The department's count (see ``COUNTED``): returned assessments count by their record."""
    return statuses is not None and set(statuses) == set(COUNTED)


_KPI_COLUMNS = ("assessment_id", "kpi", "fiscal_year", "self_value", "review_value", "item", "floor", "ceiling",
                "target", "direction", "suitable", "suitable_reason")  # a KPI's result with its unit KPI's bounds
_LIVE_KPIS = ("SELECT k.assessment_id, k.kpi, k.fiscal_year, k.self_value, k.review_value, uk.item, uk.floor, "
              "uk.ceiling, uk.target, uk.direction, uk.suitable, uk.suitable_reason FROM kpi_results k "
              "LEFT JOIN unit_kpis uk ON uk.assessment_id = k.assessment_id AND uk.kpi = k.kpi")


def _values(statuses: tuple[str, ...] | None) -> tuple[str, str]:
    """The checkpoint answers and KPI results to read, as SQL tables: the live ones, and for the
    department's count a returned assessment's record instead of what its unit is correcting."""
    if not _counting(statuses):
        return "checkpoint_answers", f"({_LIVE_KPIS})"
    def only(alias: str, returned: bool) -> str:
        return f"JOIN assessments s ON s.id = {alias}.assessment_id AND s.status {'=' if returned else '!='} 'returned'"

    answers = (f"(SELECT c.assessment_id, c.checkpoint, c.self_met, c.review_met FROM checkpoint_answers c "
               f"{only('c', False)} UNION ALL SELECT r.assessment_id, r.checkpoint, r.self_met, r.review_met "
               f"FROM record_answers r {only('r', True)})")
    kpis = (f"(SELECT k_.* FROM ({_LIVE_KPIS}) k_ {only('k_', False)} UNION ALL "
            f"SELECT {', '.join('r.' + c for c in _KPI_COLUMNS)} FROM record_kpis r {only('r', True)})")
    return answers, kpis


def score_inputs(db: Store, year: int, source: str = "self", statuses: tuple[str, ...] | None = COUNTED,
                 unit_id: int | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Frames for the scoring package: answers (unit, checkpoint, met) and kpis (unit, kpi, value,
    item, floor, ceiling, target, direction) of the cycle's assessments, ``unit`` being the unit id; only
    answers to checkpoints the year's criteria have.

    source 'self' reads the unit's values; 'review' only the assessments the committee has reviewed,
    with its values where it set one and the unit's elsewhere; 'best' every assessment, with reviewed
    values wherever there are some and the unit's otherwise. The reviewed sources leave out a unit's own
    KPI the committee judged not suitable.
    """
    if source not in SOURCES:
        raise ValueError(f"unknown score source {source!r}")
    met = "a_.self_met" if source == "self" else "COALESCE(a_.review_met, a_.self_met)"
    value = "k.self_value" if source == "self" else "COALESCE(k.review_value, k.self_value)"
    where, params = _filter(year, statuses, unit_id, reviewed_only=source == "review")
    answer_rows, kpi_rows = _values(statuses)
    answers = _frame(db, f"SELECT a.unit_id AS unit, a_.checkpoint, {met} AS met FROM assessments a "
                         f"JOIN {answer_rows} a_ ON a_.assessment_id = a.id{where}", params,
                     ["unit", "checkpoint", "met"])
    answers["met"] = answers["met"].fillna(0).astype(bool)
    answers = counted_answers(answers, years.framework_of(db, year))
    judged = "" if source == "self" else " AND k.suitable IS DISTINCT FROM 0"  # a KPI the committee judged not suitable
    kpis = _frame(db, f"SELECT a.unit_id AS unit, k.kpi, {value} AS value, k.item, k.floor, k.ceiling, k.target, "
                      f"k.direction FROM assessments a JOIN {kpi_rows} k ON k.assessment_id = a.id AND "
                      f"k.fiscal_year = a.year{where}{judged}", params,
                  ["unit", "kpi", "value", "item", "floor", "ceiling", "target", "direction"])
    return answers, kpis


def counted_answers(answers: pd.DataFrame, framework: Framework) -> pd.DataFrame:
    """The answers to checkpoints the year's criteria have: a criteria file that drops a checkpoint keeps
    the answers to it in the store, but they no longer count (and the scorer refuses unknown ids)."""
    known = answers["checkpoint"].isin(checkpoint_ids(framework))
    return answers if known.all() else answers[known].reset_index(drop=True)


@lru_cache(maxsize=16)
def checkpoint_ids(framework: Framework) -> frozenset[str]:
    return frozenset(cp.id for _, _, cp in framework.checkpoints())


def units_with_assessment(db: Store, year: int, statuses: tuple[str, ...] | None = None,
                          source: str = "self") -> list[int]:
    """Units with an assessment in the cycle, in any status or in the given ones (``COUNTED``: with the
    returned ones, counted by their record); for the 'review' source, only those the committee has reviewed."""
    where, params = _filter(year, statuses, None, reviewed_only=source == "review")
    return [r[0] for r in db.execute(f"SELECT a.unit_id FROM assessments a{where} ORDER BY a.unit_id", params)]


def kpi_results(db: Store, year: int, source: str = "self",
                statuses: tuple[str, ...] | None = COUNTED) -> pd.DataFrame:
    """KPI results of every fiscal year recorded in the cycle's assessments: unit, kpi, fiscal_year,
    value (the unit's for 'self'; the committee's where set, else the unit's, otherwise)."""
    if source not in SOURCES:
        raise ValueError(f"unknown score source {source!r}")
    value = "k.self_value" if source == "self" else "COALESCE(k.review_value, k.self_value)"
    where, params = _filter(year, statuses, None, reviewed_only=source == "review")
    return _frame(db, f"SELECT a.unit_id AS unit, k.kpi, k.fiscal_year, {value} AS value FROM assessments a "
                      f"JOIN {_values(statuses)[1]} k ON k.assessment_id = a.id{where}", params,
                  ["unit", "kpi", "fiscal_year", "value"])
