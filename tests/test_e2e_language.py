"""A language switch keeps every choice, in a real browser: the widgets hold values, not labels, so after
switching the overview's score source and method, and the OFI register's filters, show the same choices in
the other language (before, the radio lost its selection and the select box kept the Thai label)."""

from __future__ import annotations

import pytest
from e2e import (
    browser_page,
    choose_option,
    enter_signed_in,
    expect,
    live,
    main,
    screenshot,
    settle,
    sidebar,
    switch_language,
)

from i18n import translate

pytestmark = pytest.mark.e2e
N = 7  # any number: to find the OFI count's caption by the words after it


def source(page, key: str, lang: str):
    return sidebar(page).get_by_role("radio", name=translate(key, lang), exact=True)


def method_box(page, lang: str):
    return live(sidebar(page)).get_by_role("combobox", name=translate("ov_method", lang))


def test_the_overviews_choices_survive_a_language_switch_and_back(browser, server, server_store, artifacts):
    with browser_page(browser) as page:
        enter_signed_in(page, server, server_store, "demo-director", "overview")
        settle(page)
        sidebar(page).get_by_text(translate("ov_source_self", "th"), exact=True).click()
        expect()(source(page, "ov_source_self", "th")).to_be_checked()
        settle(page)
        choose_option(page, method_box(page, "th"), translate("ov_method_median", "th"))
        settle(page)
        for lang in ("en", "th", "en"):
            switch_language(page, lang)
            settle(page)
            expect()(source(page, "ov_source_self", lang)).to_be_checked()
            expect()(method_box(page, lang)).to_have_value(translate("ov_method_median", lang))
            caption = translate("ov_source_self", lang) + " · " + translate("ov_method_median", lang)
            expect()(main(page).get_by_text(caption, exact=False).first).to_be_visible()
        screenshot(page, artifacts / "language-overview-en.png")


def test_the_ofi_filters_survive_a_language_switch(browser, server, server_store, artifacts):
    with browser_page(browser) as page:
        enter_signed_in(page, server, server_store, "demo-committee", "ofi_register")
        settle(page)
        category = live(main(page)).get_by_role("combobox", name=translate("category", "th"))
        choose_option(page, category, translate("category_short", "th", n=2))
        settle(page)
        shown = translate("ofi_count", "th", n=N).split(str(N))[1][:8]  # the caption after its number
        before = live(main(page)).get_by_text(shown, exact=False).first.inner_text()
        switch_language(page, "en")
        settle(page)
        category = live(main(page)).get_by_role("combobox", name=translate("category", "en"))
        expect()(category).to_have_value(translate("category_short", "en", n=2))
        n = int(before.split()[0])
        expect()(live(main(page)).get_by_text(translate("ofi_count", "en", n=n), exact=True)).to_be_visible()
        switch_language(page, "th")
        settle(page)
        category = live(main(page)).get_by_role("combobox", name=translate("category", "th"))
        expect()(category).to_have_value(translate("category_short", "th", n=2))
        expect()(live(main(page)).get_by_text(before, exact=True)).to_be_visible()
        screenshot(page, artifacts / "language-ofi-th.png")


def test_no_english_menu_in_the_thai_interface(browser, server, server_store):
    """Streamlit's top-right menu (Record screen, Settings, Print) exists in English only: it is not shown."""
    with browser_page(browser) as page:
        enter_signed_in(page, server, server_store, "demo-unit")
        settle(page)
        expect()(page.locator('[data-testid="stMainMenu"]')).to_have_count(0)
        expect()(page.get_by_text("Record screen")).to_have_count(0)
