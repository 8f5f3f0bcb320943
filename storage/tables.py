"""The store's schema as it stands, the same on both engines: what a new store is made with (the first
Alembic revision), what ``store["table"]`` writes to, and what a backup's tables are checked against.

Change it only together with a new Alembic revision (``storage/revisions/versions``) that makes the same change
to stores that exist.

Types are chosen to behave alike on both engines: whole numbers (``Integer``, SQLite's INTEGER and
PostgreSQL's integer, a single whole-number key numbered by the engine), decimals (``NUMBER``: REAL and
double precision, never PostgreSQL's 4-byte real), bytes (``LargeBinary``) and text. Text compares and sorts
by code point on both (``TEXT``: SQLite's BINARY collation, PostgreSQL's "C"), whatever the server's
default collation is: Thai sorts in the same order on both, the order of its characters in Unicode, which
for Thai is the dictionary's order of consonants, and a list that must read in a person's order is sorted
in Python, the same way on both. Dates and times are ISO 8601 text (UTC, milliseconds), which sorts as time
does. JSON is text, read and written by Python.

Departments: every table a department owns has a ``department_id`` whose default is the connection's acting
department (``ACTING``), so that a statement that does not name the department writes the acting one's; a key
that is unique only within a department (a year, a checksum, a file's name) has the department first, and so
have the references to it. On PostgreSQL row-level security shows a connection only its acting department's
rows (revision 0003). ``meta``, ``sign_in_attempts``, ``web_sessions``, ``departments`` and ``directory`` belong to
the installation.
"""

from __future__ import annotations

from sqlalchemy import (
    Column,
    Double,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    Text,
    text,
)
from sqlalchemy.dialects.sqlite import REAL

TEXT = Text().with_variant(Text(collation="C"), "postgresql")
NUMBER = Double().with_variant(REAL(), "sqlite")  # SQLite's REAL, PostgreSQL's double precision: 8 bytes on both

metadata = MetaData()
# The acting department of the connection: on SQLite a function the store gives its connection, on PostgreSQL a
# SQL function reading the connection's ``pmqa.department`` setting (NULL, and so no rows, when it names none).
ACTING = text("(pmqa_department())")

departments = Table(
    "departments", metadata,
    Column("id", Integer, primary_key=True),
    Column("code", TEXT, nullable=False),
    Column("name_th", TEXT, nullable=False),
    Column("name_en", TEXT),
    Column("kind", TEXT, nullable=False, server_default=text("'department'")),  # or "ministry": the tree's root
    Column("parent_id", Integer, ForeignKey("departments.id")),
    Column("active", Integer, nullable=False, server_default=text("1")),
    Column("created_at", TEXT),
    Column("created_by", TEXT),
    Index("idx_departments_code", "code", unique=True),
)

# Which department each account signs in to, kept with ``users`` by the database (triggers): the one table a
# sign-in reads before it knows the department to act for.
directory = Table(
    "directory", metadata,
    Column("user_id", Integer, primary_key=True, autoincrement=False),
    Column("username", TEXT, nullable=False),
    Column("email", TEXT),
    Column("department_id", Integer, ForeignKey("departments.id"), nullable=False),
    Index("idx_directory_username", "username", unique=True),
    Index("idx_directory_email", "email"),
)

meta = Table(
    "meta", metadata,
    Column("key", TEXT, primary_key=True, autoincrement=False),
    Column("value", TEXT),
)

cycles = Table(
    "cycles", metadata,
    Column("year", Integer),
    Column("status", TEXT),
    Column("opened_at", TEXT),
    Column("criteria_sha", TEXT),
    Column("thresholds", TEXT),
    Column("closed_at", TEXT),
    Column("rules", TEXT),
    Column("page_limits", TEXT),
    Column("department_id", Integer, ForeignKey("departments.id"), nullable=False, server_default=ACTING),
    PrimaryKeyConstraint("department_id", "year"),
)

units = Table(
    "units", metadata,
    Column("id", Integer, primary_key=True),
    Column("code", TEXT, nullable=False),
    Column("name_th", TEXT, nullable=False),
    Column("name_en", TEXT),
    Column("kind", TEXT),
    Column("weight", NUMBER, nullable=False, server_default=text('1.0')),
    Column("active", Integer, server_default=text('1')),
    Column("department_id", Integer, ForeignKey("departments.id"), nullable=False, server_default=ACTING),
    Index("idx_units_code", "department_id", "code", unique=True),
)

