"""The OFI register: opportunities for improvement, from the gap engine or by hand, tracked to done."""

import streamlit as st

from storage.assessment import years
from storage.organisation import accounts, org
from ui import choices, session
from ui.cycles import choose_cycle
from ui.i18n import current_language, t
from ui.ofi_register import TABS, gaps_view, manual_form, register_view, show_flash
from ui.router import require_user
from ui.tabs import open_tab

user = require_user("committee", "admin")
db = session.store()
lang = current_language()
year = choose_cycle(db)
unit_table = org.units(db)
units = dict(zip(unit_table["id"], unit_table["code"] + " · " + unit_table["name_en" if lang == "en" else "name_th"],
                 strict=True))
codes = dict(zip(unit_table["id"], unit_table["code"], strict=True))
people = accounts.people(db)  # user name -> the name people know the account by
owners = {name: people[name] for name in accounts.active_usernames(db)}

if (asked := st.query_params.pop("gaps_of", None)) is not None:  # the review's link: that unit's gaps
    st.session_state["ofi_tab"] = t("ofi_tab_gaps")
    choices.choose("ofi:gap_scope", int(asked) if asked.isdigit() and int(asked) in units else None)
st.title(t("ofi_register_title"))
show_flash()
tab, container = open_tab("ofi_tab", TABS)  # only the open tab is built; it is in the address (?ofi_tab=...)
with container:
    if tab == "register":
        register_view(user, year, units, owners, people)
    elif tab == "gaps":
        gaps_view(user, year, units, codes, owners)
    else:
        manual_form(user, year, years.framework_of(db, year).item_ids(), units, owners)
