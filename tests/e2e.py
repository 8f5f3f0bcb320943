"""Driving the real app in headless Chromium: `streamlit run` on a store of the test's own, Playwright with
Debian's Chromium (Playwright's own browser downloads are blocked here), and helpers that wait only on what
the app shows: its script state, its stale elements, the texts and numbers it renders. Never on time.

Used by the browser tests (fixtures in conftest.py) and by bench/bench_browser.py.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ports import reserved_port

from i18n import translate

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
# Debian's build of Chromium's headless shell (package chromium-headless-shell), which Playwright itself uses for
# headless runs: the same engine without the full browser's compositor and GPU process, it took 8% less CPU than
# `chromium --headless` over the same browser tests. The full browser when the shell is not installed.
HEADLESS_SHELL, FULL_CHROMIUM = Path("/usr/lib/chromium/chromium-headless-shell"), Path("/usr/bin/chromium")
CHROMIUM = HEADLESS_SHELL if HEADLESS_SHELL.exists() else FULL_CHROMIUM
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
               "--disable-component-update", "--disable-sync"]
STARTUP_S = 60
WAIT_MS = 30_000  # the longest wait for any one thing the app should show: a bound for a hung app, not a pace
VIEWPORT = {"width": 1400, "height": 900}
PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True}  # a touch screen


def healthy(url: str, context=None) -> bool:
    """Whether the Streamlit server at ``url`` (directly, or through nginx: ``context`` its TLS settings) answers its
    health check."""
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2, context=context) as response:
            return response.status == 200 and response.read().strip() == b"ok"
    except urllib.error.HTTPError as refused:  # 503 while the server starts, 502 from nginx before a replica does:
        refused.close()  # closed, not left to the collector (whose unclosed-socket warning fails any test then)
        return False
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


class ServerFailed(RuntimeError):
    pass


class Server(str):
    """A running server's base URL, which can also stop the server before its block ends (a replica going away,
    as ``systemctl stop`` stops it: SIGTERM)."""

    port: int
    process: subprocess.Popen

    def stop(self) -> None:
        _stop(self.process)


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def streamlit_server(db_path: Path, log_path: Path, extra_env: dict[str, str] | None = None) -> Iterator[Server]:
    """`streamlit run streamlit_app.py` on a port of its own (ports.py: held until the server has stopped) with
    PMQA_DB=db_path (and ``extra_env``) and the project's own .streamlit/config.toml; yields the base URL once the
    server answers its health check."""
    with reserved_port() as port:
        url = Server(f"http://127.0.0.1:{port}")
        command = [sys.executable, "-m", "streamlit", "run", "streamlit_app.py", "--server.port", str(port),
                   "--server.address", "127.0.0.1", "--server.fileWatcherType", "none"]
        env = {**os.environ, "PMQA_DB": str(db_path), "PYTHONUNBUFFERED": "1", **(extra_env or {})}
        with open(log_path, "wb") as log:
            process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        url.port, url.process = port, process
        try:
            deadline = time.monotonic() + STARTUP_S
            while not healthy(url):
                if process.poll() is not None or time.monotonic() > deadline:
                    exited = process.poll() is not None
                    why = f"exited with {process.returncode}" if exited else f"not up in {STARTUP_S} s"
                    raise ServerFailed(f"streamlit {why}:\n{log_path.read_text(errors='replace')}")
                time.sleep(0.1)  # polling a process that is starting: not a wait on the page
            yield url
        finally:
            _stop(process)


@contextmanager
def job_worker(location, log_path: Path, extra_env: dict[str, str] | None = None) -> Iterator[None]:
    """On the test server (PostgreSQL), a documents' worker beside the app's server, as deploy/ runs one
    (``python -m jobs worker``), stopped at the end; on SQLite nothing: the app's own process builds them."""
    from storage.engine import is_server

    if not is_server(str(location)):
        yield
        return
    env = {**os.environ, "PYTHONUNBUFFERED": "1", **(extra_env or {})}
    with open(log_path, "wb") as log:
        process = subprocess.Popen([sys.executable, "-m", "jobs", "worker", "--db", str(location), "--poll", "0.5"],
                                   cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        yield
    finally:
        _stop(process)


def copy_store(template, folder: Path):
    """A copy of a template store for a server: a file in ``folder``, or a database on the test server."""
    import stores

    return stores.copy_store(template, folder, "demo.db")


def with_unit_form_emptied(template, folder: Path, year: int = 2570):
    """A copy of a template store (``copy_store``) with demo-unit's assessment of ``year`` emptied and back to a
    draft at version 0, so a test's first tick is the form's first save."""
    from storage import connect
    from storage.admin.demo import DEMO_PASSWORD
    from storage.assessment import assessments
    from storage.organisation import accounts

    path = copy_store(template, folder)
    db = connect(path)
    try:
        unit = accounts.authenticate(db, "demo-unit", DEMO_PASSWORD)
        aid = assessments.get(db, unit.unit_id, year)["id"]
        for table in ("checkpoint_answers", "kpi_results", "narratives", "unit_kpis"):
            db.execute(f"DELETE FROM {table} WHERE assessment_id = ?", [aid])
        db.execute("UPDATE assessments SET version = 0, status = 'draft' WHERE id = ?", [aid])
    finally:
        db.close()
    return path


def launch(playwright):
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)


