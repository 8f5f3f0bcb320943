"""The offline Excel form in headless Chromium: a unit downloads its form, fills it in a spreadsheet (here with
openpyxl), uploads it, sees what it changes, imports it, and the form shows the imported answers; a file with
a mistake is listed by sheet, row and column and changes nothing. In Thai and in English. Helpers in e2e.py;
screenshots go to test-artifacts/."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import openpyxl
import pytest
from e2e import expect, expect_no_exception, live, main, screenshot, settle, signed_in, switch_language, toast
from sample_files import edited_workbook
from test_e2e_self_assessment import checkbox, expect_form, open_self_assessment, server_store  # noqa: F401

from i18n import translate
from intake import offline_form
from storage import connect
from storage.admin.demo import DEMO_PASSWORD
from storage.assessment import answers, assessments
from storage.organisation import accounts

pytestmark = pytest.mark.e2e
YEAR = 2570
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ACCOUNT = "ทบทวนแผนร่วมกับผู้รับบริการทุกไตรมาส"


def open_offline(page, lang: str):
    signed_in(page, "demo-unit", DEMO_PASSWORD)
    if lang == "en":
        switch_language(page, "en")
    open_self_assessment(page, lang)
    expect_form(page, lang)
    settle(page)
    main(page).get_by_text(translate("off_title", lang), exact=True).click()
    download = main(page).get_by_role("button", name=translate("off_download", lang))
    expect()(download).to_be_visible()
    settle(page)
    return download


def download_form(page, download) -> bytes:
    with page.expect_download() as fetched:
        download.click()
    assert fetched.value.suggested_filename.endswith("-form.xlsx")
    return Path(fetched.value.path()).read_bytes()


def fill(data: bytes, lang: str, **cells) -> bytes:
    return edited_workbook(data, {(offline_form.sheet_name(sheet, lang), cell): value
                                  for sheet, changes in cells.items() for cell, value in changes.items()})


def upload(page, name: str, data: bytes) -> None:
    main(page).locator('input[type="file"]').set_input_files({"name": name, "mimeType": XLSX, "buffer": data})


@pytest.mark.parametrize(("lang", "rows", "account"), [("th", (2, 3), ("D3", "basic")),
                                                       ("en", (7, 8), ("E3", "advance"))])
def test_a_unit_fills_its_form_offline_and_imports_it(page, server_store, artifacts, lang, rows, account):  # noqa: F811
    t = lambda key, **v: translate(key, lang, **v)  # noqa: E731
    data = download_form(page, open_offline(page, lang))
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    assert book.sheetnames[:4] == [offline_form.sheet_name(s, lang) for s in ("guide", *offline_form.SHEETS)]
    ids = [row[0] for row in book[offline_form.sheet_name("checkpoints", lang)].iter_rows(values_only=True)]
    filled = fill(data, lang, checkpoints={f"E{r}": t("word_yes") for r in rows}, items={account[0]: ACCOUNT})
    upload(page, f"form-{lang}.xlsx", filled)
    apply = main(page).get_by_role("button", name=t("off_apply", n=3))
    expect()(apply).to_be_visible()
    expect()(main(page).get_by_text(t("off_preview", n=3))).to_be_visible()
    settle(page)
    screenshot(page, artifacts / f"offline-preview-{lang}.png")
    apply.click()
    expect()(toast(page, t("off_done", n=3))).to_be_visible()
    settle(page)
    for r in rows:
        expect()(checkbox(page, ids[r - 1])).to_be_checked()
    expect_no_exception(page)
    db = connect(server_store)
    try:
        unit = accounts.authenticate(db, "demo-unit", DEMO_PASSWORD)
        saved = answers.load(db, unit, assessments.get(db, unit.unit_id, YEAR)["id"])
    finally:
        db.close()
    assert all(saved.ticks[ids[r - 1]]["self"] for r in rows)
    assert saved.narratives[("1.2", account[1])] == ACCOUNT
    screenshot(page, artifacts / f"offline-imported-{lang}.png")
    with page.expect_download() as fetched:  # the printable copy holds what was imported
        main(page).get_by_role("button", name=t("off_print")).click()
    assert fetched.value.suggested_filename == f"pmqa-SEC-{YEAR}-{lang}.pdf"
    text = subprocess.run(["pdftotext", fetched.value.path(), "-"], capture_output=True, text=True, check=True).stdout
    assert ACCOUNT in text.replace("\n", "")


def test_a_file_with_mistakes_is_listed_and_changes_nothing(page, server_store, artifacts):  # noqa: F811
    data = download_form(page, open_offline(page, "th"))
    upload(page, "form.xlsx", fill(data, "th", checkpoints={"E4": "ผ่านบางส่วน"}, kpis={"K2": "ร้อย"}))
    expect()(live(main(page)).get_by_text(translate("off_problems", "th", n=2))).to_be_visible()
    table = live(main(page)).locator('[data-testid="stDataFrame"]')
    expect()(table).to_be_visible()
    settle(page)
    assert not main(page).get_by_role("button", name=translate("off_apply", "th", n=2)).count()
    expect_no_exception(page)
    screenshot(page, artifacts / "offline-problems-th.png")


def test_a_cell_changed_in_the_app_meanwhile_is_named_and_the_rest_imported(page, server_store, artifacts):  # noqa: F811
    """Issue 25: one conflicting cell refused the whole file, and the preview had not mentioned it."""
    t = lambda key, **v: translate(key, "th", **v)  # noqa: E731
    data = download_form(page, open_offline(page, "th"))
    sheet = openpyxl.load_workbook(io.BytesIO(data), read_only=True)[offline_form.sheet_name("checkpoints", "th")]
    row = next(sheet.iter_rows(min_row=12, max_row=12, values_only=True))
    flipped = t("word_no") if row[4] == t("word_yes") else t("word_yes")
    db = connect(server_store)  # meanwhile, a colleague writes item 1.3's basic account in the app
    try:
        unit = accounts.authenticate(db, "demo-unit", DEMO_PASSWORD)
        aid = assessments.get(db, unit.unit_id, YEAR)["id"]
        colleague = accounts.create_user(db, "somsri", DEMO_PASSWORD, "unit", display_name="สมศรี ใจดี",
                                         unit_id=unit.unit_id, weak_password=True)
        answers.save_narrative(db, colleague, aid, assessments.get(db, unit.unit_id, YEAR)["version"], "1.3", "basic",
                               "เขียนในระบบระหว่างนั้น")
    finally:
        db.close()
    upload(page, "form.xlsx", fill(data, "th", checkpoints={"E12": flipped}, items={"D4": "เขียนในไฟล์"}))
    expect()(live(main(page)).get_by_text(t("off_conflicts", n=1))).to_be_visible()
    apply = main(page).get_by_role("button", name=t("off_apply_rest", n=1))
    expect()(apply).to_be_visible()
    expect()(main(page).get_by_role("button", name=t("off_apply_none"))).to_be_visible()
    expect()(live(main(page)).locator('[data-testid="stDataFrame"]')).to_have_count(2)  # the clash, the rest
    settle(page)
    screenshot(page, artifacts / "offline-conflict-th.png")
    apply.click()
    expect()(toast(page, t("off_done_kept", n=1, kept=1))).to_be_visible()
    settle(page)
    expect_no_exception(page)
    db = connect(server_store)
    try:
        saved = answers.load(db, unit, aid)
    finally:
        db.close()
    assert saved.narratives[("1.3", "basic")] == "เขียนในระบบระหว่างนั้น"  # kept as it is in the app
    assert saved.ticks[row[0]]["self"] is (flipped == t("word_yes"))
