"""AppTest at a page's address, as a typed address opens it."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest


def open_address(at: AppTest, url_path: str) -> AppTest:
    """Run the app at ``/url_path``. ``switch_page`` only finds pages that are files, and the router puts a
    function at an address the user may not use yet (the sign-in form, the not-for-role note, the
    change-password form); AppTest keeps the registered pages in a private attribute (as test_app_shell
    reads). Signed out, this draws the sign-in form at that address, and signing in there opens the page:
    a click reaches only a form drawn at the address the next run is at (widget ids include the page)."""
    [at._page_hash] = [h for h, info in at._registered_pages.items() if info.get("url_pathname") == url_path]
    at.run()
    return at
