"""Home: the current cycle and the figures that matter to the signed-in role."""

import streamlit as st

from analysis.summary import department_summary, unit_summary
from charts import category_bars
from i18n.format import rules_text, year_label
from storage.assessment import years
from storage.organisation import org
from ui import session
from ui.announcements import inbox_panel
from ui.home_parts import (
    department_metrics,
    phase_banner,
    record_panel,
    returned_banner,
    setup_checklist,
    unit_metrics,
)
from ui.i18n import current_language, t
from ui.router import end_page, require_user
from ui.text import md
from ui.workplan import due_this_month

user = require_user()
db = session.store()
lang = current_language()
year = org.current_cycle(db)

st.title(t("app_title"))
inbox_panel(db, user)
if user.role == "admin":
    setup_checklist(db)
if year is None:
    st.warning(t("no_cycle_admin" if user.role == "admin" else "no_cycle"))
    end_page()
framework = years.framework_of(db, year)
names = {c.id: c.name.get(lang) for c in framework.categories}
st.subheader(year_label(year, lang))
phase_banner(db, year, user.role)
due_this_month(db, user, year)

if user.role == "unit":
    unit = org.unit(db, user.unit_id)
    summary = unit_summary(db, user, user.unit_id, year)
    st.markdown(f"**{t('unit')}:** {md(unit['name_en' if lang == 'en' else 'name_th'])}")
    unit_metrics(summary)
    if summary.status == "not_started":
        st.info(t("no_assessment"))
    returned_banner(db, user.unit_id, year)
    st.caption(t("self_score_note") + " " + rules_text(framework.rules, lang))
    categories = summary.categories
else:
    summary = department_summary(db, user, year)
    department_metrics(summary, framework)
    record_panel(db, user, year)  # the assessment sent to OPDC, apart from the units' mean
    categories = summary.categories  # None before any unit's assessment counts

if categories is not None:
    st.plotly_chart(category_bars(categories, framework.thresholds, lang, names), width="stretch")
    st.caption(t("score_by_category_caption"))
