"""Every form shows what the store holds after any path through its sections, and a change saves only itself.

Regression (issue 25, the blocker): on the department assessment, หมวด 6 → the organisation profile → หมวด 6
showed every box unticked and every account empty (the profile's run ended with ``st.stop``, so Streamlit kept
the category's widgets on the server while the browser dropped them); the next tick saved the whole category as
shown and it fell to 0. Each test here walks a form section to section, to another page and back, compares
what the browser shows with the store, then makes one change and checks that the store changed that one value.
Helpers in e2e.py; screenshots go to test-artifacts/.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from e2e import (
    browser_page,
    copy_store,
    enter_signed_in,
    expect,
    expect_no_exception,
    heading,
    live,
    main,
    open_page,
    pick,
    screenshot,
    settle,
    toast,
)

from i18n import translate
from i18n.format import thailand_today
from scoring import LEVELS, default_framework
from storage import connect
from storage.admin.demo import DEMO_PASSWORD
from storage.assessment import answers, assessments, years
from storage.organisation import accounts
from storage.plans import followup, improvement, ofis
from storage.record import department

pytestmark = pytest.mark.e2e

YEAR = 2570
FW = default_framework()
DEPT_NARRATIVES = {"6.1": "กรมทบทวนกระบวนการหลักทุกไตรมาสร่วมกับผู้รับบริการ", "4.2": "วิเคราะห์ข้อมูลผลการดำเนินการรายเดือน"}
PROFILE_TEXT = "กรมมีพันธกิจด้านการส่งเสริมสุขภาพ บุคลากร 1,200 คน"
PLAN_TITLES = ("แผนพัฒนากระบวนการหลัก", "แผนยกระดับการสื่อสารองค์กร")
FOLLOWED, SUMMARY = "แผนที่ติดตามผลแล้ว", "ทบทวนกระบวนการหลักครบแล้ว รอวัดผลปีหน้า"


def person(db, role: str):
    return accounts.authenticate(db, f"demo-{role}", DEMO_PASSWORD)


@pytest.fixture(scope="module")
def server_store(browser, tmp_path_factory, units_only_template) -> Path:
    """The demo store with the department assessment of 2570 started from the units (two accounts and a part of
    each account's ADLI written, a
    profile part answered), the planning phase open and two department plans."""
    path = copy_store(units_only_template, tmp_path_factory.mktemp("e2e-sections"))
    db = connect(path)
    try:
        committee, admin = person(db, "committee"), person(db, "admin")
        record = department.start(db, committee, YEAR)
        version = record.version
        for item, text in DEPT_NARRATIVES.items():
            version = department.save_narrative(db, committee, YEAR, version, item, text)
            version = department.save_adli(db, committee, YEAR, version, item, "learning", f"บทเรียนของ {item}")
        department.save_profile(db, committee, YEAR, FW.profile[0].id, PROFILE_TEXT, before="")
        years.set_phase(db, admin, YEAR, "planning", "open")
        ofi = ofis.create(db, committee, YEAR, "6.1", "ทบทวนกระบวนการหลักให้ครบทุกกอง", "high", "demo-committee",
                          thailand_today() + timedelta(days=90), [person(db, "unit").unit_id])
        for title in PLAN_TITLES:
            improvement.create(db, committee, YEAR, "1y", title, [ofi], None)
        followed = improvement.create(db, committee, YEAR, "1y", FOLLOWED, [ofi], None)
        version = improvement.save(db, committee, followed, 1, title=FOLLOWED,
                                   actions=[{"text": "ทบทวนกระบวนการ", "ends_on": "2027-06-30"}],
                                   targets=[("checkpoint", "6.1.B1")])
        improvement.accept(db, committee, followed, improvement.submit(db, committee, followed, version),
                           expected_points=0.5)
        years.set_phase(db, admin, YEAR, "results_12m", "open")
        action = improvement.get(db, committee, followed)["actions"][0]["id"]
        followup.save(db, committee, followed, "12m", 0, actions=[{"id": action, "percent": 80, "done": "ทบทวนแล้ว"}],
                      summary=SUMMARY)
    finally:
        db.close()
    return path


# ---- what the browser shows ------------------------------------------------------------------------------

SHOWN = """() => {
  const seen = new Set(); const boxes = {}; const areas = [];
  for (const c of document.querySelectorAll(
      '[data-testid="stMain"] [data-testid="stElementContainer"]:not([data-stale="true"])')) {
    for (const cb of c.querySelectorAll('[data-testid="stCheckbox"]')) {
      if (seen.has(cb)) continue; seen.add(cb);
      boxes[cb.innerText.trim().split(/\\s/)[0]] = cb.querySelector('input').checked;
    }
    for (const ta of c.querySelectorAll('textarea')) {
      if (seen.has(ta)) continue; seen.add(ta); areas.push(ta.value);
    }
  }
  return {boxes, areas};
}"""


def shown(page, checkpoints: list[str]) -> tuple[dict[str, bool], list[str]]:
    """At rest: the ticks of ``checkpoints`` and the values of the text areas, as the browser shows them."""
    settle(page)
    found = page.evaluate(SHOWN)
    return {cp: found["boxes"][cp] for cp in checkpoints}, found["areas"]


def checkpoints_of(category: int) -> list[str]:
    return [cp.id for item, _, cp in FW.checkpoints() if item.category == category]


def section(page, name: str | re.Pattern, then_heading: re.Pattern) -> None:
    """Click a section of the form's segmented control and wait for its heading."""
    pick(page, live(main(page)).get_by_role("radio", name=name))
    expect()(live(main(page)).get_by_role("heading", name=then_heading)).to_be_visible()
    settle(page)


