"""The store's schema as it was changed by hand-made steps, up to m024, before Alembic took over
(``storage.migrations``). Kept to bring a store made before then up to that point; never edit a step, and add
no new one: a change to the schema is a new Alembic revision (``storage/revisions/versions``)."""

from __future__ import annotations

import re
from collections.abc import Callable

from sqlite_utils import Database

from storage.db import now, transaction
from storage.engine import Store

STATUSES = ("draft", "submitted", "returned", "approved")
ROLES = ("unit", "committee", "director", "admin")
MINISTRY_ROLES = ("ministry_admin", "ministry_viewer")  # a ministry's own accounts: its departments' set-up, roll-up

Step = Callable[[Database], None]
LEGACY_TABLE = "_migrations"  # the hand-made steps a store made before Alembic had


def has_table(db, name: str) -> bool:
    """Whether the store has the table ``name``: a ``Store`` on either engine, or a bare sqlite3 connection to a
    SQLite file (a backup's copy)."""
    if isinstance(db, Store):
        return db.has_table(name)
    return db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [name]).fetchone() is not None


class Migrations:
    """The hand-made steps, in order, each applied once (stores made before Alembic took over)."""

    def __init__(self) -> None:
        self.steps: list[tuple[str, Step]] = []

    def __call__(self, step: Step) -> Step:
        """Register a step; steps run once each, in the order they are declared."""
        self.steps.append((step.__name__, step))
        return step

    @property
    def names(self) -> list[str]:
        return [name for name, _ in self.steps]

    def applied(self, db: Store) -> set[str]:
        if not has_table(db, LEGACY_TABLE):
            return set()
        return {row[0] for row in db.execute(f"SELECT name FROM {LEGACY_TABLE}")}

    def pending(self, db: Store) -> list[str]:
        done = self.applied(db)
        return [name for name in self.names if name not in done]

    def apply(self, db: Store) -> list[str]:
        """Apply pending steps under the write lock, once (SQLite). Returns the names applied by this call."""
        if not self.pending(db):  # the common case: a plain read, no lock taken
            return []
        with transaction(db):
            db.execute(f"CREATE TABLE IF NOT EXISTS {LEGACY_TABLE} (name TEXT PRIMARY KEY, applied_at TEXT)")
            done = self.applied(db)  # re-read under the lock: another process may have applied them
            applied = []
            steps_db = Database(db.dbapi)  # the steps are written with sqlite-utils, on the same connection
            for name, step in self.steps:
                if name in done:
                    continue
                step(steps_db)
                db.execute(f"INSERT INTO {LEGACY_TABLE} (name, applied_at) VALUES (?, ?)", [name, now()])
                applied.append(name)
        return applied


migrations = Migrations()


