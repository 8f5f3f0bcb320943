"""One improvement plan from its OFI to its 12-month report, in headless Chromium: the unit makes the plan from its
OFI and sends it; the committee (in English) accepts it; in the 6-month phase the unit sends its progress report and
the committee accepts it; in the 12-month phase the unit reports the plan's OFI resolved and the committee's
acceptance closes the plan and marks the OFI done; the director (in English) sees the progress.

The tables of actions, percentages and results are canvas grids a browser test cannot type into reliably: their
values are written through the store between the steps (the AppTest runs of the page cover typing into them), and
the PMQA owner's opening of each phase, covered by the admin page's tests, is done the same way. Helpers in
e2e.py; screenshots go to test-artifacts/."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from e2e import (
    browser_page,
    copy_store,
    enter_signed_in,
    expect,
    expect_no_exception,
    live,
    main,
    metric_value,
    screenshot,
    settle,
)

from i18n import translate
from i18n.format import thailand_today
from storage import connect
from storage.admin.demo import DEMO_PASSWORD
from storage.assessment import years
from storage.organisation import accounts
from storage.plans import followup, improvement, ofis

pytestmark = pytest.mark.e2e
YEAR = 2570
OFI_TEXT = "กำหนดมาตรการป้องกันการทุจริตให้ครอบคลุมทุกกระบวนงาน"


def person(db, role):
    return accounts.authenticate(db, f"demo-{role}", DEMO_PASSWORD)


@pytest.fixture(scope="module")
def server_store(browser, tmp_path_factory, units_only_template) -> Path:
    """The demo store in its planning phase, with an OFI of the demo unit to plan from."""
    path = copy_store(units_only_template, tmp_path_factory.mktemp("e2e"))
    db = connect(path)
    years.set_phase(db, person(db, "admin"), YEAR, "planning", "open")
    ofis.create(db, person(db, "committee"), YEAR, "1.2", OFI_TEXT, "high", "demo-committee",
                thailand_today() + timedelta(days=90), [person(db, "unit").unit_id])
    db.close()
    return path


def button(page, key: str, lang: str = "th"):
    return live(main(page)).get_by_role("button", name=translate(key, lang), exact=True)


def outcome(page, key: str, lang: str = "th"):
    expect()(main(page).get_by_text(translate(key, lang), exact=True)).to_be_visible()
    settle(page)
    expect_no_exception(page)


def on_tab(page, round_: str, lang: str = "th") -> None:
    settle(page)
    main(page).get_by_role("tab", name=translate(f"fu_round_{round_}", lang), exact=True).click()
    settle(page)


def pick(page, box, option: str) -> None:
    """Add ``option`` to the multiselect ``box``; its list can redraw under the click, so it is tried again."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for _ in range(5):
        settle(page)
        box.focus()
        page.keyboard.press("ArrowDown")
        try:
            page.get_by_role("option", name=option, exact=True).click(timeout=3000)
            page.keyboard.press("Escape")
            expect()(page.get_by_text(option, exact=True).first).to_be_visible(timeout=3000)
            return
        except (PlaywrightTimeout, AssertionError):
            page.keyboard.press("Escape")
    raise AssertionError(f"could not choose {option!r}")


@contextmanager
def as_role(browser, server, server_store, role: str, lang: str = "th"):
    """A fresh session of the demo user of ``role`` on the improvement plans page."""
    with browser_page(browser, lang=lang) as page:
        enter_signed_in(page, server, server_store, f"demo-{role}", "plans", lang)
        expect()(main(page).locator('[data-testid="stDataFrame"]').first).to_be_visible()
        yield page


