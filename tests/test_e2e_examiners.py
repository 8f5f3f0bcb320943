"""Two committee members rehearse the award's scoring in Chromium: one in Thai scores an item and submits, the
other in English sees both members' rationales side by side once submitted and records the agreed score."""

from __future__ import annotations

from contextlib import closing
from pathlib import Path

import pytest
from e2e import (
    browser_page,
    choose_option,
    enter_signed_in,
    expect,
    expect_no_exception,
    live,
    main,
    pick,
    screenshot,
    settle,
)

from i18n import translate
from storage import connect
from storage.admin.demo import DEMO_PASSWORD
from storage.assessment import examiners, years
from storage.organisation import accounts
from ui.text import WORD_BREAK

YEAR = 2570
SECOND = "committee-two"


@pytest.fixture(scope="module")
def server_store(browser, tmp_path_factory, units_only_template) -> Path:
    """The demo store with a second committee member who has scored every item at 50% but item 1.1 (90%)."""
    from e2e import copy_store

    path = copy_store(units_only_template, tmp_path_factory.mktemp("e2e-examiners"))
    with closing(connect(path)) as db:
        second = accounts.create_user(db, SECOND, DEMO_PASSWORD, "committee", display_name="กรรมการสอง",
                                      actor="test", weak_password=True)
        for item in examiners.scored_items(years.framework_of(db, YEAR)):
            examiners.save(db, second, YEAR, item, percent=90 if item == "1.1" else 50,
                           rationale="มีหลักฐานครบทุกหน่วยงาน" if item == "1.1" else "ตามรายงาน")
        demo = accounts.get_user(db, accounts.user_id_of(db, "demo-committee"))
        for item in examiners.scored_items(years.framework_of(db, YEAR)):
            if item != "1.1":
                examiners.save(db, demo, YEAR, item, percent=45, rationale="ตามรายงาน")
    return path


def _scores(path: Path, username: str) -> dict:
    with closing(connect(path)) as db:
        return examiners.own(db, accounts.get_user(db, accounts.user_id_of(db, username)), YEAR)


def test_two_members_score_on_their_own_and_agree(browser, server, server_store, artifacts):
    with browser_page(browser) as page:  # the demo member, in Thai: scores 1.1 and submits
        enter_signed_in(page, server, server_store, "demo-committee", "examiners")
        expect()(main(page).get_by_role("heading", name=translate("ex_title", "th", year=YEAR))).to_be_visible()
        box = live(main(page)).get_by_role("combobox", name=translate("ex_score", "th")).first
        choose_option(page, box, translate("ex_percent", "th", percent=40, band="30-45"))
        settle(page)
        rationale = main(page).get_by_role("textbox", name=translate("ex_rationale", "th"), exact=True).first
        rationale.fill("แนวทางยังไม่ครอบคลุมส่วนภูมิภาค")
        main(page).get_by_text(translate("ex_bands_title", "th", kind=translate("ex_process", "th"))).click()
        settle(page)
        expect()(main(page).get_by_text(translate("text_saved", "th")).first).to_be_visible()
        assert "มีหลักฐานครบทุกหน่วยงาน" not in main(page).inner_text()  # the other's: not before submitting
        assert _scores(server_store, "demo-committee")["1.1"]["percent"] == 40
        main(page).get_by_text(translate("ex_submit_confirm", "th")).click()
        settle(page)
        main(page).get_by_role("button", name=translate("ex_submit", "th")).click()
        expect()(main(page).get_by_text(translate("ex_submitted", "th"))).to_be_visible()
        pick(page, main(page).get_by_role("radio", name=translate("ex_view_consensus", "th")))
        expect()(main(page).locator('[data-testid="stExpander"]').first).to_contain_text("1.1 ")  # one's own only
        assert "มีหลักฐานครบทุกหน่วยงาน" not in main(page).inner_text()  # the other's is a draft still
        expect_no_exception(page)
        screenshot(page, artifacts / "examiners-submitted-th.png")

    with closing(connect(server_store)) as db:
        examiners.submit(db, accounts.get_user(db, accounts.user_id_of(db, SECOND)), YEAR)

    with browser_page(browser, lang="en") as page:  # the second member, in English: agrees on 1.1
        enter_signed_in(page, server, server_store, SECOND, "examiners", "en")
        pick(page, main(page).get_by_role("radio", name=translate("ex_view_consensus", "en")))
        first = main(page).locator('[data-testid="stExpander"]').first
        expect()(first).to_contain_text("1.1 ")  # the widest gap first: 40 against 90
        first.locator("summary").click()
        expect()(first.get_by_role("button", name=translate("ex_agree", "en"))).to_be_visible()
        shown = first.inner_text().replace(WORD_BREAK, "").replace("\u2060", "")  # the marks Thai lines carry
        assert "แนวทางยังไม่ครอบคลุมส่วนภูมิภาค" in shown and "มีหลักฐานครบทุกหน่วยงาน" in shown  # side by side
        choose_option(page, first.get_by_role("combobox", name=translate("ex_agree_percent", "en")),
                      translate("ex_percent", "en", percent=60, band="50-65"))
        first.get_by_role("textbox", name=translate("ex_agree_reason", "en")).fill("Deployed centrally, not yet in "
                                                                                    "the regions")
        first.get_by_role("button", name=translate("ex_agree", "en")).click()
        expect()(main(page).get_by_text(translate("ex_agreed_saved", "en", item="1.1"))).to_be_visible()
        expect_no_exception(page)
        screenshot(page, artifacts / "examiners-consensus-en.png")
    with closing(connect(server_store)) as db:
        row = examiners.agreed(db, accounts.first_admin(db), YEAR)["1.1"]
    assert (row["percent"], row["reason"], row["agreed_by"]) == (60, "Deployed centrally, not yet in the regions",
                                                                 SECOND)
