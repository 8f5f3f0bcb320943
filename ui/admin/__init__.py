"""The PMQA owner's screens: fiscal years and phases, the department's identity, units, users, criteria and
thresholds, backup and restore, announcements, and the audit log. Each tab is one module with a ``view(db,
user)``; every change goes through the store, which checks the acting admin, refuses bad input with a message and
audits the change."""

from __future__ import annotations

from ui.editor import Editor

TABS = {"years": "adm_tab_years", "identity": "adm_tab_identity", "units": "adm_tab_units", "users": "adm_tab_users",
        "criteria": "adm_tab_criteria", "announcements": "adm_tab_announcements", "backup": "adm_tab_backup",
        "audit": "adm_tab_audit"}
EDITOR = Editor("adm")
run = EDITOR.attempt
