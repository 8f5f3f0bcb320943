"""The audit log: who did what, when, in which year and unit; filtered, with a CSV download."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st
from sqlite_utils import Database

from i18n.format import local_time
from storage import audit, org
from storage.accounts import User
from ui.i18n import t
from ui.overview_data import csv_of
from ui.text import MISSING

SHOWN = 2000


def view(db: Database, user: User) -> None:
    options = audit.choices(db)
    units = org.all_units(db)
    unit_names = dict(zip(units["id"], units["code"], strict=True))
    cols = st.columns(3)
    username = cols[0].selectbox(t("adm_audit_who"), [None, *options["username"]], key="adm:audit_who",
                                 format_func=lambda v: t("all") if v is None else v)
    action = cols[1].selectbox(t("adm_audit_action"), [None, *options["action"]], key="adm:audit_action",
                               format_func=lambda v: t("all") if v is None else v)
    entity = cols[2].selectbox(t("adm_audit_entity"), [None, *options["entity"]], key="adm:audit_entity",
                               format_func=lambda v: t("all") if v is None else v)
    cols = st.columns(3)
    year = cols[0].selectbox(t("adm_year"), [None, *[c["year"] for c in org.cycles(db)][::-1]],
                             key="adm:audit_year", format_func=lambda v: t("all") if v is None else str(v))
    unit_id = cols[1].selectbox(t("unit"), [None, *unit_names], key="adm:audit_unit",
                                format_func=lambda v: t("all") if v is None else unit_names[v])
    dates = cols[2].date_input(t("adm_audit_dates"), value=(), key="adm:audit_dates")
    frame = audit.entries(db, username, action, entity, year, unit_id, *_date_range(dates))
    shown = frame.assign(at=frame["at"].map(local_time), unit_id=frame["unit_id"].map(
        lambda u: "" if pd.isna(u) else unit_names.get(int(u), u)))
    shown = shown.drop(columns="id").astype(object).fillna("").rename(columns={
        "at": t("adm_audit_when"), "username": t("adm_audit_who"), "action": t("adm_audit_action"),
        "entity": t("adm_audit_entity"), "entity_id": t("adm_audit_record"), "detail": t("adm_audit_detail"),
        "year": t("adm_year"), "unit_id": t("unit")})
    st.caption(t("adm_audit_count", n=len(frame), shown=min(len(frame), SHOWN)))
    if shown.empty:  # an empty table says "empty", in English
        return
    st.dataframe(shown.head(SHOWN), hide_index=True, width="stretch", placeholder=MISSING)
    st.download_button(t("adm_audit_csv"), csv_of(shown, index=False), file_name="audit-log.csv", mime="text/csv",
                       on_click="ignore", icon=":material/download:")


def _date_range(dates) -> tuple[date | None, date | None]:
    """The date picker's choice (nothing, one day, or a range still being picked) as inclusive days."""
    if not dates:
        return None, None
    if isinstance(dates, (list, tuple)):
        return dates[0], dates[-1]
    return dates, dates