@migrations
def m001_core(db: Database) -> None:
    db["meta"].create({"key": str, "value": str}, pk="key")
    db["cycles"].create(
        {"year": int, "status": str, "opened_at": str},
        pk="year",
    )
    db["units"].create(
        {"id": int, "code": str, "name_th": str, "name_en": str, "kind": str, "weight": float, "active": int},
        pk="id", not_null={"code", "name_th", "weight"}, defaults={"weight": 1.0, "active": 1},
    )
    db["units"].create_index(["code"], unique=True)
    db["users"].create(
        {"id": int, "username": str, "display_name": str, "role": str, "unit_id": int,
         "password_hash": str, "active": int, "created_at": str},
        pk="id", not_null={"username", "role", "password_hash"}, defaults={"active": 1},
        foreign_keys=[("unit_id", "units", "id")],
    )
    db["users"].create_index(["username"], unique=True)
    db["assessments"].create(
        {"id": int, "unit_id": int, "year": int, "status": str, "version": int,
         "created_at": str, "updated_at": str, "updated_by": str, "submitted_at": str},
        pk="id", not_null={"unit_id", "year", "status", "version"}, defaults={"version": 0},
        foreign_keys=[("unit_id", "units", "id"), ("year", "cycles", "year")],
    )
    db["assessments"].create_index(["unit_id", "year"], unique=True)
    db["checkpoint_answers"].create(
        {"assessment_id": int, "checkpoint": str, "self_met": int, "review_met": int, "needs_confirm": int},
        pk=("assessment_id", "checkpoint"), defaults={"needs_confirm": 0},
        foreign_keys=[("assessment_id", "assessments", "id")],
    )
    db["kpi_results"].create(
        {"assessment_id": int, "kpi": str, "fiscal_year": int, "self_value": float, "review_value": float},
        pk=("assessment_id", "kpi", "fiscal_year"),
        foreign_keys=[("assessment_id", "assessments", "id")],
    )
    db["unit_kpis"].create(
        {"id": int, "assessment_id": int, "kpi": str, "item": str, "name": str, "unit_label": str,
         "direction": str, "floor": float, "ceiling": float, "target": float, "ofi_id": int},
        pk="id", foreign_keys=[("assessment_id", "assessments", "id")],
    )
    db["unit_kpis"].create_index(["assessment_id", "kpi"], unique=True)
    db["narratives"].create(
        {"assessment_id": int, "item": str, "level": str, "text": str},
        pk=("assessment_id", "item", "level"), foreign_keys=[("assessment_id", "assessments", "id")],
    )
    db["evidence"].create(
        {"id": int, "assessment_id": int, "item": str, "level": str, "kpi": str, "kind": str,
         "filename": str, "path": str, "sha256": str, "size": int, "url": str, "confidential": int,
         "added_by": str, "added_at": str, "removed_at": str},
        pk="id", foreign_keys=[("assessment_id", "assessments", "id")],
    )
    db["item_comments"].create(
        {"id": int, "assessment_id": int, "item": str, "author": str, "text": str, "created_at": str},
        pk="id", foreign_keys=[("assessment_id", "assessments", "id")],
    )
    db["ofis"].create(
        {"id": int, "year": int, "source": str, "item": str, "unit_id": int, "description": str,
         "priority": str, "owner": str, "due_date": str, "status": str, "points": float,
         "carried_from": int, "created_at": str, "updated_at": str},
        pk="id", foreign_keys=[("year", "cycles", "year"), ("unit_id", "units", "id"), ("carried_from", "ofis", "id")],
    )
    db["workplan_steps"].create(
        {"id": int, "year": int, "step": int, "title_th": str, "title_en": str, "start_month": str,
         "end_month": str, "owner": str, "documents": str, "status": str},
        pk="id", foreign_keys=[("year", "cycles", "year")],
    )
    db["audit_log"].create(
        {"id": int, "at": str, "username": str, "action": str, "entity": str, "entity_id": str, "detail": str},
        pk="id", not_null={"at", "action", "entity"},
    )
    db.execute(
        "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
        "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END"
    )
    db.execute(
        "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
        "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END"
    )


@migrations
def m002_review_reason_and_kpi_range(db: Database) -> None:
    """Why the committee returned an assessment; the valid value range of a unit's own KPI."""
    db["assessments"].add_column("return_reason", str)
    db["unit_kpis"].add_column("min_value", float)
    db["unit_kpis"].add_column("max_value", float)


@migrations
def m003_review_notes_and_ofi_links(db: Database) -> None:
    """Kinds of review notes per item (comment, strength, ofi); the units an OFI applies to; its
    progress notes."""
    db["item_comments"].add_column("kind", str, not_null_default="comment")
    db["ofis"].add_column("created_by", str)
    db["ofi_units"].create(
        {"ofi_id": int, "unit_id": int}, pk=("ofi_id", "unit_id"),
        foreign_keys=[("ofi_id", "ofis", "id"), ("unit_id", "units", "id")],
    )
    db["ofi_notes"].create(
        {"id": int, "ofi_id": int, "at": str, "author": str, "text": str},
        pk="id", foreign_keys=[("ofi_id", "ofis", "id")],
    )


PHASES = ("self_assessment", "review", "planning", "followup_6m", "results_12m")


