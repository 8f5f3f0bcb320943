"""Issue 12's new choices in headless Chromium, in English (which AppTest cannot drive for these widgets): the
committee judges a unit's own KPI, the admin chooses how a missing KPI value counts and every score screen
names it, and the overview's Government 4.0 lens. Helpers in e2e.py; screenshots go to test-artifacts/.
"""

from __future__ import annotations

import re

import pytest
from e2e import (
    choose_option,
    enter_signed_in,
    expect,
    expect_chart,
    expect_no_exception,
    heading,
    live,
    main,
    open_page,
    screenshot,
    settle,
)
from test_e2e_self_assessment import category

from i18n import translate
from i18n.format import rules_text
from scoring import default_framework

pytestmark = pytest.mark.e2e

EN = "en"


def tab(page, key: str):
    return main(page).get_by_role("tab", name=translate(key, EN), exact=True)


@pytest.mark.enters_signed_in
def test_the_committee_judges_a_units_own_kpi(page, server, server_store, artifacts):
    enter_signed_in(page, server, server_store, "demo-committee", "review", EN)
    box = main(page).get_by_role("combobox", name=translate("rv_open", EN))
    choose_option(page, box, "PLAN · Planning Division")
    settle(page)
    category(page, 7, EN).click()
    save = main(page).get_by_role("button", name=translate("rv_judge_save", EN))
    expect()(save).to_be_visible()
    settle(page)

    # "not suitable" needs a reason: refused beside the form, nothing saved
    main(page).get_by_text(translate("rv_judge_no", EN), exact=True).click()
    save.click()
    expect()(main(page).get_by_text(translate("error_kpi_unsuitable_reason", EN))).to_be_visible()
    settle(page)

    main(page).get_by_text(translate("rv_judge_no", EN), exact=True).click()
    main(page).get_by_label(translate("rv_judge_reason", EN)).fill("Counts outputs, not outcomes")
    save.click()
    notice = translate("kpi_judged_unsuitable", EN, reason="Counts outputs, not outcomes")
    expect()(main(page).get_by_text(notice)).to_be_visible()
    expect()(main(page).get_by_text(translate("rv_not_counted", EN), exact=True)).to_be_visible()
    settle(page)
    expect_no_exception(page)
    screenshot(page, artifacts / "review-judged-en.png")


@pytest.mark.enters_signed_in
def test_the_admins_rule_is_named_on_the_overview_beside_the_government_4_0_lens(page, server, server_store,
                                                                                   artifacts):
    enter_signed_in(page, server, server_store, "demo-admin", "admin", EN)
    tab(page, "adm_tab_criteria").click()
    live(main(page)).get_by_text(translate("adm_rules_missing_entered_only", EN), exact=True).click()
    main(page).get_by_role("button", name=translate("adm_save_rules", EN)).click()
    expect()(main(page).get_by_text(translate("adm_rules_saved", EN))).to_be_visible()
    settle(page)

    open_page(page, "page_overview", EN)
    expect()(heading(page, "ov_title", EN)).to_be_visible()
    rules = default_framework().with_rules(missing_kpis="entered_only").rules
    expect()(main(page).get_by_text(rules_text(rules, EN))).to_be_visible()
    settle(page)
    tab(page, "ov_tab_lens").click()
    expect_chart(page, translate("ovc_lens_title", EN))
    first = default_framework().government_4_0.goals[0]
    expect()(main(page).get_by_text(re.compile(re.escape(first.lifts.en)))).to_be_visible()
    settle(page)
    expect_no_exception(page)
    screenshot(page, artifacts / "overview-lens-en.png")
