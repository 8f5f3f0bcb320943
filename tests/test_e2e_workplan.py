"""The work plan in headless Chromium: the PMQA owner starts the year's plan and sees its timeline and table;
the director, in English, reads it and approves it; a unit reads it and finds its due steps on its home page.
Helpers in e2e.py; screenshots go to test-artifacts/."""

from __future__ import annotations

import pytest
from e2e import (
    browser_page,
    enter_signed_in,
    expect,
    expect_no_exception,
    main,
    open_page,
    screenshot,
    settle,
)

from i18n import translate
from i18n.format import thailand_today
from storage import connect
from storage.admin.demo import DEMO_PASSWORD
from storage.organisation import accounts, org
from storage.plans import workplan

pytestmark = pytest.mark.e2e


def chart(page):
    return main(page).locator('[data-testid="stPlotlyChart"]')


def test_the_owner_starts_the_plan_the_director_approves_it_and_a_unit_sees_what_is_due(browser, server, server_store,
                                                                                       artifacts):
    with browser_page(browser) as page:
        enter_signed_in(page, server, server_store, "demo-admin", "workplan")
        main(page).get_by_role("button", name=translate("wp_start", "th")).click()
        expect()(chart(page)).to_be_visible()
        expect()(main(page).get_by_text(translate("wp_draft", "th"))).to_be_visible()
        expect()(main(page).locator('[data-testid="stDataFrame"]')).to_be_visible()  # the editable table
        settle(page)
        expect_no_exception(page)
        screenshot(page, artifacts / "workplan-admin-th.png")

    with browser_page(browser, lang="en") as page:
        enter_signed_in(page, server, server_store, "demo-director", "workplan", "en")
        expect()(chart(page)).to_be_visible()
        expect()(main(page).get_by_text(translate("wp_draft", "en"))).to_be_visible()
        settle(page)
        main(page).get_by_role("button", name=translate("wp_approve", "en")).click()
        expect()(main(page).get_by_text(translate("wp_approved_now", "en"))).to_be_visible()
        settle(page)
        expect_no_exception(page)
        screenshot(page, artifacts / "workplan-director-en.png")

    # the plan is dated from the day it was started (storage.plans.workplan.dated): whether a unit's step is due yet
    # depends on that day, so the store says what the unit's Home must show
    db = connect(server_store)
    try:
        unit = accounts.authenticate(db, "demo-unit", DEMO_PASSWORD)
        year = org.current_cycle(db)
        due = workplan.due(workplan.get(db, unit, year), "unit", thailand_today())
    finally:
        db.close()
    with browser_page(browser) as page:
        enter_signed_in(page, server, server_store, "demo-unit")  # waits for the sign-out button: Home is drawn
        settle(page)
        listed = main(page).get_by_text(translate("wp_due_title", "th"))
        if due:
            expect()(listed).to_be_visible()
            expect()(main(page).get_by_role("link", name=translate("wp_open_plan", "th"))).to_be_visible()
            for step in due:
                expect()(main(page).get_by_text(step["title_th"], exact=False).first).to_be_visible()
        else:
            expect()(listed).to_have_count(0)
        open_page(page, "page_workplan")
        expect()(main(page).locator('[data-testid="stDataFrame"]')).to_be_visible()  # the read-only table
        expect()(chart(page)).to_be_visible()
        assert not main(page).get_by_role("button", name=translate("wp_save", "th")).count()
        settle(page)
        expect_no_exception(page)
        screenshot(page, artifacts / "workplan-unit-th.png")
