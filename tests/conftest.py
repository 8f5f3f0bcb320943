"""Shared fixtures: real SQLite files in temporary folders, and signed-in app runs."""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pytest
from addresses import open_address
from argon2 import PasswordHasher
from hypothesis import settings
from stores import copy_store, drop, new_location, on_server
from streamlit.testing.v1 import AppTest

from storage import connect, open_store
from storage.admin.demo import DEMO_PASSWORD
from storage.organisation import accounts, signin
from storage.organisation.accounts import User, authenticate

APP = str(Path(__file__).resolve().parent.parent / "streamlit_app.py")
ROLES_USERS = {"unit": "demo-unit", "committee": "demo-committee", "director": "demo-director", "admin": "demo-admin"}
CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


# Hypothesis without its deadline (200 ms an example by default): a property is about values, not time, and on a
# busy machine (three workers on two cores beside browsers) an example of a pure function once took longer.
settings.register_profile("pmqa", deadline=None)
settings.load_profile("pmqa")


# ---- what every test shares, made cheap ------------------------------------------------------------------

@pytest.fixture(scope="session", autouse=True)
def cheap_password_hashes():
    """Passwords hashed and checked with cheap argon2 settings in the test process (the demo template's too):
    at the product's (19 MiB, 2 passes) each hash or check takes about 50 ms, and sign-ins and new accounts
    made some 1,800 of them in a run. Tests about the hashes set their own (test_storage_signin.py); the
    browser tests' servers hash at the product's cost (a demo user's cheap hash is re-hashed at its first
    sign-in there, as any hash with other settings is). For the same reason a refusal is not held back to
    ``signin.FAILURE_FLOOR_S`` here (its own test sets it)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(accounts, "_hasher", CHEAP_HASHER)
        patch.setattr(signin, "FAILURE_FLOOR_S", 0)
        yield


@pytest.fixture(scope="session", autouse=True)
def components_scanned_once():
    """Each new AppTest scans every installed distribution for Streamlit components (0.1 s of CPU, some 400
    times a run); the installed packages do not change during a run, so each test process scans once."""
    from streamlit.components.v2 import manifest_scanner

    scan = functools.cache(manifest_scanner.scan_component_manifests)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(manifest_scanner, "scan_component_manifests", lambda *args, **kwargs: list(scan(*args, **kwargs)))
        yield


def pytest_collection_modifyitems(config, items):
    """On the test server (``make test-postgres``) the modules marked ``engine_free`` are skipped: they open no
    store (``engine_free_opens_no_store`` holds them to it), so they would only repeat ``make test``'s run of
    them (some 70 s of a worker, 3% of that suite)."""
    if not on_server():
        return
    skip = pytest.mark.skip(reason="engine-free: opens no store, so it runs once, in make test")
    for item in items:
        if item.get_closest_marker("engine_free"):
            item.add_marker(skip)


class StoreRefused(AssertionError):
    pass


@pytest.fixture(autouse=True)
def engine_free_opens_no_store(request):
    """A test marked ``engine_free`` fails if it opens a store (on SQLite, where it runs): else it would be
    skipped on PostgreSQL while depending on the engine."""
    if request.node.get_closest_marker("engine_free") is None:
        yield
        return
    from storage.engine import Store

    def refused(self, *args, **kwargs):
        raise StoreRefused(f"{request.node.nodeid} is marked engine_free but opens a store: remove the mark")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Store, "__init__", refused)
        yield


@pytest.fixture(scope="session", autouse=True)
def app_runs_awaited_without_polling():
    """AppTest waits for each script run by waking every millisecond to scan the run's events for its end
    (``local_script_runner.require_widgets_deltas``): 5-8% of a page-test module's CPU, spent beside the run it
    waits for. Here the wait sleeps until the runner signals its end (the same SHUTDOWN event, through the
    runner's own ``on_event``), with the same timeout and the same error when it passes."""
    import threading

    from streamlit.runtime.scriptrunner import ScriptRunnerEvent
    from streamlit.testing.v1 import local_script_runner

    def require_widgets_deltas(runner, timeout: float = 3) -> None:
        ended = threading.Event()

        def on_event(sender, event, **kwargs) -> None:
            if event == ScriptRunnerEvent.SHUTDOWN:
                ended.set()

        runner.on_event.connect(on_event, weak=False)
        try:
            if runner.script_stopped() or ended.wait(timeout):  # stopped before we listened, or since
                return
        finally:
            runner.on_event.disconnect(on_event)
        runner.request_stop()
        runner.join()
        raise RuntimeError(f"AppTest script run timed out after {timeout}(s)")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(local_script_runner, "require_widgets_deltas", require_widgets_deltas)
        yield


@pytest.fixture(scope="session")
def empty_template(tmp_path_factory):
    """An empty store with every schema change applied, made once per test process; ``db`` copies it (making a
    new store took 70 ms, a copy 2 ms, and some 750 tests start from an empty store). On SQLite a file, on the
    test server (``make test-postgres``) a database (``stores.py``)."""
    location = new_location(tmp_path_factory.mktemp("empty"), "store.db")
    connect(location).close()
    yield location
    drop(location)


@pytest.fixture
def db(tmp_path, empty_template):
    """A fresh, empty, migrated store on a real file (or a real database of its own on the test server)."""
    location = copy_store(empty_template, tmp_path, "store.db")
    store = connect(location)
    yield store
    store.close()
    drop(location)


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory, cheap_password_hashes):
    """The demo store, written once per test process (each pytest-xdist worker writes its own); tests use
    copies."""
    location = new_location(tmp_path_factory.mktemp("demo"), "demo.db")
    open_store(location).close()
    yield location
    drop(location)


