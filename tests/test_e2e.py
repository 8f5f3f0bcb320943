"""The real app in headless Chromium: `streamlit run` on a copy of the demo store, driven with Playwright.

Needs Debian's Chromium at /usr/bin/chromium (Playwright's own browser downloads are blocked). Without it
the tests skip, or fail when PMQA_REQUIRE_E2E=1 (CI). Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from analysis.summary import department_summary, unit_summary
from i18n import translate
from i18n.format import score_text
from storage import connect
from storage.accounts import authenticate
from storage.demo import DEMO_PASSWORD

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
               "--disable-component-update", "--disable-sync"]
YEAR = 2570
STARTUP_S = 60
WAIT_MS = 30_000  # longest wait for any one thing in the page
VIEWPORT = {"width": 1400, "height": 900}


def _unavailable(why: str) -> None:
    if os.environ.get("PMQA_REQUIRE_E2E") == "1":
        pytest.fail(f"browser tests are required (PMQA_REQUIRE_E2E=1) but {why}")
    pytest.skip(why)


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} is missing (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed (requirements-dev.txt)")
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        yield chromium
        chromium.close()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return response.status == 200 and response.read().strip() == b"ok"
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


@contextmanager
def streamlit_server(db_path: Path, log_path: Path) -> Iterator[str]:
    """`streamlit run streamlit_app.py` on a free port with PMQA_DB=db_path; yields the base URL."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "streamlit", "run", "streamlit_app.py", "--server.port", str(port),
               "--server.address", "127.0.0.1", "--server.headless", "true", "--server.fileWatcherType", "none",
               "--browser.gatherUsageStats", "false"]
    env = {**os.environ, "PMQA_DB": str(db_path), "PYTHONUNBUFFERED": "1"}
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + STARTUP_S
        while not _healthy(url):
            if process.poll() is not None:
                pytest.fail(f"streamlit exited with {process.returncode}:\n{log_path.read_text(errors='replace')}")
            if time.monotonic() > deadline:
                pytest.fail(f"streamlit not healthy after {STARTUP_S} s:\n{log_path.read_text(errors='replace')}")
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _demo_copy(demo_template: Path, folder: Path) -> Path:
    path = folder / "demo.db"
    shutil.copy(demo_template, path)
    return path


@pytest.fixture(scope="module")
def e2e_store(tmp_path_factory, demo_template) -> Path:
    return _demo_copy(demo_template, tmp_path_factory.mktemp("e2e"))


@pytest.fixture(scope="module")
def server(browser, e2e_store) -> Iterator[str]:
    # `browser` first: no server is started when the browser tests are skipped
    with streamlit_server(e2e_store, e2e_store.parent / "streamlit.log") as url:
        yield url


@contextmanager
def browser_page(browser, url: str) -> Iterator:
    """A fresh browser context (Thai locale) with one page open at ``url``, closed afterwards."""
    context = browser.new_context(viewport=VIEWPORT, locale="th-TH")
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    page.goto(url)
    try:
        yield page
    finally:
        context.close()


@pytest.fixture
def page(browser, server):
    with browser_page(browser, server) as opened:
        yield opened


@pytest.fixture(scope="module")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


def _expect():
    from playwright.sync_api import expect

    return expect


def wait_idle(page) -> None:
    """Until the script run has finished and the page is connected."""
    _expect()(page.locator('[data-testid="stApp"]')).to_have_attribute("data-test-script-state", "notRunning",
                                                                         timeout=WAIT_MS)


def sign_in(page, username: str, password: str, lang: str = "th") -> None:
    page.get_by_label(translate("username", lang), exact=True).fill(username)
    page.get_by_label(translate("password", lang), exact=True).fill(password)
    page.get_by_role("button", name=translate("sign_in", lang), exact=True).click()


def metric_value(page, label: str):
    return page.locator('[data-testid="stMetric"]').filter(
        has=page.locator('[data-testid="stMetricLabel"]', has_text=label)).locator('[data-testid="stMetricValue"]')


def sidebar_button(page, name: str):
    return page.locator('[data-testid="stSidebar"]').get_by_role("button", name=name)


def language_option(page, name: str):
    """An option of the sidebar's segmented language control (Streamlit renders it as a radio group)."""
    return page.locator('[data-testid="stSidebar"]').get_by_role("radio", name=name, exact=True)


def screenshot(page, path: Path) -> None:
    """The whole page. Streamlit scrolls inside its main section, not the document, so full_page alone
    stops at the viewport: grow the viewport to the content's height for the shot."""
    height = page.locator('[data-testid="stMain"]').evaluate("e => e.scrollHeight")
    page.set_viewport_size({"width": VIEWPORT["width"], "height": max(VIEWPORT["height"], int(height))})
    try:
        page.screenshot(path=path, full_page=True, animations="disabled")
    finally:
        page.set_viewport_size(VIEWPORT)