@migrations
def m004_administration(db: Database) -> None:
    """A year's phases with their dates, its criteria file and thresholds; accepted criteria files;
    users' e-mail, last sign-in and forced password change; who closed a year and why it re-opened.

    Years that exist already get their phases: an open year has its self-assessment and committee
    review open (what the app allowed so far), a closed year has every phase closed."""
    db["cycles"].add_column("criteria_sha", str)
    db["cycles"].add_column("thresholds", str)
    db["cycles"].add_column("closed_at", str)
    db["criteria_files"].create(
        {"sha256": str, "name": str, "framework_id": str, "text": str, "accepted_at": str, "accepted_by": str},
        pk="sha256", not_null={"text"},
    )
    db["phases"].create(
        {"year": int, "phase": str, "position": int, "starts_on": str, "ends_on": str, "status": str,
         "changed_at": str},
        pk=("year", "phase"), not_null={"status"}, defaults={"status": "pending"},
        foreign_keys=[("year", "cycles", "year")],
    )
    db["users"].add_column("email", str)
    db["users"].add_column("last_sign_in", str)
    db["users"].add_column("must_change_password", int, not_null_default=0)
    for year, status in db.execute("SELECT year, status FROM cycles").fetchall():
        for position, phase in enumerate(PHASES):
            state = "open" if status == "open" and phase in ("self_assessment", "review") else (
                "closed" if status != "open" or position < 2 else "pending")
            db["phases"].insert({"year": year, "phase": phase, "position": position, "status": state})


@migrations
def m005_sign_in_attempts(db: Database) -> None:
    """Every sign-in attempt (the account name given, the client's address, whether it succeeded), for
    limiting failed attempts per account and per client. ``username`` now holds a keyed digest of the name
    given, never the name itself (``storage.organisation.signin._name_key``), and rows live for the lockout window."""
    db["sign_in_attempts"].create({"id": int, "at": str, "username": str, "client": str, "ok": int}, pk="id",
                                  not_null={"at", "ok"})
    db["sign_in_attempts"].create_index(["username", "at"])
    db["sign_in_attempts"].create_index(["client", "at"])


@migrations
def m006_ofi_versions(db: Database) -> None:
    """OFIs carry a version, raised by every edit (a stale edit is refused, not silently overwritten), and
    who changed one last."""
    db["ofis"].add_column("version", int, not_null_default=0)
    db["ofis"].add_column("updated_by", str)


@migrations
def m007_web_sessions(db: Database) -> None:
    """A signed-in browser's session, so that a reload keeps it within the idle time: the SHA-256 of a
    random token the browser holds in a cookie (the token itself is never stored), whose account, and
    when it was last used."""
    db["web_sessions"].create({"token_hash": str, "user_id": int, "username": str, "created_at": str,
                               "last_seen": str}, pk="token_hash", not_null={"user_id", "username", "last_seen"})
    db["web_sessions"].create_index(["user_id"])


@migrations
def m008_assessment_records(db: Database) -> None:
    """The values an assessment counted with when its status last changed (submitted, returned, approved,
    re-opened): while a unit corrects a returned form, the department's figures keep counting these."""
    db["record_answers"].create({"assessment_id": int, "checkpoint": str, "self_met": int, "review_met": int},
                                pk=("assessment_id", "checkpoint"),
                                foreign_keys=[("assessment_id", "assessments", "id")])
    db["record_kpis"].create({"assessment_id": int, "kpi": str, "fiscal_year": int, "self_value": float,
                              "review_value": float, "item": str, "floor": float, "ceiling": float},
                             pk=("assessment_id", "kpi", "fiscal_year"),
                             foreign_keys=[("assessment_id", "assessments", "id")])
    for (assessment_id,) in db.execute("SELECT id FROM assessments WHERE status != 'draft'").fetchall():
        keep_record(db, assessment_id)