# Recorded from the first byte of every document: whether Streamlit's automatic page list or an exception
# box ever appeared, even for a moment (a check at the end would miss a flash).
WATCH_SCRIPT = """
window.__seen = {nav: false, exception: false};
new MutationObserver(() => {
  if (document.querySelector('[data-testid="stSidebarNav"]')) window.__seen.nav = true;
  if (document.querySelector('[data-testid="stException"]')) window.__seen.exception = true;
}).observe(document, {childList: true, subtree: true});
"""


# Idle browser sessions kept for the next test, by browser, language and screen: a session that starts on a page
# its browser has shown before skips a new renderer process and compiling Streamlit's scripts again (about 2 s of
# CPU a session, a third of a browser test's CPU). Before it is kept it is emptied as a new one is: no cookies
# (so no sign-in and no language), no storage, no permissions, the screen's own size, on a blank page.
_IDLE: dict[tuple, list] = {}


def _emptied(context, page, screen: dict) -> bool:
    """Whether the session could be emptied for the next test (else it is closed)."""
    from playwright.sync_api import Error

    try:
        if page.url.startswith("http"):  # a blank page has no storage to clear (and may not touch it)
            page.evaluate("() => { localStorage.clear(); sessionStorage.clear(); }")
        page.goto("about:blank")  # leaves the app: its Streamlit session ends as if the window were closed
        context.clear_cookies()
        context.clear_permissions()
        page.set_viewport_size(screen["viewport"])
        return True
    except Error:
        return False


@contextmanager
def browser_page(browser, url: str | None = None, lang: str = "th", phone: bool = False,
                 fresh: bool = False) -> Iterator:
    """A browser session of its own (a context with one page, opened at ``url`` when given) with nothing from
    an earlier one: no cookies, storage or permissions. ``phone``: a 390x844 touch screen. Afterwards it is
    emptied and kept for the next call, or closed when the test failed in it or ``fresh`` (a session whose
    browser has never loaded the app, as a benchmark's first load needs)."""
    screen = PHONE if phone else {"viewport": VIEWPORT}
    locale = "th-TH" if lang == "th" else "en-GB"
    idle = _IDLE.setdefault((browser, locale, phone), [])
    if idle and not fresh:
        context, page = idle.pop()
    else:
        context = browser.new_context(**screen, locale=locale)
        context.add_init_script(WATCH_SCRIPT)
        page = context.new_page()
        page.set_default_timeout(WAIT_MS)
    try:
        if url is not None:
            page.goto(url)
        yield page
    except BaseException:
        context.close()
        raise
    if not fresh and _emptied(context, page, screen):
        idle.append((context, page))
    else:
        context.close()


@contextmanager
def proxied_page(browser, proxy: str, route: str | None = None, lang: str = "th") -> Iterator:
    """A browser session of its own through nginx (``nginx_server``), accepting its self-signed certificate;
    ``route``: the sticky cookie's value that sends it to one replica (``nginx_server.route_to``)."""
    context = browser.new_context(viewport=VIEWPORT, locale="th-TH" if lang == "th" else "en-GB",
                                  ignore_https_errors=True)
    if route is not None:
        context.add_cookies([{"name": "pmqa_route", "value": route, "url": proxy}])
    context.add_init_script(WATCH_SCRIPT)
    opened = context.new_page()
    opened.set_default_timeout(WAIT_MS)
    try:
        yield opened
    finally:
        context.close()


