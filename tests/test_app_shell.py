"""The router (ui/router.py, run by streamlit_app.py) under AppTest: sign-in, the menu per role, sign-out,
the demo notice, the language switch, a deactivated account being signed out, and unexpected errors.

AppTest starts every run as a new server does: with Streamlit's automatic ``pages/`` list in force until
the router's ``st.navigation`` runs. So every test here also shows that a page file run by that list goes
through the router (``ui.router.require_user``).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from i18n import translate
from i18n.format import role_label
from storage.admin.demo import DEMO_PASSWORD
from storage.db import transaction
from ui.router import PAGES
from ui.text import md

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "streamlit_app.py"
ROLES_USERS = {"unit": "demo-unit", "committee": "demo-committee", "director": "demo-director", "admin": "demo-admin"}
ROLES = tuple(ROLES_USERS)


def router_pages() -> dict[str, tuple[str, str, tuple[str, ...]]]:
    return PAGES


def offered_pages(at: AppTest) -> dict[Path, str]:
    """Script path -> menu title of every page file st.navigation registered in the last run (AppTest keeps
    the registry in a private attribute; there is no public accessor). The router's hidden stand-ins at
    other pages' addresses are functions, not files, and are left out."""
    return {Path(info["script_path"]).resolve(): info["page_name"] for info in at._registered_pages.values()
            if info["script_path"]}


def menu_links(at: AppTest) -> list[str]:
    """The labels of the sidebar's page links, in order: the menu the router draws."""
    return [link.proto.label for link in at.sidebar.get("page_link")]


def sign_in(at: AppTest, username: str, password: str) -> AppTest:
    at.text_input(key="login_username").input(username)
    at.text_input(key="login_password").input(password)
    return at.main.button[0].click().run()


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def on_sign_in_page(at: AppTest) -> bool:
    keys = {w.key for w in at.text_input}
    return {"login_username", "login_password"} <= keys and not at.metric


@pytest.fixture
def run_app(demo_path, monkeypatch) -> Callable[..., AppTest]:
    """``run_app(role, lang)``: the router on a copy of the demo store, signed in as the role's demo user
    (no role: the sign-in page; lang None: whatever the app defaults to)."""
    monkeypatch.setenv("PMQA_DB", str(demo_path))

    def run(role: str | None = None, lang: str | None = "th") -> AppTest:
        at = AppTest.from_file(str(APP), default_timeout=60)
        if lang is not None:
            at.session_state["lang"] = lang
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        if role is not None:
            sign_in(at, ROLES_USERS[role], DEMO_PASSWORD)
            assert not at.exception, [e.value for e in at.exception]
        return at

    return run


def test_sign_in_page_renders_in_thai_by_default(run_app):
    at = run_app(lang=None)
    assert not at.exception
    assert at.session_state["lang"] == "th"
    assert [t.value for t in at.title] == [translate("app_title", "th")]
    assert [w.label for w in at.text_input] == [translate("username", "th"), translate("password", "th")]
    assert at.main.button[0].label == translate("sign_in", "th")
    assert translate("demo_accounts", "th") in [i.value for i in at.info]
    assert "user_id" not in at.session_state
    assert not at.error
    assert on_sign_in_page(at)
    assert not at.sidebar.button  # no sign-out button before signing in
    assert not menu_links(at)  # and no menu


@pytest.mark.parametrize("lang", ["th", "en"])
@pytest.mark.parametrize(("username", "password"), [("demo-director", "wrong-pass"), ("nobody", DEMO_PASSWORD),
                                                    ("demo-director", DEMO_PASSWORD.upper())])
def test_wrong_credentials_show_sign_in_failed_and_stay_signed_out(run_app, lang, username, password):
    at = sign_in(run_app(lang=lang), username, password)
    assert not at.exception
    assert [e.value for e in at.error] == [translate("sign_in_failed", lang)]
    assert "user_id" not in at.session_state
    assert on_sign_in_page(at)
    assert not at.sidebar.caption and not at.sidebar.button


@pytest.mark.parametrize("lang", ["th", "en"])
@pytest.mark.parametrize(("username", "password"), [("", ""), ("demo-director", ""), ("", DEMO_PASSWORD),
                                                    ("   ", DEMO_PASSWORD)])