def keep_record(db: Database, assessment_id: int) -> None:
    """Inside a write transaction: the assessment's values as they stand, as its record (see m008)."""
    db.execute("DELETE FROM record_answers WHERE assessment_id = ?", [assessment_id])
    db.execute("DELETE FROM record_kpis WHERE assessment_id = ?", [assessment_id])
    db.execute("INSERT INTO record_answers (assessment_id, checkpoint, self_met, review_met) "
               "SELECT assessment_id, checkpoint, self_met, review_met FROM checkpoint_answers WHERE assessment_id = ?",
               [assessment_id])
    # a store being upgraded runs this from m008, before m011 and m012 gave the record more columns
    columns = db["record_kpis"].columns_dict
    own = ["item", "floor", "ceiling", *(["target", "direction"] if "target" in columns else []),
           *(["suitable", "suitable_reason"] if "suitable" in columns else [])]
    db.execute(f"INSERT INTO record_kpis (assessment_id, kpi, fiscal_year, self_value, review_value, {', '.join(own)}) "
               f"SELECT k.assessment_id, k.kpi, k.fiscal_year, k.self_value, k.review_value, "
               f"{', '.join('uk.' + c for c in own)} FROM kpi_results k LEFT JOIN unit_kpis uk "
               f"ON uk.assessment_id = k.assessment_id AND uk.kpi = k.kpi WHERE k.assessment_id = ?", [assessment_id])


@migrations
def m009_none_met(db: Database) -> None:
    """Items where the unit answers that none of the checkpoints is met yet: an answer, not a gap."""
    db["none_met"].create({"assessment_id": int, "item": str}, pk=("assessment_id", "item"),
                          foreign_keys=[("assessment_id", "assessments", "id")])


@migrations
def m010_retired_answers(db: Database) -> None:
    """The default criteria took the field's shape (160 checkpoints, not 192): answers to checkpoints the
    criteria in use no longer have move, whole, to ``retired_answers`` (with when and why), so nothing is
    lost and no score counts them; the audit log says how many, per cycle. A year on an accepted criteria
    file is left as it is."""
    from scoring.criteria import framework_for_year

    db["retired_answers"].create({"assessment_id": int, "checkpoint": str, "self_met": int, "review_met": int,
                                  "kind": str, "criteria": str, "retired_at": str},
                                 pk=("assessment_id", "checkpoint", "kind"),
                                 foreign_keys=[("assessment_id", "assessments", "id")])
    for (year,) in db.execute("SELECT year FROM cycles WHERE criteria_sha IS NULL").fetchall():
        retire_unknown_answers(db, year, framework_for_year(year), "system")


def retire_unknown_answers(db: Database, year: int, framework, username: str) -> None:
    """Inside a write transaction: move a cycle's answers (live and of record) to checkpoints its criteria
    lack, whole, into ``retired_answers``; audit how many and which."""
    from storage import audit
    from storage.db import now

    known = [cp.id for _, _, cp in framework.checkpoints()]
    in_year = (f"checkpoint NOT IN ({', '.join('?' * len(known))}) AND assessment_id IN "
               f"(SELECT id FROM assessments WHERE year = ?)")
    retired = {}
    for table, kind in (("checkpoint_answers", "live"), ("record_answers", "record")):
        where = f"FROM {table} WHERE {in_year}"
        retired[kind] = [r[0] for r in db.execute(f"SELECT checkpoint {where}", [*known, year])]
        if retired[kind]:
            db.execute(f"INSERT OR REPLACE INTO retired_answers SELECT assessment_id, checkpoint, self_met, "
                       f"review_met, ?, ?, ? {where}", [kind, framework.id, now(), *known, year])
            db.execute(f"DELETE {where}", [*known, year])
    if any(retired.values()):
        audit.record(db, username, "retire_answers", "cycle", year, criteria=framework.id,
                     answers=len(retired["live"]), record_answers=len(retired["record"]),
                     checkpoints=sorted({cp for ids in retired.values() for cp in ids}))