def expect():
    """Playwright's ``expect``, bounded by WAIT_MS like every other wait (its own default, 5 s, failed tests on a
    busy machine while the app was still drawing what they waited for)."""
    from playwright.sync_api import expect as playwright_expect

    playwright_expect.set_options(timeout=WAIT_MS)
    return playwright_expect


def seen(page) -> dict[str, bool]:
    return page.evaluate("() => window.__seen")


# ---- the app's state -------------------------------------------------------------------------------------

def settle(page) -> None:
    """Until the app is at rest: its script has finished (``data-test-script-state``) and no element of a
    previous run is left (``data-stale``). Call it before an action and after the action's outcome shows."""
    expect()(page.locator('[data-testid="stApp"]')).to_have_attribute("data-test-script-state", "notRunning")
    expect()(page.locator('[data-stale="true"]')).to_have_count(0)


def main(page):
    return page.locator('[data-testid="stMain"]')


def sidebar(page):
    return page.locator('[data-testid="stSidebar"]')


def live(scope):
    """The elements of ``scope`` that are not stale. While a run is under way, Streamlit keeps the previous
    run's element (marked data-stale="true") beside the new one for a moment: the same checkbox can be
    there twice."""
    return scope.locator('[data-testid="stElementContainer"]:not([data-stale="true"])')


def pattern(key: str, lang: str, *free: str, **fixed) -> re.Pattern:
    """The catalogue text as a regular expression: any text in place of the ``free`` placeholders."""
    text = re.escape(translate(key, lang, **{name: f"FREE{name}FREE" for name in free}, **fixed))
    for name in free:
        text = text.replace(re.escape(f"FREE{name}FREE"), ".+")
    return re.compile(f"^{text}")


def heading(page, key: str, lang: str = "th", **values):
    """The page's title (or any heading) whose text starts with the catalogue text for ``key``."""
    return live(main(page)).get_by_role("heading", name=re.compile("^" + re.escape(translate(key, lang, **values))))


# ---- actions ---------------------------------------------------------------------------------------------

def sign_in_form(page, lang: str = "th"):
    return page.get_by_label(translate("username", lang), exact=True)


def sign_in(page, username: str, password: str, lang: str = "th") -> None:
    expect()(sign_in_form(page, lang)).to_be_visible()
    settle(page)
    page.get_by_label(translate("username", lang), exact=True).fill(username)
    page.get_by_label(translate("password", lang), exact=True).fill(password)
    page.get_by_role("button", name=translate("sign_in", lang), exact=True).click()


def signed_in(page, username: str, password: str, lang: str = "th") -> None:
    """Sign in, then wait for the sidebar's sign-out button: the sign-in took."""
    sign_in(page, username, password, lang)
    expect()(sidebar_button(page, translate("sign_out", lang))).to_be_visible()


def enter_signed_in(page, url: str, store, username: str, path: str = "", lang: str = "th",
                    password: str | None = None) -> None:
    """Open ``url``/``path`` already signed in as ``username`` in ``lang``, as a reload finds a browser that signed in
    before: the password checked and a session opened in the server's ``store`` (as the sign-in form does, audited),
    its token in the sign-in cookie, the language in its cookie. For tests of what comes after signing in: it skips
    the sign-in page and Home (some 2 s of CPU a start, a tenth of the browser tests' work). Signing in through the
    form, in each language, is the subject of its own tests (test_e2e.py, test_e2e_addresses.py, test_e2e_admin.py,
    test_e2e_reload.py, test_e2e_replicas.py, test_e2e_ministry.py)."""
    from datetime import timedelta

    from storage import connect
    from storage.admin.demo import DEMO_PASSWORD
    from storage.organisation import signin
    from ui.session import LANGUAGE_COOKIE, SESSION_COOKIE, idle_limit

    assert page.url == "about:blank", "a session at no address (the page fixture: mark the test enters_signed_in)"
    db = connect(store)
    try:
        outcome = signin.sign_in(db, username, password or DEMO_PASSWORD)
        assert outcome.user is not None, f"{username} cannot sign in: {outcome.refusal}"
        token = signin.open_session(db, outcome.user, timedelta(minutes=idle_limit()))
    finally:
        db.close()
    page.context.add_cookies([{"name": SESSION_COOKIE, "value": token, "url": url},
                              {"name": LANGUAGE_COOKIE, "value": lang, "url": url}])
    page.goto(f"{url}/{path}")
    expect()(sidebar_button(page, translate("sign_out", lang))).to_be_visible()