def test_empty_fields_show_sign_in_empty(run_app, lang, username, password):
    at = sign_in(run_app(lang=lang), username, password)
    assert not at.exception
    assert [e.value for e in at.error] == [translate("sign_in_empty", lang)]
    assert "user_id" not in at.session_state
    assert on_sign_in_page(at)


@pytest.mark.parametrize("lang", ["th", "en"])
@pytest.mark.parametrize("role", ROLES)
def test_each_role_signs_in_and_gets_its_menu(run_app, demo_user, role, lang):
    at = run_app(role, lang)
    user = demo_user(role)
    assert not at.exception
    assert at.session_state["user_id"] == user.id
    assert not at.error
    expected_caption = translate("signed_in_as", lang, name=md(user.display_name), role=role_label(role, lang))
    assert [c.value for c in at.sidebar.caption] == [expected_caption]
    assert [b.label for b in at.sidebar.button] == [translate("sign_out", lang)]
    allowed = {(ROOT / path).resolve(): translate(title, lang)
               for path, (title, _icon, roles) in router_pages().items() if role in roles}
    assert allowed, f"PAGES gives role {role} no page at all"
    assert offered_pages(at) == allowed
    assert menu_links(at) == list(allowed.values())
    assert not on_sign_in_page(at)


@pytest.mark.parametrize("role", ROLES)
def test_menu_is_the_same_on_later_runs(run_app, role):
    at = run_app(role)
    at.run()
    assert not at.exception
    allowed = {(ROOT / path).resolve() for path, (_t, _i, roles) in router_pages().items() if role in roles}
    assert set(offered_pages(at)) == allowed
    assert at.sidebar.button and at.sidebar.caption


@pytest.mark.parametrize("role", ROLES)
def test_sign_out_returns_to_sign_in_page(run_app, role):
    at = run_app(role)
    at.sidebar.button[0].click().run()
    assert not at.exception
    assert "user_id" not in at.session_state
    assert on_sign_in_page(at)
    assert not at.sidebar.button and not at.sidebar.caption
    assert not at.get("plotly_chart")
    registered = list(at._registered_pages.values())
    assert registered and not any(info["script_path"] for info in registered)  # only the sign-in form
    # and the next user can sign in on the same session
    sign_in(at, ROLES_USERS["director"], DEMO_PASSWORD)
    assert not at.exception and at.metric


@pytest.mark.parametrize("lang", ["th", "en"])
@pytest.mark.parametrize("role", [None, *ROLES])
def test_demo_notice_in_sidebar(run_app, role, lang):
    at = run_app(role, lang)
    assert [w.value for w in at.sidebar.warning] == [translate("demo_notice", lang)]
    assert translate("demo_notice", lang) not in [w.value for w in at.main.warning]


def test_switching_language_to_english_re_renders_in_english(run_app, demo_user):
    at = run_app("director", "th")
    assert translate("department_total", "th") in metrics(at)
    at.button_group(key="lang_choice").set_value("en").run()
    assert not at.exception
    assert at.session_state["lang"] == "en"
    labels = set(metrics(at))
    assert {translate(k, "en") for k in ("department_total", "level", "submissions", "award_readiness")} <= labels
    assert not {translate(k, "th") for k in ("department_total", "level", "submissions")} & labels
    assert [t.value for t in at.title] == [translate("app_title", "en")]
    user = demo_user("director")
    assert [c.value for c in at.sidebar.caption] == [
        translate("signed_in_as", "en", name=md(user.display_name), role=role_label("director", "en"))]
    assert [b.label for b in at.sidebar.button] == [translate("sign_out", "en")]
    assert [w.value for w in at.sidebar.warning] == [translate("demo_notice", "en")]
    assert set(offered_pages(at).values()) == {translate(title, "en") for _p, (title, _i, roles)
                                               in router_pages().items() if "director" in roles}
    # the choice sticks on later runs, and clicking the selected option again (which clears the
    # control) keeps English
    at.run()
    assert at.session_state["lang"] == "en" and translate("department_total", "en") in metrics(at)
    at.button_group(key="lang_choice").set_value(None).run()
    assert not at.exception
    assert at.session_state["lang"] == "en" and translate("department_total", "en") in metrics(at)
    # and back to Thai
    at.button_group(key="lang_choice").set_value("th").run()
    assert not at.exception
    assert at.session_state["lang"] == "th" and translate("department_total", "th") in metrics(at)


