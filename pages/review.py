"""Committee review: the submission queue, then one submission reviewed item by item."""

import streamlit as st

from analysis.review import REVIEWABLE, category_comparison, review_queue
from analysis.self_assessment import live_scores
from i18n.format import local_time, rules_text, score_text, status_label
from storage.assessment import answers, years
from storage.assessment.answers import EDITABLE
from storage.files import evidence
from ui import choices, session
from ui.cycles import choose_cycle
from ui.evidence_gaps import unit_panel
from ui.i18n import current_language, t
from ui.people import person
from ui.review_actions import decision_panel
from ui.review_form import EDITOR, key, render_item, render_kpis
from ui.router import end_page, require_user
from ui.tabs import sections
from ui.text import MISSING, md

user = require_user("committee", "admin")
db = session.store()
lang = current_language()
year = choose_cycle(db)
framework = years.framework_of(db, year)

st.title(t("rv_title"))
EDITOR.show_flash()
queue = review_queue(db, user, year)
done = int(queue["status"].isin(("submitted", "approved")).sum())
st.progress(done / len(queue) if len(queue) else 0.0, text=t("submissions_value", done=done, total=len(queue)))
statuses = choices.many(t("rv_filter_status"), ["not_started", "draft", "submitted", "returned", "approved"],
                        "rv:statuses", lambda s: status_label(s, lang), default=["submitted", "returned", "approved"],
                        placeholder=t("choose"))
name = "name_en" if lang == "en" else "name_th"
shown = queue[queue["status"].isin(statuses)]
if shown.empty:  # an empty table says "empty", in English
    st.caption(t("rv_none_shown"))
else:
    st.dataframe(
        shown.assign(status=shown["status"].map(lambda s: status_label(s, lang)),
                     updated_at=shown["updated_at"].map(lambda s: local_time(s, lang)))[
            ["code", name, "status", "updated_at", "self_total", "review_total", "difference"]],
        hide_index=True, width="stretch", placeholder=MISSING,
        column_config={
            "code": t("rv_code"), name: t("unit"), "status": t("status"), "updated_at": t("rv_updated"),
            "self_total": st.column_config.NumberColumn(t("rv_self_total"), format="%.1f"),
            "review_total": st.column_config.NumberColumn(t("rv_review_total"), format="%.1f"),
            "difference": st.column_config.NumberColumn(t("rv_difference"), format="%+.1f"),
        },
    )

open_units = queue[queue["status"].isin(REVIEWABLE)]
if open_units.empty:
    st.info(t("rv_nothing_to_review"))
    end_page()
labels = dict(zip(open_units["unit_id"], open_units["code"] + " · " + open_units[name], strict=True))
unit_id = choices.one("selectbox", t("rv_open"), list(labels), "rv:unit", labels.get)
form = answers.load(db, user, int(queue.loc[queue["unit_id"] == unit_id, "assessment_id"].iloc[0]))
fresh = EDITOR.begin(form.assessment["id"], form.assessment["version"])
year_closed = years.year_refusal(db, year)
editable = user.role == "committee" and form.assessment["status"] in EDITABLE["review"] and not year_closed
own, reviewed = live_scores(form, framework, "self"), live_scores(form, framework, "review")

st.header(f"{md(labels[unit_id])} · {status_label(form.assessment['status'], lang)}")
if form.assessment["version"]:
    st.caption(t("sa_last_saved", time=local_time(form.assessment["updated_at"], lang),
                 user=md(person(form.assessment["updated_by"])), version=form.assessment["version"]))
st.caption(rules_text(framework.rules, lang))
cols = st.columns(3)
cols[0].metric(t("rv_self_total"), score_text(own.total))
cols[1].metric(t("rv_review_total"), score_text(reviewed.total))
cols[2].metric(t("rv_difference"), f"{reviewed.total - own.total:+.1f}")
comparison = category_comparison(own.categories, reviewed.categories)
st.dataframe(
    comparison.set_axis([t("category_short", n=c) for c in comparison.index]),
    width="stretch", placeholder=MISSING,
    column_config={"self": st.column_config.NumberColumn(t("rv_self_total"), format="%.1f"),
                   "review": st.column_config.NumberColumn(t("rv_review_total"), format="%.1f"),
                   "difference": st.column_config.NumberColumn(t("rv_difference"), format="%+.1f")},
)
code = str(queue.loc[queue["unit_id"] == unit_id, "code"].iloc[0])
gaps = unit_panel(db, framework, year, code)  # what an examiner checks first, before the committee decides
if year_closed:
    st.info(t("rv_year_closed", year=year), icon=":material/lock:")
else:
    decision_panel(form, user)
st.page_link("pages/ofi_register.py", label=t("rv_to_ofis"), icon=":material/checklist:",
             query_params={"ofi_tab": "gaps", "gaps_of": str(unit_id)})

assessed = framework.rules.categories
category = sections(t("category"), assessed, key("category"), "category", lambda c: t("category_short", n=c))
rows = evidence.listing(db, user, form.assessment["id"])
can_note = user.role == "committee"
if category == 7:
    render_kpis(form, framework, user, fresh, editable, can_note, rows, gaps=(gaps, code))
else:
    for item in framework.category(category).items:
        render_item(form, item, framework, user, fresh, editable, can_note, rows, gaps=(gaps, code))
if not year_closed:  # the decision again where the reading ends
    st.divider()
    decision_panel(form, user, below=True)