def test_a_plan_goes_from_its_ofi_to_its_twelve_month_report(browser, server, server_store, artifacts):
    db = connect(server_store)
    unit, committee = person(db, "unit"), person(db, "committee")

    # 1. the unit makes the plan from its OFI
    with browser_page(browser) as page:
        enter_signed_in(page, server, server_store, "demo-unit", "plans")
        new = main(page).locator('[data-testid="stExpander"]').filter(
            has=page.locator("summary", has_text=translate("pl_new", "th")))
        new.locator("summary").click()
        live(new).get_by_label(translate("pl_title", "th"), exact=True).fill("แผนป้องกันการทุจริต")
        pick(page, live(new).get_by_role("combobox").last, f"1.2 · {OFI_TEXT}")
        live(new).get_by_role("button", name=translate("pl_create", "th")).click()
        outcome(page, "pl_created")
        [plan] = improvement.listing(db, unit, YEAR)
        actions = [{"text": "ทบทวนมาตรการป้องกันการทุจริต", "ends_on": "2027-03-31"},
                   {"text": "อบรมบุคลากรทุกกอง", "ends_on": "2027-08-31"}]
        improvement.save(db, unit, plan["id"], plan["version"], title=plan["title"], actions=actions,
                         targets=[("checkpoint", "1.2.A1")])
        page.reload()
        settle(page)
        button(page, "pl_submit").click()
        outcome(page, "pl_submitted")
        screenshot(page, artifacts / "followup-plan-unit-th.png")

    # 2. the committee, in English, accepts it: its OFI is in progress
    with as_role(browser, server, server_store, "committee", "en") as page:
        button(page, "pl_accept", "en").click()
        outcome(page, "pl_accepted", "en")
    plan = improvement.get(db, unit, plan["id"])
    assert plan["status"] == "accepted" and plan["expected_points"] is not None
    assert ofis.get(db, committee, plan["ofis"][0])["status"] == "in_progress"

    # 3. the 6-month report: sent by the unit, accepted by the committee
    years.set_phase(db, person(db, "admin"), YEAR, "planning", "closed")
    years.set_phase(db, person(db, "admin"), YEAR, "followup_6m", "open")
    followup.save(db, unit, plan["id"], "6m", 0, actions=[
        {"id": plan["actions"][0]["id"], "percent": 100, "done": "ประกาศมาตรการแล้ว"},
        {"id": plan["actions"][1]["id"], "percent": 40, "problems": "รอจัดสรรงบประมาณ"}])
    with as_role(browser, server, server_store, "unit") as page:
        on_tab(page, "6m")
        button(page, "fu_submit").click()
        outcome(page, "fu_submitted")
    with as_role(browser, server, server_store, "committee") as page:
        on_tab(page, "6m")
        button(page, "fu_accept").click()
        outcome(page, "fu_accepted")
        on_tab(page, "6m")
        screenshot(page, artifacts / "followup-6m-committee-th.png")
    assert followup.get(db, unit, plan["id"], "6m")["status"] == "accepted"

    # 4. the 12-month report resolves the plan: the committee's acceptance closes it and its OFI is done
    years.set_phase(db, person(db, "admin"), YEAR, "followup_6m", "closed")
    years.set_phase(db, person(db, "admin"), YEAR, "results_12m", "open")
    followup.save(db, unit, plan["id"], "12m", 0, actions=[{"id": a["id"], "percent": 100, "done": "ดำเนินการแล้ว"}
                                                           for a in plan["actions"]],
                  results=[{"kind": "checkpoint", "ref": "1.2.A1", "met": True}],
                  summary="มาตรการครอบคลุมทุกกระบวนงานแล้ว")
    with as_role(browser, server, server_store, "unit") as page:
        on_tab(page, "12m")
        live(main(page)).get_by_text(translate("fu_closes", "th")).click()
        button(page, "fu_submit").click()
        outcome(page, "fu_submitted")
    with as_role(browser, server, server_store, "committee") as page:
        on_tab(page, "12m")
        button(page, "fu_accept").click()
        outcome(page, "fu_accepted")
        # the plan's status badge (the plans' grid holds it too, in its hidden accessible table)
        markdown = main(page).locator('[data-testid="stMarkdownContainer"]')
        status = markdown.get_by_text(translate("pl_status_closed", "th"))
        expect()(status.first).to_be_visible()
    assert improvement.get(db, unit, plan["id"])["status"] == "closed"
    assert ofis.get(db, committee, plan["ofis"][0])["status"] == "done"

    # 5. the director, in English, sees the plan's progress
    with browser_page(browser, lang="en") as page:
        enter_signed_in(page, server, server_store, "demo-director", "progress", "en")
        expect()(metric_value(page, translate("pg_plans", "en"))).to_have_text("1")
        expect()(metric_value(page, translate("pg_done", "en"))).to_have_text("2")
        expect()(main(page).locator(".js-plotly-plot").first).to_be_visible()
        settle(page)
        expect_no_exception(page)
        screenshot(page, artifacts / "followup-progress-director-en.png")
    db.close()
