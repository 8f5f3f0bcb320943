"""Faults around evidence, driven through the self-assessment page with AppTest: a stored file gone from the
disk and a full disk each get a clear message in the user's language, never a crash or a server path."""

import errno
import logging
from pathlib import Path

import pytest
from sample_files import pdf_bytes
from stores import only_on_sqlite

from i18n import translate
from storage import connect
from storage.admin.demo import DEMO_PASSWORD
from storage.assessment import assessments
from storage.files import evidence
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


def shown_texts(at) -> list[str]:
    kinds = ("error", "warning", "info", "markdown", "caption", "toast", "exception")
    return [str(e.value) for kind in kinds for e in at.get(kind)] + [b.label for b in at.get("download_button")]


@only_on_sqlite("a file deleted from the evidence folder; on PostgreSQL: test_storage_evidence.py's missing file")
@pytest.mark.parametrize("lang", ["th", "en"])
def test_a_deleted_evidence_file_shows_a_clear_message_and_the_page_works_on(app, store, demo_path, lang, caplog):
    add = evidence.add_file
    gone = add(store["db"], store["unit"], store["aid"], "1.1", "basic", "แผนที่หายไป.pdf", pdf_bytes("gone"))
    add(store["db"], store["unit"], store["aid"], "1.1", "basic", "แผนที่ยังอยู่.pdf", pdf_bytes("kept"))
    stored = evidence.evidence_root(store["db"]) / store["db"].execute(
        "SELECT path FROM evidence WHERE id = ?", [gone]).fetchone()[0]
    stored.unlink()

    with caplog.at_level(logging.ERROR, logger="pmqa"):
        at = open_evidence(app, lang)
    assert not at.exception
    assert [e.value for e in at.error] == [translate("error_evidence_unreadable", lang, name="แผนที่หายไป.pdf")]
    labels = [b.label for b in at.get("download_button")]
    assert labels == [f"{translate('ev_download', lang)}: {md('แผนที่ยังอยู่.pdf')}"]  # the other file still downloads
    assert not any(str(demo_path.parent) in text or "evidence/" in text for text in shown_texts(at))
    assert str(stored) in caplog.text  # the log names the file for the administrator

    at.checkbox(key="sa:ev_conf:1.1:basic").check().run()  # the rest of the page keeps working
    assert not at.exception


@only_on_sqlite("the evidence folder's disk filling up; a full database: test_storage_evidence.py")
@pytest.mark.parametrize("lang", ["th", "en"])
def test_a_full_disk_on_upload_shows_a_clear_message_and_stores_nothing(app, store, demo_path, lang, monkeypatch,
                                                                       caplog):
    def full(self, data):
        raise OSError(errno.ENOSPC, f"No space left on device: '{self}'")

    at = open_evidence(app, lang)
    monkeypatch.setattr(Path, "write_bytes", full)
    with caplog.at_level(logging.ERROR, logger="pmqa"):  # choosing the file attaches it
        uploader = at.file_uploader(key="sa:ev_file:1.1:basic:0")
        uploader.set_value(("แผน.pdf", pdf_bytes("plan"), "application/pdf")).run()
    assert not at.exception
    assert [e.value for e in at.error] == [translate("error_disk_full", lang)]
    assert not any(str(demo_path.parent) in text for text in shown_texts(at))
    assert evidence.listing(store["db"], store["unit"], store["aid"]) == []
    root = evidence.evidence_root(store["db"])
    assert not root.exists() or not [p for p in root.rglob("*") if p.is_file()]
    assert "disk full" in caplog.text
