"""A department that has never seen the demo, in headless Chromium: a new production store, the admin signs
in, goes through the setup checklist (imports units from a CSV, adds a unit assessor, opens a year, saves
the thresholds), and that assessor signs in, chooses a new password and sees the self-assessment form."""

from __future__ import annotations

import re

import pytest
from e2e import (
    choose_option,
    expect,
    expect_no_exception,
    heading,
    live,
    main,
    menu_link,
    open_page,
    pattern,
    screenshot,
    settle,
    sidebar_button,
    sign_in,
    sign_in_form,
    switch_language,
    toasts,
)

from i18n import translate
from storage import connect
from storage.__main__ import init_production
from storage.assessment import years
from ui.admin.years import this_fiscal_year

pytestmark = pytest.mark.e2e

OWNER, PASSWORD = "owner", "a strong secret"
ASSESSOR, TEMPORARY, CHOSEN = "plan.officer", "temporary-pass", "my own password"
UNITS_CSV = ("code,name_th,name_en,group,weight\n"
             "PLAN,กองแผนงาน,Planning Division,ส่วนกลาง,60\n"
             "RC01,ศูนย์อนามัยที่ 1 เชียงใหม่,Regional Health Centre 1,ศูนย์เขต,150\n")


@pytest.fixture(scope="module")
def server_store(browser, tmp_path_factory):
    path = tmp_path_factory.mktemp("e2e-admin") / "production.db"
    init_production(path, OWNER, PASSWORD)
    return path


def tab(page, key: str, lang: str = "th"):
    return main(page).get_by_role("tab", name=translate(key, lang), exact=True)


def expander(page, key: str, lang: str = "th"):
    """The expander titled by ``key`` (click its ``summary`` to open it)."""
    return main(page).locator('[data-testid="stExpander"]').filter(
        has=page.locator("summary", has_text=translate(key, lang)))


def button(page, key: str, lang: str = "th", **values):
    return live(main(page)).get_by_role("button", name=translate(key, lang, **values), exact=True)


def choose(page, scope, label_key: str, option: str, lang: str = "th") -> None:
    """Pick ``option`` in the selectbox labelled by ``label_key`` within ``scope``."""
    choose_option(page, live(scope).get_by_role("combobox", name=translate(label_key, lang)), option)


def test_from_init_to_a_unit_filling_its_form(page, server_store, artifacts, tmp_path):
    year = this_fiscal_year()
    sign_in(page, OWNER, PASSWORD)
    expect()(heading(page, "setup_title")).to_be_visible()
    steps = live(main(page)).get_by_role("link", name=translate("setup_go", "th"))
    expect()(steps).to_have_count(4)
    settle(page)
    screenshot(page, artifacts / "admin-checklist-th.png")

    # 1. units: the first step's link opens the units tab; the import is open on an empty list
    steps.first.click()
    expect()(heading(page, "adm_title")).to_be_visible()
    expect()(tab(page, "adm_tab_units")).to_have_attribute("aria-selected", "true")
    csv = tmp_path / "units.csv"
    csv.write_text(UNITS_CSV, encoding="utf-8")
    settle(page)
    live(main(page)).locator('input[type="file"]').set_input_files(csv)
    expect()(live(main(page)).get_by_text(pattern("adm_import_preview", "th", added=2, changed=0, unchanged=0)))\
        .to_be_visible()
    settle(page)
    screenshot(page, artifacts / "admin-import-preview-th.png")
    button(page, "adm_import_apply", n=2).click()
    expect()(page.get_by_text(translate("adm_import_done", "th", added=2, changed=0))).to_be_visible()

    # 2. a unit assessor with a temporary password
    expect()(toasts(page)).to_have_count(0, timeout=15_000)
    settle(page)
    tab(page, "adm_tab_users").click()
    settle(page)
    expander(page, "adm_add_user").locator("summary").click()
    form = live(expander(page, "adm_add_user"))
    choose(page, expander(page, "adm_add_user"), "adm_unit_for_assessor", "PLAN · กองแผนงาน")
    form.get_by_label(translate("username", "th"), exact=True).fill(ASSESSOR)
    form.get_by_label(translate("adm_display_name", "th"), exact=True).fill("สมหญิง ใจดี")
    form.get_by_label(translate("adm_temp_password", "th"), exact=True).fill(TEMPORARY)
    form.get_by_role("button", name=translate("adm_add_user", "th"), exact=True).click()
    expect()(page.get_by_text(translate("adm_user_added", "th", name=ASSESSOR))).to_be_visible()

    # 3. the first fiscal year (the suggested one is this fiscal year), then its thresholds
    settle(page)
    tab(page, "adm_tab_years").click()
    settle(page)
    button(page, "adm_open_year_button").click()
    expect()(heading(page, "adm_phases_of", year=translate("fiscal_year", "th", year=year))).to_be_visible()
    settle(page)
    screenshot(page, artifacts / "admin-years-th.png")
    tab(page, "adm_tab_criteria").click()
    settle(page)
    button(page, "adm_save_thresholds").click()
    expect()(live(main(page)).get_by_text(translate("adm_thresholds_saved", "th"))).to_be_visible()

    # the checklist is done: home shows the year and its current phase instead
    open_page(page, "page_home")
    expect()(live(main(page)).get_by_text(re.compile(re.escape(translate("phase_self_assessment", "th")))))\
        .to_be_visible()
    expect()(heading(page, "setup_title")).to_have_count(0)
    settle(page)
    expect_no_exception(page)

    # the same screens in English
    switch_language(page, "en")
    open_page(page, "page_admin", "en")
    expect()(tab(page, "adm_tab_years", "en")).to_be_visible()
    settle(page)
    screenshot(page, artifacts / "admin-years-en.png")
    tab(page, "adm_tab_users", "en").click()
    expect()(expander(page, "adm_add_user", "en")).to_be_visible()
    settle(page)
    expect_no_exception(page)
    screenshot(page, artifacts / "admin-users-en.png")
    switch_language(page, "th")

    # 4. the assessor signs in, must choose a new password, then fills the form
    settle(page)
    sidebar_button(page, translate("sign_out", "th")).click()
    sign_in(page, ASSESSOR, TEMPORARY)
    expect()(heading(page, "pw_title")).to_be_visible()
    expect()(menu_link(page, "page_self_assessment")).to_have_count(0)
    settle(page)
    form = live(main(page))
    form.get_by_label(translate("pw_current", "th"), exact=True).fill(TEMPORARY)
    form.get_by_label(translate("pw_new", "th"), exact=True).fill(CHOSEN)
    form.get_by_label(translate("pw_again", "th"), exact=True).fill(CHOSEN)
    button(page, "pw_save").click()
    open_page(page, "page_self_assessment")
    expect()(heading(page, "sa_title", unit="")).to_be_visible()
    first = live(main(page)).get_by_role("checkbox").first
    expect()(first).to_be_visible()
    settle(page)
    expect_no_exception(page)
    screenshot(page, artifacts / "admin-new-unit-form-th.png")

    db = connect(server_store)
    try:
        assert years.current_phase(db, year)["phase"] == "self_assessment"
        assert db.execute("SELECT must_change_password FROM users WHERE username = ?", [ASSESSOR]).fetchone() == (0,)
    finally:
        db.close()
    expect()(sign_in_form(page)).to_have_count(0)