def menu_link(page, title_key: str, lang: str = "th"):
    return sidebar(page).get_by_role("link", name=translate(title_key, lang), exact=True)


def open_page(page, title_key: str, lang: str = "th") -> None:
    """Click a page in the sidebar menu (the caller then waits for that page's content)."""
    settle(page)
    menu_link(page, title_key, lang).click()


def choose_option(page, box, option: str) -> None:
    """Pick ``option`` in the selectbox ``box`` (its combobox input), until the box holds it. The list opens
    on the arrow key, and a key pressed while an expander still opens is lost; a rerun can redraw the list
    under the click: each is tried again."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    wanted = page.get_by_role("option", name=option, exact=True)
    for _ in range(5):
        settle(page)
        box.focus()
        page.keyboard.press("ArrowDown")
        try:
            wanted.click(timeout=3000)
            expect()(box).to_have_value(option, timeout=3000)
            return
        except (PlaywrightTimeout, AssertionError):
            page.keyboard.press("Escape")
    raise AssertionError(f"could not choose {option!r}")


def pick(page, option) -> None:
    """Click ``option`` (a radio: an option of a segmented control or pills) until it is checked. Under load a
    click now and then left the choice unchanged (2 rounds of 4 on three workers beside the rest of the suite):
    it is made again, up to three times, and only while the option is still unchecked (a second click on a
    checked option of Streamlit's segmented control clears it)."""
    for _ in range(3):
        settle(page)
        if option.is_checked():
            return
        option.click()
        try:
            expect()(option).to_be_checked(timeout=5000)
            return
        except AssertionError:
            continue
    expect()(option).to_be_checked()


def sidebar_button(page, name: str):
    return sidebar(page).get_by_role("button", name=name)


def language_option(page, name: str):
    """An option of the sidebar's segmented language control (Streamlit renders it as a radio group)."""
    return sidebar(page).get_by_role("radio", name=name, exact=True)


def switch_language(page, lang: str) -> None:
    settle(page)
    language_option(page, {"th": "ไทย", "en": "English"}[lang]).click()
    expect()(sidebar(page).get_by_text(translate("language", lang), exact=True)).to_be_visible()


def metric_value(page, label: str):
    return live(page).locator('[data-testid="stMetric"]').filter(
        has=page.locator('[data-testid="stMetricLabel"]', has_text=label)).locator('[data-testid="stMetricValue"]')


def expect_chart(page, title: str) -> None:
    expect()(page.locator(".js-plotly-plot .main-svg").first).to_be_visible()
    expect()(page.locator(".js-plotly-plot").get_by_text(title).first).to_be_visible()


TEXT_LINES = """element => {
  const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT), lines = [];
  let top = null, line = "";
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (let i = 0; i < node.length; i++) {
      const range = document.createRange(); range.setStart(node, i); range.setEnd(node, i + 1);
      const rect = range.getClientRects()[0], at = rect ? Math.round(rect.top) : top;
      if (top !== null && at > top + 2) { lines.push(line); line = ""; }
      line += node.data[i]; top = at;
    }
  }
  return [...lines, line];
}"""


def text_lines(locator) -> list[str]:
    """The lines the browser laid out ``locator``'s text in, without the invisible marks that keep Thai words
    whole (U+200B, U+2060)."""
    return [line.replace("\u200b", "").replace("\u2060", "").strip() for line in locator.evaluate(TEXT_LINES)]


def toasts(page):
    return page.locator('[data-testid="stToast"]')


def toast(page, text: str):
    """The toast that says ``text`` (Streamlit shows them over the page, outside the main area)."""
    return toasts(page).get_by_text(text)


def expect_no_exception(page) -> None:
    expect()(page.locator('[data-testid="stException"]')).to_have_count(0)


def screenshot(page, path: Path) -> None:
    """The whole page. Streamlit scrolls inside its main section, not the document, so full_page alone
    stops at the viewport: grow the viewport to the content's height for the shot."""
    height, size = main(page).evaluate("e => e.scrollHeight"), page.viewport_size  # a phone's stays a phone's
    page.set_viewport_size({"width": size["width"], "height": max(size["height"], int(height))})
    try:
        page.screenshot(path=path, full_page=True, animations="disabled")
    finally:
        page.set_viewport_size(size)