@migrations
def m011_record_kpi_targets(db: Database) -> None:
    """A unit's own KPI may be scored on the percentage of target (the criteria file's ``rules``): the
    record of a returned assessment keeps its own KPIs' target and direction too."""
    db["record_kpis"].add_column("target", float)
    db["record_kpis"].add_column("direction", str)
    db.execute("UPDATE record_kpis SET target = uk.target, direction = uk.direction FROM unit_kpis uk "
               "WHERE uk.assessment_id = record_kpis.assessment_id AND uk.kpi = record_kpis.kpi")


@migrations
def m012_year_rules_and_kpi_judgements(db: Database) -> None:
    """A year may change the criteria's scoring rules (``cycles.rules``: how missing KPI values count, which
    categories are assessed); the committee judges each KPI a unit added itself suitable or not, with a
    reason (``unit_kpis.suitable``: NULL not judged yet, 1 suitable, 0 not), kept in the record too."""
    db["cycles"].add_column("rules", str)
    for table in ("unit_kpis", "record_kpis"):
        db[table].add_column("suitable", int)
        db[table].add_column("suitable_reason", str)


@migrations
def m013_department_record(db: Database) -> None:
    """The department's assessment of record per year, which it sends to OPDC: the committee's answer per
    checkpoint (pre-filled from the units by a rule it chooses), its narrative per item, the department's
    KPI values and the units' evidence it cites; versioned like a unit's form, draft until approved."""
    db["dept_records"].create(
        {"year": int, "status": str, "version": int, "rule": str, "created_at": str, "updated_at": str,
         "updated_by": str, "approved_at": str, "approved_by": str},
        pk="year", not_null={"status", "version", "rule"}, defaults={"version": 0},
        foreign_keys=[("year", "cycles", "year")])
    db["dept_answers"].create({"year": int, "checkpoint": str, "met": int}, pk=("year", "checkpoint"),
                              not_null={"met"}, foreign_keys=[("year", "dept_records", "year")])
    db["dept_narratives"].create({"year": int, "item": str, "text": str}, pk=("year", "item"),
                                 not_null={"text"}, foreign_keys=[("year", "dept_records", "year")])
    db["dept_kpis"].create({"year": int, "kpi": str, "fiscal_year": int, "value": float},
                           pk=("year", "kpi", "fiscal_year"), foreign_keys=[("year", "dept_records", "year")])
    db["dept_citations"].create({"year": int, "item": str, "evidence_id": int}, pk=("year", "item", "evidence_id"),
                                foreign_keys=[("year", "dept_records", "year"), ("evidence_id", "evidence", "id")])


@migrations
def m014_organisation_profile(db: Database) -> None:
    """The organisation profile (ลักษณะสำคัญขององค์การ) per year: the committee's answer to each part the
    criteria file names, for the application report."""
    db["org_profiles"].create({"year": int, "part": str, "text": str, "updated_at": str, "updated_by": str},
                              pk=("year", "part"), not_null={"text"}, foreign_keys=[("year", "cycles", "year")])


@migrations
def m015_work_plans(db: Database) -> None:
    """The year's work plan: its steps gain an order, the roles that act on them and the date each was done;
    the plan itself a version and the director's approval."""
    steps = db["workplan_steps"]
    for column, kind in (("position", int), ("roles", str), ("done_on", str), ("updated_at", str),
                         ("updated_by", str)):
        steps.add_column(column, kind)
    db["workplans"].create({"year": int, "version": int, "status": str, "approved_by": str, "approved_at": str,
                            "updated_at": str, "updated_by": str},
                           pk="year", not_null={"version", "status"}, defaults={"version": 0, "status": "draft"},
                           foreign_keys=[("year", "cycles", "year")])


