"""New database, evidence and backup files are readable by their owner only; a PostgreSQL store's files, by
its own account only."""

import os
import stat

import pytest
from sample_files import pdf_bytes
from stores import SERVER, only_on_sqlite

from storage import connect
from storage.admin import backup
from storage.assessment import assessments
from storage.files import evidence
from storage.files import store as files

PDF = pdf_bytes("x")


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_store_and_its_write_ahead_log_are_owner_only(tmp_path):
    path = tmp_path / "new.db"
    db = connect(path)
    db.execute("CREATE TABLE t (x)")
    assert mode(path) == 0o600
    assert all(mode(p) == 0o600 for p in tmp_path.glob("new.db-*"))  # -wal and -shm follow the database


@only_on_sqlite("files' permissions on disk (a PostgreSQL store keeps its files in the database, which other "
                "accounts of its server cannot read: test_a_server_stores_files_are_its_own_accounts_only)")
def test_uploaded_evidence_files_are_owner_only(demo_db, demo_path, demo_user):
    unit = demo_user("unit")
    aid = assessments.get(demo_db, unit.unit_id, 2570)["id"]
    evidence.add_file(demo_db, unit, aid, "1.1", "basic", "plan.pdf", PDF)
    stored = [p for p in (demo_path.parent / "evidence").rglob("*") if p.is_file()]
    assert stored and all(mode(p) == 0o600 for p in stored)


def test_backups_and_stores_restored_into_a_file_are_owner_only(demo_db, demo_user, tmp_path):
    """An archive of either engine's store, and the SQLite file and evidence files restored from it."""
    unit = demo_user("unit")
    aid = assessments.get(demo_db, unit.unit_id, 2570)["id"]
    evidence.add_file(demo_db, unit, aid, "1.1", "basic", "plan.pdf", PDF)
    archive = backup.backup(demo_db, tmp_path / "out")
    assert mode(archive) == 0o600
    target = tmp_path / "restored" / "pmqa.db"
    backup.restore(archive, target)
    assert mode(target) == 0o600
    restored = [p for p in (target.parent / "evidence").rglob("*") if p.is_file()]
    assert restored and all(mode(p) == 0o600 for p in restored)


@pytest.mark.skipif(not SERVER, reason="a PostgreSQL store's own account (make test-postgres); files on disk: "
                    "test_uploaded_evidence_files_are_owner_only")
def test_a_server_stores_files_are_its_own_accounts_only(demo_db, demo_path, demo_user):
    """The files a PostgreSQL store keeps (stored_files), like its rows, are not granted to anyone: another
    account of the same server that may connect to the database still cannot read them."""
    import psycopg
    from psycopg import sql

    unit = demo_user("unit")
    aid = assessments.get(demo_db, unit.unit_id, 2570)["id"]
    evidence.add_file(demo_db, unit, aid, "1.1", "basic", "plan.pdf", PDF)
    assert files.where(demo_db) == files.DATABASE
    assert demo_db.execute("SELECT COUNT(*) FROM stored_files").fetchone()[0] == 1
    other = f"pmqa_other_{os.getpid()}"
    with psycopg.connect(SERVER, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(other)))
    try:
        address = str(demo_path).replace("//pmqa@", f"//{other}@", 1)
        with psycopg.connect(address) as outsider:  # it may connect (the server's default) ...
            for table in ("stored_files", "evidence", "users"):
                with pytest.raises(psycopg.errors.InsufficientPrivilege):  # ... and read nothing of the store
                    outsider.execute(sql.SQL("SELECT * FROM {}").format(sql.Identifier(table)))
                outsider.rollback()
    finally:
        with psycopg.connect(SERVER, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(other)))


def test_two_identical_uploads_at_the_same_moment_both_succeed(demo_path, demo_user):
    """regression: both wrote the same temporary file in the evidence folder, and one failed with an error naming
    a server path. (On PostgreSQL both insert the same stored_files row: one keeps the other's.)"""
    import threading

    unit = demo_user("unit")
    errors, barrier = [], threading.Barrier(2)

    def upload():
        db = connect(demo_path)
        try:
            aid = assessments.get(db, unit.unit_id, 2570)["id"]
            barrier.wait()
            for _ in range(20):
                evidence.add_file(db, unit, aid, "1.1", "basic", "same.pdf", PDF + b"same")
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            db.close()

    threads = [threading.Thread(target=upload) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    db = connect(demo_path)
    try:
        assert db.execute("SELECT COUNT(*) FROM evidence WHERE filename = 'same.pdf'").fetchone()[0] == 40
        [name] = {row[0] for row in db.execute("SELECT path FROM evidence WHERE filename = 'same.pdf'")}
        assert files.get(db, name) == PDF + b"same"
        if files.where(db) == files.FOLDER:
            assert not list(files.folder(db).rglob("*.part"))
        else:
            assert db.execute("SELECT COUNT(*) FROM stored_files WHERE name = ?", [name]).fetchone()[0] == 1
    finally:
        db.close()
