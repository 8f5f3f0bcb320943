"""Faults around evidence, driven through the self-assessment page with AppTest: a stored file gone (from the
folder beside a SQLite file, or from a PostgreSQL store's database) and no room left where the files go (the
folder's disk, the database) each get a clear message in the user's language, never a crash or a server path."""

import errno
import logging
from pathlib import Path

import pytest
from sample_files import pdf_bytes

from i18n import translate
from storage import connect
from storage.admin.demo import DEMO_PASSWORD
from storage.assessment import assessments
from storage.files import evidence
from storage.files import store as files
from storage.organisation import accounts
from ui.text import md

PAGE = "pages/self_assessment.py"


@pytest.fixture
def store(demo_path):
    """The demo store with demo-unit's 2570 assessment an editable draft with no evidence."""
    db = connect(demo_path)
    unit = accounts.authenticate(db, "demo-unit", DEMO_PASSWORD)
    aid = assessments.get(db, unit.unit_id, 2570)["id"]
    db.execute("DELETE FROM evidence WHERE assessment_id = ?", [aid])
    db.execute("UPDATE assessments SET status = 'draft' WHERE id = ?", [aid])
    yield {"db": db, "unit": unit, "aid": aid}
    db.close()


def open_evidence(app, lang: str):
    at = app("unit", lang, page=PAGE)
    at.session_state["sa:ev_pop:1.1:basic"] = True  # the popover open, as a click on it does
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def stored_names(db) -> list[str]:
    """The stored files' names, wherever the store keeps them."""
    if files.where(db) == files.DATABASE:
        return [row[0] for row in db.execute("SELECT name FROM stored_files ORDER BY name")]
    root = files.folder(db)
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()) if root.exists() else []


def private(location) -> str:
    """What a visitor must not see of where the store is: the SQLite file's folder, or the server's address."""
    return str(location).rsplit("/", 1)[0]


def shown_texts(at) -> list[str]:
    kinds = ("error", "warning", "info", "markdown", "caption", "toast", "exception")
    return [str(e.value) for kind in kinds for e in at.get(kind)] + [b.label for b in at.get("download_button")]


@pytest.mark.parametrize("lang", ["th", "en"])
def test_a_deleted_evidence_file_shows_a_clear_message_and_the_page_works_on(app, store, demo_path, lang, caplog):
    """Its file deleted from the folder beside a SQLite file, or its row from a PostgreSQL store's stored_files."""
    db, add = store["db"], evidence.add_file
    gone = add(db, store["unit"], store["aid"], "1.1", "basic", "แผนที่หายไป.pdf", pdf_bytes("gone"))
    add(db, store["unit"], store["aid"], "1.1", "basic", "แผนที่ยังอยู่.pdf", pdf_bytes("kept"))
    name = db.execute("SELECT path FROM evidence WHERE id = ?", [gone]).fetchone()[0]
    where = files.describe(db, name)
    if files.where(db) == files.DATABASE:
        db.execute("DELETE FROM stored_files WHERE name = ?", [name])
    else:
        Path(where).unlink()
    assert not files.has(db, name)

    with caplog.at_level(logging.ERROR, logger="pmqa"):
        at = open_evidence(app, lang)
    assert not at.exception
    assert [e.value for e in at.error] == [translate("error_evidence_unreadable", lang, name="แผนที่หายไป.pdf")]
    labels = [b.label for b in at.get("download_button")]
    assert labels == [f"{translate('ev_download', lang)}: {md('แผนที่ยังอยู่.pdf')}"]  # the other file still downloads
    assert not any(private(demo_path) in text or "evidence/" in text or name in text for text in shown_texts(at))
    assert where in caplog.text  # the log names the file for the administrator

    at.checkbox(key="sa:ev_conf:1.1:basic").check().run()  # the rest of the page keeps working
    assert not at.exception


def fill_up(db, monkeypatch) -> None:
    """No room left where the store keeps its files: the disk of the folder beside a SQLite file (each write
    refused), or a PostgreSQL store's database (its server refusing the file's row with disk_full, as when it
    cannot extend a data file)."""
    if files.where(db) == files.FOLDER:
        def full(self, data):
            raise OSError(errno.ENOSPC, f"No space left on device: '{self}'")

        monkeypatch.setattr(Path, "write_bytes", full)
        return
    db.driver("CREATE FUNCTION pmqa_test_full() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RAISE EXCEPTION "
              "''could not extend file: No space left on device'' USING ERRCODE = ''disk_full''; END'")
    db.driver("CREATE TRIGGER pmqa_test_full BEFORE INSERT ON stored_files FOR EACH ROW "
              "EXECUTE FUNCTION pmqa_test_full()")


@pytest.mark.parametrize("lang", ["th", "en"])
def test_a_full_disk_on_upload_shows_a_clear_message_and_stores_nothing(app, store, demo_path, lang, monkeypatch,
                                                                       caplog):
    at = open_evidence(app, lang)
    fill_up(store["db"], monkeypatch)
    with caplog.at_level(logging.ERROR, logger="pmqa"):  # choosing the file attaches it
        uploader = at.file_uploader(key="sa:ev_file:1.1:basic:0")
        uploader.set_value(("แผน.pdf", pdf_bytes("plan"), "application/pdf")).run()
    assert not at.exception
    assert [e.value for e in at.error] == [translate("error_disk_full", lang)]
    assert not any(private(demo_path) in text for text in shown_texts(at))
    assert evidence.listing(store["db"], store["unit"], store["aid"]) == []
    assert stored_names(store["db"]) == []
    assert "disk full" in caplog.text