users = Table(
    "users", metadata,
    Column("id", Integer, primary_key=True),
    Column("username", TEXT, nullable=False),
    Column("display_name", TEXT),
    Column("role", TEXT, nullable=False),
    Column("unit_id", Integer, ForeignKey("units.id")),
    Column("password_hash", TEXT, nullable=False),
    Column("active", Integer, server_default=text('1')),
    Column("created_at", TEXT),
    Column("email", TEXT),
    Column("last_sign_in", TEXT),
    Column("must_change_password", Integer, nullable=False, server_default=text('0')),
    Column("department_id", Integer, ForeignKey("departments.id"), nullable=False, server_default=ACTING),
    Index("idx_users_username", "username", unique=True),
)

assessments = Table(
    "assessments", metadata,
    Column("id", Integer, primary_key=True),
    Column("unit_id", Integer, ForeignKey("units.id"), nullable=False),
    Column("year", Integer, nullable=False),
    Column("status", TEXT, nullable=False),
    Column("version", Integer, nullable=False, server_default=text('0')),
    Column("created_at", TEXT),
    Column("updated_at", TEXT),
    Column("updated_by", TEXT),
    Column("submitted_at", TEXT),
    Column("return_reason", TEXT),
    Column("department_id", Integer, ForeignKey("departments.id"), nullable=False, server_default=ACTING),
    Index("idx_assessments_unit_id_year", "unit_id", "year", unique=True),
    ForeignKeyConstraint(["department_id", "year"], ["cycles.department_id", "cycles.year"]),
)

checkpoint_answers = Table(
    "checkpoint_answers", metadata,
    Column("assessment_id", Integer, ForeignKey("assessments.id"), primary_key=True, autoincrement=False),
    Column("checkpoint", TEXT, primary_key=True, autoincrement=False),
    Column("self_met", Integer),
    Column("review_met", Integer),
    Column("needs_confirm", Integer, server_default=text('0')),
    Column("department_id", Integer, ForeignKey("departments.id"), nullable=False, server_default=ACTING),
)

kpi_results = Table(
    "kpi_results", metadata,
    Column("assessment_id", Integer, ForeignKey("assessments.id"), primary_key=True, autoincrement=False),
    Column("kpi", TEXT, primary_key=True, autoincrement=False),
    Column("fiscal_year", Integer, primary_key=True, autoincrement=False),
    Column("self_value", NUMBER),
    Column("review_value", NUMBER),
    Column("department_id", Integer, ForeignKey("departments.id"), nullable=False, server_default=ACTING),
)

unit_kpis = Table(
    "unit_kpis", metadata,
    Column("id", Integer, primary_key=True),
    Column("assessment_id", Integer, ForeignKey("assessments.id")),
    Column("kpi", TEXT),
    Column("item", TEXT),
    Column("name", TEXT),
    Column("unit_label", TEXT),
    Column("direction", TEXT),
    Column("floor", NUMBER),
    Column("ceiling", NUMBER),
    Column("target", NUMBER),
    Column("ofi_id", Integer),
    Column("min_value", NUMBER),
    Column("max_value", NUMBER),
    Column("suitable", Integer),
    Column("suitable_reason", TEXT),
    Column("department_id", Integer, ForeignKey("departments.id"), nullable=False, server_default=ACTING),
    Index("idx_unit_kpis_assessment_id_kpi", "assessment_id", "kpi", unique=True),
)

narratives = Table(
    "narratives", metadata,
    Column("assessment_id", Integer, ForeignKey("assessments.id"), primary_key=True, autoincrement=False),
    Column("item", TEXT, primary_key=True, autoincrement=False),
    Column("level", TEXT, primary_key=True, autoincrement=False),
    Column("text", TEXT),
    Column("department_id", Integer, ForeignKey("departments.id"), nullable=False, server_default=ACTING),
)

evidence = Table(
    "evidence", metadata,
    Column("id", Integer, primary_key=True),
    Column("assessment_id", Integer, ForeignKey("assessments.id")),
    Column("item", TEXT),
    Column("level", TEXT),
    Column("kpi", TEXT),
    Column("kind", TEXT),
    Column("filename", TEXT),
    Column("path", TEXT),
    Column("sha256", TEXT),
    Column("size", Integer),
    Column("url", TEXT),
    Column("confidential", Integer),
    Column("added_by", TEXT),
    Column("added_at", TEXT),
    Column("removed_at", TEXT),
    Column("department_id", Integer, ForeignKey("departments.id"), nullable=False, server_default=ACTING),
)

