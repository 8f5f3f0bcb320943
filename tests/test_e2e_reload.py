"""A reload keeps the sign-in and the language, in a real browser: the browser holds a random token in a
cookie that the store checks; signing out ends it, so a reload after signing out shows the sign-in form."""

from __future__ import annotations

import re

import pytest
from e2e import (
    browser_page,
    expect,
    heading,
    main,
    open_page,
    screenshot,
    settle,
    sidebar,
    sidebar_button,
    sign_in_form,
    signed_in,
    switch_language,
)

from i18n import translate
from storage import open_store
from storage.admin.demo import DEMO_PASSWORD

pytestmark = pytest.mark.e2e


def test_a_reload_keeps_the_sign_in_and_the_language_until_sign_out(browser, server, server_store, artifacts):
    with browser_page(browser, server) as page:
        signed_in(page, "demo-director", DEMO_PASSWORD)
        switch_language(page, "en")
        open_page(page, "page_overview", "en")
        expect()(heading(page, "ov_title", "en")).to_be_visible()
        settle(page)
        cookies = {c["name"]: c for c in page.context.cookies()}
        token = cookies["pmqa_session"]["value"]
        assert cookies["pmqa_session"]["sameSite"] == "Strict" and cookies["pmqa_session"]["expires"] == -1
        assert "director" not in token and len(token) >= 40  # random, not the user's id or name
        with open_store(server_store) as db:  # the store keeps only the token's hash
            assert not db.execute("SELECT 1 FROM web_sessions WHERE token_hash = ?", [token]).fetchone()
            assert db.execute("SELECT COUNT(*) FROM web_sessions WHERE username = 'demo-director'").fetchone()[0]

        page.reload()
        expect()(heading(page, "ov_title", "en")).to_be_visible()  # the same page, signed in, in English
        expect()(sidebar_button(page, translate("sign_out", "en"))).to_be_visible()
        expect()(page).to_have_url(re.compile("/overview$"))
        screenshot(page, artifacts / "reload-kept-en.png")

        sidebar_button(page, translate("sign_out", "en")).click()
        expect()(sign_in_form(page, "en")).to_be_visible()
        settle(page)
        page.reload()
        expect()(sign_in_form(page, "en")).to_be_visible()  # signed out stays signed out; English stays
        expect()(main(page).get_by_text(translate("ov_title", "en"))).to_have_count(0)
        expect()(sidebar(page).get_by_role("button", name=translate("sign_out", "en"))).to_have_count(0)

    with browser_page(browser, server) as page:  # another browser: nothing to come back with
        expect()(sign_in_form(page)).to_be_visible()
