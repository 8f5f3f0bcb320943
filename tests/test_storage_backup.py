"""Backups: one zip with a consistent database copy, the evidence files and a manifest of checksums; restored
into a new file or over the running store only after the whole archive checks out, otherwise nothing changes."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
import zipfile
from contextlib import closing
from pathlib import Path

import pytest
from sample_files import pdf_bytes

from storage import assessments, audit, backup, connect, evidence
from storage.db import open_database, transaction
from storage.errors import AccessDenied, InputError
from storage.migrations import Migrations
from storage.schema import migrations

PDF = pdf_bytes("plan")
PDF_REMOVED = pdf_bytes("old report")
CRITERIA = "framework: pmqa-4.0\nyear: 2570\n# เกณฑ์ทดสอบ\n"


@pytest.fixture
def store(demo_db, demo_user):
    """The demo store with two uploaded files (one withdrawn) and an accepted criteria file."""
    user = demo_user("unit")
    assessment = assessments.get(demo_db, user.unit_id, 2570)
    assert assessment["status"] in ("draft", "returned")
    evidence.add_file(demo_db, user, assessment["id"], "1.1", "basic", "แผนยุทธศาสตร์.pdf", PDF)
    removed = evidence.add_file(demo_db, user, assessment["id"], "1.2", "basic", "old.pdf", PDF_REMOVED)
    evidence.remove(demo_db, user, removed)
    with transaction(demo_db):
        demo_db["criteria_files"].insert({
            "sha256": hashlib.sha256(CRITERIA.encode()).hexdigest(), "name": "pmqa-2570.yaml",
            "framework_id": "pmqa-4.0", "text": CRITERIA, "accepted_at": "2026-01-01T00:00:00", "accepted_by": "a"})
    return demo_db


def dump(path: Path) -> dict[str, list[tuple]]:
    """Every row of every table, in rowid order."""
    with closing(sqlite3.connect(path)) as conn:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                            "AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        return {name: conn.execute(f"SELECT * FROM {name} ORDER BY rowid").fetchall() for name in names}


def files_under(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def rewrite(archive: Path, out: Path, change) -> Path:
    """A copy of ``archive`` with its members (a dict name -> bytes) changed by ``change``."""
    with zipfile.ZipFile(archive) as source:
        members = {name: source.read(name) for name in source.namelist()}
    change(members)
    with zipfile.ZipFile(out, "w") as target:
        for name, data in members.items():
            target.writestr(name, data)
    return out


def flip(members: dict, name: str) -> None:
    data = bytearray(members[name])
    data[len(data) // 2] ^= 0xFF
    members[name] = bytes(data)


def edit_manifest(members: dict, edit) -> None:
    manifest = json.loads(members["manifest.json"])
    edit(manifest)
    members["manifest.json"] = json.dumps(manifest).encode()


def test_backup_then_restore_gives_the_same_store_and_files(store, demo_path, tmp_path, demo_user):
    admin = demo_user("admin")  # signing in writes the last sign-in: before the store is read
    before = dump(demo_path)
    archive = backup.backup(store, tmp_path / "out", actor=admin)
    assert archive.parent == tmp_path / "out" and archive.name.startswith("pmqa-backup-")
    [entry] = store.execute("SELECT username, detail FROM audit_log WHERE action = 'backup'").fetchall()
    assert entry[0] == "demo-admin" and json.loads(entry[1])["archive"] == archive.name
    with zipfile.ZipFile(archive) as opened:
        assert opened.read("criteria/pmqa-2570.yaml").decode() == CRITERIA
        assert len([n for n in opened.namelist() if n.startswith("evidence/")]) == 2

    target = tmp_path / "restored" / "pmqa.db"
    summary = backup.restore(archive, target)

    after = dump(target)
    *kept, restored = after.pop("audit_log")
    assert kept == before.pop("audit_log")
    assert restored[3:5] == ("restore", "store") and json.loads(restored[6])["archive"] == archive.name
    assert after == before
    assert files_under(target.parent / "evidence") == files_under(demo_path.parent / "evidence")
    assert len(files_under(target.parent / "evidence")) == 2
    assert summary["evidence_files"] == 2
    assert summary["tables"] == {name: len(rows) for name, rows in dump(target).items()}
    assert sorted(p.name for p in target.parent.iterdir()) == ["evidence", "pmqa.db"]


def test_an_archive_from_an_older_schema_is_upgraded(tmp_path):
    older = Migrations()
    older.steps = migrations.steps[:-1]
    with closing(open_database(tmp_path / "old.db")) as old:
        older.apply(old)
        archive = backup.backup(old, tmp_path / "out")
    assert backup.check_archive(archive).schema == older.names

    target = tmp_path / "restored.db"
    backup.restore(archive, target)
    with closing(sqlite3.connect(target)) as conn:
        assert [r[0] for r in conn.execute("SELECT name FROM _migrations ORDER BY rowid")] == migrations.names


def test_backups_never_overwrite_an_archive(store, tmp_path, monkeypatch):
    monkeypatch.setattr(backup, "_stamp", lambda: "20260101-000000")
    first = backup.backup(store, tmp_path / "out")
    second = backup.backup(store, tmp_path / "out")
    assert (first.name, second.name) == ("pmqa-backup-20260101-000000.zip", "pmqa-backup-20260101-000000-2.zip")
    assert {p.name for p in (tmp_path / "out").iterdir()} == {first.name, second.name}


def test_check_archive_reads_a_path_bytes_or_a_file(store, tmp_path):
    archive = backup.backup(store, tmp_path)
    manifest = backup.check_archive(archive)
    assert manifest.name == archive.name and manifest.schema == migrations.names
    assert manifest.tables["evidence"] == 2 and len(manifest.evidence) == 2
    assert backup.check_archive(archive.read_bytes()).files == manifest.files
    with archive.open("rb") as handle:
        assert backup.check_archive(handle).name == archive.name


BAD = {
    "not a zip": (lambda members: None, "error_backup_not_archive", None),
    "no manifest": (lambda members: members.pop("manifest.json"), "error_backup_not_archive", None),
    "database byte flipped": (lambda members: flip(members, "pmqa.db"), "error_backup_damaged", "pmqa.db"),
    "evidence byte flipped": (lambda members: flip(members, next(n for n in members if n.startswith("evidence/"))),
                              "error_backup_damaged", "evidence/"),
    "evidence missing": (lambda members: members.pop(next(n for n in members if n.startswith("evidence/"))),
                         "error_backup_damaged", "evidence/"),
    "unlisted file": (lambda members: members.update({"evidence/1/2570/extra.pdf": PDF}), "error_backup_damaged",
                      "evidence/1/2570/extra.pdf"),
    "newer schema": (lambda members: edit_manifest(members, lambda m: m["schema"].append("m999_future")),
                     "error_backup_newer_schema", None),
    "newer format": (lambda members: edit_manifest(members, lambda m: m.update(version=2)),
                     "error_backup_newer_schema", None),
    "other app's manifest": (lambda members: edit_manifest(members, lambda m: m.update(format="other")),
                             "error_backup_not_archive", None),
    "parent path": (lambda members: members.update({"evidence/../../evil.pdf": PDF}), "error_backup_unsafe_path",
                    "evidence/../../evil.pdf"),
    "absolute path": (lambda members: members.update({"/tmp/evil.pdf": PDF}), "error_backup_unsafe_path",
                      "/tmp/evil.pdf"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_a_bad_archive_is_refused_and_nothing_is_written(store, tmp_path, case):
    change, key, file = BAD[case]
    archive = backup.backup(store, tmp_path / "out")
    bad = tmp_path / "bad.zip"
    if case == "not a zip":
        bad.write_bytes(b"PK\x03\x04 this is not really a zip")
    else:
        rewrite(archive, bad, change)
    target = tmp_path / "new" / "pmqa.db"
    with pytest.raises(InputError) as err:
        backup.restore(bad, target)
    assert err.value.key == key
    assert err.value.params["name"] == "bad.zip"
    if file:
        assert err.value.params["file"].startswith(file)
    assert not (tmp_path / "new").exists()
    with pytest.raises(InputError):
        backup.check_archive(bad)


def test_restore_refuses_an_existing_target(store, tmp_path):
    archive = backup.backup(store, tmp_path / "out")
    target = tmp_path / "other" / "pmqa.db"
    target.parent.mkdir()
    target.write_bytes(b"keep me")
    with pytest.raises(InputError) as err:
        backup.restore(archive, target)
    assert err.value.key == "error_backup_target_exists" and err.value.params["name"] == str(target)
    assert target.read_bytes() == b"keep me"
    assert [p.name for p in target.parent.iterdir()] == ["pmqa.db"]


def test_restore_refuses_an_evidence_file_with_other_content_before_writing(store, tmp_path):
    archive = backup.backup(store, tmp_path / "out")
    member = backup.check_archive(archive).evidence[0]
    clash = tmp_path / "new" / member
    clash.parent.mkdir(parents=True)
    clash.write_bytes(b"%PDF- something else")
    with pytest.raises(InputError) as err:
        backup.restore(archive, tmp_path / "new" / "pmqa.db")
    assert err.value.key == "error_backup_evidence_conflict" and err.value.params["file"] == member
    assert files_under(tmp_path / "new") == {member: b"%PDF- something else"}


def test_a_failed_restore_leaves_nothing_behind(store, tmp_path, monkeypatch):
    archive = backup.backup(store, tmp_path / "out")

    replace = Path.replace

    def fail_on_the_database(self, target):
        if Path(target).name == "pmqa.db":
            raise OSError("disk full")
        return replace(self, target)

    monkeypatch.setattr(Path, "replace", fail_on_the_database)
    with pytest.raises(OSError, match="disk full"):
        backup.restore(archive, tmp_path / "new" / "pmqa.db")
    assert not (tmp_path / "new").exists()


def test_backup_while_another_connection_writes_is_consistent(store, demo_path, tmp_path, monkeypatch):
    monkeypatch.setattr(backup, "PAGES_PER_STEP", 16)
    stop, written = threading.Event(), threading.Semaphore(0)

    def writer():
        other = connect(demo_path)
        try:
            while not stop.is_set():
                with transaction(other):
                    audit.record(other, "writer", "save", "assessment", 1, note="x" * 500)
                written.release()
        finally:
            other.close()

    def progress(fraction, caption):
        if caption == "backup_progress_database" and 0 < fraction < 0.6:
            assert written.acquire(timeout=5)  # a write lands between copy steps
        elif caption != "backup_progress_database":
            stop.set()  # the copy is taken; a writer spinning without pause would starve the backup's audit entry

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        archive = backup.backup(store, tmp_path / "out", progress=progress)
    finally:
        stop.set()
        thread.join()
    manifest = backup.check_archive(archive)  # includes PRAGMA integrity_check on the copy
    with zipfile.ZipFile(archive) as opened:
        (tmp_path / "copy.db").write_bytes(opened.read("pmqa.db"))
    with closing(sqlite3.connect(tmp_path / "copy.db")) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT COUNT(*) FROM audit_log").fetchone()[0] == manifest.tables["audit_log"]
    assert store.execute("SELECT COUNT(*) FROM audit_log").fetchone()[0] > manifest.tables["audit_log"]


def test_restore_into_replaces_the_running_store(store, demo_path, tmp_path, demo_user):
    archive = backup.backup(store, tmp_path / "out")
    manifest = backup.check_archive(archive)
    with transaction(store):
        store["units"].insert({"code": "NEW", "name_th": "หน่วยใหม่", "name_en": "New unit", "weight": 1.0})
    lost = evidence.evidence_root(store) / manifest.evidence[0].removeprefix("evidence/")
    lost.unlink()
    other = connect(demo_path)  # another session on the same store

    summary = backup.restore_into(store, archive, demo_user("admin"))

    assert not store.execute("SELECT 1 FROM units WHERE code = 'NEW'").fetchone()
    assert not other.execute("SELECT 1 FROM units WHERE code = 'NEW'").fetchone()
    other.close()
    expected = {**manifest.tables, "audit_log": manifest.tables["audit_log"] + 1}
    assert summary["tables"] == expected == {name: len(rows) for name, rows in dump(demo_path).items()}
    last = store.execute("SELECT username, action, entity, detail FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
    assert last[:3] == ("demo-admin", "restore", "store")
    assert json.loads(last[3]) == {"archive": archive.name, "created_at": manifest.created_at}
    assert lost.is_file()
    assert store.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_restore_into_with_a_bad_archive_changes_nothing(store, demo_path, tmp_path, demo_user):
    archive = backup.backup(store, tmp_path / "out")
    bad = rewrite(archive, tmp_path / "bad.zip", lambda members: flip(members, "pmqa.db"))
    with transaction(store):
        store["units"].insert({"code": "NEW", "name_th": "หน่วยใหม่", "name_en": "New unit", "weight": 1.0})
    admin = demo_user("admin")
    before, files = dump(demo_path), files_under(evidence.evidence_root(store))
    with pytest.raises(InputError, match="error_backup_damaged"):
        backup.restore_into(store, bad, admin)
    assert dump(demo_path) == before
    assert files_under(evidence.evidence_root(store)) == files
    assert sorted(p.name for p in demo_path.parent.iterdir() if p.name.startswith(".pmqa")) == []


def test_progress_rises_to_one(store, tmp_path, demo_user):
    calls = []
    archive = backup.backup(store, tmp_path / "out", progress=lambda f, c: calls.append(("backup", f, c)))
    backup.restore(archive, tmp_path / "new.db", progress=lambda f, c: calls.append(("restore", f, c)))
    backup.restore_into(store, archive, demo_user("admin"), progress=lambda f, c: calls.append(("restore_into", f, c)))
    for run in ("backup", "restore", "restore_into"):
        fractions = [f for name, f, _ in calls if name == run]
        assert fractions == sorted(fractions) and fractions[0] >= 0 and fractions[-1] == 1.0, run
        assert len(fractions) >= 3
    assert all(c.startswith(("backup_progress_", "restore_progress_")) for _, _, c in calls)


def test_a_corrupted_zip_member_is_reported_as_damaged(store, tmp_path):
    archive = backup.backup(store, tmp_path / "out")
    with zipfile.ZipFile(archive) as opened:
        offset = opened.getinfo("pmqa.db").header_offset + 200  # inside the compressed database
    data = bytearray(archive.read_bytes())
    data[offset] ^= 0xFF
    with pytest.raises(InputError) as err:
        backup.check_archive(bytes(data))
    assert (err.value.key, err.value.params) == ("error_backup_damaged", {"name": "-", "file": "pmqa.db"})


@pytest.mark.parametrize("role", ["unit", "committee", "director"])
def test_only_an_admin_backs_up_or_restores(store, tmp_path, demo_user, role):
    archive = backup.backup(store, tmp_path / "out")
    entries = store.execute("SELECT COUNT(*) FROM audit_log").fetchone()[0]
    with pytest.raises(AccessDenied):
        backup.backup(store, tmp_path / "other", actor=demo_user(role))
    with pytest.raises(AccessDenied):
        backup.restore_into(store, archive, demo_user(role))
    assert store.execute("SELECT COUNT(*) FROM audit_log").fetchone()[0] == entries
    assert not (tmp_path / "other").exists() or not list((tmp_path / "other").iterdir())


def _doctored(archive: Path, tmp_path: Path, sql: str) -> Path:
    """The archive with its database changed by ``sql`` and the manifest's checksums made to match, as someone
    making a deceptive archive would."""
    with zipfile.ZipFile(archive) as opened:
        members = {name: opened.read(name) for name in opened.namelist()}
    db_file = tmp_path / "doctored.db"
    db_file.write_bytes(members["pmqa.db"])
    conn = sqlite3.connect(db_file)
    conn.executescript(sql)
    conn.close()
    members["pmqa.db"] = db_file.read_bytes()
    manifest = json.loads(members["manifest.json"])
    manifest["files"]["pmqa.db"] = {"size": len(members["pmqa.db"]),
                                    "sha256": hashlib.sha256(members["pmqa.db"]).hexdigest()}
    members["manifest.json"] = json.dumps(manifest).encode()
    out = tmp_path / "doctored.zip"
    with zipfile.ZipFile(out, "w") as target:
        for name, data in members.items():
            target.writestr(name, data)
    return out


@pytest.mark.parametrize("sql", [
    "UPDATE evidence SET path = '../../../etc/passwd' WHERE id = (SELECT MIN(id) FROM evidence)",
    "UPDATE evidence SET path = '/etc/passwd' WHERE id = (SELECT MIN(id) FROM evidence)",
    "CREATE TRIGGER planted AFTER INSERT ON audit_log BEGIN UPDATE users SET password_hash = 'x'; END",
    "CREATE VIEW planted AS SELECT * FROM users",
], ids=["evidence path up", "evidence path absolute", "trigger", "view"])
def test_an_archive_made_to_deceive_is_refused(store, demo_path, tmp_path, demo_user, sql):
    doctored = _doctored(backup.backup(store, tmp_path / "out"), tmp_path, sql)
    admin = demo_user("admin")
    before = dump(demo_path)
    with pytest.raises(InputError, match="error_backup_unsafe_path"):
        backup.check_archive(doctored)
    with pytest.raises(InputError, match="error_backup_unsafe_path"):
        backup.restore_into(store, doctored, admin)
    assert dump(demo_path) == before
    assert not (tmp_path / "new" / "x.db").exists()


def test_the_backups_folder_lists_archives_newest_first(store, demo_path):
    first = backup.backup(store, backup.backups_folder(store))
    second = backup.backup(store, backup.backups_folder(store))
    assert backup.backups_folder(store) == demo_path.parent / "backups"
    assert backup.archives(store) == sorted([first, second], key=lambda p: p.name, reverse=True)