item_comments = Table(
    "item_comments", metadata,
    Column("id", Integer, primary_key=True),
    Column("assessment_id", Integer, ForeignKey("assessments.id")),
    Column("item", TEXT),
    Column("author", TEXT),
    Column("text", TEXT),
    Column("created_at", TEXT),
    Column("kind", TEXT, nullable=False, server_default=text("'comment'")),
    Column("department_id", Integer, ForeignKey("departments.id"), nullable=False, server_default=ACTING),
)

ofis = Table(
    "ofis", metadata,
    Column("id", Integer, primary_key=True),
    Column("year", Integer),
    Column("source", TEXT),
    Column("item", TEXT),
    Column("unit_id", Integer, ForeignKey("units.id")),
    Column("description", TEXT),
    Column("priority", TEXT),
    Column("owner", TEXT),
    Column("due_date", TEXT),
    Column("status", TEXT),
    Column("points", NUMBER),
    Column("carried_from", Integer, ForeignKey("ofis.id")),
    Column("created_at", TEXT),
    Column("updated_at", TEXT),
    Column("created_by", TEXT),
    Column("version", Integer, nullable=False, server_default=text('0')),
    Column("updated_by", TEXT),
    Column("gap_kind", TEXT),
    Column("gap_ref", TEXT),
    Column("generated", Integer, nullable=False, server_default=text('0')),
    Column("department_id", Integer, ForeignKey("departments.id"), nullable=False, server_default=ACTING),
    ForeignKeyConstraint(["department_id", "year"], ["cycles.department_id", "cycles.year"]),
)

workplan_steps = Table(
    "workplan_steps", metadata,
    Column("id", Integer, primary_key=True),
    Column("year", Integer),
    Column("step", Integer),
    Column("title_th", TEXT),
    Column("title_en", TEXT),
    Column("start_month", TEXT),
    Column("end_month", TEXT),
    Column("owner", TEXT),
    Column("documents", TEXT),
    Column("status", TEXT),
    Column("position", Integer),
    Column("roles", TEXT),
    Column("done_on", TEXT),
    Column("updated_at", TEXT),
    Column("updated_by", TEXT),
    Column("department_id", Integer, ForeignKey("departments.id"), nullable=False, server_default=ACTING),
    ForeignKeyConstraint(["department_id", "year"], ["cycles.department_id", "cycles.year"]),
)

audit_log = Table(
    "audit_log", metadata,
    Column("id", Integer, primary_key=True),
    Column("at", TEXT, nullable=False),
    Column("username", TEXT),
    Column("action", TEXT, nullable=False),
    Column("entity", TEXT, nullable=False),
    Column("entity_id", TEXT),
    Column("detail", TEXT),
    Column("department_id", Integer, ForeignKey("departments.id"), nullable=False, server_default=ACTING),
)

ofi_units = Table(
    "ofi_units", metadata,
    Column("ofi_id", Integer, ForeignKey("ofis.id"), primary_key=True, autoincrement=False),
    Column("unit_id", Integer, ForeignKey("units.id"), primary_key=True, autoincrement=False),
    Column("department_id", Integer, ForeignKey("departments.id"), nullable=False, server_default=ACTING),
)

ofi_notes = Table(
    "ofi_notes", metadata,
    Column("id", Integer, primary_key=True),
    Column("ofi_id", Integer, ForeignKey("ofis.id")),
    Column("at", TEXT),
    Column("author", TEXT),
    Column("text", TEXT),
    Column("department_id", Integer, ForeignKey("departments.id"), nullable=False, server_default=ACTING),
)

criteria_files = Table(
    "criteria_files", metadata,
    Column("sha256", TEXT),
    Column("name", TEXT),
    Column("framework_id", TEXT),
    Column("text", TEXT, nullable=False),
    Column("accepted_at", TEXT),
    Column("accepted_by", TEXT),
    Column("department_id", Integer, ForeignKey("departments.id"), nullable=False, server_default=ACTING),
    PrimaryKeyConstraint("department_id", "sha256"),
)

