"""The OFI register: opportunities for improvement, from the gap engine or by hand, tracked to done."""

from functools import partial

import streamlit as st

from analysis.ofi import gap_table
from reports.ofi_export import register_csv, register_xlsx
from scoring import framework_for_year
from storage import accounts, ofis, org
from ui import session
from ui.cycles import choose_cycle
from ui.i18n import current_language, t
from ui.ofi_register import from_gaps_form, manual_form, notes_panel, register_table, run, show_flash
from ui.router import require_user

user = require_user("committee", "admin")
db = session.store()
lang = current_language()
year = choose_cycle(db)
framework = framework_for_year(year)
unit_table = org.units(db)
units = dict(zip(unit_table["id"], unit_table["code"] + " · " + unit_table["name_en" if lang == "en" else "name_th"],
                 strict=True))
owners = accounts.active_usernames(db)

st.title(t("ofi_register_title"))
show_flash()
register_tab, gaps_tab, manual_tab = st.tabs([t("ofi_tab_register"), t("ofi_tab_gaps"), t("ofi_tab_manual")])
with register_tab:
    cols = st.columns(5)
    category = cols[0].selectbox(t("category"), [None, *range(1, 8)], key="ofi:f:category",
                                 format_func=lambda c: t("ofi_all") if c is None else t("category_short", n=c))
    unit_id = cols[1].selectbox(t("unit"), [None, *units], key="ofi:f:unit",
                                format_func=lambda u: t("ofi_all") if u is None else units[u])
    owner = cols[2].selectbox(t("ofi_col_owner"), [None, *owners], key="ofi:f:owner",
                              format_func=lambda o: t("ofi_all") if o is None else o)
    status = cols[3].multiselect(t("ofi_col_status"), ofis.STATUSES, key="ofi:f:status", placeholder=t("ofi_all"),
                                 format_func=lambda s: t(f"ofi_status_{s}"))
    overdue = cols[4].checkbox(t("ofi_overdue_only"), key="ofi:f:overdue")
    frame = ofis.register(db, year, category=category, unit_id=unit_id, owner=owner, status=status or None,
                          overdue=overdue)
    st.caption(t("ofi_count", n=len(frame)))
    register_table(user, frame, owners, editable=True)
    down = st.columns(3)
    # the files are made only when a button is clicked
    down[0].download_button(t("ofi_export_xlsx"), partial(register_xlsx, frame, lang), file_name=f"ofi-{year}.xlsx",
                            icon=":material/table_view:", key="ofi:xlsx")
    down[1].download_button(t("ofi_export_csv"), partial(register_csv, frame, lang), file_name=f"ofi-{year}.csv",
                            icon=":material/csv:", key="ofi:csv")
    has_previous = year - 1 in {c["year"] for c in org.cycles(db)}
    carry = has_previous and down[2].button(t("ofi_carry_over", year=year - 1), key="ofi:carry",
                                            icon=":material/move_down:")
    if carry:
        run(lambda: ofis.carry_over(db, user, year - 1, year), t("ofi_carried"))
        st.rerun()
    st.subheader(t("ofi_notes"))
    notes_panel(user, frame)
with gaps_tab:
    st.caption(t("ofi_gaps_caption"))
    scope = st.selectbox(t("ofi_gap_scope"), [None, *units], key="ofi:gap_scope",
                         format_func=lambda u: t("ofi_department") if u is None else units[u])
    from_gaps_form(user, year, gap_table(db, year, lang, unit_id=scope, limit=50), owners)
with manual_tab:
    manual_form(user, year, framework.item_ids(), units, owners)