def category_heading(n: int) -> re.Pattern:
    return re.compile("^" + re.escape(translate("category_short", "th", n=n)) + r"\s")


def visit(page, title_key: str) -> None:
    """Open another page and wait until it is there: no checkbox or form of the page left."""
    open_page(page, title_key)
    expect()(page).to_have_url(re.compile(url_of(title_key) + "$"))
    settle(page)


def url_of(title_key: str) -> str:
    from ui.router import PAGES, url_path

    path = next(p for p, (key, _, _) in PAGES.items() if key == title_key)
    return "/" if path.endswith("home.py") else "/" + url_path(path)


def click_box(page, checkpoint: str) -> None:
    settle(page)
    live(main(page)).locator('[data-testid="stCheckbox"]').filter(
        has=page.get_by_role("checkbox", name=re.compile("^" + re.escape(checkpoint) + r"\s"))).locator("label").click()


def saved(page) -> None:
    """Until the form's "saved" toast shows: a box turns in the browser at once and is saved by the run after,
    so the app can look at rest before that run starts (a round under load read the store too early)."""
    expect()(toast(page, translate("sa_saved", "th"))).to_be_visible()


def audit_count(path: Path, action: str) -> int:
    db = connect(path)
    try:
        return db.execute("SELECT COUNT(*) FROM audit_log WHERE action = ?", [action]).fetchone()[0]
    finally:
        db.close()


# ---- the department assessment and its profile ------------------------------------------------------------

def dept_record(path: Path) -> department.Record:
    db = connect(path)
    try:
        return department.get(db, person(db, "committee"), YEAR)
    finally:
        db.close()


def expect_dept_category(page, path: Path, n: int) -> None:
    record = dept_record(path)
    ticks, areas = shown(page, checkpoints_of(n))
    assert ticks == {cp: record.ticks.get(cp, False) for cp in ticks}, f"หมวด {n}"
    assert sum(ticks.values()) > 0, f"หมวด {n} has ticked checkpoints to lose"
    parts = department.adli_parts(FW)  # per item its ADLI parts, then its overview
    assert areas == [text for item in FW.category(n).items for text in (
        *(record.adli.get((item.id, part.id), "") for part in parts), record.narratives.get(item.id, ""))], \
        f"หมวด {n}"


