"""The documents page in headless Chromium: the director builds the year's workbook, downloads it, and it
opens with the year's sheets; in English too. Helpers in e2e.py; screenshots go to test-artifacts/."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest
from e2e import expect, expect_no_exception, main, open_page, screenshot, settle, signed_in, switch_language

from i18n import translate
from storage.demo import DEMO_PASSWORD

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("lang", ["th", "en"])
def test_the_director_builds_and_downloads_the_workbook(page, artifacts, lang):
    signed_in(page, "demo-director", DEMO_PASSWORD)
    if lang == "en":
        switch_language(page, "en")
    open_page(page, "page_documents", lang)
    main(page).get_by_role("button", name=translate("doc_build_workbook", lang)).click()
    name = f"pmqa-workbook-2570-best-{lang}.xlsx"
    download = main(page).get_by_role("button", name=translate("doc_download", lang, name=name))
    expect()(download).to_be_visible()
    settle(page)
    with page.expect_download() as fetched:
        download.click()
    assert fetched.value.suggested_filename == name
    book = openpyxl.load_workbook(io.BytesIO(Path(fetched.value.path()).read_bytes()))  # the path has no suffix
    assert book.sheetnames[0] == translate("wb_sheet_summary", lang)
    assert book.worksheets[0]["B2"].value == 2570
    expect_no_exception(page)
    screenshot(page, artifacts / f"documents-{lang}.png")
