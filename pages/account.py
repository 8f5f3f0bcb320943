"""My account: who is signed in, and a new password chosen by its owner (the other sessions of the account end
with it, as after an admin's reset)."""

import streamlit as st

from i18n.format import role_label
from ui.i18n import current_language, t
from ui.router import password_form, require_user
from ui.text import md

user = require_user()

st.title(t("page_account"))
st.caption(t("account_who", name=md(user.display_name), username=md(user.username),
             role=role_label(user.role, current_language())))
st.subheader(t("pw_change_title"))
st.caption(t("pw_change_note"))
if password_form(t("pw_current_plain")):
    st.success(t("pw_changed"), icon=":material/check_circle:")
