"""The demo department as the app makes it on first start, in Chromium: the committee sees a cited intranet link
flagged on the department page, builds the application on the Documents page and downloads it; the PDF holds
the department's own text, read back exactly, and none of the committee's figures."""

from __future__ import annotations

import io
import re
from contextlib import closing
from pathlib import Path

import pytest
from e2e import (
    enter_signed_in,
    expect,
    expect_no_exception,
    main,
    open_page,
    screenshot,
    settle,
)
from pypdf import PdfReader

from analysis.department_record import record_scores
from i18n import translate
from i18n.format import score_text
from storage import connect
from storage.organisation import accounts
from storage.record import department

JOB_WORKER = True  # the application is built by a worker (conftest.server)


@pytest.fixture(scope="module")
def server_store(browser, tmp_path_factory, demo_template) -> Path:
    """The demo store as the app makes it: the department's assessments of 2569 and 2570 included."""
    from e2e import copy_store

    return copy_store(demo_template, tmp_path_factory.mktemp("e2e-application"))


@pytest.mark.enters_signed_in
@pytest.mark.parametrize("lang", ["th", "en"])
def test_the_committee_sends_the_application_without_its_own_figures(browser, server, server_store, page, artifacts,
                                                                      lang):
    enter_signed_in(page, server, server_store, "demo-committee", "department", lang)
    flag = main(page).get_by_text(translate("dp_cite_intranet", lang, links="")[:30], exact=False)
    expect()(flag).to_be_visible(timeout=30_000)
    flag.scroll_into_view_if_needed()
    screenshot(page, artifacts / f"application-flag-{lang}.png")

    open_page(page, "page_documents", lang)
    main(page).get_by_role("button", name=translate("doc_build_application", lang)).click()
    name = f"pmqa-application-2570-{lang}.pdf"
    button = main(page).get_by_role("button", name=translate("doc_download", lang, name=name))
    expect()(button).to_be_visible(timeout=120_000)  # charts are drawn for the report
    settle(page)
    with page.expect_download() as fetched:
        button.click()
    pdf = Path(fetched.value.path()).read_bytes()
    expect_no_exception(page)
    screenshot(page, artifacts / f"application-built-{lang}.png")

    text = "".join("".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())
    with closing(connect(server_store)) as db:
        record = department.get(db, accounts.first_admin(db), 2570)
        total = score_text(float(record_scores(db, 2570).total))
    for account in record.narratives.values():
        assert all(phrase in text for phrase in account.split())  # the department's own words, exactly
    assert "".join(translate("ar_annex", lang).split()) in text
    assert not re.search(rf"(?<![\d.,]){re.escape(total)}(?!\d)", text)  # the committee's total is not sent

