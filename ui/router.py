"""The router: sign-in, then a menu built for the signed-in role, the language switch, and one boundary
where an unexpected error becomes a plain message with a reference (``ui.faults``).

Every page address is known to ``st.navigation`` on every run. Signed out, each address shows the
sign-in form (and, once signed in, that same page); a role that may not use a page gets a plain note
at its address. The menu is drawn from page links, not by ``st.navigation`` (which is told
``position="hidden"``), because ``client.showSidebarNavigation = false`` must hide Streamlit's automatic
list of the ``pages/`` folder: see ``require_user`` and the README's layout section.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

import streamlit as st

from i18n import LANGUAGES
from i18n.format import role_label
from storage import is_demo
from storage.errors import StoreError, Unavailable
from storage.organisation import identity
from storage.organisation.accounts import MAX_PASSWORD, MAX_USERNAME, MIN_PASSWORD, User
from storage.schema import MINISTRY_ROLES, ROLES
from ui import browser, faults, session, sso
from ui.errors import describe
from ui.i18n import t
from ui.session import StoreMissing
from ui.text import md
from ui.widget_state import run_completed, run_started

HOME = "pages/home.py"
PAGES = {
    # page file -> (title key, icon, roles that may open it)
    HOME: ("page_home", ":material/home:", ROLES),
    "pages/self_assessment.py": ("page_self_assessment", ":material/edit_note:", ("unit",)),
    "pages/review.py": ("page_review", ":material/fact_check:", ("committee", "admin")),
    "pages/ofi_register.py": ("page_ofi", ":material/checklist:", ("committee", "admin")),
    "pages/department.py": ("page_department", ":material/account_balance:", ("committee", "director", "admin")),
    "pages/examiners.py": ("page_examiners", ":material/gavel:", ("committee", "director", "admin")),
    "pages/overview.py": ("page_overview", ":material/monitoring:", ("director", "committee", "admin",
                                                                     *MINISTRY_ROLES)),
    "pages/documents.py": ("page_documents", ":material/description:", ("committee", "director", "admin")),
    "pages/workplan.py": ("page_workplan", ":material/event_note:", ROLES),
    "pages/plans.py": ("page_plans", ":material/trending_up:", ROLES),
    "pages/progress.py": ("page_progress", ":material/insights:", ROLES),
    "pages/admin.py": ("page_admin", ":material/admin_panel_settings:", ("admin",)),
    "pages/departments.py": ("page_departments", ":material/domain:", ("ministry_admin",)),
    "pages/account.py": ("page_account", ":material/key:", (*ROLES, *MINISTRY_ROLES)),
}
MINISTRY_HOME = "pages/ministry.py"  # the ministry's own accounts' Home: the roll-up, at Home's address
MINISTRY_HOME_PAGE = ("page_ministry", ":material/account_tree:")

class PageEnd(Exception):
    """Raised by ``end_page``; the router catches it, so the run completes (see ``ui.widget_state``)."""


def end_page() -> NoReturn:
    """End the page here: nothing more of it is drawn, and the run completes as if the page had ended."""
    raise PageEnd


_this_run = threading.local()  # whether the running page was started by the router (one run per thread)


@contextmanager
def _routing() -> Iterator[None]:
    _this_run.routed = True
    try:
        yield
    finally:
        _this_run.routed = False
        session.release()


def require_user(*roles: str) -> User:
    """The first call of every page: the signed-in user if their role may open it (any role when none
    are named); otherwise a plain message, and nothing more of the page runs.

    Until ``st.navigation`` has run once in the server process, Streamlit serves the ``pages/`` folder
    as its own page list, so the first request for a page address on a new server runs that page
    file directly. Such a run did not come through the router: run the router here (it shows the
    sign-in form at this address) and stop the page.
    """
    if not getattr(_this_run, "routed", False):
        route()
        st.stop()  # this run is not inside the router's: nothing to catch an end_page
    user = session.current_user()
    if user is None or user.must_change_password or (roles and user.role not in roles):
        st.warning(t("sign_in_required"), icon=":material/lock:")
        end_page()
    return user


def _keep_language() -> None:
    choice = st.session_state.get("lang_choice")
    if choice in LANGUAGES:  # clicking the selected option again clears the control: keep the language
        st.session_state["lang"] = choice


def language_switch() -> None:
    st.session_state["lang_choice"] = st.session_state["lang"]
    st.sidebar.segmented_control(
        t("language"), LANGUAGES, key="lang_choice", on_change=_keep_language,
        format_func={"th": "ไทย", "en": "English"}.get,
    )


def sign_in_page() -> None:
    st.title(t("app_title"))
    st.caption(t("app_subtitle"))
    ended = session.ended()
    if ended:
        st.info(t(f"session_ended_{ended}", minutes=f"{session.idle_limit():g}"), icon=":material/schedule:")
    if is_demo(session.store()):
        st.info(t("demo_accounts"))
    _single_sign_on()
    with st.form("sign_in"):
        username = st.text_input(t("username"), key="login_username", max_chars=MAX_USERNAME)
        password = st.text_input(t("password"), type="password", key="login_password", max_chars=MAX_PASSWORD)
        submitted = st.form_submit_button(t("sign_in"), type="primary")
    if submitted:
        if not username.strip() or not password:
            st.error(t("sign_in_empty"))
        else:
            outcome = session.sign_in(username, password)
            if outcome.refusal:
                st.error(t(outcome.refusal, minutes=outcome.minutes))
            else:
                st.rerun()


def _single_sign_on() -> None:
    """A button per configured identity provider, and why the provider's identity was refused, if it was."""
    providers = sso.providers()
    if not providers:
        return
    refused = session.sso_refusal()
    if refused:
        key, email = refused
        st.error(t(key, email=md(email)), icon=":material/person_off:")
        if st.button(t("sso_other_account"), key="sso:other"):
            sso.log_out()
        return
    for provider in providers:
        if st.button(t("sso_sign_in", provider=sso.label(provider)), key=f"sso:{provider}", type="primary",
                     icon=":material/key:"):
            found = sso.identity()
            if found is None:
                sso.log_in(provider)
            else:  # the provider's identity is still in this browser: no trip to the provider
                session.sign_in_sso(found)
                st.rerun()  # signed in, or the refusal shown
    st.caption(t("sso_or_password"))