def test_department_assessment_shows_the_store_after_any_path_and_a_tick_saves_only_itself(
        browser, server, server_store, artifacts):
    profile_name = translate("dp_profile", "th")
    texts = ("dept_narrative", "dept_adli")
    saved_at_start = sum(audit_count(server_store, action) for action in ("dept_answers", *texts))
    with browser_page(browser) as page:
        enter_signed_in(page, server, server_store, "demo-committee")
        settle(page)
        screenshot(page, artifacts / "sections-home.png")  # the walk that found 32 phantom saves began so
        open_page(page, "page_department")
        expect()(heading(page, "dp_title", year=YEAR)).to_be_visible()
        for n in (6, 4, 6):
            section(page, translate("category_short", "th", n=n), category_heading(n))
            expect_dept_category(page, server_store, n)
            section(page, profile_name, re.compile("^" + re.escape(profile_name) + "$"))
            settle(page)
            assert shown(page, [])[1][0] == PROFILE_TEXT  # the profile's first part
            section(page, translate("category_short", "th", n=n), category_heading(n))
            expect_dept_category(page, server_store, n)
        # to another page and back: the form opens on the category chosen last, as stored
        visit(page, "page_home")
        open_page(page, "page_department")
        expect()(live(main(page)).get_by_role("heading", name=category_heading(6))).to_be_visible()
        expect_dept_category(page, server_store, 6)
        screenshot(page, artifacts / "sections-department.png")

        before, saves = dept_record(server_store), audit_count(server_store, "dept_answers")
        # moving around saved nothing (a browser reporting boxes it still held once wrote them all again)
        assert saves + sum(audit_count(server_store, action) for action in texts) == saved_at_start
        unticked = next(cp for cp in checkpoints_of(6) if not before.ticks.get(cp, False))
        click_box(page, unticked)
        expect()(live(main(page)).get_by_role("checkbox", name=re.compile("^" + re.escape(unticked)))).to_be_checked()
        saved(page)
        settle(page)
        expect_no_exception(page)
    after = dept_record(server_store)
    assert {cp for cp in set(before.ticks) | set(after.ticks)
            if before.ticks.get(cp, False) != after.ticks.get(cp, False)} == {unticked}
    assert after.narratives == before.narratives and after.adli == before.adli
    assert audit_count(server_store, "dept_answers") == saves + 1


# ---- the unit's form and the committee's review --------------------------------------------------------------

def unit_form(path: Path) -> answers.Form:
    db = connect(path)
    try:
        unit = person(db, "unit")
        return answers.load(db, unit, assessments.get(db, unit.unit_id, YEAR)["id"])
    finally:
        db.close()


def expect_unit_category(page, path: Path, n: int) -> None:
    form = unit_form(path)
    expected = [form.narratives.get((item.id, level), "") for item in FW.category(n).items for level in LEVELS]
    # every text area drawn before they are read (on a loaded machine the last of them came after the ticks)
    expect()(live(main(page)).locator("textarea")).to_have_count(len(expected))
    ticks, areas = shown(page, checkpoints_of(n))
    assert ticks == {cp: bool(form.ticks.get(cp, {}).get("self")) for cp in ticks}, f"หมวด {n}"
    assert sum(ticks.values()) > 0, f"หมวด {n} has ticked checkpoints to lose"
    assert areas == expected


def unit_category(n: int) -> re.Pattern:
    return re.compile("^" + re.escape(translate("category_short", "th", n=n)) + r"\s·")


