"""New database, evidence and backup files are readable by their owner only."""

import stat

from sample_files import pdf_bytes
from stores import only_on_sqlite

from storage import connect
from storage.admin import backup
from storage.assessment import assessments
from storage.files import evidence

PDF = pdf_bytes("x")


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_store_and_its_write_ahead_log_are_owner_only(tmp_path):
    path = tmp_path / "new.db"
    db = connect(path)
    db.execute("CREATE TABLE t (x)")
    assert mode(path) == 0o600
    assert all(mode(p) == 0o600 for p in tmp_path.glob("new.db-*"))  # -wal and -shm follow the database


@only_on_sqlite("files' permissions on disk (a PostgreSQL store keeps its files in the database)")
def test_evidence_backups_and_restored_stores_are_owner_only(demo_db, demo_path, demo_user, tmp_path):
    unit = demo_user("unit")
    aid = assessments.get(demo_db, unit.unit_id, 2570)["id"]
    evidence.add_file(demo_db, unit, aid, "1.1", "basic", "plan.pdf", PDF)
    stored = [p for p in (demo_path.parent / "evidence").rglob("*") if p.is_file()]
    assert stored and all(mode(p) == 0o600 for p in stored)
    archive = backup.backup(demo_db, tmp_path / "out")
    assert mode(archive) == 0o600
    target = tmp_path / "restored" / "pmqa.db"
    backup.restore(archive, target)
    assert mode(target) == 0o600
    assert all(mode(p) == 0o600 for p in (target.parent / "evidence").rglob("*") if p.is_file())


@only_on_sqlite("two uploads racing for the same file in the evidence folder")
def test_two_identical_uploads_at_the_same_moment_both_succeed(demo_path, demo_user):
    """regression: both wrote the same temporary file, and one failed with an error naming a server path."""
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
    assert db.execute("SELECT COUNT(*) FROM evidence WHERE filename = 'same.pdf'").fetchone()[0] == 40
    assert not list((demo_path.parent / "evidence").rglob("*.part"))