@migrations
def m016_announcements(db: Database) -> None:
    """The PMQA owner's announcements, their files, and who has read each."""
    db["announcements"].create(
        {"id": int, "title": str, "body": str, "links": str, "roles": str, "unit_ids": str, "expires_on": str,
         "created_by": str, "created_at": str, "withdrawn_at": str, "emailed_at": str, "emailed_count": int},
        pk="id", not_null={"title", "created_at"})
    db["announcement_files"].create(
        {"id": int, "announcement_id": int, "filename": str, "path": str, "sha256": str, "size": int},
        pk="id", foreign_keys=[("announcement_id", "announcements", "id")])
    db["announcement_reads"].create(
        {"announcement_id": int, "user_id": int, "read_at": str}, pk=("announcement_id", "user_id"),
        foreign_keys=[("announcement_id", "announcements", "id"), ("user_id", "users", "id")])


@migrations
def m017_improvement_plans(db: Database) -> None:
    """Improvement plans made from OFIs: the plan, its OFIs, actions, targets, 3-year milestones, linked unit
    KPIs and the committee's comments."""
    db["improvement_plans"].create(
        {"id": int, "year": int, "unit_id": int, "horizon": str, "title": str, "owner": str, "starts_on": str,
         "ends_on": str, "resources": str, "status": str, "version": int, "created_by": str, "created_at": str,
         "updated_by": str, "updated_at": str},
        pk="id", not_null={"year", "horizon", "title", "status", "version"},
        foreign_keys=[("year", "cycles", "year"), ("unit_id", "units", "id")])
    db["plan_ofis"].create({"plan_id": int, "ofi_id": int}, pk=("plan_id", "ofi_id"),
                           foreign_keys=[("plan_id", "improvement_plans", "id"), ("ofi_id", "ofis", "id")])
    db["plan_actions"].create(
        {"id": int, "plan_id": int, "position": int, "text": str, "owner": str, "starts_on": str, "ends_on": str,
         "resources": str}, pk="id", foreign_keys=[("plan_id", "improvement_plans", "id")])
    db["plan_targets"].create({"plan_id": int, "kind": str, "ref": str}, pk=("plan_id", "kind", "ref"),
                              foreign_keys=[("plan_id", "improvement_plans", "id")])
    db["plan_milestones"].create({"plan_id": int, "year": int, "text": str}, pk=("plan_id", "year"),
                                 foreign_keys=[("plan_id", "improvement_plans", "id")])
    db["plan_kpis"].create({"plan_id": int, "kpi": str}, pk=("plan_id", "kpi"),
                           foreign_keys=[("plan_id", "improvement_plans", "id")])
    db["plan_comments"].create(
        {"id": int, "plan_id": int, "author": str, "kind": str, "text": str, "created_at": str},
        pk="id", foreign_keys=[("plan_id", "improvement_plans", "id")])


@migrations
def m018_plan_followup(db: Database) -> None:
    """Follow-up of accepted plans: a 6-month and a 12-month report per plan (per action: percent done, what
    was done, evidence, problems; at 12 months the results reached on the plan's targets), the committee's
    comments on each, and the points a plan was expected to win when it was accepted."""
    db["plan_reports"].create(
        {"id": int, "plan_id": int, "round": str, "status": str, "summary": str, "closes": int, "version": int,
         "created_by": str, "created_at": str, "updated_by": str, "updated_at": str, "submitted_at": str},
        pk="id", not_null={"plan_id", "round", "status", "version"},
        foreign_keys=[("plan_id", "improvement_plans", "id")])
    db["plan_reports"].create_index(["plan_id", "round"], unique=True)
    db["report_actions"].create(
        {"report_id": int, "action_id": int, "percent": int, "done": str, "evidence": str, "problems": str},
        pk=("report_id", "action_id"),
        foreign_keys=[("report_id", "plan_reports", "id"), ("action_id", "plan_actions", "id")])
    db["report_results"].create(
        {"report_id": int, "kind": str, "ref": str, "value": float, "met": int, "note": str},
        pk=("report_id", "kind", "ref"), foreign_keys=[("report_id", "plan_reports", "id")])
    db["plan_comments"].add_column("round", str)
    db["improvement_plans"].add_column("expected_points", float)


# The shape of the descriptions written for OFIs made from gaps before m019 (always in Thai).
_OLD_GAP_TEXTS = (("checkpoint", re.compile(r"ยังไม่ผ่าน (\S+): ")),
                  ("kpi", re.compile(r"ยกระดับ (\S+) .+ ให้ถึงเกณฑ์สูงสุด", re.DOTALL)))


