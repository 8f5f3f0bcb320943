"""The ministry's departments, for its admin: each one's set-up (units, accounts, years: the department admin's
first-run checklist), and a new department with its first admin, who then sets it up as any department's admin."""

import pandas as pd
import streamlit as st

from i18n.format import role_label
from storage.organisation import accounts, ministry
from storage.schema import MINISTRY_ROLES
from ui import choices, session
from ui.admin import run
from ui.admin.users import account_fields
from ui.i18n import current_language, t
from ui.ministry import department_name
from ui.router import require_user
from ui.text import MISSING
from ui.widget_state import form_round, next_round

user = require_user("ministry_admin")
db = session.store()
lang = current_language()
st.title(t("md_title"))
st.caption(t("md_intro"))

found = ministry.set_up(db, user)
if found:
    steps = ("units", "users", "year", "thresholds")
    st.dataframe(pd.DataFrame({
        t("md_code"): [d["code"] for d in found],
        t("mn_department"): [department_name(d, lang) for d in found],
        t("md_ready"): [f"{sum(d['steps'][s] for s in steps)}/{len(steps)}" for d in found],
        t("md_units"): [d["units"] for d in found],
        t("md_years"): [", ".join(str(y) for y in d["years"]) for d in found],  # B.E., as the cycles are named
        t("md_accounts"): [", ".join(f"{role_label(r, lang)} {n}" for r, n in sorted(d["accounts"].items()))
                           for d in found],
    }), hide_index=True, width="stretch", height="content", placeholder=MISSING)  # every department, no scrolling
    st.caption(t("md_ready_help"))
else:
    st.info(t("mn_no_departments"), icon=":material/info:")

password_help = t("md_password_help", n=accounts.MIN_PASSWORD)
prefix = f"md:new:{form_round('md:new')}"
with st.expander(t("md_add"), icon=":material/domain_add:", expanded=not found), st.form("md_add", border=False):
    left, right = st.columns(2)
    code = left.text_input(t("md_code"), key=f"{prefix}:code", help=t("md_code_help"))
    name_th = right.text_input(t("md_name_th"), key=f"{prefix}:name_th")
    name_en = left.text_input(t("md_name_en"), key=f"{prefix}:name_en")
    st.markdown(f"**{t('md_first_admin')}**")
    admin, admin_name, email, password = account_fields(prefix, password_help)
    if st.form_submit_button(t("md_add"), type="primary"):
        made = t("md_added", name=name_th.strip(), admin=admin.strip())
        if run(lambda: ministry.create_department(db, user, code, name_th, name_en, admin, password, admin_name,
                                                  email), done=made):
            next_round("md:new")  # made: an empty form; refused: everything typed stays
        st.rerun()

prefix = f"md:account:{form_round('md:account')}"
with st.expander(t("md_add_account"), icon=":material/person_add:"), st.form("md_add_account", border=False):
    st.caption(t("md_add_account_help"))
    username, display, email, temporary = account_fields(prefix, password_help)
    role = choices.selectbox(t("adm_role"), MINISTRY_ROLES, key=f"{prefix}:role",
                             format_func=lambda r: role_label(r, lang))
    if st.form_submit_button(t("md_add_account"), type="primary"):
        if run(lambda: ministry.add_account(db, user, username, temporary, role, display, email),
               done=t("adm_user_added", name=username.strip())):
            next_round("md:account")
        st.rerun()