phases = Table(
    "phases", metadata,
    Column("year", Integer),
    Column("phase", TEXT),
    Column("position", Integer),
    Column("starts_on", TEXT),
    Column("ends_on", TEXT),
    Column("status", TEXT, nullable=False, server_default=text("'pending'")),
    Column("changed_at", TEXT),
    Column("department_id", Integer, ForeignKey("departments.id"), nullable=False, server_default=ACTING),
    PrimaryKeyConstraint("department_id", "year", "phase"),
    ForeignKeyConstraint(["department_id", "year"], ["cycles.department_id", "cycles.year"]),
)

sign_in_attempts = Table(
    "sign_in_attempts", metadata,
    Column("id", Integer, primary_key=True),
    Column("at", TEXT, nullable=False),
    Column("username", TEXT),
    Column("client", TEXT),
    Column("ok", Integer, nullable=False),
    Index("idx_sign_in_attempts_client_at", "client", "at"),
    Index("idx_sign_in_attempts_username_at", "username", "at"),
)

web_sessions = Table(
    "web_sessions", metadata,
    Column("token_hash", TEXT, primary_key=True, autoincrement=False),
    Column("user_id", Integer, nullable=False),
    Column("username", TEXT, nullable=False),
    Column("created_at", TEXT),
    Column("last_seen", TEXT, nullable=False),
    Column("department_id", Integer, ForeignKey("departments.id"), nullable=False, server_default=ACTING),
    Index("idx_web_sessions_user_id", "user_id"),
)

record_answers = Table(
    "record_answers", metadata,
    Column("assessment_id", Integer, ForeignKey("assessments.id"), primary_key=True, autoincrement=False),
    Column("checkpoint", TEXT, primary_key=True, autoincrement=False),
    Column("self_met", Integer),
    Column("review_met", Integer),
    Column("department_id", Integer, ForeignKey("departments.id"), nullable=False, server_default=ACTING),
)

record_kpis = Table(
    "record_kpis", metadata,
    Column("assessment_id", Integer, ForeignKey("assessments.id"), primary_key=True, autoincrement=False),
    Column("kpi", TEXT, primary_key=True, autoincrement=False),
    Column("fiscal_year", Integer, primary_key=True, autoincrement=False),
    Column("self_value", NUMBER),
    Column("review_value", NUMBER),
    Column("item", TEXT),
    Column("floor", NUMBER),
    Column("ceiling", NUMBER),
    Column("target", NUMBER),
    Column("direction", TEXT),
    Column("suitable", Integer),
    Column("suitable_reason", TEXT),
    Column("department_id", Integer, ForeignKey("departments.id"), nullable=False, server_default=ACTING),
)

none_met = Table(
    "none_met", metadata,
    Column("assessment_id", Integer, ForeignKey("assessments.id"), primary_key=True, autoincrement=False),
    Column("item", TEXT, primary_key=True, autoincrement=False),
    Column("department_id", Integer, ForeignKey("departments.id"), nullable=False, server_default=ACTING),
)

retired_answers = Table(
    "retired_answers", metadata,
    Column("assessment_id", Integer, ForeignKey("assessments.id"), primary_key=True, autoincrement=False),
    Column("checkpoint", TEXT, primary_key=True, autoincrement=False),
    Column("self_met", Integer),
    Column("review_met", Integer),
    Column("kind", TEXT, primary_key=True, autoincrement=False),
    Column("criteria", TEXT),
    Column("retired_at", TEXT),
    Column("department_id", Integer, ForeignKey("departments.id"), nullable=False, server_default=ACTING),
)

dept_records = Table(
    "dept_records", metadata,
    Column("year", Integer),
    Column("status", TEXT, nullable=False),
    Column("version", Integer, nullable=False, server_default=text('0')),
    Column("rule", TEXT, nullable=False),
    Column("created_at", TEXT),
    Column("updated_at", TEXT),
    Column("updated_by", TEXT),
    Column("approved_at", TEXT),
    Column("approved_by", TEXT),
    Column("department_id", Integer, ForeignKey("departments.id"), nullable=False, server_default=ACTING),
    PrimaryKeyConstraint("department_id", "year"),
    ForeignKeyConstraint(["department_id", "year"], ["cycles.department_id", "cycles.year"]),
)

dept_answers = Table(
    "dept_answers", metadata,
    Column("year", Integer),
    Column("checkpoint", TEXT),
    Column("met", Integer, nullable=False),
    Column("department_id", Integer, ForeignKey("departments.id"), nullable=False, server_default=ACTING),
    PrimaryKeyConstraint("department_id", "year", "checkpoint"),
    ForeignKeyConstraint(["department_id", "year"], ["dept_records.department_id", "dept_records.year"]),
)

