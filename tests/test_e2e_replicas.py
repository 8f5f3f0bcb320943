"""Several app servers behind nginx, in headless Chromium: two replicas of `streamlit run` on one store (a SQLite
file, or a database on the test server) behind Debian's nginx with the site file the project ships
(deploy/nginx/pmqa.conf, its ports and certificate put in: nginx_server.py). A unit assessor signs in through
nginx and ticks a checkpoint; the replica serving that browser stops, as ``systemctl stop`` stops it; a reload
comes back from the other replica, still signed in, on the same page, with the tick there.

Nothing the session needs lives in the stopped process: the sign-in is in the store (the browser's cookie holds
its token), the page is in the address, the tick was saved to the store.
"""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from conftest import _unavailable
from e2e import (
    expect,
    heading,
    live,
    main,
    open_page,
    pattern,
    proxied_page,
    screenshot,
    seen,
    settle,
    sidebar_button,
    signed_in,
    with_unit_form_emptied,
)
from nginx_server import NGINX, behind_nginx, streams

from i18n import translate
from storage import connect
from storage.admin.demo import DEMO_PASSWORD
from storage.assessment import answers, assessments
from storage.organisation import accounts

pytestmark = pytest.mark.e2e

YEAR = 2570
CHECKPOINT = "1.1.B1"


@pytest.fixture(scope="module")
def server_store(browser, tmp_path_factory, units_only_template) -> Path:
    """A copy of the demo store with demo-unit's 2570 assessment emptied, so the tick is the form's first save."""
    if not NGINX.exists():
        _unavailable(f"{NGINX} is not installed (scripts/install-system-deps.sh nginx)")
    return with_unit_form_emptied(units_only_template, tmp_path_factory.mktemp("e2e-replicas"), YEAR)


@pytest.fixture(scope="module")
def proxied(server_store, tmp_path_factory):
    """Two app servers on the same store, each on a port of its own, behind nginx."""
    with behind_nginx(server_store, tmp_path_factory.mktemp("replicas")) as running:
        yield running


@pytest.fixture
def proxy(proxied):
    return proxied[0]


@pytest.fixture
def replicas(proxied):
    return proxied[1]


@pytest.fixture
def page(browser, proxy):
    """A browser session of its own that accepts the proxy's self-signed certificate."""
    with proxied_page(browser, proxy) as opened:
        yield opened


def serving(page, proxy, replicas):
    """The replica nginx sends this browser's requests to now: the last address of its X-Upstream header (a
    request that met a stopped replica first names both)."""
    answered = page.request.get(f"{proxy}/_stcore/health")
    assert answered.ok, answered.status
    port = int(answered.headers["x-upstream"].split(",")[-1].strip().rsplit(":", 1)[1])
    return next(replica for replica in replicas if replica.port == port)


def _named(checkpoint: str) -> re.Pattern:
    return re.compile("^" + re.escape(checkpoint) + r"\s")  # the label is "<id> <text>"


def checkbox(page, checkpoint: str):
    return live(main(page)).get_by_role("checkbox", name=_named(checkpoint))


def saved_caption(page, version: int):
    return live(main(page)).get_by_text(pattern("sa_last_saved", "th", "time", user="demo-unit", version=version))


def stored_ticks(location) -> set[str]:
    db = connect(location)
    try:
        unit = accounts.authenticate(db, "demo-unit", DEMO_PASSWORD)
        form = answers.load(db, unit, assessments.get(db, unit.unit_id, YEAR)["id"])
    finally:
        db.close()
    return {checkpoint for checkpoint, tick in form.ticks.items() if tick["self"]}


def test_a_reload_after_the_replica_stops_carries_on_at_another_signed_in(page, proxy, replicas, server_store,
                                                                        artifacts):
    # plain HTTP is sent to HTTPS
    with pytest.raises(urllib.error.HTTPError) as redirected:
        urllib.request.build_opener(NoRedirect).open(f"{proxy.http}/self_assessment", timeout=10)
    redirected.value.close()  # its socket, or the collector's unclosed-socket warning fails whichever test runs then
    assert redirected.value.code == 301
    assert redirected.value.headers["Location"].startswith("https://")

    page.goto(proxy)
    signed_in(page, "demo-unit", DEMO_PASSWORD)
    route = {cookie["name"]: cookie for cookie in page.context.cookies()}["pmqa_route"]
    assert route["httpOnly"] and route["secure"] and route["sameSite"] == "Lax"
    open_page(page, "page_self_assessment")
    expect()(heading(page, "sa_title", unit="")).to_be_visible()
    settle(page)
    live(main(page)).locator('[data-testid="stCheckbox"]').filter(
        has=page.get_by_role("checkbox", name=_named(CHECKPOINT))).locator("label").click()  # the input is hidden
    expect()(checkbox(page, CHECKPOINT)).to_be_checked()
    expect()(saved_caption(page, 1)).to_be_visible()
    settle(page)
    assert stored_ticks(server_store) == {CHECKPOINT}
    first = serving(page, proxy, replicas)
    assert all(serving(page, proxy, replicas) is first for _ in range(6))  # sticky: one browser, one replica
    assert not seen(page)["exception"]
    screenshot(page, artifacts / "replicas-before-stop.png")

    first.stop()
    page.reload()
    expect()(heading(page, "sa_title", unit="")).to_be_visible()
    expect()(sidebar_button(page, translate("sign_out", "th"))).to_be_visible()
    expect()(page).to_have_url(re.compile("/self_assessment$"))
    expect()(checkbox(page, CHECKPOINT)).to_be_checked()
    expect()(saved_caption(page, 1)).to_be_visible()
    settle(page)
    second = serving(page, proxy, replicas)
    assert second is not first and first.process.poll() is not None
    # the session that signed in and ticked was the stopped replica's: its WebSocket, the browser's first, ended
    # when that replica stopped (one the browser opened to the other replica before the reload may follow)
    assert streams(proxy)[0] == f"127.0.0.1:{first.port}", streams(proxy)
    assert not seen(page)["exception"]
    screenshot(page, artifacts / "replicas-after-stop.png")
    assert stored_ticks(server_store) == {CHECKPOINT}


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None
