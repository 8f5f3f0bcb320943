"""The ministry in a browser (PostgreSQL: a generated ministry of three departments): its viewer signs in to the
roll-up, in Thai and in English, and opens a department's overview read-only; its admin adds a department with
its first admin, who then signs in to that department alone. Screenshots go to test-artifacts/."""

from __future__ import annotations

import re

import pytest
from conftest import MINISTRY_SIZE
from e2e import (
    choose_option,
    expect,
    expect_chart,
    expect_no_exception,
    main,
    open_page,
    screenshot,
    settle,
    sidebar,
    signed_in,
    switch_language,
)
from stores import on_server

from i18n import translate
from storage.admin import demo

pytestmark = pytest.mark.skipif(not on_server(), reason="a ministry's store is PostgreSQL (make test-postgres)")
DEPARTMENTS = MINISTRY_SIZE[0]


@pytest.fixture(scope="module")
def server_store(browser, tmp_path_factory, ministry_template):
    from e2e import copy_store

    return copy_store(ministry_template, tmp_path_factory.mktemp("e2e-ministry"))


@pytest.mark.parametrize("lang", ["th", "en"])
def test_the_ministry_viewer_reads_the_roll_up_and_a_department(page, artifacts, lang):
    signed_in(page, "ministry-viewer", demo.DEMO_PASSWORD)
    if lang == "en":
        switch_language(page, "en")
    expect()(main(page).get_by_role("heading", name=re.compile(translate("mn_title", lang, name="").strip())))\
        .to_be_visible()
    expect_chart(page, translate("mn_heatmap_title", lang))
    for n in range(1, DEPARTMENTS + 1):  # each department on the heatmap, by its short name
        expect()(main(page).get_by_text(f"กส.{n}" if lang == "th" else f"DD{n}").first).to_be_attached()
    settle(page)
    expect_no_exception(page)
    screenshot(page, artifacts / f"ministry-roll-up-{lang}.png")
    open_page(page, "page_overview", lang)
    box = sidebar(page).get_by_role("combobox", name=translate("mn_department", lang))
    name = "กรมสาธิตที่ 2" if lang == "th" else "Demonstration Department 2"
    choose_option(page, box, name)
    expect()(sidebar(page).get_by_text(translate("mn_reading_only", lang))).to_be_visible()
    expect()(main(page).get_by_role("heading", name=translate("ov_title", lang))).to_be_visible()
    settle(page)
    expect_no_exception(page)
    screenshot(page, artifacts / f"ministry-department-overview-{lang}.png")


def test_the_ministry_admin_adds_a_department_whose_admin_signs_in_to_it(page, artifacts, browser, server):
    signed_in(page, "ministry-admin", demo.DEMO_PASSWORD)
    open_page(page, "page_departments")
    expect()(main(page).get_by_role("heading", name=translate("md_title", "th"))).to_be_visible()
    main(page).locator("summary").filter(has_text=translate("md_add", "th")).click()  # the form, folded away
    form = main(page)
    for label, value in (("md_code", "e2e-dept"), ("md_name_th", "กรมทดสอบเบราว์เซอร์"),
                         ("md_name_en", "Browser Test Department"), ("username", "e2e-admin"),
                         ("adm_temp_password", "river mango tide 42")):
        form.get_by_label(translate(label, "th"), exact=True).first.fill(value)
    form.get_by_role("button", name=translate("md_add", "th")).last.click()
    expect()(main(page).get_by_text("กรมทดสอบเบราว์เซอร์").first).to_be_attached()  # a cell of the table (a canvas)
    settle(page)
    expect_no_exception(page)
    screenshot(page, artifacts / "ministry-departments-th.png")
    from e2e import browser_page

    with browser_page(browser, server) as other:  # the new department's admin: its own department, no ministry
        signed_in(other, "e2e-admin", "river mango tide 42")
        expect()(main(other).get_by_text(translate("pw_title", "th")).first).to_be_visible()  # a new password first
        screenshot(other, artifacts / "ministry-new-department-admin-th.png")
