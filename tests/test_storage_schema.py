"""The store on real SQLite files: pragmas, migrations, the audit log's append-only rule."""


import pytest
from sqlalchemy.exc import IntegrityError

from storage import connect, is_demo, open_store
from storage import migrations as upgrades


def test_new_store_uses_wal_foreign_keys_and_busy_timeout(tmp_path):
    db = connect(tmp_path / "a.db")
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.execute("PRAGMA busy_timeout").fetchone()[0] >= 1000


def test_a_new_store_is_made_by_the_revisions_which_are_recorded_and_safe_to_rerun(tmp_path):
    path = tmp_path / "a.db"
    db = connect(path)
    assert upgrades.revision(db) == upgrades.head() and upgrades.history(db) == upgrades.revisions()
    assert "_migrations" not in db.table_names()  # no hand-made step ran
    assert upgrades.upgrade(db) == []
    db.close()
    again = connect(path)  # reopening applies nothing new and keeps the tables
    assert {"cycles", "units", "users", "assessments", "checkpoint_answers", "kpi_results", "narratives",
            "evidence", "item_comments", "ofis", "workplan_steps", "audit_log", "unit_kpis"} <= set(again.table_names())


def test_foreign_keys_are_enforced(db):
    with pytest.raises(IntegrityError):
        db.execute("INSERT INTO assessments (unit_id, year, status, version) VALUES (999, 2570, 'draft', 0)")


@pytest.mark.parametrize("statement", ["UPDATE audit_log SET action = 'x'", "DELETE FROM audit_log"])
def test_audit_log_is_append_only(db, statement):
    from storage import audit

    audit.record(db, "tester", "create", "unit", 1, code="X")
    with pytest.raises(IntegrityError, match="append-only"):
        db.execute(statement)


def test_first_start_creates_the_demo_department_once(tmp_path):
    path = tmp_path / "first.db"
    db = open_store(path)
    assert is_demo(db)
    users = db.execute("SELECT COUNT(*) FROM users").fetchone()[0]
    db.close()
    db = open_store(path)  # a second start adds nothing
    assert db.execute("SELECT COUNT(*) FROM users").fetchone()[0] == users


def test_open_store_without_demo_leaves_it_empty(tmp_path):
    db = open_store(tmp_path / "empty.db", demo_if_empty=False)
    assert not is_demo(db)
    assert db.execute("SELECT COUNT(*) FROM units").fetchone()[0] == 0


def test_a_write_waits_out_a_long_held_lock_and_past_its_limit_says_busy(tmp_path, monkeypatch):
    """regression (bench/load.py): on a loaded machine a writer held the lock past the 5 s busy timeout, and
    "database is locked" reached users as an unexpected error."""
    import threading
    import time

    from storage import db as store_db
    from storage.errors import Busy

    path = tmp_path / "store.db"
    holder, writer = connect(path), connect(path)
    writer.execute("PRAGMA busy_timeout = 50")  # SQLite gives up after 50 ms: the store must wait on
    writer.execute("CREATE TABLE IF NOT EXISTS t (x)")
    monkeypatch.setattr(store_db, "WRITE_WAIT", 5.0)

    def hold(seconds: float) -> threading.Thread:
        locked = threading.Event()

        def run():
            conn = connect(path)
            conn.execute("BEGIN IMMEDIATE")
            locked.set()
            time.sleep(seconds)
            conn.execute("ROLLBACK")
            conn.close()

        thread = threading.Thread(target=run)
        thread.start()
        locked.wait()
        return thread

    thread = hold(0.5)  # ten busy timeouts
    with store_db.transaction(writer):
        writer.execute("INSERT INTO t VALUES (1)")
    thread.join()
    assert writer.execute("SELECT COUNT(*) FROM t").fetchone()[0] == 1

    monkeypatch.setattr(store_db, "WRITE_WAIT", 0.3)
    thread = hold(1.0)
    with pytest.raises(Busy) as refused, store_db.transaction(writer):
        writer.execute("INSERT INTO t VALUES (2)")
    thread.join()
    assert refused.value.key == "error_busy"
    assert writer.execute("SELECT COUNT(*) FROM t").fetchone()[0] == 1
    holder.close()


def everything(db) -> tuple[list, dict]:
    """A SQLite store's schema as SQLite keeps it, and every table's rows."""
    schema = sorted(db.execute("SELECT type, name, tbl_name, sql FROM sqlite_master").fetchall(), key=str)
    tables = [name for kind, name, _, _ in schema if kind == "table"]
    return schema, {name: sorted(db.execute(f'SELECT * FROM "{name}"').fetchall(), key=str) for name in tables}


@pytest.mark.parametrize("revision", upgrades.revisions())
def test_a_new_file_laid_in_one_pass_is_what_replaying_the_revisions_makes(tmp_path, revision):
    """A new SQLite store is laid down from what the revisions made once in this process (``_lay``), not replayed
    (0.7 s a file); the two are the same, table for table, index, trigger and row, at every revision."""
    from storage.db import open_database, transaction

    laid = open_database(tmp_path / "laid.db")
    assert upgrades.upgrade(laid, to=revision) == upgrades.revisions()[:upgrades.revisions().index(revision) + 1]
    replayed = open_database(tmp_path / "replayed.db")
    with transaction(replayed):
        upgrades._run(replayed, revision)
    assert everything(laid) == everything(replayed)
    assert upgrades.revision(laid) == revision
    assert laid.execute("PRAGMA foreign_key_check").fetchall() == [] and laid.execute(
        "PRAGMA integrity_check").fetchone() == ("ok",)


def test_revisions_are_read_from_the_files_as_alembic_reads_them():
    """The head and the line of revisions come from the files' names (no Alembic to import in a process whose
    store is up to date): Alembic's own reading of them agrees."""
    scripts = upgrades.scripts()
    assert upgrades.revisions() == [s.revision for s in reversed(list(scripts.walk_revisions()))]
    assert upgrades.head() == scripts.get_current_head()
