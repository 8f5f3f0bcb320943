"""The demo store's parts that tests set aside: the department's own work (its assessments of 2569 and 2570,
their profile, and the units' evidence they cite), so a test can start from what the units left."""

from __future__ import annotations

from sqlite_utils import Database

from storage.db import transaction

DEPARTMENT_TABLES = ("dept_citations", "dept_answers", "dept_narratives", "dept_kpis", "dept_records", "org_profiles")


def without_department(db: Database, *years: int) -> None:
    """Remove the department's assessment and profile of ``years`` (all when none) and the demo's evidence.
    (Their audit entries stay: the audit log is append-only.)"""
    where, args = (f"year IN ({', '.join('?' * len(years))})", list(years)) if years else ("1", [])
    with transaction(db):
        for table in DEPARTMENT_TABLES:
            db.execute(f"DELETE FROM {table} WHERE {where}", args)
        db.execute(f"DELETE FROM evidence WHERE added_by = 'demo-unit' AND kind = 'link' AND assessment_id IN "
                   f"(SELECT id FROM assessments WHERE {where})", args)
