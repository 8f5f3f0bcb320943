"""The department's assessment of record: the one assessment it sends to OPDC, started from the units and
edited by the committee; the director and the admin read it."""

import streamlit as st

from analysis.department_record import record_scores
from i18n.format import level_label, rules_text, score_text, status_label
from storage.assessment import assessments, years
from storage.record import department
from ui import session
from ui.cycles import choose_cycle
from ui.department_form import (
    EDITOR,
    decision_panel,
    key,
    render_item,
    render_kpis,
    render_profile,
    start_panel,
    status_note,
    text_tools,
)
from ui.evidence_gaps import department_panel
from ui.i18n import current_language, t
from ui.router import end_page, require_user
from ui.tabs import sections as form_sections
from ui.text import thai_lines

PROFILE_SECTION = "profile"  # beside the categories 1-7 in the section control

user = require_user("committee", "director", "admin")
db = session.store()
lang = current_language()
year = choose_cycle(db)
framework = years.framework_of(db, year)
units_met, counted = department.unit_answers(db, year)

st.title(t("dp_title", year=year))
st.caption(t("dp_intro"))
EDITOR.show_flash()
record = department.get(db, user, year)
year_closed = years.year_refusal(db, year)
if record is None:
    start_panel(user, year, counted, closed=year_closed is not None)
    parts = [PROFILE_SECTION]
else:
    fresh = EDITOR.begin(year, record.version)
    editable = user.role == "committee" and record.record["status"] == "draft" and not year_closed
    scores = record_scores(db, year)
    cols = st.columns([2, 2, 3])
    cols[0].metric(t("status"), thai_lines(status_label(record.record["status"], lang)))
    cols[1].metric(t("total_score"), score_text(scores.total))
    cols[2].metric(t("level"), thai_lines(level_label(scores.level, lang)))
    st.caption(status_note(record))
    st.caption(rules_text(framework.rules, lang))
    department_panel(db, framework, year)
    if year_closed:
        st.info(t("rv_year_closed", year=year), icon=":material/lock:")
    elif not editable and user.role == "committee":
        st.info(t("dp_locked"), icon=":material/lock:")
    if not year_closed:
        decision_panel(record, user, year)
    parts = [*framework.rules.categories, PROFILE_SECTION]

section = form_sections(t("dp_section"), parts, key("category"), "section",
                        lambda c: t("dp_profile") if c == PROFILE_SECTION else t("category_short", n=c))
text_tools(db, user, year, user.role == "committee" and not year_closed)
if section == PROFILE_SECTION:
    st.subheader(t("dp_profile"))
    profile_open = user.role == "committee" and not year_closed and (record is None or
                                                                       record.record["status"] == "draft")
    render_profile(db, framework, user, year, profile_open)
    end_page()
st.subheader(f"{t('category_short', n=section)} {framework.category(section).name.get(lang)} · "
             f"{score_text(scores.categories[section])}")
if section == 7:
    render_kpis(db, record, framework, user, fresh, editable, assessments.kpi_results(db, year, "best"))
else:
    met = dict(zip(units_met["checkpoint"], units_met["units_met"], strict=True))
    for item in framework.category(section).items:
        render_item(db, record, item, framework, user, fresh, editable, met, counted)