def change_password_page() -> None:
    """Shown at every address while the account still has a temporary password (new, or reset by an admin)."""
    st.title(t("pw_title"))
    st.info(t("pw_must_change"), icon=":material/password:")
    if password_form(t("pw_current")):
        st.rerun()


PASSWORD_KEYS = ("pw_current", "pw_new", "pw_again")


def password_form(current_label: str) -> bool:
    """The current password and a new one twice; True once the new one is saved (every other session of the
    account has then ended: ``storage.organisation.accounts.change_password``)."""
    with st.form("change_password", clear_on_submit=False):
        current = st.text_input(current_label, type="password", key="pw_current", max_chars=MAX_PASSWORD)
        new = st.text_input(t("pw_new"), type="password", key="pw_new", help=t("pw_rule", n=MIN_PASSWORD),
                            max_chars=MAX_PASSWORD)
        again = st.text_input(t("pw_again"), type="password", key="pw_again", max_chars=MAX_PASSWORD)
        submitted = st.form_submit_button(t("pw_save"), type="primary")
    if not submitted:
        return False
    if new != again:
        st.error(t("pw_differ"))
        return False
    try:
        session.change_password(current, new)
    except StoreError as exc:
        st.error(describe(exc))
        return False
    return True


def not_for_your_role() -> None:
    st.warning(t("not_for_role"), icon=":material/block:")
    user = session.current_user()
    if user is not None and user.role in MINISTRY_ROLES:
        st.page_link(MINISTRY_HOME, label=t("page_ministry"), icon=":material/account_tree:")
    else:
        st.page_link(HOME, label=t("page_home"), icon=":material/home:")


