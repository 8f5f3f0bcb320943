"""Alembic's revisions replace the hand-made schema steps: a store written by the last release made with those
steps (commit 82e4487, steps m001 to m024: ``data/demo-store-before-alembic.db.gz``, its demo department as
that release made it) upgrades on first open without losing a row, and new and upgraded stores have the same
schema, ``storage.tables``."""

from __future__ import annotations

import gzip
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from storage import connect, migrations
from storage.admin.demo import DEMO_PASSWORD
from storage.db import open_database
from storage.organisation import accounts
from storage.schema import migrations as steps

BEFORE = Path(__file__).parent / "data" / "demo-store-before-alembic.db.gz"


def rows(path: Path, like: dict[str, list[tuple]] | None = None) -> dict[str, list[tuple]]:
    """Every table's rows; with ``like``, its tables' rows only, and only the columns they had there."""
    with closing(sqlite3.connect(path)) as conn:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT IN "
                                             "('_migrations', 'alembic_version') AND name NOT LIKE 'sqlite_%'")]
        columns = {name: [c[1] for c in conn.execute(f'PRAGMA table_info("{name}")')] for name in names}
        if like is not None:
            columns = {name: columns_of(path, name, "department_id") for name in like}
        return {name: sorted(conn.execute(f'SELECT {", ".join(cols)} FROM "{name}"').fetchall(), key=repr)
                for name, cols in columns.items()}


def columns_of(path: Path, table: str, *leaving: str) -> list[str]:
    with closing(sqlite3.connect(path)) as conn:
        return [c[1] for c in conn.execute(f'PRAGMA table_info("{table}")') if c[1] not in leaving]


def triggers(path: Path) -> dict[str, str]:
    with closing(sqlite3.connect(path)) as conn:
        return dict(conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").fetchall())


@pytest.fixture
def released(tmp_path) -> Path:
    path = tmp_path / "pmqa.db"
    with gzip.open(BEFORE) as source, path.open("wb") as target:
        shutil.copyfileobj(source, target)
    return path


def test_a_store_written_by_the_last_release_upgrades_on_first_open_without_loss(released):
    before = rows(released)
    with closing(sqlite3.connect(released)) as conn:
        assert migrations.history(conn) == steps.names  # every hand-made step, no revision yet
    assert sum(len(r) for r in before.values()) > 1000 and len(before["audit_log"]) > 100
    with closing(connect(released)) as db:
        assert migrations.history(db) == steps.names + migrations.revisions()
        assert migrations.differences(db) == []
    assert rows(released, like=before) == before  # every row of every table, as it was (now its department's)
    after = rows(released)
    new_tables = {"stored_files", "departments", "directory", "document_jobs", "announcement_deliveries"}  # 0002-0005
    assert {name for name in after if name not in before} == new_tables
    assert not after["stored_files"] and not after["document_jobs"] and not after["announcement_deliveries"]
    assert after["departments"] == [
        (1, "main", "กรมส่งเสริมคุณภาพบริการสาธารณะ", "Department of Public Service Quality Promotion", "department",
         None, 1, None, None)]
    assert all(row[-1] == 1 for name in before if name not in ("meta", "sign_in_attempts") for row in after[name])
    with closing(connect(released)) as db:  # opened again: nothing more to do, and the demo signs in
        assert migrations.upgrade(db) == []
        assert accounts.authenticate(db, "demo-committee", DEMO_PASSWORD) is not None


def test_new_and_upgraded_stores_have_the_same_schema_and_triggers(tmp_path):
    with closing(connect(tmp_path / "new.db")) as new:
        assert migrations.differences(new) == []
        assert "_migrations" not in new.table_names()
    with closing(open_database(tmp_path / "old.db")) as old:
        steps.apply(old)
    with closing(connect(tmp_path / "old.db")) as old:
        assert migrations.differences(old) == []
    assert triggers(tmp_path / "new.db") == triggers(tmp_path / "old.db") != {}


def test_a_store_stopped_at_any_hand_made_step_upgrades(tmp_path):
    for count in (1, 9, len(steps.steps) - 1):
        path = tmp_path / f"at-{count}.db"
        partial = type(steps)()
        partial.steps = steps.steps[:count]
        with closing(open_database(path)) as db:
            partial.apply(db)
        with closing(connect(path)) as db:
            assert migrations.history(db) == steps.names + migrations.revisions()
            assert migrations.differences(db) == []


def test_every_revision_is_a_line_from_the_first(tmp_path):
    assert migrations.revisions()[0] == migrations.BASELINE and migrations.revisions()[-1] == migrations.head()
    assert migrations.is_history(migrations.revisions()) and migrations.is_history(steps.names[:3])
    assert not migrations.is_history([steps.names[1], migrations.BASELINE])
    assert migrations.unknown([*migrations.revisions(), "9999"]) == {"9999"}