dept_narratives = Table(
    "dept_narratives", metadata,
    Column("year", Integer),
    Column("item", TEXT),
    Column("text", TEXT, nullable=False),
    Column("department_id", Integer, ForeignKey("departments.id"), nullable=False, server_default=ACTING),
    PrimaryKeyConstraint("department_id", "year", "item"),
    ForeignKeyConstraint(["department_id", "year"], ["dept_records.department_id", "dept_records.year"]),
)

dept_kpis = Table(
    "dept_kpis", metadata,
    Column("year", Integer),
    Column("kpi", TEXT),
    Column("fiscal_year", Integer),
    Column("value", NUMBER),
    Column("department_id", Integer, ForeignKey("departments.id"), nullable=False, server_default=ACTING),
    PrimaryKeyConstraint("department_id", "year", "kpi", "fiscal_year"),
    ForeignKeyConstraint(["department_id", "year"], ["dept_records.department_id", "dept_records.year"]),
)

dept_citations = Table(
    "dept_citations", metadata,
    Column("year", Integer),
    Column("item", TEXT),
    Column("evidence_id", Integer, ForeignKey("evidence.id")),
    Column("department_id", Integer, ForeignKey("departments.id"), nullable=False, server_default=ACTING),
    PrimaryKeyConstraint("department_id", "year", "item", "evidence_id"),
    ForeignKeyConstraint(["department_id", "year"], ["dept_records.department_id", "dept_records.year"]),
)

org_profiles = Table(
    "org_profiles", metadata,
    Column("year", Integer),
    Column("part", TEXT),
    Column("text", TEXT, nullable=False),
    Column("updated_at", TEXT),
    Column("updated_by", TEXT),
    Column("department_id", Integer, ForeignKey("departments.id"), nullable=False, server_default=ACTING),
    PrimaryKeyConstraint("department_id", "year", "part"),
    ForeignKeyConstraint(["department_id", "year"], ["cycles.department_id", "cycles.year"]),
)

workplans = Table(
    "workplans", metadata,
    Column("year", Integer),
    Column("version", Integer, nullable=False, server_default=text('0')),
    Column("status", TEXT, nullable=False, server_default=text("'draft'")),
    Column("approved_by", TEXT),
    Column("approved_at", TEXT),
    Column("updated_at", TEXT),
    Column("updated_by", TEXT),
    Column("department_id", Integer, ForeignKey("departments.id"), nullable=False, server_default=ACTING),
    PrimaryKeyConstraint("department_id", "year"),
    ForeignKeyConstraint(["department_id", "year"], ["cycles.department_id", "cycles.year"]),
)

announcements = Table(
    "announcements", metadata,
    Column("id", Integer, primary_key=True),
    Column("title", TEXT, nullable=False),
    Column("body", TEXT),
    Column("links", TEXT),
    Column("roles", TEXT),
    Column("unit_ids", TEXT),
    Column("expires_on", TEXT),
    Column("created_by", TEXT),
    Column("created_at", TEXT, nullable=False),
    Column("withdrawn_at", TEXT),
    Column("emailed_at", TEXT),
    Column("emailed_count", Integer),
    Column("department_id", Integer, ForeignKey("departments.id"), nullable=False, server_default=ACTING),
)

announcement_files = Table(
    "announcement_files", metadata,
    Column("id", Integer, primary_key=True),
    Column("announcement_id", Integer, ForeignKey("announcements.id")),
    Column("filename", TEXT),
    Column("path", TEXT),
    Column("sha256", TEXT),
    Column("size", Integer),
    Column("department_id", Integer, ForeignKey("departments.id"), nullable=False, server_default=ACTING),
)

announcement_reads = Table(
    "announcement_reads", metadata,
    Column("announcement_id", Integer, ForeignKey("announcements.id"), primary_key=True, autoincrement=False),
    Column("user_id", Integer, ForeignKey("users.id"), primary_key=True, autoincrement=False),
    Column("read_at", TEXT),
    Column("department_id", Integer, ForeignKey("departments.id"), nullable=False, server_default=ACTING),
)

announcement_deliveries = Table(  # who has had an announcement by e-mail (revision 0005)
    "announcement_deliveries", metadata,
    Column("announcement_id", Integer, ForeignKey("announcements.id"), primary_key=True, autoincrement=False),
    Column("user_id", Integer, ForeignKey("users.id"), primary_key=True, autoincrement=False),
    Column("address", TEXT, nullable=False),
    Column("sent_at", TEXT, nullable=False),
    Column("department_id", Integer, ForeignKey("departments.id"), nullable=False, server_default=ACTING),
)

