"""The department's identity: its names, ministry, head, address and logo, for every document and the sidebar."""

from __future__ import annotations

import streamlit as st

from storage.engine import Store
from storage.organisation import identity
from storage.organisation.accounts import User
from ui.admin import run
from ui.i18n import t
from ui.widget_state import form_round, next_round, show_stored

# the form's rows: fields side by side (Thai, English)
ROWS = (("name_th", "name_en"), ("short_th", "short_en"), ("ministry_th", "ministry_en"), ("head_name",),
        ("head_title_th", "head_title_en"), ("address_th", "address_en"))


def view(db: Store, user: User) -> None:
    stored = identity.get(db)
    st.caption(t("id_intro"))
    prefix = "adm:identity"
    with st.form("adm_identity", border=False):
        typed = {}
        for row in ROWS:
            for column, field in zip(st.columns(len(row)), row, strict=True):
                key = f"{prefix}:{field}"
                box = column.text_area if field.startswith("address") else column.text_input
                typed[field] = box(t(f"id_{field}"), show_stored(key, stored[field]), key=key,
                                   max_chars=identity.LIMITS[field])
        logo = st.file_uploader(t("id_logo", mb=identity.MAX_LOGO // (1024 * 1024)), type=["png"],
                                key=f"{prefix}:logo:{form_round(prefix)}",
                                max_upload_size=identity.MAX_LOGO // (1024 * 1024))
        remove = st.checkbox(t("id_logo_remove"), key=f"{prefix}:remove:{form_round(prefix)}",
                             disabled=stored["logo"] is None)
        if st.form_submit_button(t("id_save"), type="primary"):
            changed = {field: value for field, value in typed.items() if value != stored[field]}
            upload = (logo.name, logo.getvalue()) if logo is not None else None
            if run(lambda: identity.save(db, user, stored["version"], changed, upload, remove), done=t("id_saved")):
                next_round(prefix)
            st.rerun()
    if stored["logo"]:
        st.image(stored["logo"], caption=t("id_logo_now"), width=160)
