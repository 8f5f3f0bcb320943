"""Administration (the PMQA owner): years and phases, the department's identity, units, users, criteria and
thresholds, backup and restore, announcements, the audit log. Only the open tab is built; it is in the address
(?adm_tab=...)."""

import streamlit as st

from ui import session
from ui.admin import EDITOR, TABS, announcements, audit, backup, criteria, identity, units, users, years
from ui.i18n import t
from ui.router import require_user
from ui.tabs import open_tab

user = require_user("admin")
db = session.store()
VIEWS = {"years": years.view, "identity": identity.view, "units": units.view, "users": users.view,
         "criteria": criteria.view, "announcements": announcements.view, "backup": backup.view, "audit": audit.view}

st.title(t("adm_title"))
EDITOR.show_flash()
tab, container = open_tab("adm_tab", TABS)
with container:
    VIEWS[tab](db, user)
