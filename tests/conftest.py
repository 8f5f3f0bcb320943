"""Shared fixtures: real SQLite files in temporary folders, and signed-in app runs."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from storage import connect, open_store
from storage.accounts import User, authenticate
from storage.demo import DEMO_PASSWORD

APP = str(Path(__file__).resolve().parent.parent / "streamlit_app.py")
ROLES_USERS = {"unit": "demo-unit", "committee": "demo-committee", "director": "demo-director", "admin": "demo-admin"}


@pytest.fixture
def db(tmp_path):
    """A fresh, empty, migrated store on a real file."""
    store = connect(tmp_path / "store.db")
    yield store
    store.close()


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory):
    """The demo store, written once per test session; tests use copies."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    open_store(path).close()
    return path


@pytest.fixture
def demo_path(tmp_path, demo_template):
    path = tmp_path / "demo.db"
    shutil.copy(demo_template, path)
    return path


@pytest.fixture
def demo_db(demo_path):
    store = connect(demo_path)
    yield store
    store.close()


@pytest.fixture
def demo_user(demo_db) -> Callable[[str], User]:
    def user(role: str) -> User:
        return authenticate(demo_db, ROLES_USERS[role], DEMO_PASSWORD)

    return user


@pytest.fixture
def app(demo_path, monkeypatch) -> Callable[..., AppTest]:
    """``app(role)``: the app run on a copy of the demo store, signed in as that role's demo user
    (no role: the sign-in page)."""
    monkeypatch.setenv("PMQA_DB", str(demo_path))

    def run(role: str | None = None, lang: str = "th") -> AppTest:
        at = AppTest.from_file(APP, default_timeout=60)
        at.session_state["lang"] = lang
        at.run()
        if role is not None:
            at.text_input(key="login_username").input(ROLES_USERS[role])
            at.text_input(key="login_password").input(DEMO_PASSWORD)
            at.button[0].click().run()
            assert not at.exception, [e.value for e in at.exception]
        return at

    return run


# ---- browser tests (helpers in e2e.py) -------------------------------------------------------------------

def _unavailable(why: str) -> None:
    if os.environ.get("PMQA_REQUIRE_E2E") == "1":
        pytest.fail(f"browser tests are required (PMQA_REQUIRE_E2E=1) but {why}")
    pytest.skip(why)


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright, one for the whole session. Without it the browser tests
    skip, or fail when PMQA_REQUIRE_E2E=1 (CI)."""
    from e2e import CHROMIUM, launch

    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} is missing (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed (requirements-dev.txt)")
    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Where browser tests leave their screenshots (test-artifacts/, not committed)."""
    from e2e import ARTIFACTS

    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="module")
def server_store(browser, tmp_path_factory, demo_template) -> Path:
    """The store a browser-test module's server runs on: its own copy of the demo store. A module that needs
    other data overrides this fixture. (``browser`` first: nothing is copied when browser tests skip.)"""
    from e2e import copy_store

    return copy_store(demo_template, tmp_path_factory.mktemp("e2e"))


@pytest.fixture(scope="module")
def server(browser, server_store):
    """`streamlit run` on ``server_store`` for the whole module; its base URL."""
    from e2e import streamlit_server

    with streamlit_server(server_store, server_store.parent / "streamlit.log") as url:
        yield url


@pytest.fixture
def page(browser, server):
    """A fresh browser session (Thai) at the server's address."""
    from e2e import browser_page

    with browser_page(browser, server) as opened:
        yield opened