def test_switching_language_on_the_sign_in_page(run_app):
    at = run_app(lang="th")
    at.button_group(key="lang_choice").set_value("en").run()
    assert not at.exception
    assert [w.label for w in at.text_input] == [translate("username", "en"), translate("password", "en")]
    assert at.main.button[0].label == translate("sign_in", "en")
    sign_in(at, "demo-director", "wrong-pass")
    assert [e.value for e in at.error] == [translate("sign_in_failed", "en")]


@pytest.mark.parametrize("role", ROLES)
def test_deactivated_account_is_signed_out_on_next_run(run_app, demo_db, role):
    at = run_app(role)
    assert at.metric and at.sidebar.button
    with transaction(demo_db):
        changed = demo_db.execute("UPDATE users SET active = 0 WHERE username = ?", [ROLES_USERS[role]]).rowcount
    assert changed == 1
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert on_sign_in_page(at)
    assert not at.sidebar.button and not at.sidebar.caption
    assert not at.get("plotly_chart")
    assert [i.value for i in at.info if "ระงับ" in i.value] == [translate("session_ended_disabled", "th")]
    assert ended_sessions(demo_db) == [(ROLES_USERS[role], "disabled")]
    # and the account cannot sign in again
    sign_in(at, ROLES_USERS[role], DEMO_PASSWORD)
    assert [e.value for e in at.error] == [translate("sign_in_failed", "th")]
    assert on_sign_in_page(at)


def test_a_password_reset_or_change_ends_the_accounts_other_sessions(run_app, demo_db):
    """The review's finding: after an admin's reset the old session only showed the change-password page, and
    once the real user chose a new password it was fully signed in again. Each ends; the changer's stays."""
    from storage.organisation.accounts import reset_password, user_id_of

    old = run_app("director")
    user_id = user_id_of(demo_db, ROLES_USERS["director"])
    reset_password(demo_db, None, user_id, "a fresh temporary phrase 42")
    old.run()
    assert on_sign_in_page(old) and translate("session_ended_password", "th") in [i.value for i in old.info]
    assert ended_sessions(demo_db)[-1] == (ROLES_USERS["director"], "password")
    # two sessions sign in with the temporary password; the one that chooses a new password is the only one left
    other, own = run_app(), run_app()
    for at in (other, own):
        sign_in(at, ROLES_USERS["director"], "a fresh temporary phrase 42")
    own.text_input(key="pw_current").input("a fresh temporary phrase 42")
    own.text_input(key="pw_new").input("my own new passphrase 7")
    own.text_input(key="pw_again").input("my own new passphrase 7")
    own.main.button[0].click().run()
    own.run()
    assert not own.exception and not on_sign_in_page(own) and own.metric
    other.run()
    assert on_sign_in_page(other) and not other.metric


def test_a_sign_in_ended_elsewhere_says_so_and_an_idle_end_leaves_the_browsers_token(run_app, demo_db):
    """Tabs of one browser share its token (a reload resumes with it): a tab that idles out leaves the token
    to the store, so another tab still in use goes on; one whose token was closed (signed out in another tab,
    or a restore) says its sign-in ended elsewhere, not that the password changed."""
    idle, ended = run_app("committee"), run_app("unit")
    idle.session_state["last_active"] = time.time() - 61 * 60
    idle.run()
    assert on_sign_in_page(idle)
    assert demo_db.execute("SELECT COUNT(*) FROM web_sessions WHERE username = 'demo-committee'").fetchone()[0] == 1
    with transaction(demo_db):
        demo_db.execute("DELETE FROM web_sessions WHERE username = 'demo-unit'")
    ended.run()
    assert on_sign_in_page(ended) and translate("session_ended_elsewhere", "th") in [i.value for i in ended.info]
    assert ended_sessions(demo_db)[-1] == (ROLES_USERS["unit"], "elsewhere")


def ended_sessions(db) -> list[tuple[str, str]]:
    return [(r[0], json.loads(r[1])["reason"]) for r in db.execute(
        "SELECT username, detail FROM audit_log WHERE action = 'sign_out' ORDER BY id")]