@migrations
def m019_ofi_gap_reference(db: Database) -> None:
    """An OFI made from a gap keeps the gap's reference (``gap_kind``: checkpoint or kpi; ``gap_ref``: its id)
    and whether its description is still the generated one (``generated``: 1 until someone edits it), so that
    screens and documents show that description in the reader's language.

    Gap OFIs of an older store take their reference from their text when it has the generated shape
    ("ยังไม่ผ่าน <id>: ..." or "ยกระดับ <id> ... ให้ถึงเกณฑ์สูงสุด"), and count as generated unless the audit
    log holds an edit of the description (of the OFI or of one it was carried from); any other is left as it
    is (no reference, shown as typed)."""
    db["ofis"].add_column("gap_kind", str)
    db["ofis"].add_column("gap_ref", str)
    db["ofis"].add_column("generated", int, not_null_default=0)
    edited = {int(r[0]) for r in db.execute(
        "SELECT DISTINCT entity_id FROM audit_log WHERE entity = 'ofi' AND action = 'update' "
        "AND json_extract(detail, '$.changes.description') IS NOT NULL")}
    carried = dict(db.execute("SELECT id, carried_from FROM ofis WHERE carried_from IS NOT NULL").fetchall())

    def ever_edited(ofi_id: int | None) -> bool:
        seen = set()
        while ofi_id is not None and ofi_id not in seen:
            if ofi_id in edited:
                return True
            seen.add(ofi_id)
            ofi_id = carried.get(ofi_id)
        return False

    for ofi_id, text in db.execute("SELECT id, description FROM ofis WHERE source = 'gap'").fetchall():
        for kind, pattern in _OLD_GAP_TEXTS:
            if found := pattern.fullmatch(text or "") if kind == "kpi" else pattern.match(text or ""):
                db.execute("UPDATE ofis SET gap_kind = ?, gap_ref = ?, generated = ? WHERE id = ?",
                           [kind, found.group(1), 0 if ever_edited(ofi_id) else 1, ofi_id])
                break


@migrations
def m020_department_identity(db: Database) -> None:
    """The department's identity, one row: its names in Thai and English (full and short), its ministry, its
    head and the head's title, its address and its logo (a PNG kept in the store, so a backup carries
    it), for every document and the app's sidebar."""
    db["department_identity"].create(
        {"id": int, "name_th": str, "name_en": str, "short_th": str, "short_en": str, "ministry_th": str,
         "ministry_en": str, "head_name": str, "head_title_th": str, "head_title_en": str, "address_th": str,
         "address_en": str, "logo": bytes, "logo_type": str, "version": int, "updated_at": str, "updated_by": str},
        pk="id", not_null={"version"}, defaults={"version": 0})


@migrations
def m021_application_text(db: Database) -> None:
    """What the application needs beyond the record: per item of categories 1-6 the department's account in
    ADLI parts (``dept_adli``; the item's earlier single account stays in ``dept_narratives`` as its overview)
    and the units whose passages a part took (``dept_adli_sources``); per KPI of category 7 its comparison values
    with their source (``dept_kpi_comparisons``), the committee's analysis and the items of categories 1-6 it
    tracks (``dept_kpi_notes``); and images uploaded for the formatted texts (``text_images``), which a text
    cites as ``image:<id>``."""
    db["dept_adli"].create({"year": int, "item": str, "part": str, "text": str}, pk=("year", "item", "part"),
                           not_null={"text"}, foreign_keys=[("year", "dept_records", "year")])
    db["dept_adli_sources"].create({"year": int, "item": str, "part": str, "unit_id": int},
                                   pk=("year", "item", "part", "unit_id"),
                                   foreign_keys=[("year", "dept_records", "year"), ("unit_id", "units", "id")])
    db["dept_kpi_comparisons"].create(
        {"year": int, "kpi": str, "position": int, "kind": str, "label": str, "value": float, "source": str},
        pk=("year", "kpi", "position"), not_null={"kind", "label"}, foreign_keys=[("year", "dept_records", "year")])
    db["dept_kpi_notes"].create({"year": int, "kpi": str, "analysis": str, "items": str}, pk=("year", "kpi"),
                                foreign_keys=[("year", "dept_records", "year")])
    db["text_images"].create(
        {"id": int, "year": int, "filename": str, "png": bytes, "width": int, "height": int, "sha256": str,
         "uploaded_by": str, "uploaded_at": str},
        pk="id", not_null={"year", "png", "width", "height"}, foreign_keys=[("year", "cycles", "year")])


