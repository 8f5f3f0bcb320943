"""Departments side by side: a ``departments`` table, and every row a department owns carries its department.

A store made before this revision held one department; it becomes department 1 (named as the department's
identity names it) and every row is given to it. From here on each department-owned table has a
``department_id`` whose default is the acting department of the connection (``pmqa_department()``: on SQLite a
function the store gives its connection, on PostgreSQL a SQL function reading the connection's
``pmqa.department`` setting), so a statement that does not name the department writes the acting one's. Keys that
were unique within the one department (a year, a phase, a criteria file's checksum, a stored file's name) are now
unique within a department: the department comes first in them, and in the references to them.

On PostgreSQL every department-owned table gets row-level security, forced on its owner as well: a connection
sees and writes only the rows of the department its ``pmqa.department`` names (none when it names none). The
store checks the acting department itself; this is the wall a forgotten check cannot pass.

Installation tables stay as they were: ``meta`` (the installation's settings), ``sign_in_attempts`` (counted
before anyone is known) and ``web_sessions`` (which gets the signed-in account's department, to know it again);
``directory`` is new: which department each account signs in to.

The departments form the organisation's tree: a ministry (``kind`` "ministry") and its departments (``parent_id``);
a single department's store has just its department.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TEXT = sa.Text().with_variant(sa.Text(collation="C"), "postgresql")
ACTING = "pmqa_department()"

# Every table a department owns, as this revision found them.
OWNED = (
    "announcements", "audit_log", "criteria_files", "cycles", "department_identity", "stored_files", "units",
    "announcement_files", "assessments", "dept_records", "exam_consensus", "improvement_plans", "ofis",
    "org_profiles", "phases", "text_images", "users", "workplan_steps", "workplans", "announcement_reads",
    "checkpoint_answers", "dept_adli", "dept_adli_sources", "dept_answers", "dept_kpi_comparisons",
    "dept_kpi_notes", "dept_kpis", "dept_narratives", "evidence", "exam_scores", "exam_submissions",
    "item_comments", "kpi_results", "narratives", "none_met", "ofi_notes", "ofi_units", "plan_actions",
    "plan_comments", "plan_kpis", "plan_milestones", "plan_ofis", "plan_reports", "plan_targets",
    "record_answers", "record_kpis", "retired_answers", "unit_kpis", "dept_citations", "report_actions",
    "report_results",
)
# Tables whose key was unique only within the one department: the department now leads it. The others are keyed
# by a number the whole installation draws from (or by such numbers together), unique across departments.
KEYED = {
    "criteria_files", "cycles", "department_identity", "stored_files", "dept_records", "exam_consensus",
    "org_profiles", "phases", "workplans", "dept_adli", "dept_adli_sources", "dept_answers",
    "dept_kpi_comparisons", "dept_kpi_notes", "dept_kpis", "dept_narratives", "exam_scores", "exam_submissions",
    "dept_citations",
}
UNIQUE_IN_DEPARTMENT = {"idx_units_code"}  # a unit's code; a user name stays unique in the installation


def upgrade() -> None:
    bind = op.get_bind()
    op.create_table(
        "departments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", TEXT, nullable=False),
        sa.Column("name_th", TEXT, nullable=False),
        sa.Column("name_en", TEXT, nullable=True),
        sa.Column("kind", TEXT, server_default=sa.text("'department'"), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("active", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column("created_at", TEXT, nullable=True),
        sa.Column("created_by", TEXT, nullable=True),
        sa.ForeignKeyConstraint(["parent_id"], ["departments.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("idx_departments_code", "departments", ["code"], unique=True)
    named = bind.execute(sa.text("SELECT name_th, name_en FROM department_identity ORDER BY id LIMIT 1")).fetchone()
    op.execute(sa.text("INSERT INTO departments (id, code, name_th, name_en) VALUES (1, 'main', :th, :en)")
               .bindparams(th=(named and named[0]) or "", en=(named and named[1]) or None))
    if bind.dialect.name == "postgresql":
        op.execute("SELECT setval(pg_get_serial_sequence('departments', 'id'), 1)")
        _on_postgresql(bind)
    else:
        _on_sqlite(bind)
    _directory(bind)


def _directory(bind) -> None:
    """The installation's directory of accounts: which department each user name (and e-mail) signs in to, read
    before a department is acting, so it holds nothing else. The database keeps it with ``users`` (triggers),
    whatever writes the accounts."""
    op.create_table(
        "directory",
        sa.Column("user_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("username", TEXT, nullable=False),
        sa.Column("email", TEXT, nullable=True),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["department_id"], ["departments.id"]),
        sa.PrimaryKeyConstraint("user_id"),
    )
    op.create_index("idx_directory_username", "directory", ["username"], unique=True)
    op.create_index("idx_directory_email", "directory", ["email"], unique=False)
    op.execute("INSERT INTO directory (user_id, username, email, department_id) "
               "SELECT id, username, email, department_id FROM users")
    new = "INSERT INTO directory (user_id, username, email, department_id) VALUES " \
          "(NEW.id, NEW.username, NEW.email, NEW.department_id)"
    changed = "UPDATE directory SET username = NEW.username, email = NEW.email, department_id = NEW.department_id " \
              "WHERE user_id = OLD.id"
    gone = "DELETE FROM directory WHERE user_id = OLD.id"
    if bind.dialect.name == "sqlite":
        for event, action in (("INSERT", new), ("UPDATE OF username, email, department_id", changed),
                              ("DELETE", gone)):
            op.execute(f"CREATE TRIGGER users_directory_{event.split()[0].lower()} AFTER {event} ON users "
                       f"BEGIN {action}; END")
        return
    op.execute("CREATE FUNCTION users_directory() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
               f"IF TG_OP = 'INSERT' THEN {new}; RETURN NEW; "
               f"ELSIF TG_OP = 'UPDATE' THEN {changed}; RETURN NEW; "
               f"ELSE {gone}; RETURN OLD; END IF; END $$")
    op.execute("CREATE TRIGGER users_directory AFTER INSERT OR UPDATE OF username, email, department_id OR DELETE "
               "ON users FOR EACH ROW "
               "EXECUTE FUNCTION users_directory()")


def _on_postgresql(bind) -> None:
    op.execute("CREATE FUNCTION pmqa_department() RETURNS integer LANGUAGE sql STABLE "
               "AS $$ SELECT NULLIF(current_setting('pmqa.department', true), '')::integer $$")
    inspector = sa.inspect(bind)
    for table in (*OWNED, "web_sessions"):
        op.execute(f"ALTER TABLE {table} ADD COLUMN department_id integer NOT NULL DEFAULT 1 "
                   "REFERENCES departments (id)")
        op.execute(f"ALTER TABLE {table} ALTER COLUMN department_id SET DEFAULT {ACTING}")
    references = [(table, fk) for table in OWNED for fk in inspector.get_foreign_keys(table)
                  if fk["referred_table"] in KEYED]
    for table, fk in references:
        op.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{fk["name"]}"')
    for table in sorted(KEYED):
        key = inspector.get_pk_constraint(table)
        op.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{key["name"]}"')
        op.execute(f"ALTER TABLE {table} ADD PRIMARY KEY (department_id, {', '.join(key['constrained_columns'])})")
    for table, fk in references:
        op.execute(f"ALTER TABLE {table} ADD FOREIGN KEY (department_id, {', '.join(fk['constrained_columns'])}) "
                   f"REFERENCES {fk['referred_table']} (department_id, {', '.join(fk['referred_columns'])})")
    for name in UNIQUE_IN_DEPARTMENT:
        table, columns = _index(inspector, name)
        op.execute(f"DROP INDEX {name}")
        op.create_index(name, table, ["department_id", *columns], unique=True)
    for table in OWNED:
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        op.execute(f"CREATE POLICY department ON {table} USING (department_id = {ACTING}) "
                   f"WITH CHECK (department_id = {ACTING})")


def _index(inspector, name: str) -> tuple[str, list[str]]:
    for table in OWNED:
        for index in inspector.get_indexes(table):
            if index["name"] == name:
                return table, index["column_names"]
    raise LookupError(name)


def _on_sqlite(bind) -> None:
    """SQLite changes no key in place: every table is set aside (its references follow it), made anew with its
    department, and given its rows, parents before children; then the old ones are dropped, children first."""
    old = sa.MetaData()
    old.reflect(bind, only=[*OWNED, "web_sessions"])
    tables = old.sorted_tables
    triggers = bind.execute(sa.text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")).fetchall()
    for name, _sql in triggers:
        op.execute(f'DROP TRIGGER "{name}"')
    for table in tables:
        for index in table.indexes:
            op.execute(f'DROP INDEX "{index.name}"')
        op.execute(f'ALTER TABLE "{table.name}" RENAME TO "{table.name}__old"')
    new = sa.MetaData()
    sa.Table("departments", new, autoload_with=bind)
    for table in tables:
        _remade(bind, table, new)
    for table in tables:
        names = ", ".join(f'"{c.name}"' for c in table.columns)
        op.execute(f'INSERT INTO "{table.name}" ({names}, department_id) SELECT {names}, 1 FROM "{table.name}__old"')
    for table in reversed(tables):
        op.execute(f'DROP TABLE "{table.name}__old"')
    for _name, sql in triggers:
        op.execute(sql)
    broken = bind.execute(sa.text("PRAGMA foreign_key_check")).fetchall()
    if broken:
        raise RuntimeError(f"references left without their rows: {broken[:5]}")


def _remade(bind, table: sa.Table, new: sa.MetaData) -> None:
    """``table`` (as reflected) made anew, with its department: first in its key when the key is unique only
    within a department, and in its references to such keys."""
    keyed = table.name in KEYED
    columns = [sa.Column(c.name, c.type, nullable=c.nullable, primary_key=False,
                         server_default=c.server_default.arg if c.server_default is not None else None)
               for c in table.columns]
    owner = sa.Column("department_id", sa.Integer(), sa.ForeignKey("departments.id"), nullable=False,
                      server_default=sa.text(f"({ACTING})"))
    key = [c.name for c in table.primary_key.columns]
    constraints = [sa.PrimaryKeyConstraint(*(["department_id"] if keyed else []), *key)]
    for fk in sorted(table.foreign_key_constraints, key=lambda fk: [e.parent.name for e in fk.elements]):
        local = [e.parent.name for e in fk.elements]
        remote = [e.column.name for e in fk.elements]
        parent = fk.referred_table.name
        if parent in KEYED:
            local, remote = ["department_id", *local], ["department_id", *remote]
        constraints.append(sa.ForeignKeyConstraint(local, [f"{parent}.{c}" for c in remote]))
    made = sa.Table(table.name, new, *columns, owner, *constraints)
    made.create(bind)
    for index in sorted(table.indexes, key=lambda i: i.name):  # a set: in one order
        names = [c.name for c in index.columns]
        if index.name in UNIQUE_IN_DEPARTMENT:
            names = ["department_id", *names]
        sa.Index(index.name, *(made.c[c] for c in names), unique=index.unique).create(bind)


def downgrade() -> None:
    raise NotImplementedError("a store is never taken back to one department's schema")