improvement_plans = Table(
    "improvement_plans", metadata,
    Column("id", Integer, primary_key=True),
    Column("year", Integer, nullable=False),
    Column("unit_id", Integer, ForeignKey("units.id")),
    Column("horizon", TEXT, nullable=False),
    Column("title", TEXT, nullable=False),
    Column("owner", TEXT),
    Column("starts_on", TEXT),
    Column("ends_on", TEXT),
    Column("resources", TEXT),
    Column("status", TEXT, nullable=False),
    Column("version", Integer, nullable=False),
    Column("created_by", TEXT),
    Column("created_at", TEXT),
    Column("updated_by", TEXT),
    Column("updated_at", TEXT),
    Column("expected_points", NUMBER),
    Column("department_id", Integer, ForeignKey("departments.id"), nullable=False, server_default=ACTING),
    ForeignKeyConstraint(["department_id", "year"], ["cycles.department_id", "cycles.year"]),
)

plan_ofis = Table(
    "plan_ofis", metadata,
    Column("plan_id", Integer, ForeignKey("improvement_plans.id"), primary_key=True, autoincrement=False),
    Column("ofi_id", Integer, ForeignKey("ofis.id"), primary_key=True, autoincrement=False),
    Column("department_id", Integer, ForeignKey("departments.id"), nullable=False, server_default=ACTING),
)

plan_actions = Table(
    "plan_actions", metadata,
    Column("id", Integer, primary_key=True),
    Column("plan_id", Integer, ForeignKey("improvement_plans.id")),
    Column("position", Integer),
    Column("text", TEXT),
    Column("owner", TEXT),
    Column("starts_on", TEXT),
    Column("ends_on", TEXT),
    Column("resources", TEXT),
    Column("department_id", Integer, ForeignKey("departments.id"), nullable=False, server_default=ACTING),
)

plan_targets = Table(
    "plan_targets", metadata,
    Column("plan_id", Integer, ForeignKey("improvement_plans.id"), primary_key=True, autoincrement=False),
    Column("kind", TEXT, primary_key=True, autoincrement=False),
    Column("ref", TEXT, primary_key=True, autoincrement=False),
    Column("department_id", Integer, ForeignKey("departments.id"), nullable=False, server_default=ACTING),
)

plan_milestones = Table(
    "plan_milestones", metadata,
    Column("plan_id", Integer, ForeignKey("improvement_plans.id"), primary_key=True, autoincrement=False),
    Column("year", Integer, primary_key=True, autoincrement=False),
    Column("text", TEXT),
    Column("department_id", Integer, ForeignKey("departments.id"), nullable=False, server_default=ACTING),
)

plan_kpis = Table(
    "plan_kpis", metadata,
    Column("plan_id", Integer, ForeignKey("improvement_plans.id"), primary_key=True, autoincrement=False),
    Column("kpi", TEXT, primary_key=True, autoincrement=False),
    Column("department_id", Integer, ForeignKey("departments.id"), nullable=False, server_default=ACTING),
)

plan_comments = Table(
    "plan_comments", metadata,
    Column("id", Integer, primary_key=True),
    Column("plan_id", Integer, ForeignKey("improvement_plans.id")),
    Column("author", TEXT),
    Column("kind", TEXT),
    Column("text", TEXT),
    Column("created_at", TEXT),
    Column("round", TEXT),
    Column("department_id", Integer, ForeignKey("departments.id"), nullable=False, server_default=ACTING),
)

plan_reports = Table(
    "plan_reports", metadata,
    Column("id", Integer, primary_key=True),
    Column("plan_id", Integer, ForeignKey("improvement_plans.id"), nullable=False),
    Column("round", TEXT, nullable=False),
    Column("status", TEXT, nullable=False),
    Column("summary", TEXT),
    Column("closes", Integer),
    Column("version", Integer, nullable=False),
    Column("created_by", TEXT),
    Column("created_at", TEXT),
    Column("updated_by", TEXT),
    Column("updated_at", TEXT),
    Column("submitted_at", TEXT),
    Column("department_id", Integer, ForeignKey("departments.id"), nullable=False, server_default=ACTING),
    Index("idx_plan_reports_plan_id_round", "plan_id", "round", unique=True),
)