def url_path(path: str) -> str:
    return path.split("/")[-1].removesuffix(".py")


def pages_for(user: User | None) -> list[st.Page]:
    """Every page address, each with what this user gets there: signed out, the sign-in form (so a
    reload or a typed address never meets Streamlit's own 'page not found' dialog, and after signing in
    the same address opens its page); signed in, the page, or a plain note for a role that may not use it."""
    pages = []
    for path, (title, icon, roles) in PAGES.items():
        address = {"url_path": url_path(path), "default": path == HOME}
        if path == HOME and user is not None and user.role in MINISTRY_ROLES:
            path, (title, icon), roles = MINISTRY_HOME, MINISTRY_HOME_PAGE, MINISTRY_ROLES
        if user is None:
            pages.append(st.Page(sign_in_page, title=t("sign_in"), icon=":material/login:", **address))
        elif user.must_change_password:
            pages.append(st.Page(change_password_page, title=t("pw_title"), icon=":material/password:", **address))
        elif user.role in roles:
            pages.append(st.Page(path, title=t(title), icon=icon, **address))
        else:
            pages.append(st.Page(not_for_your_role, title=t("not_for_role"), **address))
    return pages


def department_banner(lang: str) -> None:
    """The department's logo (Streamlit's corner logo) and name at the top of the sidebar, once the admin has
    entered them (Administration, Department)."""
    details = identity.get(session.store())
    if details["logo"]:
        st.logo(details["logo"], size="large")
    name = details[f"name_{lang}"] or details["name_th"]
    if name:
        st.sidebar.markdown(f"**{md(name)}**")


def menu(user: User) -> None:
    for path, (title, icon, roles) in PAGES.items():
        if path == HOME and user.role in MINISTRY_ROLES:
            path, (title, icon), roles = MINISTRY_HOME, MINISTRY_HOME_PAGE, MINISTRY_ROLES
        if user.role in roles:
            st.sidebar.page_link(path, label=t(title), icon=icon)
    st.sidebar.divider()


def route() -> None:
    """One run of the app: the layout, the menu for the signed-in user, and the page at this address."""
    st.set_page_config(page_title="PMQA 4.0", page_icon="📊", layout="wide")
    page = None
    run_started()
    st.session_state.setdefault("lang", session.remembered_language())
    with _routing():
        try:
            user = session.current_user() or session.resume_sso()
            page = st.navigation(pages_for(user), position="hidden")
            department_banner(st.session_state["lang"])
            if user is not None and not user.must_change_password:
                menu(user)
            language_switch()
            with st.sidebar:  # the cookies, and what every page needs in the browser (ui.browser)
                lang = st.session_state["lang"]
                st.html(session.cookie_script(lang) + browser.page_head(lang), unsafe_allow_javascript=True)
            if is_demo(session.store()):
                st.sidebar.warning(t("demo_notice"), icon=":material/science:")
            if user is not None:
                st.sidebar.caption(t("signed_in_as", name=md(user.display_name),
                                     role=role_label(user.role, st.session_state["lang"])))
                if st.sidebar.button(t("sign_out"), icon=":material/logout:"):
                    session.sign_out(user)
                    st.rerun()
            page.run()
        except PageEnd:
            pass
        except StoreMissing as exc:
            st.error(t("store_damaged" if exc.damaged else "store_missing"), icon=":material/database:")
        except Unavailable:  # the database's server stopped or the connection was lost: said plainly, retried next
            st.error(t("error_unavailable"), icon=":material/database:")
        except StoreError as exc:  # a store the app will not open as it is (its account passes the departments' wall)
            st.error(describe(exc), icon=":material/database:")
        except Exception as exc:  # st.stop and st.rerun are not Exceptions: they pass through
            faults.show(exc, where=f"page /{page.url_path}" if page else "the router")
        run_completed()  # not reached by a run cut short (st.rerun, st.stop, the next click)