@migrations
def m022_page_limits(db: Database) -> None:
    """A year may change the most pages each part of the application may take (``cycles.page_limits``: JSON,
    part -> pages, or null for no limit, over the criteria file's limits)."""
    db["cycles"].add_column("page_limits", str)


@migrations
def m023_examiner_scoring(db: Database) -> None:
    """The committee's rehearsal of the award's scoring: each member's score of each item of the application (a
    percentage, the band it falls in; the rationale, strengths and OFIs as an examiner writes them), when each
    member submitted (until then no member reads another's), and the score the committee agreed per item with its
    reason."""
    db["exam_scores"].create(
        {"year": int, "user_id": int, "item": str, "percent": int, "rationale": str, "strengths": str, "ofis": str,
         "updated_at": str}, pk=("year", "user_id", "item"),
        foreign_keys=[("year", "cycles", "year"), ("user_id", "users", "id")])
    db["exam_submissions"].create({"year": int, "user_id": int, "submitted_at": str}, pk=("year", "user_id"),
                                  not_null={"submitted_at"},
                                  foreign_keys=[("year", "cycles", "year"), ("user_id", "users", "id")])
    db["exam_consensus"].create(
        {"year": int, "item": str, "percent": int, "reason": str, "strengths": str, "ofis": str, "agreed_by": str,
         "agreed_at": str}, pk=("year", "item"), not_null={"percent", "reason"},
        foreign_keys=[("year", "cycles", "year")])


# The first version of the shipped default criteria, kept word for word: the file every year opened before m024 used
DEFAULT_V1 = "pmqa4-default-v1.yaml"


@migrations
def m024_years_keep_their_criteria(db: Database) -> None:
    """A year keeps the criteria file it was opened with. Until now a year on the default criteria stored no file
    and followed the file on disk, so a new version of the shipped default would have changed every year already
    opened. Each year without a stored file now stores (as an accepted file is stored: ``criteria_files``, its
    checksum in ``cycles.criteria_sha``) the file it has used: its own ``pmqa4-<year>.yaml`` on disk when there is
    one that loads, else the default's first version (``DEFAULT_V1``); the audit log names the file per year. A year
    whose own file does not load is left as it was."""
    import hashlib

    from scoring.criteria import FRAMEWORK_DIR, CriteriaError, parse_framework
    from storage import audit
    from storage.db import now

    for (year,) in db.execute("SELECT year FROM cycles WHERE criteria_sha IS NULL ORDER BY year").fetchall():
        own = FRAMEWORK_DIR / f"pmqa4-{year}.yaml"
        path = own if own.is_file() else FRAMEWORK_DIR / DEFAULT_V1
        try:
            text = path.read_text(encoding="utf-8-sig")
            framework_id = parse_framework(text, source=path.name).id
        except (OSError, CriteriaError):
            continue
        sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
        db.execute("INSERT OR IGNORE INTO criteria_files (sha256, name, framework_id, text, accepted_at, accepted_by) "
                   "VALUES (?, ?, ?, ?, ?, ?)", [sha, path.name, framework_id, text, now(), "system"])
        db.execute("UPDATE cycles SET criteria_sha = ? WHERE year = ?", [sha, year])
        audit.record(db, "system", "set_criteria", "cycle", year, file=path.name, sha256=sha, changes=0)
