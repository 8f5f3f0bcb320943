"""Announcements in headless Chromium: the PMQA owner publishes one with a link; a unit (in Thai) and the
committee (in English) find it on their home pages and mark it read; the owner sees who read it.
Helpers in e2e.py; screenshots go to test-artifacts/."""

from __future__ import annotations

import pytest
from e2e import (
    browser_page,
    enter_signed_in,
    expect,
    expect_no_exception,
    live,
    main,
    screenshot,
    settle,
    toast,
)

from i18n import translate

pytestmark = pytest.mark.e2e
TITLE = "ประชุมชี้แจงเกณฑ์ PMQA 4.0 วันที่ 5 ธ.ค."


def home_card(page):
    return live(main(page)).get_by_text(TITLE)


def test_an_announcement_reaches_home_pages_until_read(browser, server, server_store, artifacts):
    with browser_page(browser) as page:
        enter_signed_in(page, server, server_store, "demo-admin", "admin")
        main(page).get_by_role("tab", name=translate("adm_tab_announcements", "th")).click()
        settle(page)
        main(page).get_by_role("textbox", name=translate("ann_title", "th")).fill(TITLE)
        main(page).get_by_role("textbox", name=translate("ann_body", "th")).fill("ห้องประชุม 1 เวลา 09:00 น.")
        main(page).get_by_role("textbox", name=translate("ann_links", "th")).fill("คู่มือการประเมิน https://opdc.example.go.th/pmqa")
        main(page).get_by_role("button", name=translate("ann_publish", "th")).click()
        expect()(toast(page, translate("ann_published", "th"))).to_be_visible()
        expect()(main(page).locator('[data-testid="stExpander"]').get_by_text(TITLE)).to_be_visible()
        settle(page)
        expect_no_exception(page)
        screenshot(page, artifacts / "announcements-admin-th.png")

    with browser_page(browser) as page:
        enter_signed_in(page, server, server_store, "demo-unit")
        expect()(home_card(page)).to_be_visible()
        expect()(main(page).get_by_role("link", name="คู่มือการประเมิน")).to_have_attribute(
            "href", "https://opdc.example.go.th/pmqa")
        settle(page)
        screenshot(page, artifacts / "announcements-unit-th.png")
        main(page).get_by_role("button", name=translate("ann_mark_read", "th")).click()
        expect()(home_card(page)).to_have_count(0)
        expect_no_exception(page)

    with browser_page(browser, lang="en") as page:
        enter_signed_in(page, server, server_store, "demo-committee", "", "en")
        expect()(home_card(page)).to_be_visible()
        settle(page)
        screenshot(page, artifacts / "announcements-committee-en.png")
        main(page).get_by_role("button", name=translate("ann_mark_read", "en")).click()
        expect()(home_card(page)).to_have_count(0)
        expect_no_exception(page)
