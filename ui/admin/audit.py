"""The audit log: who did what, when, in which year and unit, in words (``analysis.audit_log``); filtered, with a
CSV download that keeps the raw action codes and JSON details beside the words."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import pandas as pd
import streamlit as st

from analysis.audit_log import action_label, entity_label, readable
from i18n import translate
from i18n.format import local_time
from storage import audit
from storage.engine import Store
from storage.organisation import org
from storage.organisation.accounts import User
from ui import choices, people
from ui.dates import date_input
from ui.i18n import current_language, t
from ui.overview_data import csv_of
from ui.text import MISSING

SHOWN = 2000
COLUMNS = {"at": "adm_audit_when", "who": "adm_audit_who", "action_name": "adm_audit_action",
           "entity_name": "adm_audit_entity", "entity_id": "adm_audit_record", "summary": "adm_audit_detail",
           "year": "adm_year", "unit_id": "unit"}
RAW = {"username": "adm_audit_account", "action": "adm_audit_action_code", "entity": "adm_audit_entity_code",
       "detail": "adm_audit_detail_raw"}


def view(db: Store, user: User) -> None:
    lang = current_language()
    options = audit.choices(db)
    units = org.all_units(db)
    unit_names = dict(zip(units["id"], units["code"], strict=True))
    cols = st.columns(3)
    names = people.names()
    username = choices.selectbox(t("adm_audit_who"), [None, *sorted(options["username"], key=lambda u: names[u])],
                                 container=cols[0], key="adm:audit_who",
                                 format_func=lambda v: t("all") if v is None else names[v])
    action = choices.selectbox(t("adm_audit_action"), [None, *options["action"]], container=cols[1],
                               key="adm:audit_action",
                               format_func=lambda v: t("all") if v is None else action_label(v, lang))
    entity = choices.selectbox(t("adm_audit_entity"), [None, *options["entity"]], container=cols[2],
                               key="adm:audit_entity",
                               format_func=lambda v: t("all") if v is None else entity_label(v, lang))
    cols = st.columns(3)
    year = choices.selectbox(t("adm_year"), [None, *[c["year"] for c in org.cycles(db)][::-1]], container=cols[0],
                             key="adm:audit_year", format_func=lambda v: t("all") if v is None else str(v))
    unit_id = choices.selectbox(t("unit"), [None, *unit_names], container=cols[1], key="adm:audit_unit",
                                format_func=lambda v: t("all") if v is None else unit_names[v])
    dates = date_input(t("adm_audit_dates"), (), key="adm:audit_dates", container=cols[2])
    frame = audit.entries(db, username, action, entity, year, unit_id, *_date_range(dates))
    st.caption(t("adm_audit_count", n=len(frame), shown=min(len(frame), SHOWN)))
    if frame.empty:  # an empty table says "empty", in English
        return
    shown = table(frame.head(SHOWN), unit_names, lang, names)
    st.dataframe(shown[[t(k) for k in COLUMNS.values()]], hide_index=True, width="stretch", placeholder=MISSING,
                 column_config={t("adm_audit_detail"): st.column_config.TextColumn(width="large")})
    st.download_button(t("adm_audit_csv"), lambda: csv_of(table(frame, unit_names, lang, names), index=False)(),
                       file_name="audit-log.csv", mime="text/csv", on_click="ignore", icon=":material/download:")


def table(frame: pd.DataFrame, unit_names: dict, lang: str, names: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Audit entries (``storage.audit.entries``) as the admin reads them, headed in ``lang``: in words first
    (when, who as people know them, action, record type and id, what it did, year, unit), then the account's user
    name, the raw action and record codes and the JSON detail, which only the CSV carries."""
    frame = readable(frame, lang, names)
    frame = frame.assign(at=frame["at"].map(lambda at: local_time(at, lang)), unit_id=frame["unit_id"].map(
        lambda u: "" if pd.isna(u) else unit_names.get(int(u), u)), year=frame["year"].map(
        lambda y: "" if pd.isna(y) else str(int(y))))  # text, as the blanks are: one type to a column
    return frame[[*COLUMNS, *RAW]].astype(object).fillna("").rename(
        columns={name: translate(key, lang) for name, key in {**COLUMNS, **RAW}.items()})


def _date_range(dates) -> tuple[date | None, date | None]:
    """The date picker's choice (nothing, one day, or a range still being picked) as inclusive days."""
    if not dates:
        return None, None
    if isinstance(dates, (list, tuple)):
        return dates[0], dates[-1]
    return dates, dates
