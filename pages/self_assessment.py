"""Self-assessment: a unit scores itself on every PMQA 4.0 item of a cycle; every change saves at once."""

import streamlit as st

from analysis.self_assessment import live_scores, progress
from i18n.format import level_label, local_time, rules_text, score_text, status_label
from storage.assessment import answers, assessments, years
from storage.assessment.answers import EDITABLE
from storage.files import evidence
from storage.organisation import org
from ui import session
from ui.assessment_actions import add_kpi_form, copy_previous_offer, scroll_to_asked_item, submit_panel
from ui.assessment_form import EDITOR, begin, key, render_item, render_kpis
from ui.cycles import choose_cycle
from ui.i18n import current_language, t
from ui.offline_form import offline_panel
from ui.people import person
from ui.router import end_page, require_user
from ui.tabs import sections
from ui.text import md, thai_lines

CLOSED = {"error_year_closed": "sa_year_closed", "error_phase_closed": "sa_phase_closed", "error_no_cycle": "no_cycle",
          "error_unit_inactive": "error_unit_inactive"}

user = require_user("unit")
db = session.store()
lang = current_language()
unit = org.unit(db, user.unit_id)
year = choose_cycle(db)
framework = years.framework_of(db, year)
found = assessments.get(db, user.unit_id, year)
if found is None:
    # outside the self-assessment phase, or for a deactivated unit, no form is started
    if refusal := ("error_unit_inactive" if not unit["active"] else years.unit_refusal(db, year)):
        st.title(t("sa_title", unit=md(unit["name_en" if lang == "en" else "name_th"])))
        st.info(t(CLOSED[refusal], year=year), icon=":material/event_busy:")
        end_page()
    found = assessments.ensure(db, user, user.unit_id, year)
form = answers.load(db, user, found["id"])
fresh = begin(form)
refusal = years.unit_refusal(db, year, form.assessment["status"])
editable = form.assessment["status"] in EDITABLE["self"] and refusal is None
scores, done = live_scores(form, framework), progress(form, framework)

st.title(t("sa_title", unit=md(unit["name_en" if lang == "en" else "name_th"])))
EDITOR.show_flash()
cols = st.columns([3, 2, 3, 2])  # the status and the level are words: room for "ส่งกลับให้แก้ไข"
cols[0].metric(t("status"), thai_lines(status_label(form.assessment["status"], lang)))
cols[1].metric(t("total_score"), score_text(scores.total))
cols[2].metric(t("level"), thai_lines(level_label(scores.level, lang)))
cols[3].metric(t("items_answered"), t("items_answered_value", done=sum(done.answered.values()),
                                      total=sum(done.totals.values())))
st.progress(done.percent / 100, text=t("sa_progress_value", percent=done.percent))
if form.assessment["version"]:
    st.caption(t("sa_last_saved", time=local_time(form.assessment["updated_at"], lang),
                 user=md(person(form.assessment["updated_by"])), version=form.assessment["version"]) + " · "
               + t("sa_autosave_note"))
else:
    st.caption(t("sa_never_saved"))
st.caption(rules_text(framework.rules, lang))
if form.assessment["status"] == "returned" and form.assessment.get("return_reason"):
    st.error(t("sa_returned", reason=md(form.assessment["return_reason"])), icon=":material/undo:")
if refusal and form.assessment["status"] in EDITABLE["self"]:
    st.info(t(CLOSED[refusal], year=year), icon=":material/event_busy:")
elif not editable:
    st.info(t("sa_read_only", status=status_label(form.assessment["status"], lang)), icon=":material/lock:")
if editable:
    copy_previous_offer(form, user)
offline_panel(form, framework, user, unit, editable)

assessed = framework.rules.categories
category = sections(t("category"), assessed, key("category"), "category",
                    lambda c: f"{t('category_short', n=c)} · {done.answered[c]}/{done.totals[c]}")
st.subheader(f"{t('category_short', n=category)} {framework.category(category).name.get(lang)} · "
             f"{score_text(scores.categories[category])}")
rows = evidence.listing(db, user, form.assessment["id"])
if category == 7:
    render_kpis(form, framework, user, fresh, editable, rows, scores.not_assessed)
    if editable:
        add_kpi_form(form, framework, user)
else:
    for item in framework.category(category).items:
        render_item(form, item, framework, user, fresh, editable, rows)

st.divider()
if editable:
    submit_panel(form, user, done, framework)
scroll_to_asked_item()