report_actions = Table(
    "report_actions", metadata,
    Column("report_id", Integer, ForeignKey("plan_reports.id"), primary_key=True, autoincrement=False),
    Column("action_id", Integer, ForeignKey("plan_actions.id"), primary_key=True, autoincrement=False),
    Column("percent", Integer),
    Column("done", TEXT),
    Column("evidence", TEXT),
    Column("problems", TEXT),
    Column("department_id", Integer, ForeignKey("departments.id"), nullable=False, server_default=ACTING),
)

report_results = Table(
    "report_results", metadata,
    Column("report_id", Integer, ForeignKey("plan_reports.id"), primary_key=True, autoincrement=False),
    Column("kind", TEXT, primary_key=True, autoincrement=False),
    Column("ref", TEXT, primary_key=True, autoincrement=False),
    Column("value", NUMBER),
    Column("met", Integer),
    Column("note", TEXT),
    Column("department_id", Integer, ForeignKey("departments.id"), nullable=False, server_default=ACTING),
)

department_identity = Table(
    "department_identity", metadata,
    Column("id", Integer),
    Column("name_th", TEXT),
    Column("name_en", TEXT),
    Column("short_th", TEXT),
    Column("short_en", TEXT),
    Column("ministry_th", TEXT),
    Column("ministry_en", TEXT),
    Column("head_name", TEXT),
    Column("head_title_th", TEXT),
    Column("head_title_en", TEXT),
    Column("address_th", TEXT),
    Column("address_en", TEXT),
    Column("logo", LargeBinary),
    Column("logo_type", TEXT),
    Column("version", Integer, nullable=False, server_default=text('0')),
    Column("updated_at", TEXT),
    Column("updated_by", TEXT),
    Column("department_id", Integer, ForeignKey("departments.id"), nullable=False, server_default=ACTING),
    PrimaryKeyConstraint("department_id", "id"),
)

dept_adli = Table(
    "dept_adli", metadata,
    Column("year", Integer),
    Column("item", TEXT),
    Column("part", TEXT),
    Column("text", TEXT, nullable=False),
    Column("department_id", Integer, ForeignKey("departments.id"), nullable=False, server_default=ACTING),
    PrimaryKeyConstraint("department_id", "year", "item", "part"),
    ForeignKeyConstraint(["department_id", "year"], ["dept_records.department_id", "dept_records.year"]),
)

dept_adli_sources = Table(
    "dept_adli_sources", metadata,
    Column("year", Integer),
    Column("item", TEXT),
    Column("part", TEXT),
    Column("unit_id", Integer, ForeignKey("units.id")),
    Column("department_id", Integer, ForeignKey("departments.id"), nullable=False, server_default=ACTING),
    PrimaryKeyConstraint("department_id", "year", "item", "part", "unit_id"),
    ForeignKeyConstraint(["department_id", "year"], ["dept_records.department_id", "dept_records.year"]),
)

dept_kpi_comparisons = Table(
    "dept_kpi_comparisons", metadata,
    Column("year", Integer),
    Column("kpi", TEXT),
    Column("position", Integer),
    Column("kind", TEXT, nullable=False),
    Column("label", TEXT, nullable=False),
    Column("value", NUMBER),
    Column("source", TEXT),
    Column("department_id", Integer, ForeignKey("departments.id"), nullable=False, server_default=ACTING),
    PrimaryKeyConstraint("department_id", "year", "kpi", "position"),
    ForeignKeyConstraint(["department_id", "year"], ["dept_records.department_id", "dept_records.year"]),
)

dept_kpi_notes = Table(
    "dept_kpi_notes", metadata,
    Column("year", Integer),
    Column("kpi", TEXT),
    Column("analysis", TEXT),
    Column("items", TEXT),
    Column("department_id", Integer, ForeignKey("departments.id"), nullable=False, server_default=ACTING),
    PrimaryKeyConstraint("department_id", "year", "kpi"),
    ForeignKeyConstraint(["department_id", "year"], ["dept_records.department_id", "dept_records.year"]),
)