def expect_chart(page, title: str) -> None:
    expect = _expect()
    expect(page.locator(".js-plotly-plot .main-svg").first).to_be_visible(timeout=WAIT_MS)
    expect(page.locator(".js-plotly-plot").get_by_text(title).first).to_be_visible(timeout=WAIT_MS)


def expect_no_exception(page) -> None:
    _expect()(page.locator('[data-testid="stException"]')).to_have_count(0)


def test_director_home_then_english_then_unit(page, e2e_store, artifacts):
    expect = _expect()
    db = connect(e2e_store)
    try:
        department = department_summary(db, YEAR)
        unit_user = authenticate(db, "demo-unit", DEMO_PASSWORD)
        unit = unit_summary(db, unit_user.unit_id, YEAR)
    finally:
        db.close()

    # sign in as the director, in Thai
    expect(page.get_by_text(translate("demo_notice", "th"))).to_be_visible()
    sign_in(page, "demo-director", DEMO_PASSWORD)
    expect(page.get_by_text(translate("department_total", "th"), exact=True)).to_be_visible(timeout=WAIT_MS)
    expect(metric_value(page, translate("department_total", "th"))).to_have_text(f"{department.total:,.1f}")
    expect(metric_value(page, translate("submissions", "th"))).to_have_text(
        translate("submissions_value", "th", done=department.units_counted, total=department.units_total))
    expect_chart(page, translate("score_by_category", "th"))
    wait_idle(page)
    expect_no_exception(page)
    screenshot(page, artifacts / "home-director-th.png")

    # English
    language_option(page, "English").click()
    expect(page.get_by_text(translate("department_total", "en"), exact=True)).to_be_visible()
    expect(metric_value(page, translate("department_total", "en"))).to_have_text(score_text(department.total))
    expect(page.get_by_text(translate("department_total", "th"), exact=True)).to_have_count(0)
    expect_chart(page, translate("score_by_category", "en"))
    wait_idle(page)
    expect_no_exception(page)
    screenshot(page, artifacts / "home-director-en.png")

    # sign out (the session keeps English), back to Thai, sign in as the unit assessor
    sidebar_button(page, translate("sign_out", "en")).click()
    expect(page.get_by_label(translate("username", "en"), exact=True)).to_be_visible()
    expect(page.locator('[data-testid="stMetric"]')).to_have_count(0)
    language_option(page, "ไทย").click()
    expect(page.get_by_label(translate("username", "th"), exact=True)).to_be_visible()
    sign_in(page, "demo-unit", DEMO_PASSWORD)
    expect(metric_value(page, translate("your_unit_status", "th"))).to_have_text(
        translate(f"status_{unit.status}", "th"), timeout=WAIT_MS)
    expect(metric_value(page, translate("total_score", "th"))).to_have_text(f"{unit.total:,.1f}")
    expect(page.get_by_text(translate("department_total", "th"), exact=True)).to_have_count(0)
    expect_chart(page, translate("score_by_category", "th"))
    wait_idle(page)
    expect_no_exception(page)
    screenshot(page, artifacts / "home-unit-th.png")


def test_wrong_password_shows_thai_error(page):
    expect = _expect()
    sign_in(page, "demo-director", "not-the-password")
    expect(page.get_by_text(translate("sign_in_failed", "th"))).to_be_visible(timeout=WAIT_MS)
    wait_idle(page)
    expect(page.get_by_label(translate("username", "th"), exact=True)).to_be_visible()
    expect(page.get_by_text(translate("department_total", "th"), exact=True)).to_have_count(0)
    expect(sidebar_button(page, translate("sign_out", "th"))).to_have_count(0)


# regression: with page files in pages/, a fresh server ran /home without the router (no sign-in)
def test_fresh_server_first_request_for_a_page_still_asks_to_sign_in(browser, demo_template, tmp_path):
    expect = _expect()
    store = _demo_copy(demo_template, tmp_path)
    with streamlit_server(store, tmp_path / "streamlit.log") as url:
        context = browser.new_context(viewport=VIEWPORT)
        try:
            page = context.new_page()
            page.goto(f"{url}/home")
            username = page.get_by_label(translate("username", "th"), exact=True)
            page.locator('[data-testid="stException"]').or_(username).first.wait_for(timeout=WAIT_MS)
            expect_no_exception(page)
            expect(username).to_be_visible()
            expect(page.get_by_text(translate("department_total", "th"), exact=True)).to_have_count(0)
        finally:
            context.close()
