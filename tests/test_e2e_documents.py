"""The documents page in headless Chromium: the director asks for the year's workbook and the application report,
sees the build's progress while a worker builds it (the server's own process on SQLite, a worker process beside it
on PostgreSQL), downloads them, and they open with the year's content; in English too. Each step of a build waits
half a second here (``PMQA_JOB_STEP_PAUSE``) so its progress shows. Helpers in e2e.py; screenshots go to
test-artifacts/."""

from __future__ import annotations

import io
from pathlib import Path

import docx
import openpyxl
import pytest
from e2e import enter_signed_in, expect, expect_no_exception, main, screenshot, settle

from i18n import translate
from storage import connect
from storage.admin.demo import DEMO_PASSWORD, IDENTITY
from storage.organisation import accounts
from storage.record import department

pytestmark = pytest.mark.e2e
JOB_WORKER = True  # documents are built by a worker (conftest.server)
SERVER_ENV = {"PMQA_JOB_STEP_PAUSE": "0.5"}
NARRATIVE = "กรมกำหนดทิศทางร่วมกับทุกหน่วยงาน"


@pytest.fixture(scope="module")
def server_store(browser, tmp_path_factory, units_only_template) -> Path:
    """The demo store with the department's assessment of 2570 started and one item's account written."""
    from e2e import copy_store

    path = copy_store(units_only_template, tmp_path_factory.mktemp("e2e-documents"))
    db = connect(path)
    try:
        committee = accounts.authenticate(db, "demo-committee", DEMO_PASSWORD)
        record = department.start(db, committee, 2570)
        department.save_narrative(db, committee, 2570, record.version, "1.1", NARRATIVE)
    finally:
        db.close()
    return path


@pytest.mark.enters_signed_in
@pytest.mark.parametrize("lang", ["th", "en"])
def test_the_director_builds_and_downloads_the_workbook(page, server, server_store, artifacts, lang):
    enter_signed_in(page, server, server_store, "demo-director", "documents", lang)
    build = main(page).get_by_role("button", name=translate("doc_build_workbook", lang))
    build.click()
    progress = main(page).get_by_text(translate("doc_job_running", lang, percent=0, step="").split("(")[0].strip(),
                                      exact=False)
    expect()(progress.first).to_be_visible()  # the build's progress, while the page stays usable
    expect()(build).to_be_disabled()  # no second build of it while this one runs
    screenshot(page, artifacts / f"documents-progress-{lang}.png")
    name = f"pmqa-workbook-2570-best-{lang}.xlsx"
    download = main(page).get_by_role("button", name=translate("doc_download", lang, name=name))
    expect()(download).to_be_visible()
    expect()(progress).to_have_count(0)  # polling ended with the build
    expect()(build).to_be_enabled()
    settle(page)
    with page.expect_download() as fetched:
        download.click()
    assert fetched.value.suggested_filename == name
    book = openpyxl.load_workbook(io.BytesIO(Path(fetched.value.path()).read_bytes()))  # the path has no suffix
    assert book.sheetnames[0] == translate("wb_sheet_summary", lang)
    summary = book.worksheets[0]
    assert (summary["B2"].value, summary["B3"].value) == (IDENTITY[f"name_{lang}"], 2570)
    expect_no_exception(page)
    screenshot(page, artifacts / f"documents-{lang}.png")


@pytest.mark.enters_signed_in
def test_the_director_downloads_the_application_report_in_word_and_pdf(page, server, server_store, artifacts, tmp_path):
    enter_signed_in(page, server, server_store, "demo-director", "documents")
    main(page).get_by_role("button", name=translate("doc_build_application", "th")).click()
    files = {}
    for suffix in ("docx", "pdf"):
        name = f"pmqa-application-2570-th.{suffix}"
        button = main(page).get_by_role("button", name=translate("doc_download", "th", name=name))
        expect()(button).to_be_visible(timeout=60_000)  # charts are drawn for the report
        settle(page)
        with page.expect_download() as fetched:
            button.click()
        assert fetched.value.suggested_filename == name
        files[suffix] = Path(fetched.value.path()).read_bytes()
    word = docx.Document(io.BytesIO(files["docx"]))
    assert NARRATIVE in [p.text for p in word.paragraphs]
    assert files["pdf"].startswith(b"%PDF")
    expect_no_exception(page)
    screenshot(page, artifacts / "documents-application-th.png")
