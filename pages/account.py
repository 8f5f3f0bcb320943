"""My account: who is signed in, and a new password chosen by its owner (the other sessions of the account end
with it, as after an admin's reset)."""

import streamlit as st

from i18n.format import role_label
from ui.i18n import current_language, t
from ui.router import PASSWORD_KEYS, password_form, require_user
from ui.text import md

user = require_user()

st.title(t("page_account"))
name = user.display_name if user.display_name == user.username else f"{user.display_name} ({user.username})"
st.caption(t("account_who", name=md(name), role=role_label(user.role, current_language())))
st.subheader(t("pw_change_title"))
st.caption(t("pw_change_note"))
if st.session_state.pop("pw_changed", False):
    st.success(t("pw_changed"), icon=":material/check_circle:")
if password_form(t("pw_current_plain")):
    for key in PASSWORD_KEYS:  # saved: the boxes start empty again
        st.session_state.pop(key, None)
    st.session_state["pw_changed"] = True
    st.rerun()