@pytest.fixture(scope="session")
def units_only_template(empty_template, tmp_path_factory, cheap_password_hashes):
    """The demo department as the units leave it, before the committee's own work (no department assessment,
    profile or evidence): most tests begin there. The demo as the app makes it is ``full_demo_path`` (and what
    the browser tests' server runs on)."""
    from storage.admin import demo

    location = copy_store(empty_template, tmp_path_factory.mktemp("units-only"), "demo.db")
    store = connect(location)
    demo.populate(store, department_work=False)
    store.close()
    yield location
    drop(location)


MINISTRY_SIZE = (20, 3)  # the generated ministry's departments and each one's units: twenty, as a ministry has


@pytest.fixture(scope="session")
def ministry_template(tmp_path_factory, cheap_password_hashes):
    """A generated ministry (``demo.populate_ministry``: PostgreSQL only) of ``MINISTRY_SIZE`` departments and units,
    the first with its committee's work (the others' would cost 1.2 s a year each, and no test reads it), with the
    ministry's own viewer (``ministry-viewer``) and admin (``ministry-admin``), the demo's password
    each; tests use copies."""
    from storage.admin import demo
    from storage.organisation import ministry

    location = new_location(tmp_path_factory.mktemp("ministry"), "ministry.db")
    with closing(connect(location)) as db:
        demo.populate_ministry(db, *MINISTRY_SIZE, department_work=1)
        db.act_for(ministry.ministry(db)["id"])
        for role in ("ministry_viewer", "ministry_admin"):
            accounts.create_user(db, role.replace("_", "-"), DEMO_PASSWORD, role, weak_password=True)
    yield location
    drop(location)


@pytest.fixture
def demo_path(tmp_path, units_only_template):
    """A copy of the demo store as the units leave it (``units_only_template``): a file, or a database on the
    test server."""
    location = copy_store(units_only_template, tmp_path, "demo.db")
    yield location
    drop(location)


@pytest.fixture
def demo_db(demo_path):
    with closing(connect(demo_path)) as store:
        yield store


@pytest.fixture
def full_demo_path(tmp_path, demo_template):
    """A copy of the demo store as the app makes it on first start, the department's work included."""
    location = copy_store(demo_template, tmp_path, "full-demo.db")
    yield location
    drop(location)


@pytest.fixture
def full_demo_db(full_demo_path):
    with closing(connect(full_demo_path)) as store:
        yield store


@pytest.fixture
def demo_user(demo_db) -> Callable[[str], User]:
    def user(role: str) -> User:
        return authenticate(demo_db, ROLES_USERS[role], DEMO_PASSWORD)

    return user


@pytest.fixture
def app(demo_path, monkeypatch) -> Callable[..., AppTest]:
    """``app(role)``: the app run on a copy of the demo store, signed in as that role's demo user
    (no role: the sign-in page); ``page`` (its file, as in ``switch_page``): signed in at that page's address,
    so the page opens right after, as after a sign-in in the browser (Home is not run first)."""
    monkeypatch.setenv("PMQA_DB", str(demo_path))

    def run(role: str | None = None, lang: str = "th", page: str | None = None) -> AppTest:
        from ui.router import HOME, url_path

        at = AppTest.from_file(APP, default_timeout=60)
        at.session_state["lang"] = lang
        at.run()
        if page not in (None, HOME):  # its address typed: signing in there opens it at once, without Home first
            open_address(at, url_path(page))
        if role is not None:
            at.text_input(key="login_username").input(ROLES_USERS[role])
            at.text_input(key="login_password").input(DEMO_PASSWORD)
            at.button[0].click().run()
            assert not at.exception, [e.value for e in at.exception]
        return at

    return run