def test_unit_form_shows_the_store_after_any_path_and_a_tick_saves_only_itself(browser, server, server_store):
    with browser_page(browser) as page:
        enter_signed_in(page, server, server_store, "demo-unit", "self_assessment")
        expect()(live(main(page)).get_by_role("heading", name=category_heading(1))).to_be_visible()
        for n in (2, 1, 2):
            section(page, unit_category(n), category_heading(n))
            expect_unit_category(page, server_store, n)
        visit(page, "page_workplan")
        open_page(page, "page_self_assessment")
        expect()(live(main(page)).get_by_role("heading", name=category_heading(2))).to_be_visible()
        expect_unit_category(page, server_store, 2)
        page.reload()  # a reload opens the same category (it is in the address)
        expect()(live(main(page)).get_by_role("heading", name=category_heading(2))).to_be_visible()
        expect()(live(main(page)).get_by_role("checkbox", name=re.compile(r"^2\.4\.S"))).to_have_count(
            len([cp for cp in checkpoints_of(2) if cp.startswith("2.4.S")]))
        expect_unit_category(page, server_store, 2)
        section(page, unit_category(1), category_heading(1))
        expect_unit_category(page, server_store, 1)

        before = unit_form(server_store)
        unticked = next(cp for cp in checkpoints_of(1) if not before.ticks.get(cp, {}).get("self"))
        click_box(page, unticked)
        expect()(live(main(page)).get_by_role("checkbox", name=re.compile("^" + re.escape(unticked)))).to_be_checked()
        saved(page)
        settle(page)
        expect_no_exception(page)
    after = unit_form(server_store)
    changed = {cp for cp in set(before.ticks) | set(after.ticks)
               if bool(before.ticks.get(cp, {}).get("self")) != bool(after.ticks.get(cp, {}).get("self"))}
    assert changed == {unticked}
    assert after.narratives == before.narratives
    assert after.assessment["version"] == before.assessment["version"] + 1


def reviewed(path: Path, unit_id: int) -> answers.Form:
    db = connect(path)
    try:
        return answers.load(db, person(db, "committee"), assessments.get(db, unit_id, YEAR)["id"])
    finally:
        db.close()


def review_ticks(form: answers.Form, checkpoints: list[str]) -> dict[str, bool]:
    def value(cp):
        tick = form.ticks.get(cp, {})
        return bool(tick.get("review") if tick.get("review") is not None else tick.get("self"))
    return {cp: value(cp) for cp in checkpoints}


def test_review_shows_the_store_after_any_path_and_a_tick_saves_only_itself(browser, server, server_store):
    db = connect(server_store)
    try:
        unit_id = next(u for u, s in db.execute(f"SELECT unit_id, status FROM assessments WHERE year = {YEAR} "
                                                  "ORDER BY unit_id") if s == "submitted")
    finally:
        db.close()
    with browser_page(browser) as page:
        enter_signed_in(page, server, server_store, "demo-committee", "review")
        expect()(live(main(page)).locator('[data-testid="stCheckbox"]').first).to_be_visible()
        for n in (3, 1, 3):
            section(page, translate("category_short", "th", n=n), re.compile(f"^{n}\\.1"))
            ticks, _ = shown(page, checkpoints_of(n))
            assert ticks == review_ticks(reviewed(server_store, unit_id), checkpoints_of(n)), f"หมวด {n}"
        visit(page, "page_ofi")
        open_page(page, "page_review")
        expect()(live(main(page)).locator('[data-testid="stCheckbox"]').first).to_be_visible()
        expect()(live(main(page)).get_by_role("heading", name=re.compile(r"^3\.1"))).to_be_visible()  # as left
        before = reviewed(server_store, unit_id)
        ticks, _ = shown(page, checkpoints_of(3))
        assert ticks == review_ticks(before, checkpoints_of(3))
        ticked = next(cp for cp, met in ticks.items() if met)
        click_box(page, ticked)
        expect()(live(main(page)).get_by_role("checkbox", name=re.compile("^" + re.escape(ticked)))).not_to_be_checked()
        saved(page)
        settle(page)
        expect_no_exception(page)
    after = reviewed(server_store, unit_id)
    all_checkpoints = [cp.id for _, _, cp in FW.checkpoints()]
    was, now = review_ticks(before, all_checkpoints), review_ticks(after, all_checkpoints)
    assert {cp for cp in all_checkpoints if was[cp] != now[cp]} == {ticked}


# ---- plans, their follow-up, and the administration ------------------------------------------------------

def choose_in(page, label: str, option: str) -> None:
    from e2e import choose_option

    choose_option(page, live(main(page)).get_by_label(label, exact=True).first, option)
    settle(page)


