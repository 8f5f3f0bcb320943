"""Every page address as the first request to a freshly started server, in headless Chromium.

Until ``st.navigation`` has run once in the server process, Streamlit serves a ``pages/`` folder beside the
entry script as its own page list, and a deep link runs the page file directly. For each address a new
server is started and that address opened first: it must show the sign-in form, with no automatic page list
(not even for a moment), no English file-name menu, no 'page not found' dialog and no traceback; signing in
must then open that page at that address. Also: an unexpected error shows a plain message with a reference
that matches the server log, and nothing of the error itself.
"""

from __future__ import annotations

import re
from contextlib import closing

import pytest
from e2e import (
    browser_page,
    copy_store,
    expect,
    expect_no_exception,
    heading,
    live,
    main,
    metric_value,
    pattern,
    screenshot,
    seen,
    settle,
    sidebar,
    sign_in,
    sign_in_form,
    streamlit_server,
)

from i18n import translate
from storage.admin.demo import DEMO_PASSWORD
from storage.engine import Store

pytestmark = pytest.mark.e2e

# address -> (who signs in there, the catalogue key of what that page shows first). Home is the default
# page, which Streamlit serves at "/" only.
ADDRESSES = {
    "": ("demo-director", "department_total"),
    "self_assessment": ("demo-unit", "sa_title"),
    "review": ("demo-committee", "rv_title"),
    "ofi_register": ("demo-admin", "ofi_register_title"),
    "overview": ("demo-director", "ov_title"),
}
FILE_NAMES = ("self assessment", "ofi register", "review", "overview")  # Streamlit's titles from file names


def page_content(page, key: str):
    if key in ("department_total", "your_unit_status"):
        return metric_value(page, translate(key, "th"))
    return heading(page, key, "th", **({"unit": ""} if key == "sa_title" else {}))


def expect_plain_sign_in(page) -> None:
    expect()(sign_in_form(page)).to_be_visible()
    settle(page)
    expect_no_exception(page)
    expect()(page.get_by_role("dialog")).to_have_count(0)
    expect()(sidebar(page).get_by_role("link")).to_have_count(0)  # no menu at all before signing in
    for name in FILE_NAMES:
        expect()(page.get_by_text(name, exact=True)).to_have_count(0)


@pytest.mark.parametrize("address", list(ADDRESSES))
def test_the_first_request_to_a_new_server_for_any_address_asks_to_sign_in_then_opens_that_page(
        browser, units_only_template, tmp_path, artifacts, address):
    username, shows = ADDRESSES[address]
    store = copy_store(units_only_template, tmp_path)
    log = tmp_path / "streamlit.log"
    with streamlit_server(store, log) as url, browser_page(browser, f"{url}/{address}") as page:
        expect_plain_sign_in(page)
        screenshot(page, artifacts / f"address-{address or 'root'}-signed-out.png")
        sign_in(page, username, DEMO_PASSWORD)
        expect()(page_content(page, shows)).to_be_visible()
        settle(page)
        expect_no_exception(page)
        assert page.url == f"{url}/{address}"
        assert seen(page) == {"nav": False, "exception": False}
        expect()(sidebar(page).get_by_role("link").first).to_be_visible()  # the router's menu
    assert "Traceback" not in log.read_text(errors="replace")


def test_a_role_that_may_not_use_the_address_gets_a_plain_note_there(browser, units_only_template, tmp_path):
    store = copy_store(units_only_template, tmp_path)
    with streamlit_server(store, tmp_path / "streamlit.log") as url, \
            browser_page(browser, f"{url}/self_assessment") as page:
        expect_plain_sign_in(page)
        sign_in(page, "demo-director", DEMO_PASSWORD)
        expect()(live(main(page)).get_by_text(translate("not_for_role", "th"))).to_be_visible()
        settle(page)
        expect()(page.get_by_role("checkbox", name=re.compile(r"^1\.1\.B1\s"))).to_have_count(0)
        assert seen(page) == {"nav": False, "exception": False}


# A store that lost a table (say, a half-restored backup): the OFI register cannot be read.
def test_an_unexpected_error_shows_a_reference_that_is_in_the_server_log(browser, units_only_template, tmp_path,
                                                                         artifacts):
    store = copy_store(units_only_template, tmp_path)
    with closing(Store(store)) as db:  # a file or a database on the test server
        db.execute("DROP TABLE ofi_units")
    log = tmp_path / "streamlit.log"
    with streamlit_server(store, log) as url, browser_page(browser, f"{url}/ofi_register") as page:
        expect_plain_sign_in(page)
        sign_in(page, "demo-committee", DEMO_PASSWORD)
        message = live(main(page)).get_by_text(pattern("error_unexpected", "th", "reference"))
        expect()(message).to_be_visible()
        settle(page)
        expect_no_exception(page)
        text = main(page).inner_text()
        for leak in ("Traceback", "ofi_units", "OperationalError", str(tmp_path), "/work", ".py"):
            assert leak not in text
        reference = re.search(r"[0-9A-F]{8}$", message.inner_text().strip()).group(0)
        screenshot(page, artifacts / "unexpected-error-th.png")
    logged = log.read_text(errors="replace")
    line = next(line for line in logged.splitlines() if reference in line)
    assert "ERROR" in line and "page /ofi_register" in line
    traceback = logged.split(line, 1)[1]  # follows the line: SQLite's words, or PostgreSQL's
    assert "no such table: ofi_units" in traceback or 'relation "ofi_units" does not exist' in traceback