text_images = Table(
    "text_images", metadata,
    Column("id", Integer, primary_key=True),
    Column("year", Integer, nullable=False),
    Column("filename", TEXT),
    Column("png", LargeBinary, nullable=False),
    Column("width", Integer, nullable=False),
    Column("height", Integer, nullable=False),
    Column("sha256", TEXT),
    Column("uploaded_by", TEXT),
    Column("uploaded_at", TEXT),
    Column("department_id", Integer, ForeignKey("departments.id"), nullable=False, server_default=ACTING),
    ForeignKeyConstraint(["department_id", "year"], ["cycles.department_id", "cycles.year"]),
)

exam_scores = Table(
    "exam_scores", metadata,
    Column("year", Integer),
    Column("user_id", Integer, ForeignKey("users.id")),
    Column("item", TEXT),
    Column("percent", Integer),
    Column("rationale", TEXT),
    Column("strengths", TEXT),
    Column("ofis", TEXT),
    Column("updated_at", TEXT),
    Column("department_id", Integer, ForeignKey("departments.id"), nullable=False, server_default=ACTING),
    PrimaryKeyConstraint("department_id", "year", "user_id", "item"),
    ForeignKeyConstraint(["department_id", "year"], ["cycles.department_id", "cycles.year"]),
)

exam_submissions = Table(
    "exam_submissions", metadata,
    Column("year", Integer),
    Column("user_id", Integer, ForeignKey("users.id")),
    Column("submitted_at", TEXT, nullable=False),
    Column("department_id", Integer, ForeignKey("departments.id"), nullable=False, server_default=ACTING),
    PrimaryKeyConstraint("department_id", "year", "user_id"),
    ForeignKeyConstraint(["department_id", "year"], ["cycles.department_id", "cycles.year"]),
)

exam_consensus = Table(
    "exam_consensus", metadata,
    Column("year", Integer),
    Column("item", TEXT),
    Column("percent", Integer, nullable=False),
    Column("reason", TEXT, nullable=False),
    Column("strengths", TEXT),
    Column("ofis", TEXT),
    Column("agreed_by", TEXT),
    Column("agreed_at", TEXT),
    Column("department_id", Integer, ForeignKey("departments.id"), nullable=False, server_default=ACTING),
    PrimaryKeyConstraint("department_id", "year", "item"),
    ForeignKeyConstraint(["department_id", "year"], ["cycles.department_id", "cycles.year"]),
)

stored_files = Table(
    "stored_files", metadata,
    Column("name", TEXT),  # <unit>/<year>/<sha256><suffix>, ...
    Column("data", LargeBinary, nullable=False),
    Column("size", Integer, nullable=False),
    Column("stored_at", TEXT, nullable=False),
    Column("department_id", Integer, ForeignKey("departments.id"), nullable=False, server_default=ACTING),
    PrimaryKeyConstraint("department_id", "name"),
)

document_jobs = Table(  # the year's documents (and an announcement's e-mail) built by a worker: storage.admin.jobs
    "document_jobs", metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", TEXT, nullable=False),  # application, review, slides, feedback, workbook, unit, email
    Column("parameters", TEXT, nullable=False),  # JSON, keys sorted: {"year": 2570, "source": "best"} ...
    Column("lang", TEXT, nullable=False),
    Column("requested_by", TEXT, nullable=False),  # a user name
    Column("state", TEXT, nullable=False),  # queued, running, done, failed
    Column("progress", NUMBER, nullable=False, server_default=text('0')),  # 0..1
    Column("step", TEXT),  # the catalogue key of the step under way
    Column("attempts", Integer, nullable=False, server_default=text('0')),
    Column("error", TEXT),  # the fault reference of a failed build (its traceback is in the worker's log)
    Column("refusal", TEXT),  # JSON {key, params}: the store's reason a build was refused, for a person to read
    Column("files", TEXT),  # JSON [{name, mime, stored, size}]: the built files, in the file store under ``stored``
    Column("result", TEXT),  # JSON: what is shown with the files (the application's page budget; e-mails sent)
    Column("data_version", TEXT, nullable=False),  # the store's data version (storage.db.data_version) built from
    Column("worker", TEXT),  # who runs it: host:pid (in-process) or the queue's worker
    Column("queue_id", Integer),  # the Procrastinate job that runs it (PostgreSQL)
    Column("heartbeat_at", TEXT),
    Column("created_at", TEXT, nullable=False),
    Column("started_at", TEXT),
    Column("finished_at", TEXT),
    Column("department_id", Integer, ForeignKey("departments.id"), nullable=False, server_default=ACTING),
    Index("idx_document_jobs_document", "kind", "lang", "parameters"),
    Index("idx_document_jobs_state", "state"),
)
