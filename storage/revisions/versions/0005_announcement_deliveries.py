"""Who has had an announcement by e-mail: a row for each addressee whose message the SMTP server accepted, written
as soon as it did. A second send (a worker that died mid-send and whose job runs again, a server that failed part
of the way, a person added to the audience later) goes only to the addressees without one, so nobody gets an
announcement twice. Announcements e-mailed before this revision have no rows: a later send goes to all of them.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

TEXT = sa.Text().with_variant(sa.Text(collation="C"), "postgresql")


def upgrade() -> None:
    op.create_table(
        "announcement_deliveries",
        sa.Column("announcement_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("user_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("address", TEXT, nullable=False),
        sa.Column("sent_at", TEXT, nullable=False),
        sa.Column("department_id", sa.Integer(), server_default=sa.text("(pmqa_department())"), nullable=False),
        sa.ForeignKeyConstraint(["announcement_id"], ["announcements.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.ForeignKeyConstraint(["department_id"], ["departments.id"]),
        sa.PrimaryKeyConstraint("announcement_id", "user_id"),
    )
    if op.get_bind().dialect.name == "postgresql":  # a department's table: its rows for its own connections only (0003)
        op.execute("ALTER TABLE announcement_deliveries ENABLE ROW LEVEL SECURITY")
        op.execute("ALTER TABLE announcement_deliveries FORCE ROW LEVEL SECURITY")
        op.execute("CREATE POLICY department ON announcement_deliveries USING (department_id = pmqa_department()) "
                   "WITH CHECK (department_id = pmqa_department())")


def downgrade() -> None:
    op.drop_table("announcement_deliveries")
