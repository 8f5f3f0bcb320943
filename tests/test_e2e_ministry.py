"""The ministry in a browser (PostgreSQL: a generated ministry of twenty departments), served as deploy/ serves it:
two app servers behind nginx (nginx_server.py). Its viewer signs in to the roll-up, in Thai and in English, and
opens a department's overview read-only; its admin adds a department with its first admin, who then signs in to
that department alone. A department's committee approves its assessment on one replica and the viewer, on the
other, sees it in the roll-up at once; that replica stops and the viewer carries on at the first, signed in.
Screenshots go to test-artifacts/."""

from __future__ import annotations

import re

import pytest
from conftest import MINISTRY_SIZE, _unavailable
from e2e import (
    choose_option,
    expect,
    expect_chart,
    expect_no_exception,
    live,
    main,
    open_page,
    proxied_page,
    screenshot,
    settle,
    sidebar,
    signed_in,
    switch_language,
)
from nginx_server import NGINX, behind_nginx, route_to
from stores import on_server

from i18n import translate
from storage.admin import demo

pytestmark = pytest.mark.skipif(not on_server(), reason="a ministry's store is PostgreSQL (make test-postgres)")
DEPARTMENTS = MINISTRY_SIZE[0]


@pytest.fixture(scope="module")
def server_store(browser, tmp_path_factory, ministry_template):
    from e2e import copy_store

    if not NGINX.exists():
        _unavailable(f"{NGINX} is not installed (scripts/install-system-deps.sh nginx)")
    return copy_store(ministry_template, tmp_path_factory.mktemp("e2e-ministry"))


@pytest.fixture(scope="module")
def proxied(server_store, tmp_path_factory):
    """Two app servers on the ministry's store behind nginx: its HTTPS address and the replicas."""
    with behind_nginx(server_store, tmp_path_factory.mktemp("ministry-replicas")) as running:
        yield running


@pytest.fixture(scope="module")
def server(proxied):
    return proxied[0]


@pytest.fixture
def page(browser, server):
    with proxied_page(browser, server) as opened:
        opened.goto(server)
        yield opened


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
    settle(page)  # the whole page drawn (its table reads every department) before the form is used
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
    with proxied_page(browser, server) as other:  # the new department's admin: its own department, no ministry
        other.goto(server)
        signed_in(other, "e2e-admin", "river mango tide 42")
        expect()(main(other).get_by_text(translate("pw_title", "th")).first).to_be_visible()  # a new password first
        screenshot(other, artifacts / "ministry-new-department-admin-th.png")


PROGRESS = """title => {
  const plot = [...document.querySelectorAll(".js-plotly-plot")]
    .find(p => (p.layout?.title?.text || "").includes(title));
  const states = {};
  for (const trace of plot ? plot.data : []) {
    if (trace.type === "scatter") trace.x.forEach((x, i) => { states[`${trace.y[i]} · ${x}`] = trace.text[i]; });
  }
  return states;
}"""


def progress_states(page) -> dict[str, str]:
    """The roll-up's progress chart as the browser holds it: "<department> · <column>" -> the state it prints
    (the department assessment's status, the application built or not)."""
    title = translate("mn_progress_title", "th")
    expect_chart(page, title)
    return page.evaluate(PROGRESS, title)


def test_a_save_on_one_replica_shows_in_the_roll_up_on_the_other_which_carries_on_alone(browser, proxied, artifacts):
    """The cached figures agree on every replica (each keyed by the store's versions): the committee of the first
    department approves its assessment through the second replica and the viewer, served by the first, sees it
    on its next run; then the first replica stops and a reload carries on at the second, signed in."""
    proxy, (first, second) = proxied
    record = f"กส.1 · {translate('mn_record', 'th')}"
    with proxied_page(browser, proxy, route_to(proxy, first.port)) as viewer, \
            proxied_page(browser, proxy, route_to(proxy, second.port)) as committee:
        viewer.goto(proxy)
        signed_in(viewer, "ministry-viewer", demo.DEMO_PASSWORD)
        before = progress_states(viewer)
        assert before[record] == translate("status_draft", "th")

        committee.goto(proxy)
        signed_in(committee, "d01-committee", demo.DEMO_PASSWORD)
        open_page(committee, "page_department")
        live(main(committee)).locator('[data-testid="stCheckbox"]').filter(
            has_text=translate("dp_approve_confirm", "th")).locator("label").click()
        main(committee).get_by_role("button", name=translate("dp_approve", "th")).click()
        expect()(main(committee).get_by_role("button", name=translate("dp_reopen", "th"))).to_be_visible()
        settle(committee)
        expect_no_exception(committee)

        viewer.reload()
        after = progress_states(viewer)
        assert after[record] == translate("status_approved", "th")
        assert {k: v for k, v in after.items() if k != record} == {k: v for k, v in before.items() if k != record}
        settle(viewer)
        screenshot(viewer, artifacts / "ministry-replicas-approved-th.png")

        first.stop()
        viewer.reload()
        assert progress_states(viewer) == after  # the second replica, which never drew the roll-up, agrees
        expect()(sidebar(viewer).get_by_role("button", name=translate("sign_out", "th"))).to_be_visible()
        assert first.process.poll() is not None
        assert viewer.request.get(f"{proxy}/_stcore/health").headers["x-upstream"].endswith(f":{second.port}")
        settle(viewer)
        expect_no_exception(viewer)
