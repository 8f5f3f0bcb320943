"""The department's assessment of record: the one assessment it sends to OPDC, started from the units and
edited by the committee; the director and the admin read it."""

import streamlit as st

from analysis.department_record import record_scores
from i18n.format import level_label, rules_text, score_text, status_label
from storage import assessments, department, years
from ui import session
from ui.cycles import choose_cycle
from ui.department_form import EDITOR, decision_panel, key, render_item, render_kpis, start_panel, status_note
from ui.i18n import current_language, t
from ui.router import require_user

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
if record is None:
    start_panel(user, year, counted)
    st.stop()
fresh = EDITOR.begin(year, record.version)
year_closed = years.year_refusal(db, year)
editable = user.role == "committee" and record.record["status"] == "draft" and not year_closed
scores = record_scores(db, year)

cols = st.columns([2, 2, 3])
cols[0].metric(t("status"), status_label(record.record["status"], lang))
cols[1].metric(t("total_score"), score_text(scores.total))
cols[2].metric(t("level"), level_label(scores.level, lang))
st.caption(status_note(record))
st.caption(rules_text(framework.rules, lang))
if year_closed:
    st.info(t("rv_year_closed", year=year), icon=":material/lock:")
elif not editable and user.role == "committee":
    st.info(t("dp_locked"), icon=":material/lock:")
if not year_closed:
    decision_panel(record, user, year)

assessed = framework.rules.categories
category = st.segmented_control(t("category"), assessed, key=key("category"), default=assessed[0],
                                format_func=lambda c: t("category_short", n=c)) or assessed[0]
st.subheader(f"{t('category_short', n=category)} {framework.category(category).name.get(lang)} · "
             f"{score_text(scores.categories[category])}")
if category == 7:
    render_kpis(db, record, framework, user, fresh, editable, assessments.kpi_results(db, year, "best"))
else:
    met = dict(zip(units_met["checkpoint"], units_met["units_met"], strict=True))
    for item in framework.category(category).items:
        render_item(db, record, item, framework, user, fresh, editable, met, counted)
