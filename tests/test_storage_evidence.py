"""Evidence: type, signature and size checked; stored under unit and year by content hash; links;
confidential evidence hidden from directors and admins."""

import errno
import hashlib
import io
import logging
import sqlite3
import zipfile
from pathlib import Path

import openpyxl
import pytest
from sample_files import pdf_bytes
from sqlalchemy.exc import DBAPIError

from storage import audit
from storage.assessment import assessments
from storage.errors import AccessDenied, InputError, NotEditable, StoreError
from storage.files import evidence
from storage.files import store as files
from storage.organisation import accounts, org


def zip_bytes(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


def docx_bytes() -> bytes:
    """The smallest package Word opens: content types, the package relationship, the document."""
    return zip_bytes({
        "[Content_Types].xml": b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                               b'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-'
                               b'package.relationships+xml"/><Override PartName="/word/document.xml" ContentType="'
                               b'application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
                               b'</Types>',
        "_rels/.rels": b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                       b'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
                       b'officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
                       b'</Relationships>',
        "word/document.xml": '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
                             'wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>แผนยุทธศาสตร์</w:t></w:r></w:p>'
                             '</w:body></w:document>'.encode(),
    })


def xlsx_bytes() -> bytes:
    book = openpyxl.Workbook()
    book.active.append(["ตัวชี้วัด", 95])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


PDF = pdf_bytes()
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
    assert stored_names(db) == [f"{setup['unit']}/2570/{digest}.pdf"]
    assert files.get(db, stored_names(db)[0]) == PDF
    assert evidence.read(db, setup["user"], eid) == ("แผนยุทธศาสตร์.pdf", PDF)
    assert evidence.read(db, setup["committee"], eid)[1] == PDF
    [row] = evidence.listing(db, setup["user"], setup["id"])
    assert (row["item"], row["level"], row["size"]) == ("1.1", "basic", len(PDF))


@pytest.mark.parametrize(
    ("name", "data", "key"),
    [
        ("virus.exe", b"MZ" + b"x" * 10, "error_file_type"),
        ("fake.pdf", b"MZ not a pdf", "error_file_content"),
        ("junk.pdf", b"%PDF-1.7\n" + b"x" * 100, "error_file_content"),
        ("catalog-only.pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n",
         "error_file_content"),
        ("no-pages.pdf", pdf_bytes(pages=0), "error_file_content"),
        ("cut.pdf", PDF[: len(PDF) // 3], "error_file_content"),
        ("archive.docx", zip_bytes({"readme.txt": b"any zip"}), "error_file_content"),
        ("book.xlsx", docx_bytes(), "error_file_content"),
        ("letter.docx", xlsx_bytes(), "error_file_content"),
        ("types-only.docx", zip_bytes({"[Content_Types].xml": b"<Types/>"}), "error_file_content"),
        ("broken.docx", b"PK\x03\x04" + b"\x00" * 200, "error_file_content"),
        ("macros.xlsx", zip_bytes({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>",
                                   "xl/vbaProject.bin": b"\x00"}), "error_file_content"),
        ("many.docx", zip_bytes({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<d/>",
                                 **{f"m/{i}": b"" for i in range(evidence.MAX_MEMBERS)}}), "error_file_content"),
        ("evil\u202efdp.exe", PDF, "error_file_type"),
        ("report.pdf\u200b.exe", PDF, "error_file_type"),
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
    assert stored_names(db) == []


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


@pytest.mark.parametrize(("name", "data"), [("แผนปฏิบัติราชการ.docx", docx_bytes()), ("ตัวชี้วัด.xlsx", xlsx_bytes()),
                                             ("สองหน้า.pdf", pdf_bytes(pages=2))])
def test_real_office_files_and_pdfs_are_accepted(db, setup, name, data):
    eid = evidence.add_file(db, setup["user"], setup["id"], "1.1", "basic", name, data)
    assert evidence.read(db, setup["user"], eid) == (name, data)


def test_a_zip_bomb_is_judged_by_its_member_names_without_inflating_them(monkeypatch):
    bomb = zip_bytes({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"\x00" * (64 * 1024 * 1024)})
    assert len(bomb) < evidence.MAX_BYTES // 100

    def inflate(*args, **kwargs):
        raise AssertionError("a member was inflated")

    monkeypatch.setattr(zipfile.ZipFile, "open", inflate)
    assert evidence.check_file("bomb.docx", bomb) == ".docx"  # its names are those of a package: fine


@pytest.mark.parametrize(
    ("given", "clean"),
    [
        ("แผนยุทธศาสตร์ 2570.pdf", "แผนยุทธศาสตร์ 2570.pdf"),
        ("evil\u202efdp.exe", "evilfdp.exe"),
        ("\u2067รายงาน\u2069\u200e.pdf", "รายงาน.pdf"),
        ("a\u200b\u200c\u200d\ufeffb.pdf", "ab.pdf"),
        ("line\nbreak\ttab\x00nul\x1b[31m.pdf", "line break tabnul[31m.pdf"),
        ("  many   spaces\u00a0 .pdf ", "many spaces.pdf"),
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("..\\..\\x.pdf", "x.pdf"),
        ("C:\\fakepath\\a.pdf", "a.pdf"),
        ("\\\\server\\share\\ผลงาน.xlsx", "ผลงาน.xlsx"),
        ("folder/\u202e.pdf", "file.pdf"),
        ("..", "file"),
        ("", "file"),
        ("\u202e\u202d", "file"),
        ("report.pdf.", "report.pdf"),
    ],
)
def test_file_names_are_cleaned(given, clean):
    assert evidence.clean_filename(given) == clean


def test_hostile_names_are_stored_clean_and_old_ones_are_read_clean(db, setup):
    eid = evidence.add_file(db, setup["user"], setup["id"], "1.1", "basic", "C:\\fakepath\\\u202eแผน\u202c.pdf", PDF)
    [row] = evidence.listing(db, setup["user"], setup["id"])
    assert row["filename"] == "แผน.pdf"
    db.execute("UPDATE evidence SET filename = ? WHERE id = ?", ["../\u202eold\x07.pdf", eid])  # stored before
    assert evidence.read(db, setup["user"], eid)[0] == "old.pdf"
    assert evidence.check_readable(db, setup["user"], eid) == "old.pdf"
    link = evidence.add_link(db, setup["user"], setup["id"], "1.1", "basic", "https://example.go.th/a",
                             title="\u202eรายงาน\n ผล\u200f")
    assert next(r for r in evidence.listing(db, setup["user"], setup["id"]) if r["id"] == link)["filename"] == \
        "รายงาน ผล"


def files_under(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def stored_names(db) -> list[str]:
    """The stored files' names, wherever the store keeps them."""
    if files.where(db) == files.DATABASE:
        return [row[0] for row in db.execute("SELECT name FROM stored_files ORDER BY name")]
    root = evidence.evidence_root(db)
    return sorted(p.relative_to(root).as_posix() for p in files_under(root))


def refuse_files(db, monkeypatch, refusal: str):
    """Where the store keeps its files refuses to store any more (``refusal``): ``full``, no space left (the
    folder's disk filling up halfway through the file; a PostgreSQL server refusing the file's row with disk_full,
    as when it cannot extend a data file), or ``denied``, the folder not writable (the server refusing the row
    for want of a privilege). A function that makes room again."""
    if files.where(db) == files.FOLDER:
        real_write = Path.write_bytes

        def refused(self, data):
            if refusal == "denied":
                raise PermissionError(errno.EACCES, "Permission denied")
            real_write(self, data[: len(data) // 2])  # the disk fills up halfway through the file
            raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr(Path, "write_bytes", refused)
        return monkeypatch.undo
    code, message = {"full": ("disk_full", "could not extend file: No space left on device"),
                     "denied": ("insufficient_privilege", "permission denied for table stored_files")}[refusal]
    db.driver(f"CREATE FUNCTION pmqa_test_refused() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RAISE EXCEPTION "
              f"''{message}'' USING ERRCODE = ''{code}''; END'")
    db.driver("CREATE TRIGGER pmqa_test_refused BEFORE INSERT ON stored_files FOR EACH ROW "
              "EXECUTE FUNCTION pmqa_test_refused()")
    return lambda: db.driver("DROP TRIGGER pmqa_test_refused ON stored_files")


def test_a_full_disk_leaves_no_file_and_no_record_and_is_logged(db, setup, monkeypatch, caplog):
    """The folder's disk, or a PostgreSQL store's database, full."""
    room_again = refuse_files(db, monkeypatch, "full")
    with caplog.at_level(logging.ERROR, logger="pmqa"), pytest.raises(StoreError) as err:
        evidence.add_file(db, setup["user"], setup["id"], "1.1", "basic", "แผน.pdf", PDF)
    assert err.value.key == "error_disk_full"
    assert stored_names(db) == []
    assert db.execute("SELECT COUNT(*) FROM evidence").fetchone()[0] == 0
    assert db.execute("SELECT COUNT(*) FROM audit_log WHERE action = 'add_evidence'").fetchone()[0] == 0
    assert [r.levelno for r in caplog.records if r.name == "pmqa"] == [logging.ERROR]
    assert "disk full" in caplog.text

    room_again()  # space again: the same upload goes through
    eid = evidence.add_file(db, setup["user"], setup["id"], "1.1", "basic", "แผน.pdf", PDF)
    assert evidence.read(db, setup["user"], eid) == ("แผน.pdf", PDF)


def test_a_full_database_is_the_same_clear_refusal(db, setup, monkeypatch, caplog):
    def full(*args, **kwargs):
        exc = sqlite3.OperationalError("database or disk is full")
        exc.sqlite_errorcode = sqlite3.SQLITE_FULL
        raise exc

    monkeypatch.setattr(audit, "record", full)
    with caplog.at_level(logging.ERROR, logger="pmqa"), pytest.raises(StoreError) as err:
        evidence.add_file(db, setup["user"], setup["id"], "1.1", "basic", "แผน.pdf", PDF)
    assert err.value.key == "error_disk_full"
    assert db.execute("SELECT COUNT(*) FROM evidence").fetchone()[0] == 0
    assert "disk full" in caplog.text


def test_other_write_errors_are_not_called_a_full_disk(db, setup, monkeypatch):
    """The folder not writable, or the server refusing the file's row for want of a privilege: raised as it is
    (the page shows an unexpected error with a reference), not 'the disk is full'."""
    refuse_files(db, monkeypatch, "denied")
    with pytest.raises(PermissionError if files.where(db) == files.FOLDER else DBAPIError) as err:
        evidence.add_file(db, setup["user"], setup["id"], "1.1", "basic", "แผน.pdf", PDF)
    assert "ermission denied" in str(err.value)
    assert stored_names(db) == []
    assert db.execute("SELECT COUNT(*) FROM evidence").fetchone()[0] == 0


def test_a_missing_evidence_file_is_a_clear_logged_error_on_read(db, setup, caplog):
    eid = evidence.add_file(db, setup["user"], setup["id"], "1.1", "basic", "แผน.pdf", PDF)
    [name] = stored_names(db)
    where = files.describe(db, name)
    if files.where(db) == files.DATABASE:
        db.execute("DELETE FROM stored_files WHERE name = ?", [name])
    else:
        Path(where).unlink()
    for check in (evidence.read, evidence.check_readable):
        caplog.clear()
        with caplog.at_level(logging.ERROR, logger="pmqa"), pytest.raises(StoreError) as err:
            check(db, setup["committee"], eid)
        assert (err.value.key, err.value.params) == ("error_evidence_unreadable", {"name": "แผน.pdf"})
        assert where in caplog.text  # the server log says which file; the message does not
    if files.where(db) == files.DATABASE:
        return
    Path(where).mkdir()  # something that is not a readable file where the file should be
    with pytest.raises(StoreError, match="error_evidence_unreadable"):
        evidence.read(db, setup["user"], eid)


def test_a_confidential_links_address_stays_out_of_the_audit_log(db, setup):
    """The audit log is the admin's, who may not open a unit's confidential evidence: its address is not there."""
    unit_user, assessment_id = setup["user"], setup["id"]
    evidence.add_link(db, unit_user, assessment_id, "1.1", "basic", "https://drive.example/d/x?token=s3cr3t",
                      confidential=True)
    evidence.add_link(db, unit_user, assessment_id, "1.1", "basic", "https://open.example/plan")
    details = [r[0] for r in db.execute("SELECT detail FROM audit_log WHERE action = 'add_evidence' ORDER BY id")]
    assert "s3cr3t" not in details[0] and "open.example/plan" in details[1]