@pytest.mark.parametrize(("limit", "idle", "signed_out"), [
    (None, 59.5, False), (None, 60.5, True),    # the default: an hour
    ("5", 4.9, False), ("5", 5.1, True),       # PMQA_IDLE_MINUTES
    ("nonsense", 60.5, True), ("-3", 59.5, False),  # a bad setting falls back to the default
])
def test_a_session_ends_after_the_idle_time(run_app, demo_db, monkeypatch, limit, idle, signed_out):
    if limit is not None:
        monkeypatch.setenv("PMQA_IDLE_MINUTES", limit)
    at = run_app("committee", lang="en")
    at.session_state["last_active"] = time.time() - idle * 60
    at.run()
    assert not at.exception
    assert on_sign_in_page(at) == signed_out
    if signed_out:
        minutes = "5" if limit == "5" else "60"
        assert translate("session_ended_idle", "en", minutes=minutes) in [i.value for i in at.info]
        assert ended_sessions(demo_db) == [("demo-committee", "idle")]
        sign_in(at, "demo-committee", DEMO_PASSWORD)  # the message goes once the user is back
        assert not on_sign_in_page(at) and not any("signed out" in i.value for i in at.info)
    else:
        assert ended_sessions(demo_db) == []
        assert time.time() - at.session_state["last_active"] < 60  # the action kept the session alive


def test_signing_out_is_audited_as_the_users_own(run_app, demo_db):
    at = run_app("director")
    at.sidebar.button[0].click().run()
    assert on_sign_in_page(at)
    assert translate("session_ended_idle", "th", minutes="60") not in [i.value for i in at.info]
    assert ended_sessions(demo_db) == [("demo-director", "user")]


# ---- regressions ---------------------------------------------------------------------------------------


# regression: the conftest fixture passed a relative path, which AppTest resolves against tests/
def test_conftest_app_fixture_opens_the_router(app):
    at = app()
    assert not at.exception
    assert at.text_input(key="login_username")


# regression: page files in pages/ ran without the router on reruns (Streamlit MPA v1 discovery)
def test_rerun_after_sign_in_goes_through_the_router(run_app, demo_db):
    at = run_app("director")
    at.run()  # any widget interaction is such a rerun
    assert not at.exception
    assert [b.label for b in at.sidebar.button] == [translate("sign_out", "th")]
    # a signed-out session must never run the page itself
    with transaction(demo_db):
        demo_db.execute("UPDATE users SET active = 0 WHERE username = 'demo-director'")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert on_sign_in_page(at)


def test_a_session_whose_user_id_now_names_someone_else_is_signed_out(run_app, demo_db, demo_user):
    """After a restore the same user id can name another account: the session must not become that account."""
    at = run_app("admin")
    admin = demo_user("admin")
    demo_db.execute("UPDATE users SET username = 'someone-else' WHERE id = ?", [admin.id])
    at.run()
    assert not at.exception
    assert "user_id" not in at.session_state
    assert on_sign_in_page(at)


def test_anyone_signed_in_can_change_their_own_password_and_other_sessions_end(run_app, demo_db):
    other, at = run_app("unit"), run_app("unit")
    at.switch_page("pages/account.py").run()
    assert not at.exception and at.title[0].value == translate("page_account", "th")
    at.text_input(key="pw_current").input(DEMO_PASSWORD)
    at.text_input(key="pw_new").input("a phrase of my own 2570")
    at.text_input(key="pw_again").input("a phrase of my own 2570")
    at.main.button[0].click().run()
    assert [s.value for s in at.success] == [translate("pw_changed", "th")]
    assert [at.text_input(key=key).value for key in ("pw_current", "pw_new", "pw_again")] == ["", "", ""]
    at.run()
    assert not on_sign_in_page(at)
    other.run()
    assert on_sign_in_page(other)
    assert ended_sessions(demo_db)[-1] == (ROLES_USERS["unit"], "password")
    # a wrong current password changes nothing
    at.text_input(key="pw_current").input("not it at all")
    at.text_input(key="pw_new").input("another phrase of mine 9")
    at.text_input(key="pw_again").input("another phrase of mine 9")
    at.main.button[0].click().run()
    assert [e.value for e in at.error] == [translate("error_password_current", "th")]