def plan_form(page):
    return live(main(page).locator('[data-testid="stForm"]').filter(
        has=page.get_by_role("button", name=translate("pl_save", "th"))))


def test_plan_editor_shows_each_plans_stored_values_after_moving_between_plans(browser, server, server_store):
    db = connect(server_store)
    try:
        plans = {p["title"]: p for p in improvement.listing(db, person(db, "committee"), YEAR)}
    finally:
        db.close()
    labels = {title: f"{title} · {translate('pl_department', 'th')}" for title in PLAN_TITLES}
    title_box = translate("pl_title", "th")
    with browser_page(browser) as page:
        enter_signed_in(page, server, server_store, "demo-committee", "plans")
        for title in (*PLAN_TITLES, PLAN_TITLES[0]):
            choose_in(page, translate("pl_open", "th"), labels[title])
            form = plan_form(page)
            expect()(form.get_by_label(title_box, exact=True)).to_have_value(title)
        visit(page, "page_home")
        open_page(page, "page_plans")
        form = plan_form(page)
        expect()(form.get_by_label(title_box, exact=True)).to_have_value(PLAN_TITLES[0])
        expect_no_exception(page)
    assert plans[PLAN_TITLES[0]]["version"] == plans[PLAN_TITLES[1]]["version"]


def test_admin_user_form_shows_each_accounts_stored_values_after_moving_between_tabs_and_accounts(
        browser, server, server_store):
    db = connect(server_store)
    try:
        people = {p["username"]: p for p in accounts.users(db)}
    finally:
        db.close()
    display = translate("adm_display_name", "th")
    with browser_page(browser) as page:
        enter_signed_in(page, server, server_store, "demo-admin", "admin")
        for tab in ("adm_tab_users", "adm_tab_units", "adm_tab_users"):
            settle(page)
            main(page).get_by_role("tab", name=translate(tab, "th"), exact=True).click()
            settle(page)
        editor = main(page).locator('[data-testid="stExpander"]').filter(
            has=page.locator("summary", has_text=translate("adm_edit_user", "th")))
        editor.locator("summary").click()
        settle(page)
        for name in ("demo-unit", "demo-director", "demo-unit"):
            from e2e import choose_option

            choose_option(page, live(editor).get_by_role("combobox", name=translate("adm_user", "th")),
                          f"{name} · {people[name]['display_name']}")
            expect()(live(editor).get_by_label(display, exact=True)).to_have_value(people[name]["display_name"])
        expect_no_exception(page)


def test_a_reports_tab_shows_the_stored_report_after_moving_between_tabs_plans_and_pages(browser, server, server_store):
    summary_box = translate("fu_summary", "th")
    with browser_page(browser) as page:
        enter_signed_in(page, server, server_store, "demo-committee", "plans")
        choose_in(page, translate("pl_open", "th"), f"{FOLLOWED} · {translate('pl_department', 'th')}")
        for tab in ("fu_round_12m", "fu_round_6m", "fu_plan_tab", "fu_round_12m"):
            settle(page)
            main(page).get_by_role("tab", name=translate(tab, "th"), exact=True).click()
            settle(page)
        expect()(live(main(page)).get_by_label(summary_box, exact=True)).to_have_value(SUMMARY)
        choose_in(page, translate("pl_open", "th"), f"{PLAN_TITLES[0]} · {translate('pl_department', 'th')}")
        choose_in(page, translate("pl_open", "th"), f"{FOLLOWED} · {translate('pl_department', 'th')}")
        expect()(live(main(page)).get_by_label(summary_box, exact=True)).to_have_value(SUMMARY)  # its tab, kept
        visit(page, "page_home")
        open_page(page, "page_plans")  # back from the menu: the plan chosen last, on its first tab
        settle(page)
        main(page).get_by_role("tab", name=translate("fu_round_12m", "th"), exact=True).click()
        expect()(live(main(page)).get_by_label(summary_box, exact=True)).to_have_value(SUMMARY)
        expect_no_exception(page)
