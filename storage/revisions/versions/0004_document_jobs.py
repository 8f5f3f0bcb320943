"""The documents built by a worker (``storage.admin.jobs``, the ``jobs`` package), and on PostgreSQL the schema of
the queue that runs them (Procrastinate's tables and functions).

Procrastinate's schema is applied here, once, inside the same transaction and under the same write lock as every
other revision (``storage.migrations.upgrade``): the first process that opens a PostgreSQL store after this
upgrade (an app server, ``python -m storage``, or a worker, ``python -m jobs worker``, which opens the store the
same way before it starts) applies it, and the others wait and find it applied. The schema is the one the pinned
Procrastinate version ships (``procrastinate/sql/schema.sql``); moving ``requirements.txt`` to a later version
means a later revision applying that version's own migration files (``procrastinate/sql/migrations``). A SQLite
store has no queue: its jobs run in the app's process (``jobs.executor``).

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.sqlite import REAL

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

TEXT = sa.Text().with_variant(sa.Text(collation="C"), "postgresql")
NUMBER = sa.Double().with_variant(REAL(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "document_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", TEXT, nullable=False),
        sa.Column("parameters", TEXT, nullable=False),
        sa.Column("lang", TEXT, nullable=False),
        sa.Column("requested_by", TEXT, nullable=False),
        sa.Column("state", TEXT, nullable=False),
        sa.Column("progress", NUMBER, server_default=sa.text("0"), nullable=False),
        sa.Column("step", TEXT, nullable=True),
        sa.Column("attempts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("error", TEXT, nullable=True),
        sa.Column("refusal", TEXT, nullable=True),
        sa.Column("files", TEXT, nullable=True),
        sa.Column("result", TEXT, nullable=True),
        sa.Column("data_version", TEXT, nullable=False),
        sa.Column("worker", TEXT, nullable=True),
        sa.Column("queue_id", sa.Integer(), nullable=True),
        sa.Column("heartbeat_at", TEXT, nullable=True),
        sa.Column("created_at", TEXT, nullable=False),
        sa.Column("started_at", TEXT, nullable=True),
        sa.Column("finished_at", TEXT, nullable=True),
        sa.Column("department_id", sa.Integer(), server_default=sa.text("(pmqa_department())"), nullable=False),
        sa.ForeignKeyConstraint(["department_id"], ["departments.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("idx_document_jobs_document", "document_jobs", ["kind", "lang", "parameters"])
    op.create_index("idx_document_jobs_state", "document_jobs", ["state"])
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":  # a department's table: its rows for its own connections only (0003)
        op.execute("ALTER TABLE document_jobs ENABLE ROW LEVEL SECURITY")
        op.execute("ALTER TABLE document_jobs FORCE ROW LEVEL SECURITY")
        op.execute("CREATE POLICY department ON document_jobs USING (department_id = pmqa_department()) "
                   "WITH CHECK (department_id = pmqa_department())")
        from procrastinate.schema import SchemaManager

        # sent as it is on the store's own connection, in the revision's transaction (no parameters: psycopg
        # reads no placeholder in it, and several statements go in one message)
        bind.connection.dbapi_connection.execute(SchemaManager.get_schema())


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name in ("procrastinate_events", "procrastinate_periodic_defers", "procrastinate_jobs",
                     "procrastinate_workers"):
            op.execute(f"DROP TABLE IF EXISTS {name} CASCADE")
        op.execute("DO $$ DECLARE f regprocedure; BEGIN FOR f IN SELECT p.oid::regprocedure FROM pg_proc p "
                   "WHERE p.proname LIKE 'procrastinate%' LOOP EXECUTE 'DROP FUNCTION ' || f || ' CASCADE'; "
                   "END LOOP; END $$")
        op.execute("DROP TYPE IF EXISTS procrastinate_job_event_type, procrastinate_job_status, "
                   "procrastinate_job_to_defer_v1 CASCADE")
    op.drop_index("idx_document_jobs_state", table_name="document_jobs")
    op.drop_index("idx_document_jobs_document", table_name="document_jobs")
    op.drop_table("document_jobs")
