"""Home: the current cycle and the figures that matter to the signed-in role."""

import streamlit as st

from analysis.summary import department_summary, unit_summary
from charts import category_bars
from i18n.format import level_label, rules_text, score_text, year_label
from storage import org, years
from ui import session
from ui.announcements import inbox_panel
from ui.home_parts import phase_banner, returned_banner, setup_checklist, unit_metrics
from ui.i18n import current_language, t
from ui.overview_parts import covers, readiness, readiness_help
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
    st.warning(t("no_cycle"))
    end_page()
framework = years.framework_of(db, year)
names = {c.id: c.name.get(lang) for c in framework.categories}
st.subheader(year_label(year, lang))
phase_banner(db, year)
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
    cols = st.columns(3)
    # short values, as on the overview: a metric cuts a long one off ("11 จาก 20 หน่วยง…")
    cols[2].metric(t("submissions"), f"{summary.submitted}/{summary.units_total}")
    st.progress(summary.submitted / summary.units_total if summary.units_total else 0.0,
                text=t("submissions_value", done=summary.submitted, total=summary.units_total))
    if summary.total is None:
        st.info(t("no_submissions"))
        end_page()
    cols[0].metric(t("department_total"), score_text(summary.total))
    cols[1].metric(t("level"), level_label(summary.level, lang))
    award = summary.award
    cols = st.columns(3)
    cols[0].metric(t("award_readiness"), readiness(award.headline), help=readiness_help(award.headline))
    cols[1].metric(t("category_awards"), t("category_awards_value", n=int(award.category_awards["met"].sum())))
    short = [str(c) for c, v in award.categories_missing.items() if v > 0]
    if short:
        cols[2].caption(t("award_categories_short", floor=f"{framework.thresholds.awards.pmqa_category_min:g}",
                          cats=", ".join(short)))
    st.caption(covers(summary.units_counted, summary.units_total, summary.source, summary.method, summary.kept))
    st.caption(rules_text(framework.rules, lang))
    categories = summary.categories

st.plotly_chart(category_bars(categories, framework.thresholds, lang, names), width="stretch")
st.caption(t("score_by_category_caption"))
