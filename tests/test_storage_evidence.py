"""Evidence: type, signature and size checked; stored under unit and year by content hash; links;
confidential evidence hidden from directors and admins."""

import hashlib

import pytest

from storage import accounts, assessments, evidence, org
from storage.errors import AccessDenied, InputError, NotEditable

PDF = b"%PDF-1.7\n" + b"x" * 100
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 50


@pytest.fixture
def setup(db):
    org.add_cycle(db, 2570)
    unit_id = org.add_unit(db, "U1", "หน่วยทดสอบ", "Test unit")
    other = org.add_unit(db, "U2", "หน่วยอื่น", "Other unit")
    user = accounts.create_user(db, "unit1", "correct horse", "unit", unit_id=unit_id)
    a = assessments.ensure(db, user, unit_id, 2570)
    return {
        "user": user, "id": a["id"], "unit": unit_id,
        "intruder": accounts.create_user(db, "unit2", "correct horse", "unit", unit_id=other),
        "committee": accounts.create_user(db, "board", "correct horse", "committee"),
        "director": accounts.create_user(db, "boss", "correct horse", "director"),
    }


def test_file_is_stored_by_hash_under_unit_and_year_and_read_back(db, setup):
    eid = evidence.add_file(db, setup["user"], setup["id"], "1.1", "basic", "แผนยุทธศาสตร์.pdf", PDF)
    digest = hashlib.sha256(PDF).hexdigest()
    path = evidence.evidence_root(db) / str(setup["unit"]) / "2570" / f"{digest}.pdf"
    assert path.read_bytes() == PDF
    assert evidence.read(db, setup["user"], eid) == ("แผนยุทธศาสตร์.pdf", PDF)
    assert evidence.read(db, setup["committee"], eid)[1] == PDF
    [row] = evidence.listing(db, setup["user"], setup["id"])
    assert (row["item"], row["level"], row["size"]) == ("1.1", "basic", len(PDF))


@pytest.mark.parametrize(
    ("name", "data", "key"),
    [
        ("virus.exe", b"MZ" + b"x" * 10, "error_file_type"),
        ("fake.pdf", b"MZ not a pdf", "error_file_content"),
        ("photo.png", PDF, "error_file_content"),
        ("empty.pdf", b"", "error_file_empty"),
        ("big.pdf", b"%PDF-" + b"x" * evidence.MAX_BYTES, "error_file_size"),
    ],
)
def test_bad_files_are_refused_and_nothing_is_stored(db, setup, name, data, key):
    with pytest.raises(InputError) as err:
        evidence.add_file(db, setup["user"], setup["id"], "1.1", "basic", name, data)
    assert err.value.key == key
    assert db.execute("SELECT COUNT(*) FROM evidence").fetchone()[0] == 0
    assert not evidence.evidence_root(db).exists()


def test_links_are_checked(db, setup):
    with pytest.raises(InputError, match="error_url"):
        evidence.add_link(db, setup["user"], setup["id"], "1.1", "basic", "javascript:alert(1)")
    eid = evidence.add_link(db, setup["user"], setup["id"], "7.1", None, "https://example.go.th/report",
                            title="รายงานผล", kpi="RM1")
    assert evidence.listing(db, setup["user"], setup["id"])[0]["id"] == eid


def test_confidential_evidence_is_for_the_unit_and_committee_only(db, setup):
    eid = evidence.add_file(db, setup["user"], setup["id"], "1.2", "advance", "ลับ.png", PNG, confidential=True)
    assert [r["id"] for r in evidence.listing(db, setup["committee"], setup["id"])] == [eid]
    assert evidence.listing(db, setup["director"], setup["id"]) == []
    with pytest.raises(AccessDenied):
        evidence.read(db, setup["director"], eid)


def test_other_units_cannot_read_add_or_remove(db, setup):
    eid = evidence.add_file(db, setup["user"], setup["id"], "1.1", "basic", "a.pdf", PDF)
    with pytest.raises(AccessDenied):
        evidence.listing(db, setup["intruder"], setup["id"])
    with pytest.raises(AccessDenied):
        evidence.read(db, setup["intruder"], eid)
    with pytest.raises(AccessDenied):
        evidence.add_file(db, setup["intruder"], setup["id"], "1.1", "basic", "b.pdf", PDF)
    with pytest.raises(AccessDenied):
        evidence.remove(db, setup["intruder"], eid)


def test_remove_keeps_the_record_for_the_audit_trail(db, setup):
    eid = evidence.add_file(db, setup["user"], setup["id"], "1.1", "basic", "a.pdf", PDF)
    evidence.remove(db, setup["user"], eid)
    assert evidence.listing(db, setup["user"], setup["id"]) == []
    assert db.execute("SELECT removed_at IS NOT NULL FROM evidence WHERE id = ?", [eid]).fetchone()[0] == 1
    actions = [r[0] for r in db.execute("SELECT action FROM audit_log WHERE action LIKE '%evidence'")]
    assert actions == ["add_evidence", "remove_evidence"]


def test_no_evidence_changes_once_submitted(db, setup):
    db.execute("UPDATE assessments SET status = 'submitted' WHERE id = ?", [setup["id"]])
    with pytest.raises(NotEditable):
        evidence.add_file(db, setup["user"], setup["id"], "1.1", "basic", "a.pdf", PDF)
