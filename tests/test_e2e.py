"""Sign-in and home in headless Chromium: `streamlit run` on a copy of the demo store, driven with Playwright
(helpers in e2e.py). Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import pytest
from e2e import (
    expect,
    expect_chart,
    expect_no_exception,
    metric_value,
    screenshot,
    seen,
    settle,
    sidebar_button,
    sign_in,
    sign_in_form,
    switch_language,
)
from readers import reader

from analysis.summary import department_summary, unit_summary
from i18n import translate
from i18n.format import score_text
from storage import connect
from storage.admin.demo import DEMO_PASSWORD
from storage.organisation.accounts import authenticate

pytestmark = pytest.mark.e2e

YEAR = 2570




def test_director_home_then_english_then_unit(page, server_store, artifacts):
    db = connect(server_store)
    try:
        department = department_summary(db, reader(db), YEAR)
        unit_user = authenticate(db, "demo-unit", DEMO_PASSWORD)
        unit = unit_summary(db, unit_user, unit_user.unit_id, YEAR)
    finally:
        db.close()

    # sign in as the director, in Thai
    expect()(page.get_by_text(translate("demo_notice", "th"))).to_be_visible()
    sign_in(page, "demo-director", DEMO_PASSWORD)
    expect()(metric_value(page, translate("department_total", "th"))).to_have_text(f"{department.total:,.1f}")
    expect()(metric_value(page, translate("submissions", "th"))).to_have_text(
        f"{department.submitted}/{department.units_total}")
    expect_chart(page, translate("score_by_category", "th"))
    settle(page)
    expect_no_exception(page)
    screenshot(page, artifacts / "home-director-th.png")

    # English
    switch_language(page, "en")
    expect()(metric_value(page, translate("department_total", "en"))).to_have_text(score_text(department.total))
    expect()(page.get_by_text(translate("department_total", "th"), exact=True)).to_have_count(0)
    expect_chart(page, translate("score_by_category", "en"))
    settle(page)
    expect_no_exception(page)
    screenshot(page, artifacts / "home-director-en.png")

    # sign out (the session keeps English), back to Thai, sign in as the unit assessor
    settle(page)
    sidebar_button(page, translate("sign_out", "en")).click()
    expect()(sign_in_form(page, "en")).to_be_visible()
    expect()(page.locator('[data-testid="stMetric"]')).to_have_count(0)
    switch_language(page, "th")
    sign_in(page, "demo-unit", DEMO_PASSWORD)
    expect()(metric_value(page, translate("your_unit_status", "th"))).to_have_text(
        translate(f"status_{unit.status}", "th"))
    expect()(metric_value(page, translate("home_self_total", "th"))).to_have_text(f"{unit.total:,.1f}")
    expect()(page.get_by_text(translate("department_total", "th"), exact=True)).to_have_count(0)
    expect_chart(page, translate("score_by_category", "th"))
    settle(page)
    expect_no_exception(page)
    assert seen(page) == {"nav": False, "exception": False}
    screenshot(page, artifacts / "home-unit-th.png")


def test_wrong_password_shows_thai_error(page):
    sign_in(page, "demo-director", "not-the-password")
    expect()(page.get_by_text(translate("sign_in_failed", "th"))).to_be_visible()
    settle(page)
    expect()(sign_in_form(page)).to_be_visible()
    expect()(page.get_by_text(translate("department_total", "th"), exact=True)).to_have_count(0)
    expect()(sidebar_button(page, translate("sign_out", "th"))).to_have_count(0)
