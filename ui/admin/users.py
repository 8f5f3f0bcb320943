"""Users: the list with last sign-in, adding one with a temporary password, changing role or unit,
resetting a password (changed at the next sign-in), disabling. The last active admin stays."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from i18n.format import local_time, role_label
from storage.engine import Store
from storage.organisation import accounts, org
from storage.organisation.accounts import User
from storage.schema import ROLES
from ui import choices
from ui.admin import run
from ui.i18n import current_language, t
from ui.text import MISSING
from ui.widget_state import form_round, next_round, show_stored


def view(db: Store, user: User) -> None:
    lang = current_language()
    people = accounts.users(db)
    st.dataframe(pd.DataFrame({
        t("username"): [p["username"] for p in people],
        t("adm_display_name"): [p["display_name"] for p in people],
        t("adm_role"): [role_label(p["role"], lang) for p in people],
        t("unit"): [p["unit_code"] or "" for p in people],
        t("adm_email"): [p["email"] or "" for p in people],
        t("adm_active"): [t("word_yes") if p["active"] else t("word_no") for p in people],
        t("adm_last_sign_in"): [local_time(p["last_sign_in"], lang) or t("adm_never") for p in people],
    }), hide_index=True, width="stretch", placeholder=MISSING)
    units = org.all_units(db)
    names = {row.id: f"{row.code} · {row.name_en if lang == 'en' else row.name_th}"
             + ("" if row.active else f" ({t('adm_unit_inactive')})") for row in units.itertuples()}
    active = set(units.loc[units["active"] == 1, "id"])
    _add_form(db, user, {None: "-", **{k: v for k, v in names.items() if k in active}}, lang)
    _edit(db, user, people, {None: "-", **names}, lang)


def _role_and_unit(prefix: str, unit_names: dict, lang: str, role: str = "unit", unit_id: int | None = None):
    left, right = st.columns(2)
    role = show_stored(f"{prefix}:role", role)
    unit_id = show_stored(f"{prefix}:unit", unit_id if unit_id in unit_names else next(iter(unit_names)))
    role = choices.selectbox(t("adm_role"), ROLES, container=left, index=list(ROLES).index(role), key=f"{prefix}:role",
                             format_func=lambda r: role_label(r, lang))
    unit_id = choices.selectbox(t("adm_unit_for_assessor"), list(unit_names), container=right,
                                index=list(unit_names).index(unit_id), key=f"{prefix}:unit",
                                format_func=unit_names.get, help=t("adm_unit_for_assessor_help"))
    return role, unit_id


def account_fields(prefix: str, password_help: str) -> tuple[str, str, str, str]:
    """Inside a form: a new account's user name, display name, e-mail and temporary password, in two columns."""
    left, right = st.columns(2)
    username = left.text_input(t("username"), key=f"{prefix}:name", help=t("adm_username_help"))
    display = right.text_input(t("adm_display_name"), key=f"{prefix}:display")
    email = left.text_input(t("adm_email"), key=f"{prefix}:email")
    password = right.text_input(t("adm_temp_password"), type="password", key=f"{prefix}:password",
                                help=password_help)
    return username, display, email, password


def _add_form(db: Store, user: User, unit_names: dict, lang: str) -> None:
    prefix = f"adm:new_user:{form_round('adm:new_user')}"
    with st.expander(t("adm_add_user"), icon=":material/person_add:"), st.form("adm_add_user", border=False):
        username, display, email, password = account_fields(prefix, t("adm_temp_password_help",
                                                                      n=accounts.MIN_PASSWORD))
        role, unit_id = _role_and_unit(prefix, unit_names, lang)
        if st.form_submit_button(t("adm_add_user"), type="primary"):
            if run(lambda: accounts.add_user(db, user, username, password, role, display,
                                             unit_id if role == "unit" else None, email),
                   done=t("adm_user_added", name=username.strip())):
                next_round("adm:new_user")  # added: an empty form; refused: everything typed stays
            st.rerun()


def _edit(db: Store, user: User, people: list[dict], unit_names: dict, lang: str) -> None:
    names = {p["id"]: f"{p['username']} · {p['display_name']}" for p in people}
    with st.expander(t("adm_edit_user"), icon=":material/manage_accounts:"):
        user_id = choices.selectbox(t("adm_user"), list(names), format_func=names.get, key="adm:edit_user")
        person = next(p for p in people if p["id"] == user_id)
        prefix = f"adm:user:{user_id}"
        with st.form(f"adm_edit_user_{user_id}", border=False):
            left, right = st.columns(2)
            display = left.text_input(t("adm_display_name"), show_stored(f"{prefix}:display", person["display_name"]),
                                      key=f"{prefix}:display")
            email = right.text_input(t("adm_email"), show_stored(f"{prefix}:email", person["email"] or ""),
                                     key=f"{prefix}:email")
            role, unit_id = _role_and_unit(prefix, unit_names, lang, person["role"], person["unit_id"])
            if st.form_submit_button(t("adm_save"), type="primary"):
                run(lambda: accounts.update_user(db, user, user_id, role, unit_id if role == "unit" else None,
                                                 display, email), done=t("adm_saved"))
                st.rerun()
        with st.form(f"adm_reset_{user_id}", border=False):
            password = st.text_input(t("adm_temp_password"), type="password",
                                     key=f"{prefix}:password:{form_round(prefix)}",
                                     help=t("adm_temp_password_help", n=accounts.MIN_PASSWORD))
            if st.form_submit_button(t("adm_reset_password"), icon=":material/lock_reset:"):
                if run(lambda: accounts.reset_password(db, user, user_id, password),
                       done=t("adm_password_reset", name=person["username"])):
                    next_round(prefix)
                st.rerun()
        if person["active"]:
            if st.button(t("adm_disable_user"), key=f"{prefix}:off", icon=":material/person_off:"):
                run(lambda: accounts.set_active(db, user, user_id, False), done=t("adm_saved"))
                st.rerun()
        elif st.button(t("adm_enable_user"), key=f"{prefix}:on"):
            run(lambda: accounts.set_active(db, user, user_id, True), done=t("adm_saved"))
            st.rerun()