@pytest.fixture
def finish_jobs() -> Callable[..., AppTest]:
    """``finish_jobs(at)``: wait until the documents asked for (``jobs``) are built, then run the page again. On
    SQLite the app's in-process executor builds them (threads of this test process, as of the app's); on the test
    server, a Procrastinate worker this fixture runs on a thread of this process (``jobs.worker.InThread``: the
    real worker, without its signal handlers), stopped at the end."""
    import jobs

    workers = {}

    def finish(at: AppTest, timeout: float = 120) -> AppTest:
        location = os.environ["PMQA_DB"]
        if on_server() and location not in workers:
            from jobs.worker import InThread

            workers[location] = InThread(location, poll=0.2, heartbeat=1, stalled_after=5, check_every=1).start()
        with closing(connect(location)) as store:
            assert jobs.wait(store, timeout), "the documents asked for were not built in time"
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        return at

    yield finish
    for worker in workers.values():
        worker.stop()


# ---- browser tests (helpers in e2e.py) -------------------------------------------------------------------

@pytest.hookimpl(optionalhook=True)
def pytest_xdist_auto_num_workers(config):
    """``-n auto``: one worker more than cores, at most five. A worker running a browser module waits on its
    server and Chromium part of the time; the one more keeps the cores busy (on 2 cores the suite took 360 s
    with 3 workers, 379 s with 2)."""
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):  # xdist's own setting still wins
        return int(os.environ["PYTEST_XDIST_AUTO_NUM_WORKERS"])
    return min(len(os.sched_getaffinity(0)) + 1, 5)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """Under pytest-xdist with ``--dist loadfile`` (pyproject's default): whole modules to workers, browser
    modules beside unit tests (parallel.py)."""
    if config.getvalue("dist") != "loadfile":
        return None
    from parallel import BrowserBesideUnitScheduling

    return BrowserBesideUnitScheduling(config, log)


def _unavailable(why: str) -> None:
    if os.environ.get("PMQA_REQUIRE_E2E") == "1":
        pytest.fail(f"browser tests are required (PMQA_REQUIRE_E2E=1) but {why}")
    pytest.skip(why)


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium (its headless shell) driven by Playwright, one for the whole session. Without it the
    browser tests skip, or fail when PMQA_REQUIRE_E2E=1 (CI)."""
    from e2e import CHROMIUM, HEADLESS_SHELL, launch

    if not CHROMIUM.exists():
        _unavailable(f"neither {HEADLESS_SHELL} nor {CHROMIUM} is installed (apt-get install chromium-headless-shell)")
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
def server_store(browser, tmp_path_factory, units_only_template) -> Path:
    """The store a browser-test module's server runs on: its own copy of the demo store as the units leave it
    (``units_only_template``). A module that needs other data overrides this fixture (the demo as the app makes
    it: test_e2e_application.py). (``browser`` first: nothing is copied when browser tests skip.)"""
    from e2e import copy_store

    return copy_store(units_only_template, tmp_path_factory.mktemp("e2e"))


@pytest.fixture(scope="module")
def server(request, browser, server_store, tmp_path_factory):
    """`streamlit run` on ``server_store`` for the whole module; its base URL. Only in a ``test_e2e*.py`` module:
    a parallel run keeps those beside unit tests, one at a time (parallel.py)."""
    from e2e import job_worker, streamlit_server
    from parallel import BROWSER_MODULE_PREFIX, is_browser_module

    if not is_browser_module(request.path):
        pytest.fail(f"{request.path.name} starts the app's server: name it {BROWSER_MODULE_PREFIX}*.py")

    # a module may set SERVER_ENV (settings for its server) and JOB_WORKER (it builds documents: on the test server
    # a worker process runs beside the app, as deploy/ runs one)
    extra_env = getattr(request.module, "SERVER_ENV", {})
    logs = tmp_path_factory.mktemp("server")
    worker = job_worker(server_store, logs / "worker.log", extra_env) if getattr(request.module, "JOB_WORKER", False) \
        else contextlib.nullcontext()
    with streamlit_server(server_store, logs / "streamlit.log", extra_env) as url, worker:
        yield url


@pytest.fixture
def page(request, browser, server):
    """A fresh browser session (Thai) at the server's address; at no address for a test marked ``enters_signed_in``
    (it opens its page with ``e2e.enter_signed_in``)."""
    from e2e import browser_page

    with browser_page(browser, None if request.node.get_closest_marker("enters_signed_in") else server) as opened:
        yield opened
