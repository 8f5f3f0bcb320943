"""The router: sign-in, then a menu built for the signed-in role."""

import streamlit as st

from i18n import LANGUAGES
from i18n.format import role_label
from storage import is_demo
from ui import session
from ui.i18n import t

st.set_page_config(page_title="PMQA 4.0", page_icon="📊", layout="wide")

PAGES_HOME = "app_pages/home.py"
PAGES = {
    # page file -> (title key, icon, roles that may open it)
    "app_pages/home.py": ("page_home", ":material/home:", ("unit", "committee", "director", "admin")),
    "app_pages/self_assessment.py": ("page_self_assessment", ":material/edit_note:", ("unit",)),
    "app_pages/review.py": ("page_review", ":material/fact_check:", ("committee", "admin")),
    "app_pages/ofi_register.py": ("page_ofi", ":material/checklist:", ("committee", "admin")),
    "app_pages/overview.py": ("page_overview", ":material/monitoring:", ("director", "committee", "admin")),
}


def _keep_language() -> None:
    choice = st.session_state.get("lang_choice")
    if choice in LANGUAGES:  # clicking the selected option again clears the control: keep the language
        st.session_state["lang"] = choice


def language_switch() -> None:
    st.session_state.setdefault("lang", "th")
    st.session_state["lang_choice"] = st.session_state["lang"]
    st.sidebar.segmented_control(
        t("language"), LANGUAGES, key="lang_choice", on_change=_keep_language,
        format_func={"th": "ไทย", "en": "English"}.get,
    )


def sign_in_page() -> None:
    st.title(t("app_title"))
    st.caption(t("app_subtitle"))
    if is_demo(session.store()):
        st.info(t("demo_accounts"))
    with st.form("sign_in"):
        username = st.text_input(t("username"), key="login_username")
        password = st.text_input(t("password"), type="password", key="login_password")
        submitted = st.form_submit_button(t("sign_in"), type="primary")
    if submitted:
        if not username.strip() or not password:
            st.error(t("sign_in_empty"))
        elif session.sign_in(username, password) is None:
            st.error(t("sign_in_failed"))
        else:
            st.rerun()


def not_for_your_role() -> None:
    st.warning(t("not_for_role"), icon=":material/block:")
    st.page_link(PAGES_HOME, label=t("page_home"), icon=":material/home:")


def url_path(path: str) -> str:
    return path.split("/")[-1].removesuffix(".py")


def stand_in(page, path: str, title: str) -> st.Page:
    """A hidden page at another page's address, so a reload or a typed address never meets
    Streamlit's own 'page not found' dialog."""
    return st.Page(page, title=title, url_path=url_path(path), visibility="hidden")


language_switch()
user = session.current_user()
if is_demo(session.store()):
    st.sidebar.warning(t("demo_notice"), icon=":material/science:")
if user is None:
    # every address shows the sign-in form; once signed in, the same address opens its page
    sign_in = st.Page(sign_in_page, title=t("sign_in"), icon=":material/login:", default=True)
    stand_ins = [stand_in(sign_in_page, path, t("sign_in")) for path in PAGES if path != PAGES_HOME]
    st.navigation([sign_in, *stand_ins]).run()
else:
    pages = [st.Page(path, title=t(title), icon=icon, url_path=url_path(path), default=path == PAGES_HOME)
             if user.role in roles else stand_in(not_for_your_role, path, t("not_for_role"))
             for path, (title, icon, roles) in PAGES.items()]
    st.sidebar.caption(t("signed_in_as", name=user.display_name, role=role_label(user.role, st.session_state["lang"])))
    if st.sidebar.button(t("sign_out"), icon=":material/logout:"):
        session.sign_out()
        st.rerun()
    st.navigation(pages).run()
