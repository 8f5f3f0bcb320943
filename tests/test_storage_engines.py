"""A department moves from the embedded SQLite file to a PostgreSQL server and back through the app's own
backup archive, with nothing lost: every row of every table (the audit log's ids and times too), every file,
and archives whose checksums check out on either side. Runs where a test server is given (``make
test-postgres``); ``make test`` has none and skips it."""

from __future__ import annotations

from contextlib import closing

import pytest
from sample_files import pdf_bytes
from stores import SERVER, drop, new_location

from storage import connect
from storage.admin import announcements, backup, transfer
from storage.admin.demo import DEMO_PASSWORD
from storage.assessment import assessments
from storage.engine import Store
from storage.files import evidence
from storage.files import store as files
from storage.organisation import accounts

pytestmark = pytest.mark.skipif(not SERVER, reason="needs a PostgreSQL server (make test-postgres)")

LEFT_OUT = {"alembic_version", "_migrations", "stored_files"}  # each store's own bookkeeping; files compared apart


def rows(db: Store) -> dict[str, list[tuple]]:
    return {name: sorted(db.execute(f'SELECT * FROM "{name}"').fetchall(), key=repr)
            for name in transfer.counts(db) if name not in LEFT_OUT}


def without_restores(table: list[tuple]) -> list[tuple]:
    return [row for row in table if row[3] not in ("restore", "backup")]


@pytest.fixture
def server_store(tmp_path):
    location = new_location(tmp_path, "server")  # an empty database, as restore wants: it holds no store yet
    yield location
    drop(location)


def test_a_store_moves_to_postgresql_and_back_with_nothing_lost(tmp_path, server_store):
    source = tmp_path / "department" / "pmqa.db"
    from storage import open_store

    with closing(open_store(source)) as db:
        unit = accounts.authenticate(db, "demo-unit", DEMO_PASSWORD)
        admin = accounts.authenticate(db, "demo-admin", DEMO_PASSWORD)
        aid = assessments.get(db, unit.unit_id, 2570)["id"]
        evidence_id = evidence.add_file(db, unit, aid, "1.1", "basic", "แผนปฏิบัติการ.pdf", pdf_bytes("แผน"))
        announcements.publish(db, admin, "ประกาศ", "เนื้อหา", roles=["unit"], files=[("กำหนดการ.pdf", pdf_bytes("ก"))])
        before = rows(db)
        archive = backup.backup(db, tmp_path / "out")

    summary = backup.restore(archive, server_store)  # into PostgreSQL
    assert summary["evidence_files"] == 2
    with closing(connect(server_store)) as server:
        assert not server.sqlite and files.where(server) == files.DATABASE
        moved = rows(server)
        assert {k: v for k, v in moved.items() if k != "audit_log"} == \
            {k: v for k, v in before.items() if k != "audit_log"}
        assert without_restores(moved["audit_log"]) == without_restores(before["audit_log"])
        assert evidence.read(server, unit, evidence_id) == ("แผนปฏิบัติการ.pdf", pdf_bytes("แผน"))
        new_id = evidence.add_file(server, unit, aid, "1.2", "basic", "รายงาน.pdf", pdf_bytes("ร"))  # numbering goes on
        assert new_id > evidence_id
        back_archive = backup.backup(server, tmp_path / "out-server")
        assert backup.check_archive(back_archive).evidence  # its checksums check out

    back = tmp_path / "back" / "pmqa.db"
    backup.restore(back_archive, back)  # and back to a SQLite file
    with closing(connect(back)) as db:
        returned = rows(db)
        assert evidence.read(db, unit, evidence_id)[1] == pdf_bytes("แผน")
        assert evidence.read(db, unit, new_id)[1] == pdf_bytes("ร")
    assert {k: v for k, v in returned.items() if k not in ("audit_log", "evidence")} == \
        {k: v for k, v in before.items() if k not in ("audit_log", "evidence")}
    added = set(without_restores(returned["audit_log"])) - set(without_restores(before["audit_log"]))
    assert set(without_restores(before["audit_log"])) <= set(returned["audit_log"])  # every entry, as it was
    assert [entry[3] for entry in added] == ["add_evidence"]  # and the one made on the server


def test_a_database_already_holding_a_store_is_not_restored_over(tmp_path, full_demo_path, demo_path):
    with closing(connect(full_demo_path)) as db:
        archive = backup.backup(db, tmp_path / "out")
    with pytest.raises(Exception, match="error_backup_target_exists"):
        backup.restore(archive, demo_path)
